import assert from "node:assert/strict";
import { TimeoutError } from "../../deferred/errors.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { connectTCP, disconnectAll } from "../../reactor/_tcp.ts";
import {
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
} from "../../reactor/errors.ts";
import { Clock } from "../../testing/clock.ts";
import { connectedPair, listenLocal, reactorTest } from "./_loopback.ts";
import {
  Echo,
  Recorder,
  RecordingClientFactory,
  RecordingServerFactory,
} from "./_recorders.ts";
import {
  captureLogs,
  closedPort,
  recordText,
  sleep,
  within,
} from "../_support/mod.ts";

/**
 * A listener whose accept queue is full and never drained: Linux drops
 * further SYNs, so a connect to it stays pending until it is abandoned.
 */
async function fullBacklog(): Promise<{ port: number; close(): void }> {
  const listener = Deno.listen({
    hostname: "127.0.0.1",
    port: 0,
    tcpBacklog: 0,
  });
  const port = (listener.addr as Deno.NetAddr).port;
  const filler = await Deno.connect({ hostname: "127.0.0.1", port });
  return {
    port,
    close(): void {
      filler.close();
      listener.close();
    },
  };
}

reactorTest(
  "connectTCP() given a closed port when connecting then clientConnectionFailed receives ConnectionRefusedError",
  async (reactor) => {
    const factory = new RecordingClientFactory();
    const port = closedPort();
    reactor.connectTCP("127.0.0.1", port, factory);
    const reason = await within(factory.failed, "clientConnectionFailed");
    assert.ok(reason.check(ConnectionRefusedError));
    assert.match(
      reason.getErrorMessage(),
      new RegExp(`127\\.0\\.0\\.1:${port}`),
    );
    assert.ok(
      (reason.value as Error).cause instanceof Deno.errors.ConnectionRefused,
    );
  },
);

reactorTest(
  "connectTCP() given a host name that does not resolve when connecting then clientConnectionFailed receives DNSLookupError",
  async (reactor) => {
    const factory = new RecordingClientFactory();
    reactor.connectTCP("nonexistent.invalid", 80, factory, { timeout: 10 });
    const reason = await within(
      factory.failed,
      "clientConnectionFailed",
      12000,
    );
    assert.ok(reason.check(DNSLookupError), reason.getErrorMessage());
    assert.match(reason.getErrorMessage(), /nonexistent\.invalid/);
  },
);

reactorTest(
  "connectTCP() given a malformed host name when connecting then clientConnectionFailed receives DNSLookupError",
  async (reactor) => {
    const factory = new RecordingClientFactory();
    reactor.connectTCP("bad..name", 80, factory);
    const reason = await within(factory.failed, "clientConnectionFailed");
    assert.ok(reason.check(DNSLookupError), reason.getErrorMessage());
  },
);

Deno.test(
  "connectTCP() given a Clock when the timeout passes before the connection then fails with TimeoutError naming host, port and seconds",
  async () => {
    const clock = new Clock();
    const server = await fullBacklog();
    try {
      const factory = new RecordingClientFactory();
      const connector = connectTCP(clock, "127.0.0.1", server.port, factory, {
        timeout: 5,
      });
      clock.advance(4.9);
      assert.equal(connector.state, "connecting");
      clock.advance(0.1);
      const reason = await within(factory.failed, "clientConnectionFailed");
      assert.ok(reason.check(TimeoutError));
      assert.equal(
        reason.getErrorMessage(),
        `Timeout while connecting to 127.0.0.1:${server.port} after 5 seconds`,
      );
      assert.equal(connector.state, "disconnected");
      assert.equal(clock.getDelayedCalls().length, 0);
    } finally {
      await disconnectAll(clock);
      server.close();
    }
  },
);

Deno.test("connectTCP() given the default timeout when 30 seconds pass then fails with TimeoutError", async () => {
  const clock = new Clock();
  const server = await fullBacklog();
  try {
    const factory = new RecordingClientFactory();
    connectTCP(clock, "127.0.0.1", server.port, factory);
    clock.advance(30);
    const reason = await within(factory.failed, "clientConnectionFailed");
    assert.match(reason.getErrorMessage(), /after 30 seconds$/);
  } finally {
    await disconnectAll(clock);
    server.close();
  }
});

Deno.test("connectTCP() given a real reactor and a server that never completes the handshake when the timeout passes then fails with TimeoutError", async () => {
  const reactor = new Reactor();
  const server = await fullBacklog();
  try {
    const factory = new RecordingClientFactory();
    const started = performance.now();
    reactor.connectTCP("127.0.0.1", server.port, factory, { timeout: 0.2 });
    const reason = await within(factory.failed, "clientConnectionFailed");
    assert.ok(reason.check(TimeoutError));
    assert.ok(performance.now() - started >= 190);
  } finally {
    await disconnectAll(reactor);
    server.close();
  }
});

Deno.test("connectTCP() given a connection made in time when the timeout would have passed then it is cancelled", async () => {
  const clock = new Clock();
  const reactor = new Reactor();
  try {
    const port = listenLocal(reactor);
    const factory = new RecordingClientFactory();
    connectTCP(clock, "127.0.0.1", port.getHost().port, factory);
    const protocol = await within(factory.protocolBuilt, "the client protocol");
    assert.equal(clock.getDelayedCalls().length, 0);
    clock.advance(60);
    assert.equal(protocol.events.includes("connectionLost"), false);
  } finally {
    await disconnectAll(clock);
    await disconnectAll(reactor);
  }
});

