import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import type { IDelayedCall, IListeningPort } from "../../reactor/interfaces.ts";
import { HTTPRequest } from "../../http/http_request.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import {
  ConnectionDeny,
  type ConnectionRequest,
  WebSocketServerFactory,
  type WebSocketServerFactoryOptions,
  WebSocketServerProtocol,
} from "../../websocket/websocket_server_protocol.ts";
import {
  websocketConnect,
  type WebSocketMessage,
} from "../../websocket/websocket_connect.ts";
import {
  WebSocketClosedError,
  WebSocketHandshakeError,
} from "../../websocket/errors.ts";
import { closedPort, TLS_CERT, TLS_KEY, within } from "../_support/mod.ts";

/** Echoes; "close" makes it close with 4001; records what it saw. */
class EchoServer extends WebSocketServerProtocol {
  static headers: ConnectionRequest[] = [];
  override onConnect(request: ConnectionRequest): string | null {
    EchoServer.headers.push(request);
    if (request.path === "/missing") {
      throw new ConnectionDeny(404, "No such path");
    }
    return request.protocols.includes("echo") ? "echo" : null;
  }
  override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    if (payload === "close") this.sendClose(4001, "asked to");
    else this.sendMessage(payload, isBinary);
  }
}

async function withServer(
  body: (url: string, reactor: Reactor) => Promise<void>,
  options: WebSocketServerFactoryOptions = {},
): Promise<void> {
  const reactor = new Reactor();
  const factory = new WebSocketServerFactory(null, { reactor, ...options });
  factory.protocol = EchoServer;
  const port: IListeningPort = reactor.listenTCP(0, factory, {
    interface: "127.0.0.1",
  });
  try {
    await body(`ws://127.0.0.1:${port.getHost().port}`, reactor);
  } finally {
    await port.stopListening();
    await disconnectAll(reactor);
  }
}

Deno.test("websocketConnect given an echo server when messages are written then readMessage returns them in order, text as strings and binary as bytes", async () => {
  await withServer(async (url, reactor) => {
    const conn = await within(
      websocketConnect(`${url}/`, { reactor }),
      "connect",
    );
    await conn.writeMessage("one");
    await conn.writeMessage(new Uint8Array([1, 2, 3]));
    await conn.writeMessage("three");
    assert.equal(await within(conn.readMessage(), "one"), "one");
    assert.deepEqual(
      await within(conn.readMessage(), "two"),
      new Uint8Array([1, 2, 3]),
    );
    assert.equal(await within(conn.readMessage(), "three"), "three");
    conn.close(1000);
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(conn.closeCode, 1000);
  });
});

Deno.test("websocketConnect given the server closes with a code when reading then readMessage gives null and closeCode/closeReason hold the server's", async () => {
  await withServer(async (url, reactor) => {
    const conn = await within(
      websocketConnect(`${url}/`, { reactor }),
      "connect",
    );
    await conn.writeMessage("close");
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(conn.closeCode, 4001);
    assert.equal(conn.closeReason, "asked to");
    await assert.rejects(
      async () => await conn.writeMessage("late"),
      WebSocketClosedError,
    );
    assert.equal(await conn.readMessage(), null);
  });
});

Deno.test("websocketConnect given two connections when both are open then their protocols are of one class, so the engine's calls into them stay monomorphic", async () => {
  await withServer(async (url, reactor) => {
    const first = await within(
      websocketConnect(`${url}/`, { reactor }),
      "first",
    );
    const second = await within(
      websocketConnect(`${url}/`, { reactor, onMessageCallback: () => {} }),
      "second",
    );
    assert.equal(first.protocol.constructor, second.protocol.constructor);
    first.close(1000);
    second.close(1000);
    assert.equal(await within(first.readMessage(), "the first close"), null);
    assert.equal(
      await within(second.readMessage(), "the second close"),
      null,
    );
  });
});

Deno.test("websocketConnect given onMessageCallback when messages arrive then each goes to it and null ends them", async () => {
  await withServer(async (url, reactor) => {
    const seen: WebSocketMessage[] = [];
    const ended = Promise.withResolvers<void>();
    const conn = await within(
      websocketConnect(`${url}/`, {
        reactor,
        onMessageCallback: (message) => {
          seen.push(message);
          if (message === null) ended.resolve();
        },
      }),
      "connect",
    );
    await conn.writeMessage("a");
    await conn.writeMessage("close");
    await within(ended.promise, "the end");
    assert.deepEqual(seen, ["a", null]);
  });
});

Deno.test("websocketConnect given an HTTPRequest with headers and subprotocols when connecting then the server sees them and the subprotocol is selected", async () => {
  await withServer(async (url, reactor) => {
    EchoServer.headers = [];
    const request = new HTTPRequest(`${url}/room?id=7`, {
      headers: { "X-Token": "secret" },
    });
    const conn = await within(
      websocketConnect(request, { reactor, subprotocols: ["echo"] }),
      "connect",
    );
    assert.equal(conn.selectedSubprotocol, "echo");
    const [seen] = EchoServer.headers;
    assert.equal(seen.headers.get("x-token"), "secret");
    assert.deepEqual(seen.params, { id: ["7"] });
    conn.close();
    assert.equal(await within(conn.readMessage(), "the close"), null);
  });
});

