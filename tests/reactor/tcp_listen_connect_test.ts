import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { connectTCP, disconnectAll, listenTCP } from "../../reactor/_tcp.ts";
import {
  CannotListenError,
  ConnectError,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  NotConnectingError,
  UserError,
} from "../../reactor/errors.ts";
import type { IConnector } from "../../reactor/interfaces.ts";
import { ServerFactory } from "../../reactor/protocol.ts";
import type { Failure } from "../../deferred/failure.ts";
import { connectedPair, listenLocal, reactorTest } from "./_loopback.ts";
import {
  Echo,
  Recorder,
  RecordingClientFactory,
  RecordingServerFactory,
} from "./_recorders.ts";
import { captureLogs, recordText, within } from "../_support/mod.ts";

reactorTest(
  "listenTCP() given port 0 when bound then getHost() reports the interface and the real port",
  (reactor) => {
    const port = reactor.listenTCP(0, new RecordingServerFactory(), {
      interface: "127.0.0.1",
    });
    const host = port.getHost();
    assert.equal(host.type, "TCP");
    assert.equal(host.host, "127.0.0.1");
    assert.ok(host.port > 0);
  },
);

reactorTest(
  "listenTCP() given no interface when bound then listens on all IPv4 interfaces",
  (reactor) => {
    const port = reactor.listenTCP(0, new RecordingServerFactory());
    assert.equal(port.getHost().host, "0.0.0.0");
  },
);

