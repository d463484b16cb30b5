import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import {
  CannotListenError,
  ConnectionDone,
  ConnectionLost,
  TLSError,
} from "../../reactor/errors.ts";
import type { ITLSTransport } from "../../reactor/interfaces.ts";
import type { Deferred } from "../../deferred/deferred.ts";
import { TimeoutError } from "../../deferred/errors.ts";
import { connectedPair, listenLocal, reactorTest } from "./_loopback.ts";
import {
  Echo,
  Recorder,
  RecordingClientFactory,
  RecordingServerFactory,
} from "./_recorders.ts";
import {
  captureLogs,
  recordText,
  TLS_CERT,
  TLS_KEY,
  within,
} from "../_support/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function tls(protocol: Recorder): ITLSTransport {
  return protocol.transport as ITLSTransport;
}

reactorTest(
  "connectSSL() given a server with the fixture certificate when data is echoed then it round-trips over TLS",
  async (reactor) => {
    const { client } = await connectedPair(
      reactor,
      () => new Echo(),
      () => new Recorder(),
      true,
    );
    client.transport!.write("over TLS");
    await within(client.received(8), "the echo");
    assert.equal(client.text(), "over TLS");
  },
);

reactorTest(
  "connectSSL() given a large write when echoed then every byte round-trips",
  async (reactor) => {
    const { client } = await connectedPair(
      reactor,
      () => new Echo(),
      () => new Recorder(),
      true,
    );
    const payload = new Uint8Array(1024 * 1024).map((_, i) => i % 253);
    client.transport!.write(payload);
    await within(client.received(payload.byteLength), "the echo");
    assert.deepEqual(client.joined(), payload);
  },
);

reactorTest(
  "loseConnection() given a TLS connection when the server closes then the client gets ConnectionDone",
  async (reactor) => {
    const { client, server } = await connectedPair(
      reactor,
      undefined,
      undefined,
      true,
    );
    server.transport!.write("bye");
    server.transport!.loseConnection();
    const reason = await within(client.lost, "connectionLost");
    assert.ok(reason.check(ConnectionDone), reason.getErrorMessage());
    assert.equal(client.text(), "bye");
  },
);

reactorTest(
  "connectSSL() given a certificate the client does not trust when connecting then clientConnectionFailed receives TLSError and no protocol is built",
  async (reactor) => {
    const port = listenLocal(reactor, new RecordingServerFactory(), true);
    const factory = new RecordingClientFactory();
    await captureLogs(async () => {
      reactor.connectSSL("localhost", port.getHost().port, factory);
      const reason = await within(factory.failed, "clientConnectionFailed");
      assert.ok(reason.check(TLSError), reason.getErrorMessage());
      assert.match(reason.getErrorMessage(), /certificate/i);
    });
    assert.equal(factory.events.includes("buildProtocol"), false);
  },
);

reactorTest(
  "connectSSL() given a host name the certificate does not cover when connecting then clientConnectionFailed receives TLSError",
  async (reactor) => {
    const port = listenLocal(reactor, new RecordingServerFactory(), true);
    const factory = new RecordingClientFactory();
    await captureLogs(async () => {
      reactor.connectSSL("127.0.0.1", port.getHost().port, factory, {
        hostname: "example.com",
        caCerts: [TLS_CERT],
      });
      const reason = await within(factory.failed, "clientConnectionFailed");
      assert.ok(reason.check(TLSError), reason.getErrorMessage());
    });
  },
);

Deno.test(
  "listenSSL() given a key that is not PEM when called then throws CannotListenError",
  () => {
    const reactor = new Reactor();
    assert.throws(
      () =>
        reactor.listenSSL(0, new RecordingServerFactory(), {
          cert: TLS_CERT,
          key: "not a key",
        }, {
          interface: "127.0.0.1",
        }),
      CannotListenError,
    );
  },
);