Deno.test("websocketConnect given compressionOptions on both sides when messages flow then permessage-deflate is in use and large messages round-trip", async () => {
  await withServer(async (url, reactor) => {
    const conn = await within(
      websocketConnect(`${url}/`, { reactor, compressionOptions: {} }),
      "connect",
    );
    assert.deepEqual(conn.protocol.websocketExtensionsInUse, [
      "permessage-deflate",
    ]);
    const big = "compressible ".repeat(20000);
    await conn.writeMessage(big);
    assert.equal(await within(conn.readMessage(), "the echo"), big);
    conn.close(1000);
    assert.equal(await within(conn.readMessage(), "the close"), null);
  }, { compressionOptions: {} });
});

Deno.test("websocketConnect given maxMessageSize when the server sends a larger message then the client closes with 1009", async () => {
  await withServer(async (url, reactor) => {
    const conn = await within(
      websocketConnect(`${url}/`, { reactor, maxMessageSize: 1000 }),
      "connect",
    );
    await conn.writeMessage("x".repeat(1001));
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(
      conn.protocol.failure?.message,
      "Message of more than 1000 bytes: the limit is 1000",
    );
  });
});

Deno.test("websocketConnect given a server that refuses the upgrade when connecting then fails with WebSocketHandshakeError carrying the status", async () => {
  await withServer(async (url, reactor) => {
    const error = await within(
      websocketConnect(`${url}/missing`, { reactor }).then(
        () => null,
        (e: unknown) => e,
      ),
      "the refusal",
    );
    assert.ok(error instanceof WebSocketHandshakeError);
    assert.equal(error.status, 404);
  });
});

Deno.test("websocketConnect given an HTTPRequest with requestTimeout and a server that never answers the upgrade when connecting then fails with WebSocketClosedError once it passes", async () => {
  const reactor = new Reactor();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  try {
    const request = new HTTPRequest(
      `ws://127.0.0.1:${listener.addr.port}/`,
      { requestTimeout: 0.1 },
    );
    const error = await within(
      websocketConnect(request, { reactor }).then(
        () => null,
        (e: unknown) => e,
      ),
      "the handshake timeout",
    );
    assert.ok(error instanceof WebSocketClosedError);
    assert.match(error.message, /opening handshake took more than 0.1 s/);
  } finally {
    (await accepted).close();
    listener.close();
    await disconnectAll(reactor);
  }
});

Deno.test("websocketConnect given a URL and a server that never answers the upgrade when connecting then the connection and the handshake are bounded by Tornado's default connect_timeout and request_timeout of 20 s", async () => {
  const delays: number[] = [];
  const reactor = new class extends Reactor {
    override callLater<A extends unknown[]>(
      delay: number,
      fn: (...args: A) => unknown,
      ...args: A
    ): IDelayedCall {
      delays.push(delay);
      return super.callLater(delay, fn, ...args);
    }
  }();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const connecting = websocketConnect(
    `ws://127.0.0.1:${listener.addr.port}/`,
    { reactor },
  );
  try {
    const peer = await within(accepted, "the connection");
    await within(peer.read(new Uint8Array(4096)), "the upgrade request");
    // The connection's bound, then the handshake's: Tornado's defaults.
    assert.deepEqual(delays, [
      HTTPRequest.DEFAULTS.connectTimeout,
      HTTPRequest.DEFAULTS.requestTimeout,
    ]);
    assert.equal(HTTPRequest.DEFAULTS.requestTimeout, 20);
    connecting.cancel();
    await connecting.then(() => null, () => null);
    peer.close();
  } finally {
    listener.close();
    await disconnectAll(reactor);
  }
});

Deno.test("websocketConnect given a closed port when connecting then fails with ConnectionRefusedError", async () => {
  const reactor = new Reactor();
  try {
    await assert.rejects(
      async () =>
        await within(
          websocketConnect(`ws://127.0.0.1:${closedPort()}/`, { reactor }),
          "refusal",
        ),
      ConnectionRefusedError,
    );
  } finally {
    await disconnectAll(reactor);
  }
});

Deno.test("websocketConnect given a URL that is not ws or wss when called then throws TypeError", () => {
  assert.throws(() => websocketConnect("ftp://127.0.0.1/"), TypeError);
});

Deno.test("websocketConnect given a wss URL and a TLS server when the request trusts its certificate then messages round-trip over TLS", async () => {
  const reactor = new Reactor();
  const factory = new WebSocketServerFactory(null, { reactor });
  factory.protocol = EchoServer;
  const port = reactor.listenSSL(0, factory, { cert: TLS_CERT, key: TLS_KEY }, {
    interface: "127.0.0.1",
  });
  try {
    const request = new HTTPRequest(`wss://localhost:${port.getHost().port}/`, {
      caCerts: [TLS_CERT],
    });
    const conn = await within(
      websocketConnect(request, { reactor }),
      "connect over TLS",
    );
    await conn.writeMessage("secret");
    assert.equal(await within(conn.readMessage(), "the echo"), "secret");
    conn.close(1000);
    assert.equal(await within(conn.readMessage(), "the close"), null);
  } finally {
    await port.stopListening();
    await disconnectAll(reactor);
  }
});