reactorTest(
  "listenTCP() given a port in use when called then throws CannotListenError with the port and the OS error",
  (reactor) => {
    const port = listenLocal(reactor);
    const taken = port.getHost().port;
    let caught: unknown;
    try {
      reactor.listenTCP(taken, new RecordingServerFactory(), {
        interface: "127.0.0.1",
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof CannotListenError);
    assert.equal(caught.port, taken);
    assert.equal(caught.interface, "127.0.0.1");
    assert.ok(caught.cause instanceof Deno.errors.AddrInUse);
  },
);

Deno.test(
  "listenTCP() given a port out of range when called then throws RangeError",
  () => {
    const reactor = new Reactor();
    assert.throws(
      () => listenTCP(reactor, 70000, new RecordingServerFactory()),
      RangeError,
    );
    assert.throws(
      () => listenTCP(reactor, 1.5, new RecordingServerFactory()),
      RangeError,
    );
  },
);

Deno.test("listenTCP() given the port as a string in an unchecked program when called then throws TypeError naming the type and value", () => {
  const reactor = new Reactor();
  assert.throws(
    () =>
      reactor.listenTCP(
        "8000" as unknown as number,
        new RecordingServerFactory(),
      ),
    {
      name: "TypeError",
      message:
        'Cannot listen on a port given as string: a port is a number, current value is "8000"',
    },
  );
});

Deno.test("connectTCP() given the port as a string in an unchecked program when called then throws TypeError naming the type and value", () => {
  const reactor = new Reactor();
  const factory = new RecordingClientFactory();
  assert.throws(
    () => connectTCP(reactor, "127.0.0.1", "80" as unknown as number, factory),
    {
      name: "TypeError",
      message:
        'Cannot connect on a port given as string: a port is a number, current value is "80"',
    },
  );
  assert.deepEqual(factory.events, []);
});

reactorTest(
  "listenTCP() given a factory when listening and after stopListening() then doStart and doStop ran once each",
  async (reactor) => {
    const factory = new RecordingServerFactory();
    const port = listenLocal(reactor, factory);
    assert.equal(factory.started, 1);
    assert.equal(factory.stopped, 0);
    await within(port.stopListening(), "stopListening");
    assert.equal(factory.stopped, 1);
  },
);

reactorTest(
  "stopListening() given a stopped port when a client connects then it is refused",
  async (reactor) => {
    const port = listenLocal(reactor);
    await within(port.stopListening(), "stopListening");
    const client = new RecordingClientFactory();
    reactor.connectTCP("127.0.0.1", port.getHost().port, client);
    const reason = await within(client.failed, "clientConnectionFailed");
    assert.ok(reason.check(ConnectionRefusedError));
  },
);

reactorTest(
  "stopListening() given called twice when the port closes then both Deferreds fire",
  async (reactor) => {
    const port = listenLocal(reactor);
    const first = port.stopListening();
    const second = port.stopListening();
    await within(Promise.all([first, second]), "both Deferreds");
    await within(port.stopListening(), "a Deferred after the close");
  },
);

reactorTest(
  "stopListening() given an accepted connection when the port closes then the connection keeps working",
  async (reactor) => {
    const { client, port } = await connectedPair(
      reactor,
      () => new Echo(),
      () => new Recorder(),
    );
    await within(port.stopListening(), "stopListening");
    client.transport!.write("still here");
    await within(client.received(10), "the echo");
    assert.equal(client.text(), "still here");
  },
);

reactorTest(
  "listenTCP() given buildProtocol returns null when a client connects then the connection is closed",
  async (reactor) => {
    const refusing = new (class extends ServerFactory {
      override buildProtocol(): null {
        return null;
      }
    })();
    const port = listenLocal(reactor, refusing);
    const client = new RecordingClientFactory();
    reactor.connectTCP("127.0.0.1", port.getHost().port, client);
    const reason = await within(client.lost, "clientConnectionLost");
    assert.ok(reason.check(ConnectionDone));
  },
);

reactorTest(
  "listenTCP() given buildProtocol throws when a client connects then the error is logged and the connection closed",
  async (reactor) => {
    const throwing = new (class extends ServerFactory {
      override buildProtocol(): null {
        throw new RangeError("no protocol today");
      }
    })();
    const port = listenLocal(reactor, throwing);
    const client = new RecordingClientFactory();
    const records = await captureLogs(async () => {
      reactor.connectTCP("127.0.0.1", port.getHost().port, client);
      await within(client.lost, "clientConnectionLost");
    });
    assert.equal(records.length, 1);
    assert.match(
      recordText(records[0]),
      /Unhandled error in buildProtocol: RangeError: no protocol today/,
    );
  },
);

reactorTest(
  "connectTCP() given buildProtocol throws when connected then clientConnectionFailed receives ConnectError caused by it",
  async (reactor) => {
    const port = listenLocal(reactor);
    const thrown = new RangeError("no protocol today");
    const client = new (class extends RecordingClientFactory {
      override buildProtocol(): null {
        throw thrown;
      }
    })();
    const records = await captureLogs(async () => {
      reactor.connectTCP("127.0.0.1", port.getHost().port, client);
      const reason = await within(client.failed, "clientConnectionFailed");
      assert.ok(reason.check(ConnectError));
      assert.equal((reason.value as Error).cause, thrown);
    });
    assert.equal(records.length, 1);
  },
);

reactorTest(
  "connectTCP() given a listening server when connected then the factory sees doStart, startedConnecting, buildProtocol in order",
  async (reactor) => {
    const { clientFactory } = await connectedPair(reactor);
    assert.deepEqual(clientFactory.events, [
      "startFactory",
      "startedConnecting",
      "buildProtocol",
    ]);
  },
);

reactorTest(
  "connectTCP() given a connection when it is lost then clientConnectionLost follows connectionLost and the factory stops",
  async (reactor) => {
    const { client, clientFactory } = await connectedPair(reactor);
    const order: string[] = [];
    client.lost.then(() => order.push("connectionLost"));
    client.transport!.loseConnection();
    const reason = await within(clientFactory.lost, "clientConnectionLost");
    order.push("clientConnectionLost");
    assert.ok(reason.check(ConnectionDone));
    assert.deepEqual(order, ["connectionLost", "clientConnectionLost"]);
    assert.deepEqual(clientFactory.events.slice(-2), [
      "clientConnectionLost",
      "stopFactory",
    ]);
  },
);

reactorTest(
  "connector.state given each phase when read then is connecting, connected, then disconnected",
  async (reactor) => {
    const server = new RecordingServerFactory();
    const port = listenLocal(reactor, server);
    const clientFactory = new RecordingClientFactory();
    const connector = reactor.connectTCP(
      "127.0.0.1",
      port.getHost().port,
      clientFactory,
    );
    assert.equal(connector.state, "connecting");
    const client = await within(
      clientFactory.protocolBuilt,
      "the client protocol",
    );
    await within(client.made, "connectionMade");
    assert.equal(connector.state, "connected");
    connector.disconnect();
    await within(clientFactory.lost, "clientConnectionLost");
    assert.equal(connector.state, "disconnected");
  },
);

reactorTest(
  "getDestination() given a connector when read then names the host and port asked for",
  (reactor) => {
    const port = listenLocal(reactor);
    const connector = reactor.connectTCP(
      "localhost",
      port.getHost().port,
      new RecordingClientFactory(),
    );
    assert.deepEqual(connector.getDestination(), {
      type: "TCP",
      host: "localhost",
      port: port.getHost().port,
    });
  },
);

reactorTest(
  "connect() given a factory that reconnects from clientConnectionLost when the first connection closes then a second one is made without stopping the factory",
  async (reactor) => {
    const server = new RecordingServerFactory();
    const port = listenLocal(reactor, server);
    const second = Promise.withResolvers<Recorder>();
    let connections = 0;
    const factory = new (class extends RecordingClientFactory {
      override clientConnectionLost(
        connector: IConnector,
        reason: Failure,
      ): void {
        super.clientConnectionLost(connector, reason);
        connector.connect();
      }
    })(() => {
      const protocol = new Recorder();
      if (++connections === 2) second.resolve(protocol);
      return protocol;
    });
    reactor.connectTCP("127.0.0.1", port.getHost().port, factory);
    const first = await within(factory.protocolBuilt, "the first protocol");
    await within(first.made, "the first connectionMade");
    first.transport!.loseConnection();
    const again = await within(second.promise, "the second protocol");
    await within(again.made, "the second connectionMade");
    assert.equal(factory.events.filter((e) => e === "startFactory").length, 1);
    assert.equal(factory.events.includes("stopFactory"), false);
    assert.equal(factory.connectors[0], factory.connectors[1]);
  },
);

reactorTest(
  "connect() given a connector already connecting when called then throws TypeError",
  (reactor) => {
    const port = listenLocal(reactor);
    const connector = reactor.connectTCP(
      "127.0.0.1",
      port.getHost().port,
      new RecordingClientFactory(),
    );
    assert.throws(() => connector.connect(), TypeError);
  },
);

reactorTest(
  "stopConnecting() given an attempt in progress when called then the factory gets UserError and stops",
  async (reactor) => {
    const port = listenLocal(reactor);
    const factory = new RecordingClientFactory();
    const connector = reactor.connectTCP(
      "127.0.0.1",
      port.getHost().port,
      factory,
    );
    connector.stopConnecting();
    const reason = await within(factory.failed, "clientConnectionFailed");
    assert.ok(reason.check(UserError));
    assert.equal(connector.state, "disconnected");
    assert.deepEqual(factory.events, [
      "startFactory",
      "startedConnecting",
      "clientConnectionFailed",
      "stopFactory",
    ]);
  },
);

reactorTest(
  "stopConnecting() given a connector not connecting when called then throws NotConnectingError",
  async (reactor) => {
    const { connector } = await connectedPair(reactor);
    assert.throws(() => connector.stopConnecting(), NotConnectingError);
  },
);

reactorTest(
  "disconnect() given an attempt in progress when called then stops connecting with UserError",
  async (reactor) => {
    const port = listenLocal(reactor);
    const factory = new RecordingClientFactory();
    reactor.connectTCP("127.0.0.1", port.getHost().port, factory).disconnect();
    const reason = await within(factory.failed, "clientConnectionFailed");
    assert.ok(reason.check(UserError));
  },
);

reactorTest(
  "disconnect() given a connected connector when called then the connection closes cleanly and the factory gets clientConnectionLost",
  async (reactor) => {
    const { client, connector, clientFactory } = await connectedPair(reactor);
    connector.disconnect();
    const reason = await within(clientFactory.lost, "clientConnectionLost");
    assert.ok(reason.check(ConnectionDone));
    assert.ok(client.lostReason?.check(ConnectionDone));
    assert.equal(connector.state, "disconnected");
  },
);

reactorTest(
  "connectTCP() given a factory whose buildProtocol returns null when connected then the factory gets clientConnectionLost with ConnectionDone",
  async (reactor) => {
    const port = listenLocal(reactor);
    const factory = new (class extends RecordingClientFactory {
      override buildProtocol(): null {
        return null;
      }
    })();
    reactor.connectTCP("127.0.0.1", port.getHost().port, factory);
    const reason = await within(factory.lost, "clientConnectionLost");
    assert.ok(reason.check(ConnectionDone));
  },
);

Deno.test("connectTCP() given a negative timeout or a bad port when called then throws RangeError", () => {
  const reactor = new Reactor();
  const factory = new RecordingClientFactory();
  assert.throws(
    () => connectTCP(reactor, "127.0.0.1", 80, factory, { timeout: -1 }),
    RangeError,
  );
  assert.throws(() => connectTCP(reactor, "127.0.0.1", 0, factory), RangeError);
  assert.deepEqual(factory.events, []);
});

Deno.test("disconnectAll() given a port, a connection and an attempt when called then closes all and fails the attempt with ConnectError", async () => {
  const reactor = new Reactor();
  const { client, port, serverFactory } = await connectedPair(reactor);
  const pending = new RecordingClientFactory();
  reactor.connectTCP("127.0.0.1", port.getHost().port, pending);
  await within(disconnectAll(reactor), "disconnectAll");
  assert.ok(client.lostReason?.check(ConnectionLost));
  assert.equal(serverFactory.stopped, 1);
  const reason = await within(pending.failed, "clientConnectionFailed");
  assert.ok(reason.check(ConnectError));
});