reactorTest(
  "listenSSL() given a client that does not speak TLS when it connects then the handshake failure is logged at debug and the port keeps serving",
  async (reactor) => {
    const records = await captureLogs(async () => {
      const server = new RecordingServerFactory(() => new Echo());
      const port = listenLocal(reactor, server, true);
      const raw = await Deno.connect({
        hostname: "127.0.0.1",
        port: port.getHost().port,
      });
      await raw.write(encoder.encode("GET / HTTP/1.0\r\n\r\n"));
      const buffer = new Uint8Array(1024);
      // The server answers with an alert, or just closes: read until it has.
      for (let i = 0; i < 10; i++) {
        const n = await within(
          raw.read(buffer).catch(() => null),
          "the server to close",
        );
        if (n === null) break;
      }
      raw.close();

      const client = new RecordingClientFactory();
      reactor.connectSSL("localhost", port.getHost().port, client, {
        caCerts: [TLS_CERT],
      });
      const protocol = await within(client.protocolBuilt, "the TLS client");
      protocol.transport!.write("fine");
      await within(protocol.received(4), "the echo");
      assert.equal(server.built.length, 1);
    });
    const debug = records.filter((record) => record.level === "debug").map(
      recordText,
    );
    assert.ok(
      debug.some((text) => /TLS handshake/.test(text)),
      debug.join("\n"),
    );
    assert.equal(
      records.filter((record) => record.level === "error").length,
      0,
    );
  },
);

reactorTest(
  "connectSSL() given ALPN protocols on both ends when connected then the transports report the negotiated one",
  async (reactor) => {
    const server = new RecordingServerFactory();
    const port = reactor.listenSSL(0, server, {
      cert: TLS_CERT,
      key: TLS_KEY,
      alpnProtocols: ["x-torsion"],
    }, {
      interface: "127.0.0.1",
    });
    const factory = new RecordingClientFactory();
    reactor.connectSSL("localhost", port.getHost().port, factory, {
      caCerts: [TLS_CERT],
      alpnProtocols: ["x-other", "x-torsion"],
    });
    const client = await within(factory.protocolBuilt, "the client");
    const accepted = await within(server.connection(0), "the server protocol");
    const negotiated = (p: Recorder) =>
      (p.transport as unknown as { negotiatedProtocol: string | null })
        .negotiatedProtocol;
    assert.equal(negotiated(client), "x-torsion");
    assert.equal(negotiated(accepted), "x-torsion");
  },
);

reactorTest(
  "getTcpNoDelay() given TLS connections when read then the client has Nagle off and the accepted side reports it on",
  async (reactor) => {
    const { client, server } = await connectedPair(
      reactor,
      undefined,
      undefined,
      true,
    );
    assert.equal(tls(client).getTcpNoDelay(), true);
    // Deno.listenTls exposes no socket options: Nagle stays on there.
    assert.equal(tls(server).getTcpNoDelay(), false);
  },
);

reactorTest(
  "startTLS() given a TLS connection when called then throws TypeError",
  async (reactor) => {
    const { client } = await connectedPair(reactor, undefined, undefined, true);
    assert.throws(() => tls(client).startTLS({}), TypeError);
  },
);

/**
 * A STARTTLS server made of Deno parts, since Deno has no server-side
 * upgrade: it answers "STARTTLS\r\n" with "GO\r\n" in plain text, then
 * relays the same TCP connection's bytes to a TLS listener that echoes.
 */
