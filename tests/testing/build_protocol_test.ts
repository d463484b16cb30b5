import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import type { IAddress, IProtocol } from "../../reactor/interfaces.ts";
import { IPv4Address } from "../../reactor/ipv4_address.ts";
import { Factory, Protocol } from "../../reactor/protocol.ts";
import { buildProtocol } from "../../testing/build_protocol.ts";
import { StringTransport } from "../../testing/string_transport.ts";

class Counter extends Protocol<CounterFactory> {
  count = 0;
  override dataReceived(data: Uint8Array): void {
    this.count += data.length;
    this.factory!.total += data.length;
  }
}

class CounterFactory extends Factory {
  override protocol = Counter;
  total = 0;
}

class Picky extends Protocol {
  readonly picky = true;
}

class PickyFactory extends Factory {
  override buildProtocol(addr: IAddress): Picky | null {
    return addr.host === "127.0.0.1" ? new Picky() : null;
  }
}

Deno.test("buildProtocol() given a Factory subclass that sets protocol when called then returns that class's instance with no cast", () => {
  const factory = new CounterFactory();
  const protocol = buildProtocol(factory);
  protocol.makeConnection(new StringTransport());
  protocol.dataReceived(new Uint8Array(3));
  assert.equal(protocol.count, 3);
  assert.equal(factory.total, 3);
  assert.equal(protocol.factory, factory);
});

Deno.test("buildProtocol() given a factory whose buildProtocol declares its type when called then returns that type", () => {
  const protocol = buildProtocol(new PickyFactory());
  assert.equal(protocol.picky, true);
});

Deno.test("buildProtocol() given a factory that refuses the address when called then fails naming the address", () => {
  assert.throws(
    () =>
      buildProtocol(new PickyFactory(), new IPv4Address("TCP", "10.0.0.1", 7)),
    (error) =>
      error instanceof AssertionError &&
      error.message ===
        'Protocol expected from buildProtocol, found null for {"type":"TCP","host":"10.0.0.1","port":7}',
  );
});

Deno.test("buildProtocol() given no address when called then passes 127.0.0.1 port 0 as an IPv4Address", () => {
  const seen: IAddress[] = [];
  const factory = new (class extends Factory {
    override buildProtocol(addr: IAddress): IProtocol | null {
      seen.push(addr);
      return new Protocol();
    }
  })();
  const protocol: IProtocol = buildProtocol(factory);
  assert.ok(protocol instanceof Protocol);
  assert.ok(seen[0] instanceof IPv4Address);
  assert.deepEqual({ ...seen[0] }, { type: "TCP", host: "127.0.0.1", port: 0 });
});
