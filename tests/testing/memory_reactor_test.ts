import assert from "node:assert/strict";
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

Deno.test("MemoryReactor.run() given startup triggers and callWhenRunning calls when run then has fired them and set hasRun before it returns", async () => {
  const reactor = new MemoryReactor();
  const order: string[] = [];
  reactor.callWhenRunning(() => order.push("whenRunning"));
  reactor.addSystemEventTrigger(
    "before",
    "startup",
    () => order.push("before"),
  );
  const done = reactor.run();
  assert.deepEqual(order, ["before", "whenRunning"]);
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
