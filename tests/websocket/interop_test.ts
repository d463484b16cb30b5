import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import {
  WebSocketServerFactory,
  type WebSocketServerFactoryOptions,
  WebSocketServerProtocol,
} from "../../websocket/websocket_server_protocol.ts";
import { websocketConnect } from "../../websocket/websocket_connect.ts";
import { within } from "../_support/mod.ts";
import { NO_TORNADO, pythonClient, pythonServer } from "./_python.ts";

const closes: [boolean, number | null, string | null][] = [];

class Echo extends WebSocketServerProtocol {
  override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    this.sendMessage(payload, isBinary);
  }
  override onClose(
    wasClean: boolean,
    code: number | null,
    reason: string | null,
  ): void {
    closes.push([wasClean, code, reason]);
  }
}

async function withTorsionServer(
  body: (port: number) => Promise<void>,
  options: WebSocketServerFactoryOptions = {},
): Promise<void> {
  const reactor = new Reactor();
  const factory = new WebSocketServerFactory(null, { reactor, ...options });
  factory.protocol = Echo;
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  closes.length = 0;
  try {
    await body(port.getHost().port);
  } finally {
    await port.stopListening();
    await disconnectAll(reactor);
  }
}

Deno.test("Torsion's server given Deno's WebSocket client when it sends text and binary and closes with 4000 then echoes both and the close is clean on both sides", async () => {
  await withTorsionServer(async (port) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.binaryType = "arraybuffer";
    const received: (string | number[])[] = [];
    const gotTwo = Promise.withResolvers<void>();
    ws.onmessage = (event) => {
      received.push(
        typeof event.data === "string"
          ? event.data
          : [...new Uint8Array(event.data)],
      );
      if (received.length === 2) gotTwo.resolve();
    };
    await within(new Promise((resolve) => ws.onopen = resolve), "open");
    ws.send("héllo");
    ws.send(new Uint8Array([0, 1, 255]));
    await within(gotTwo.promise, "two echoes");
    assert.deepEqual(received, ["héllo", [0, 1, 255]]);
    const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
    ws.close(4000, "bye");
    const event = await within(closed, "the close");
    assert.equal(event.code, 4000);
    assert.equal(event.wasClean, true);
    await within(until(() => closes.length === 1), "the server's onClose");
    assert.deepEqual(closes, [[true, 4000, "bye"]]);
  });
});

Deno.test("Torsion's server with compression enabled given Deno's WebSocket client, which offers none, when messages flow then they go uncompressed", async () => {
  await withTorsionServer(async (port) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await within(new Promise((resolve) => ws.onopen = resolve), "open");
    assert.equal(ws.extensions, "");
    const echoed = new Promise((resolve) =>
      ws.onmessage = (event) => resolve(event.data)
    );
    ws.send("plain ".repeat(1000));
    assert.equal(await within(echoed, "the echo"), "plain ".repeat(1000));
    const closed = new Promise((resolve) => ws.onclose = resolve);
    ws.close();
    await within(closed, "the close");
  }, { compressionOptions: {} });
});

Deno.test("Torsion's client given a Deno.upgradeWebSocket echo server when messages flow and the server closes then it reads them and the close code", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen(): void {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => {
        if (event.data === "bye") socket.close(4002, "server says bye");
        else socket.send(event.data);
      };
      return response;
    },
  );
  try {
    const conn = await within(
      websocketConnect(`ws://127.0.0.1:${server.addr.port}/`),
      "connect",
    );
    await conn.writeMessage("text");
    await conn.writeMessage(new Uint8Array(70000).fill(5));
    assert.equal(await within(conn.readMessage(), "text"), "text");
    const binary = await within(conn.readMessage(), "binary");
    assert.ok(binary instanceof Uint8Array);
    assert.equal(binary.length, 70000);
    await conn.writeMessage("bye");
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(conn.closeCode, 4002);
    assert.equal(conn.closeReason, "server says bye");
  } finally {
    await server.shutdown();
  }
});

const TORNADO_CLIENT = `
import asyncio, sys
from tornado.websocket import websocket_connect
async def main():
    conn = await websocket_connect(sys.argv[1], compression_options={})
    print("extensions", conn.headers.get("Sec-WebSocket-Extensions"), flush=True)
    for message in ["hello", "z" * 100000]:
        await conn.write_message(message)
        reply = await conn.read_message()
        print("echo", len(reply), reply == message, flush=True)
    await conn.write_message(bytes([0, 1, 255]), binary=True)
    print("binary", list(await conn.read_message()), flush=True)
    conn.close(1000, "python done")
    print("closed", await conn.read_message(), flush=True)
asyncio.run(main())
`;

Deno.test({
  name:
    "Torsion's server given Python Tornado's websocket_connect with compression when it echoes text, a 100 KB message and binary then permessage-deflate is used and the close is clean",
  ignore: NO_TORNADO,
  async fn(): Promise<void> {
    await withTorsionServer(async (port) => {
      const { code, lines, stderr } = await pythonClient(TORNADO_CLIENT, [
        `ws://127.0.0.1:${port}/`,
      ]);
      assert.equal(code, 0, stderr);
      assert.deepEqual(lines, [
        "extensions permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "echo 5 True",
        "echo 100000 True",
        "binary [0, 1, 255]",
        "closed None",
      ]);
      await within(until(() => closes.length === 1), "the server's onClose");
      assert.deepEqual(closes, [[true, 1000, "python done"]]);
    }, { compressionOptions: {} });
  },
});

const TORNADO_SERVER = `
import asyncio
import tornado.web, tornado.websocket
class Echo(tornado.websocket.WebSocketHandler):
    def get_compression_options(self):
        return {}
    def select_subprotocol(self, subprotocols):
        return "echo" if "echo" in subprotocols else None
    def on_message(self, message):
        if message == "bye":
            self.close(4003, "tornado says bye")
        else:
            self.write_message(message, binary=isinstance(message, bytes))
async def main():
    server = tornado.web.Application([(r"/ws", Echo)]).listen(0, "127.0.0.1")
    print(list(server._sockets.values())[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
`;

Deno.test({
  name:
    "Torsion's client given a Python Tornado WebSocketHandler with compression when it echoes and closes then permessage-deflate is used and the close code arrives",
  ignore: NO_TORNADO,
  async fn(): Promise<void> {
    const server = await pythonServer(TORNADO_SERVER);
    const reactor = new Reactor();
    try {
      const conn = await within(
        websocketConnect(`ws://127.0.0.1:${server.port}/ws`, {
          reactor,
          compressionOptions: {},
          subprotocols: ["echo"],
        }),
        "connect",
      );
      assert.equal(conn.selectedSubprotocol, "echo");
      assert.deepEqual(conn.protocol.websocketExtensionsInUse, [
        "permessage-deflate",
      ]);
      const big = "tornado ".repeat(20000);
      await conn.writeMessage(big);
      assert.equal(await within(conn.readMessage(), "the big echo"), big);
      await conn.writeMessage(new Uint8Array([9, 8, 7]));
      assert.deepEqual(
        await within(conn.readMessage(), "binary"),
        new Uint8Array([9, 8, 7]),
      );
      await conn.writeMessage("bye");
      assert.equal(await within(conn.readMessage(), "the close"), null);
      assert.equal(conn.closeCode, 4003);
      assert.equal(conn.closeReason, "tornado says bye");
    } finally {
      await disconnectAll(reactor);
      await server.close();
    }
  },
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(condition());
}
