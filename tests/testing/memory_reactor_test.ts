import assert from "node:assert/strict";
import { captureLogs } from "../reactor/_log_capture.ts";
import {
  ReactorAlreadyRunning,
  ReactorNotRunning,
} from "../../reactor/errors.ts";
import type { IConnector } from "../../reactor/interfaces.ts";
import { ClientFactory, Factory, Protocol } from "../../reactor/protocol.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";

Deno.test("MemoryReactor.listenTCP() given calls with and without options when made then records them with Twisted's defaults", () => {
  const reactor = new MemoryReactor();
  const factory = Factory.forProtocol(Protocol);
  reactor.listenTCP(8080, factory);
  reactor.listenTCP(8081, factory, { backlog: 5, interface: "127.0.0.1" });
  assert.deepEqual(reactor.tcpServers, [
    [8080, factory, 50, ""],
    [8081, factory, 5, "127.0.0.1"],
  ]);
});

Deno.test("MemoryReactor.listenTCP() given a port when called then returns a port reporting 0.0.0.0 and that port", async () => {
  const reactor = new MemoryReactor();
  const port = reactor.listenTCP(80, Factory.forProtocol(Protocol));
  assert.deepEqual(port.getHost(), { type: "TCP", host: "0.0.0.0", port: 80 });
  await port.stopListening();
});

Deno.test("MemoryReactor.connectTCP() given a factory when called then records the call and tells the factory it started connecting", () => {
  const reactor = new MemoryReactor();
  const started: IConnector[] = [];
  class Tracking extends ClientFactory {
    override startedConnecting(connector: IConnector): void {
      started.push(connector);
    }
  }
  const factory = new Tracking();
  const connector = reactor.connectTCP("example.com", 80, factory, {
    timeout: 5,
    bindAddress: ["10.0.0.2", 0],
  });
  assert.deepEqual(reactor.tcpClients, [[
    "example.com",
    80,
    factory,
    5,
    ["10.0.0.2", 0],
  ]]);
  assert.deepEqual(started, [connector]);
  assert.deepEqual(reactor.connectors, [connector]);
  assert.deepEqual(connector.getDestination(), {
    type: "TCP",
    host: "example.com",
    port: 80,
  });
});

Deno.test("MemoryReactor.listenSSL() and connectSSL() given TLS options when called then record them", () => {
  const reactor = new MemoryReactor();
  const server = Factory.forProtocol(Protocol);
  const client = new ClientFactory();
  const tls = { cert: "c", key: "k" };
  reactor.listenSSL(443, server, tls);
  reactor.connectSSL("h", 443, client, { hostname: "h" });
  assert.deepEqual(reactor.sslServers, [[443, server, tls, 50, ""]]);
  assert.deepEqual(reactor.sslClients, [[
    "h",
    443,
    client,
    { hostname: "h" },
    30,
    null,
  ]]);
});

Deno.test("MemoryReactor's connector given stopConnecting, connect and disconnect when called then records each", () => {
  const reactor = new MemoryReactor();
  reactor.connectTCP("h", 1, new ClientFactory());
  const connector = reactor.connectors[0];
  assert.equal(connector.state, "connecting");
  connector.stopConnecting();
  assert.equal(connector.stoppedConnecting, true);
  assert.equal(connector.state, "disconnected");
  connector.connect();
  assert.equal(connector.state, "connecting");
  connector.disconnect();
  assert.equal(connector.disconnected, true);
});

Deno.test("MemoryReactor given a recorded client factory when its protocol is connected to a StringTransport then the protocol runs", () => {
  const reactor = new MemoryReactor();
  class Hello extends Protocol {
    override connectionMade(): void {
      this.transport!.write("hello");
    }
  }
  reactor.connectTCP("h", 7, ClientFactory.forProtocol(Hello));
  const [host, port, factory] = reactor.tcpClients[0];
  const transport = new StringTransport();
  factory.buildProtocol({ type: "TCP", host, port })!.makeConnection(transport);
  assert.equal(transport.valueString(), "hello");
});