function startTLSServer(): {
  port: number;
  tlsReceived: Promise<string>;
  close(): Promise<void>;
} {
  const plain = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const secure = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: TLS_CERT,
    key: TLS_KEY,
  });
  const opened: Deno.Conn[] = [];
  const tlsReceived = Promise.withResolvers<string>();
  async function relay(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(16384);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        await to.write(buffer.subarray(0, n));
      }
    } catch {
      // A side closed: the relay ends.
    }
  }
  const task = (async () => {
    const conn = await plain.accept();
    opened.push(conn);
    const buffer = new Uint8Array(64);
    let text = "";
    while (!text.includes("STARTTLS\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) return;
      text += decoder.decode(buffer.subarray(0, n));
    }
    await conn.write(encoder.encode("GO\r\n"));
    const backend = await Deno.connect({
      hostname: "127.0.0.1",
      port: (secure.addr as Deno.NetAddr).port,
    });
    opened.push(backend);
    const front = await secure.accept();
    opened.push(front);
    const relays = Promise.all([relay(conn, backend), relay(backend, conn)]);
    const n = await front.read(buffer).catch(() => null);
    const received = n === null ? "" : decoder.decode(buffer.subarray(0, n));
    tlsReceived.resolve(received);
    await front.write(encoder.encode(received.toUpperCase())).catch(() => {});
    await relays;
  })().catch((error) => tlsReceived.reject(error));
  return {
    port: (plain.addr as Deno.NetAddr).port,
    tlsReceived: tlsReceived.promise,
    async close(): Promise<void> {
      plain.close();
      secure.close();
      for (const conn of opened) {
        try {
          conn.close();
        } catch {
          // Closed by the relay already.
        }
      }
      await task;
    },
  };
}

/** Asks for STARTTLS, upgrades on "GO", then writes "secret" encrypted. */
class StartTLSClient extends Recorder {
  upgraded: Deferred<void> | null = null;

  override connectionMade(): void {
    super.connectionMade();
    this.transport!.write("STARTTLS\r\n");
  }

  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    if (this.upgraded === null && this.text().includes("GO\r\n")) {
      this.upgraded = tls(this).startTLS({
        hostname: "localhost",
        caCerts: [TLS_CERT],
      });
      this.transport!.write("secret");
    }
  }
}

Deno.test("startTLS() given a server that switches to TLS when called from dataReceived then later writes travel encrypted and the reply comes back", async () => {
  const reactor = new Reactor();
  const server = startTLSServer();
  try {
    const factory = new RecordingClientFactory(() => new StartTLSClient());
    reactor.connectTCP("127.0.0.1", server.port, factory);
    const client = await within(factory.protocolBuilt, "the client");
    // The TLS listener decrypts "secret": it was held until the handshake.
    assert.equal(
      await within(server.tlsReceived, "the encrypted write"),
      "secret",
    );
    await within(client.upgraded!, "the handshake");
    await within(client.received("GO\r\nSECRET".length), "the encrypted reply");
    assert.equal(client.text(), "GO\r\nSECRET");
  } finally {
    await disconnectAll(reactor);
    await server.close();
  }
});

reactorTest(
  "startTLS() given a peer that does not speak TLS when the handshake fails then the Deferred fails with TLSError and connectionLost gets ConnectionLost",
  async (reactor) => {
    // The echo server sends the ClientHello back, which no TLS client accepts.
    class Upgrading extends Recorder {
      readonly failed = Promise.withResolvers<unknown>();
      #started = false;
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        if (this.#started) return;
        this.#started = true;
        tls(this).startTLS({ hostname: "localhost", caCerts: [TLS_CERT] })
          .addErrback((failure) => this.failed.resolve(failure.value));
      }
    }
    const { client } = await connectedPair(
      reactor,
      () => new Echo(),
      () => new Upgrading(),
    );
    client.transport!.write("upgrade now");
    const error = await within(client.failed.promise, "the handshake to fail");
    assert.ok(error instanceof TLSError, String(error));
    const reason = await within(client.lost, "connectionLost");
    assert.ok(reason.check(ConnectionLost));
    assert.ok((reason.value as Error).cause instanceof TLSError);
  },
);

reactorTest(
  "connectSSL() given a server that never answers the handshake when the timeout passes then fails with TimeoutError",
  async (reactor) => {
    // A plain TCP server whose protocol stays silent: the ClientHello goes unanswered.
    const port = listenLocal(reactor);
    const factory = new RecordingClientFactory();
    reactor.connectSSL("localhost", port.getHost().port, factory, {
      caCerts: [TLS_CERT],
    }, { timeout: 0.2 });
    const reason = await within(factory.failed, "clientConnectionFailed");
    assert.ok(reason.check(TimeoutError), reason.getErrorMessage());
    assert.equal(factory.events.includes("buildProtocol"), false);
  },
);