reactorTest(
  "dataReceived() given a server protocol that throws when data arrives then the error is logged, that connection closed, and the server serves another client",
  async (reactor) => {
    class Fragile extends Echo {
      override dataReceived(data: Uint8Array): void {
        if (new TextDecoder().decode(data).includes("boom")) {
          throw new RangeError("boom in dataReceived");
        }
        super.dataReceived(data);
      }
    }
    const records = await captureLogs(async () => {
      const first = await connectedPair(
        reactor,
        () => new Fragile(),
        () => new Recorder(),
      );
      first.client.transport!.write("boom");
      const [serverReason] = await within(
        Promise.all([first.server.lost, first.client.lost]),
        "connectionLost",
      );
      assert.ok(serverReason.check(ConnectionLost));
      assert.ok((serverReason.value as Error).cause instanceof RangeError);

      const again = new RecordingClientFactory();
      reactor.connectTCP("127.0.0.1", first.port.getHost().port, again);
      const second = await within(again.protocolBuilt, "the second client");
      await within(second.made, "connectionMade");
      second.transport!.write("hello");
      await within(second.received(5), "the echo");
      assert.equal(second.text(), "hello");
    });
    const errors = records.filter((record) => record.level === "error").map(
      recordText,
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0], /dataReceived/);
    assert.match(errors[0], /RangeError: boom in dataReceived/);
  },
);

reactorTest(
  "connectionMade() given a protocol that throws when connected then the error is logged and the connection closed",
  async (reactor) => {
    class Broken extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        throw new Error("broken connectionMade");
      }
    }
    const records = await captureLogs(async () => {
      const server = new RecordingServerFactory(() => new Broken());
      const port = listenLocal(reactor, server);
      const client = new RecordingClientFactory();
      reactor.connectTCP("127.0.0.1", port.getHost().port, client);
      const reason = await within(client.lost, "clientConnectionLost");
      assert.ok(reason.check(ConnectionDone));
      const broken = await server.connection(0);
      await within(broken.lost, "the server's connectionLost");
    });
    assert.ok(
      records.some((record) =>
        record.level === "error" &&
        /broken connectionMade/.test(recordText(record))
      ),
    );
  },
);

reactorTest(
  "connectionLost() given a protocol that throws when the connection closes then the error is logged and nothing else breaks",
  async (reactor) => {
    class Throwing extends Recorder {
      override connectionLost(
        reason: Parameters<Recorder["connectionLost"]>[0],
      ): void {
        super.connectionLost(reason);
        throw new Error("broken connectionLost");
      }
    }
    const records = await captureLogs(async () => {
      const { client, clientFactory } = await connectedPair(
        reactor,
        () => new Recorder(),
        () => new Throwing(),
      );
      client.transport!.loseConnection();
      await within(clientFactory.lost, "clientConnectionLost");
    });
    assert.ok(
      records.some((record) =>
        /broken connectionLost/.test(recordText(record))
      ),
    );
  },
);

reactorTest(
  "dataReceived() given a protocol that aborts and then throws when data arrives then connectionLost runs exactly once",
  async (reactor) => {
    class AbortThenThrow extends Recorder {
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        (this.transport as unknown as { abortConnection(): void })
          .abortConnection();
        throw new Error("after abort");
      }
    }
    await captureLogs(async () => {
      const { client, server } = await connectedPair(
        reactor,
        () => new AbortThenThrow(),
        () => new Recorder(),
      );
      client.transport!.write("x");
      await within(Promise.all([server.lost, client.lost]), "connectionLost");
      await within(disconnectAll(reactor), "disconnectAll");
      assert.equal(
        server.events.filter((e) => e === "connectionLost").length,
        1,
      );
    });
  },
);

reactorTest(
  "write() given a peer that resets the connection mid-write when the write fails then connectionLost receives ConnectionLost with the OS error",
  async (reactor) => {
    class Flooder extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        // Not reading: only the write can notice the reset.
        (this.transport as unknown as { pauseProducing(): void })
          .pauseProducing();
        this.transport!.write(new Uint8Array(32 * 1024 * 1024));
      }
    }
    const server = new RecordingServerFactory(() => new Flooder());
    const port = listenLocal(reactor, server);
    const raw = await Deno.connect({
      hostname: "127.0.0.1",
      port: port.getHost().port,
    });
    const flooder = await within(server.connection(0), "the server protocol");
    await within(flooder.made, "connectionMade");
    // Closing with unread bytes in the receive buffer makes Linux send RST.
    await raw.read(new Uint8Array(1024));
    raw.close();
    const reason = await within(flooder.lost, "connectionLost");
    assert.ok(reason.check(ConnectionLost), reason.getErrorMessage());
    const cause = (reason.value as Error).cause;
    assert.ok(
      cause instanceof Deno.errors.ConnectionReset ||
        cause instanceof Deno.errors.BrokenPipe,
      String(cause),
    );
  },
);

reactorTest(
  "read() given a peer that resets an idle connection when noticed then connectionLost receives ConnectionDone (Deno reads a reset as end of file)",
  async (reactor) => {
    const server = new RecordingServerFactory();
    const port = listenLocal(reactor, server);
    const raw = await Deno.connect({
      hostname: "127.0.0.1",
      port: port.getHost().port,
    });
    const protocol = await within(server.connection(0), "the server protocol");
    protocol.transport!.write("unread by the peer");
    await sleep(20);
    raw.close();
    const reason = await within(protocol.lost, "connectionLost");
    assert.ok(reason.check(ConnectionDone), reason.getErrorMessage());
  },
);