Deno.test("MemoryReactor.callLater() given a delay when the clock advances past it then runs the call", () => {
  const reactor = new MemoryReactor();
  const calls: number[] = [];
  reactor.callLater(2, (n: number) => calls.push(n), 7);
  reactor.advance(1);
  assert.deepEqual(calls, []);
  reactor.advance(1);
  assert.deepEqual(calls, [7]);
  assert.equal(reactor.seconds(), 2);
});

Deno.test("MemoryReactor.run() given startup triggers and callWhenRunning calls when run then fires them in phase order", async () => {
  const reactor = new MemoryReactor();
  const order: string[] = [];
  reactor.callWhenRunning(() => order.push("whenRunning"));
  reactor.addSystemEventTrigger("after", "startup", () => order.push("after"));
  reactor.addSystemEventTrigger(
    "during",
    "startup",
    () => order.push("during"),
  );
  reactor.addSystemEventTrigger(
    "before",
    "startup",
    () => order.push("before"),
  );
  const done = reactor.run();
  assert.deepEqual(order, ["before", "during", "whenRunning", "after"]);
  assert.equal(reactor.running, true);
  assert.equal(reactor.hasRun, true);
  reactor.stop();
  await done;
});

Deno.test("MemoryReactor.run() given shutdown triggers when stop() is called then resolves after them with running false from the during phase", async () => {
  const reactor = new MemoryReactor();
  const order: string[] = [];
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    order.push(`before running=${reactor.running}`);
  });
  reactor.addSystemEventTrigger("during", "shutdown", () => {
    order.push(`during running=${reactor.running}`);
  });
  let resolved = false;
  const done = reactor.run().then(() => {
    resolved = true;
  });
  await Promise.resolve();
  assert.equal(resolved, false);
  reactor.stop();
  await done;
  assert.deepEqual(order, ["before running=true", "during running=false"]);
  assert.equal(reactor.hasStopped, true);
});

Deno.test("MemoryReactor.callWhenRunning() given a running reactor when called then calls at once", async () => {
  const reactor = new MemoryReactor();
  const done = reactor.run();
  let ran = false;
  assert.equal(reactor.callWhenRunning(() => (ran = true)), undefined);
  assert.equal(ran, true);
  reactor.stop();
  await done;
});

Deno.test("MemoryReactor given a callWhenRunning call when run twice then runs it once", async () => {
  const reactor = new MemoryReactor();
  let count = 0;
  reactor.callWhenRunning(() => count++);
  let done = reactor.run();
  reactor.stop();
  await done;
  done = reactor.run();
  reactor.stop();
  await done;
  assert.equal(count, 1);
});

Deno.test("MemoryReactor.removeSystemEventTrigger() given a trigger when removed then it does not run", async () => {
  const reactor = new MemoryReactor();
  let ran = false;
  const id = reactor.addSystemEventTrigger(
    "before",
    "shutdown",
    () => (ran = true),
  );
  reactor.removeSystemEventTrigger(id);
  const done = reactor.run();
  reactor.stop();
  await done;
  assert.equal(ran, false);
});

Deno.test("MemoryReactor.removeSystemEventTrigger() given an unknown id when called then throws RangeError", () => {
  assert.throws(
    () => new MemoryReactor().removeSystemEventTrigger(99),
    RangeError,
  );
});

Deno.test("MemoryReactor.stop() given a reactor not running when called then throws ReactorNotRunning", () => {
  assert.throws(() => new MemoryReactor().stop(), ReactorNotRunning);
});

Deno.test("MemoryReactor.run() given a running reactor when called then rejects with ReactorAlreadyRunning", async () => {
  const reactor = new MemoryReactor();
  const done = reactor.run();
  await assert.rejects(reactor.run(), ReactorAlreadyRunning);
  reactor.stop();
  await done;
});

Deno.test("MemoryReactor given a trigger that throws when fired then logs it and runs the others", async () => {
  const reactor = new MemoryReactor();
  let later = false;
  reactor.addSystemEventTrigger("before", "startup", () => {
    throw new Error("boom");
  });
  reactor.addSystemEventTrigger("before", "startup", () => (later = true));
  const records = await captureLogs(async () => {
    const done = reactor.run();
    reactor.stop();
    await done;
  });
  assert.equal(later, true);
  assert.equal(records.length, 1);
  assert.equal(records[0].level, "error");
});
