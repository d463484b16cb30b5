import assert from "node:assert/strict";
import {
  ClientFactory,
  Factory,
  Protocol,
  ServerFactory,
} from "../../reactor/protocol.ts";
import { IPv4Address } from "../../reactor/ipv4_address.ts";
import { buildProtocol } from "../../testing/build_protocol.ts";
import { StringTransport } from "../../testing/string_transport.ts";

const ADDRESS = new IPv4Address("TCP", "127.0.0.1", 1);

Deno.test("Protocol.makeConnection() given a transport when called then sets transport and connected before connectionMade runs", () => {
  const seen: unknown[] = [];
  class Greeter extends Protocol {
    override connectionMade(): void {
      seen.push(this.connected, this.transport);
    }
  }
  const protocol = new Greeter();
  const transport = new StringTransport();
  assert.equal(protocol.connected, false);
  protocol.makeConnection(transport);
  assert.deepEqual(seen, [true, transport]);
});

Deno.test("Factory.forProtocol() given a protocol class when each connection is built then returns a new instance whose factory is set", () => {
  const factory = Factory.forProtocol(Protocol);
  const first = buildProtocol(factory, ADDRESS);
  const second = buildProtocol(factory, ADDRESS);
  assert.ok(first instanceof Protocol);
  assert.notEqual(first, second);
  assert.equal(first.factory, factory);
});

Deno.test("Factory.forProtocol() given a subclass when called on it then returns an instance of that subclass", () => {
  assert.ok(ClientFactory.forProtocol(Protocol) instanceof ClientFactory);
  assert.ok(ServerFactory.forProtocol(Protocol) instanceof ServerFactory);
});

Deno.test("Factory.buildProtocol() given no protocol class when called then throws TypeError", () => {
  assert.throws(() => new Factory().buildProtocol(ADDRESS), {
    name: "TypeError",
    message:
      "Cannot build a protocol: set factory.protocol or override buildProtocol",
  });
});

Deno.test("Factory.doStart() and doStop() given two users when they start and stop then startFactory runs for the first and stopFactory after the last", () => {
  const events: string[] = [];
  class Counted extends Factory {
    override startFactory(): void {
      events.push("start");
    }
    override stopFactory(): void {
      events.push("stop");
    }
  }
  const factory = new Counted();
  factory.doStart();
  factory.doStart();
  assert.equal(factory.numPorts, 2);
  factory.doStop();
  assert.deepEqual(events, ["start"]);
  factory.doStop();
  assert.deepEqual(events, ["start", "stop"]);
  assert.equal(factory.numPorts, 0);
});

Deno.test("Factory.doStop() given a factory never started when called then does nothing", () => {
  let stopped = false;
  class Watched extends Factory {
    override stopFactory(): void {
      stopped = true;
    }
  }
  const factory = new Watched();
  factory.doStop();
  assert.equal(stopped, false);
  assert.equal(factory.numPorts, 0);
});
