import assert from "node:assert/strict";
import { Application } from "../../web/application.ts";
import { WebSocketHandler } from "../../web/websocket_handler.ts";
import type { HTTPServer } from "../../web/http_server.ts";
import { websocketConnect } from "../../websocket/websocket_connect.ts";
import type { CompressionOptions } from "../../websocket/_deflate.ts";
import {
  WebSocketClosedError,
  WebSocketHandshakeError,
} from "../../websocket/errors.ts";
import { joinChunks, text, within } from "../_support/mod.ts";
import { closePayload, frame, readFrames } from "../websocket/_frames.ts";
import { NO_TORNADO, pythonClient } from "../websocket/_python.ts";

const events: string[] = [];

class Room extends WebSocketHandler {
  override open(room: string): void {
    events.push(`open ${room}`);
  }
  override onMessage(message: string | Uint8Array): void {
    if (message === "json") {
      this.writeMessage({ room: this.pathArgs[0] });
    } else if (message === "close") {
      this.close(4000, "asked");
    } else {
      this.writeMessage(message, typeof message !== "string");
    }
  }
  override onClose(): void {
    events.push(`close ${this.closeCode} ${this.closeReason}`);
  }
  override selectSubprotocol(subprotocols: string[]): string | null {
    return subprotocols.includes("room.v1") ? "room.v1" : null;
  }
}

class Slow extends WebSocketHandler {
  override async onMessage(message: string | Uint8Array): Promise<void> {
    events.push(`start ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    events.push(`end ${message}`);
    await this.writeMessage(`done ${message}`);
  }
}

class CloseLater extends WebSocketHandler {
  override async onMessage(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.close(4002, "later");
  }
  override onClose(): void {
    events.push(`close ${this.closeCode}`);
  }
}

class SlowOpen extends WebSocketHandler {
  override async open(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
  override onMessage(message: string | Uint8Array): void {
    this.writeMessage(message, typeof message !== "string");
  }
}

class Compressed extends WebSocketHandler {
  override getCompressionOptions(): CompressionOptions {
    return {};
  }
  override onMessage(message: string | Uint8Array): void {
    this.writeMessage(message);
  }
}

class Pinged extends WebSocketHandler {
  static pongs = 0;
  override onPong(): void {
    Pinged.pongs++;
  }
}

class BigWriter extends WebSocketHandler {
  static flushed = false;
  override open(): void {
    BigWriter.flushed = false;
    this.writeMessage(new Uint8Array(8 << 20), true).then(() => {
      BigWriter.flushed = true;
    });
  }
}

class AfterClose extends WebSocketHandler {
  static error: unknown = null;
  override onClose(): void {
    try {
      this.writeMessage("too late");
    } catch (error) {
      AfterClose.error = error;
    }
  }
}

async function withApp(
  body: (base: string, server: HTTPServer) => Promise<void>,
  settings: Record<string, unknown> = {},
): Promise<void> {
  events.length = 0;
  const app = new Application([
    ["/room/(\\w+)", Room],
    ["/slow", Slow],
    ["/close-later", CloseLater],
    ["/slow-open", SlowOpen],
    ["/compressed", Compressed],
    ["/pinged", Pinged],
    ["/after-close", AfterClose],
    ["/big", BigWriter],
  ], settings);
  const server = app.listen(0, { address: "127.0.0.1" });
  try {
    await body(`127.0.0.1:${server.port}`, server);
  } finally {
    await server.stop();
    await server.closeAllConnections();
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(condition(), "condition not met in time");
}

Deno.test("WebSocketHandler given a route with a group when a client connects then open gets the group, messages echo and onClose sees the client's code", async () => {
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/room/lobby`),
      "connect",
    );
    await conn.writeMessage("hi");
    assert.equal(await within(conn.readMessage(), "the echo"), "hi");
    await conn.writeMessage(new Uint8Array([1, 2]));
    assert.deepEqual(
      await within(conn.readMessage(), "binary"),
      new Uint8Array([1, 2]),
    );
    await conn.writeMessage("json");
    assert.deepEqual(
      JSON.parse(String(await within(conn.readMessage(), "json"))),
      { room: "lobby" },
    );
    conn.close(1000, "bye");
    assert.equal(await within(conn.readMessage(), "the close"), null);
    await until(() => events.length === 2);
    assert.deepEqual(events, ["open lobby", "close 1000 bye"]);
  });
});

Deno.test("WebSocketHandler.close given a code when called then the client reads it as closeCode and closeReason", async () => {
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/room/a`),
      "connect",
    );
    await conn.writeMessage("close");
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(conn.closeCode, 4000);
    assert.equal(conn.closeReason, "asked");
  });
});

Deno.test("WebSocketHandler given offered subprotocols when selectSubprotocol picks one then the client sees it selected", async () => {
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/room/a`, {
        subprotocols: ["x", "room.v1"],
      }),
      "connect",
    );
    assert.equal(conn.selectedSubprotocol, "room.v1");
    conn.close();
    await within(conn.readMessage(), "the close");
  });
});

Deno.test("WebSocketHandler given an onMessage that returns a Promise when two messages arrive then the second waits for the first", async () => {
  await withApp(async (base) => {
    const conn = await within(websocketConnect(`ws://${base}/slow`), "connect");
    await conn.writeMessage("a");
    await conn.writeMessage("b");
    assert.equal(await within(conn.readMessage(), "a"), "done a");
    assert.equal(await within(conn.readMessage(), "b"), "done b");
    assert.deepEqual(events, ["start a", "end a", "start b", "end b"]);
    conn.close(1000);
    await within(conn.readMessage(), "the close");
  });
});

Deno.test("WebSocketHandler given an open that returns a Promise when binary messages arrive before it settles then each is echoed intact", async () => {
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/slow-open`),
      "connect",
    );
    // Apart, so that each comes in a read of its own into the same buffer.
    const sent = [1, 2, 3].map((n) => new Uint8Array(100).fill(n));
    for (const message of sent) {
      await conn.writeMessage(message, true);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const message of sent) {
      assert.deepEqual(await within(conn.readMessage(), "an echo"), message);
    }
    conn.close(1000);
    await within(conn.readMessage(), "the close");
  });
});

Deno.test("WebSocketHandler given getCompressionOptions when the client offers permessage-deflate then messages travel compressed", async () => {
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/compressed`, { compressionOptions: {} }),
      "connect",
    );
    assert.deepEqual(conn.protocol.websocketExtensionsInUse, [
      "permessage-deflate",
    ]);
    const big = "deflate me ".repeat(10000);
    await conn.writeMessage(big);
    assert.equal(await within(conn.readMessage(), "the echo"), big);
    conn.close(1000);
    await within(conn.readMessage(), "the close");
  });
});

Deno.test("WebSocketHandler given websocketMaxMessageSize when a client sends more then closes with 1009", async () => {
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/room/a`),
      "connect",
    );
    await conn.writeMessage("x".repeat(101));
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(conn.closeCode, 1009);
  }, { websocketMaxMessageSize: 100 });
});

Deno.test("WebSocketHandler given websocketPingInterval when the client answers then onPong is called", async () => {
  Pinged.pongs = 0;
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/pinged`),
      "connect",
    );
    await until(() => Pinged.pongs >= 2);
    conn.close(1000);
    await within(conn.readMessage(), "the close");
  }, { websocketPingInterval: 0.02, websocketPingTimeout: 1 });
});

Deno.test("WebSocketHandler.writeMessage given a closed connection when called then throws WebSocketClosedError", async () => {
  AfterClose.error = null;
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/after-close`),
      "connect",
    );
    conn.close(1000);
    await within(conn.readMessage(), "the close");
    await until(() => AfterClose.error !== null);
    assert.ok(AfterClose.error instanceof WebSocketClosedError);
  });
});

async function rawRequest(base: string, request: string): Promise<string> {
  const [hostname, port] = base.split(":");
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(request));
    const chunks: number[] = [];
    const buffer = new Uint8Array(4096);
    for (let i = 0; i < 100; i++) {
      const n = await within(conn.read(buffer), "the answer");
      if (n === null) break;
      chunks.push(...buffer.subarray(0, n));
      if (text(new Uint8Array(chunks)).includes("\r\n\r\n")) break;
    }
    return text(new Uint8Array(chunks));
  } finally {
    conn.close();
  }
}

Deno.test("WebSocketHandler given a plain GET without Upgrade when received then answers 400", async () => {
  await withApp(async (base) => {
    const answer = await rawRequest(
      base,
      `GET /room/a HTTP/1.1\r\nHost: ${base}\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });
});

Deno.test("WebSocketHandler given version 8 when upgrading then answers 426 with Sec-WebSocket-Version: 13", async () => {
  await withApp(async (base) => {
    const answer = await rawRequest(
      base,
      `GET /room/a HTTP/1.1\r\nHost: ${base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.1 426 /);
    assert.match(answer, /\r\nSec-WebSocket-Version: 13\r\n/i);
  });
});

Deno.test("WebSocketHandler given a browser page from another origin when it connects then checkOrigin refuses it with 403; the same host is accepted", async () => {
  await withApp(async (base) => {
    // No Origin: not a browser, accepted.
    const plain = await within(
      websocketConnect(`ws://${base}/room/a`),
      "connect",
    );
    plain.close(1000);
    assert.equal(await within(plain.readMessage(), "the close"), null);
    const request = (origin: string): string =>
      `GET /room/a HTTP/1.1\r\nHost: ${base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${origin}\r\n\r\n`;
    assert.match(
      await rawRequest(base, request("https://evil.test")),
      /^HTTP\/1\.1 403 /,
    );
    assert.match(
      await rawRequest(base, request(`http://${base}`)),
      /^HTTP\/1\.1 101 /,
    );
  });
});

Deno.test("WebSocketHandler given a route that refuses the upgrade when websocketConnect connects then it fails with the status", async () => {
  await withApp(async (base) => {
    const error = await websocketConnect(`ws://${base}/nowhere`).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof WebSocketHandshakeError);
    assert.equal(error.status, 404);
  });
});

const TORNADO_CLIENT = `
import asyncio, sys
from tornado.websocket import websocket_connect
async def main():
    conn = await websocket_connect(sys.argv[1], compression_options={})
    print("extensions", conn.headers.get("Sec-WebSocket-Extensions"), flush=True)
    await conn.write_message("x" * 50000)
    print("echo", len(await conn.read_message()), flush=True)
    conn.close(1000, "python done")
    print("closed", await conn.read_message(), flush=True)
asyncio.run(main())
`;

Deno.test({
  name:
    "WebSocketHandler given Python Tornado's websocket_connect with compression when it echoes and closes then deflate is used and the close is clean",
  ignore: NO_TORNADO,
  async fn(): Promise<void> {
    await withApp(async (base) => {
      const { code, lines, stderr } = await pythonClient(TORNADO_CLIENT, [
        `ws://${base}/compressed`,
      ]);
      assert.equal(code, 0, stderr);
      assert.deepEqual(lines, [
        "extensions permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "echo 50000",
        "closed None",
      ]);
    });
  },
});

Deno.test("WebSocketHandler.writeMessage given a client that does not read when 8 MiB are written then it settles only once the client has read them", async () => {
  await withApp(async (base) => {
    const [hostname, port] = base.split(":");
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(new TextEncoder().encode(
        `GET /big HTTP/1.1\r\nHost: ${base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(BigWriter.flushed, false, "nothing read yet: not flushed");
      const buffer = new Uint8Array(1 << 20);
      let total = 0;
      for (let i = 0; i < 10000 && !BigWriter.flushed; i++) {
        const n = await within(conn.read(buffer), "the message");
        if (n === null) break;
        total += n;
      }
      assert.ok(BigWriter.flushed);
      assert.ok(total > 0, "the client had to read for the write to settle");
    } finally {
      conn.close();
    }
  });
});

Deno.test("WebSocketHandler given an onMessage that returns a Promise when a message, a ping and a close arrive in one read then the echo goes out before the pong and the close, as Tornado reads no frame until on_message's future resolves", async () => {
  await withApp(async (base) => {
    const [hostname, port] = base.split(":");
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      const head = new TextEncoder().encode(
        `GET /slow HTTP/1.1\r\nHost: ${base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const frames = [
        frame(1, "a"),
        frame(1, "b"),
        frame(9, "p"),
        frame(8, closePayload(1000)),
      ];
      await conn.write(
        joinChunks(
          [head, ...frames],
          head.length + frames.reduce((n, f) => n + f.length, 0),
        ),
      );
      const chunks: Uint8Array[] = [];
      const buffer = new Uint8Array(4096);
      for (let i = 0; i < 100; i++) {
        const n = await within(conn.read(buffer), "the answer");
        if (n === null) break;
        chunks.push(buffer.slice(0, n));
      }
      const received = joinChunks(
        chunks,
        chunks.reduce((n, c) => n + c.length, 0),
      );
      const body = received.subarray(text(received).indexOf("\r\n\r\n") + 4);
      assert.deepEqual(
        readFrames(body).map((f) =>
          `${f.opcode} ${text(f.payload.subarray(f.opcode === 8 ? 2 : 0))}`
        ),
        ["1 done a", "1 done b", "10 p", "8 "],
      );
      assert.deepEqual(events, ["start a", "end a", "start b", "end b"]);
    } finally {
      conn.close();
    }
  });
});

Deno.test("WebSocketHandler given an onMessage that returns a Promise and closes when the client answers the close then the server reads the answer and onClose sees the client's code, as in Tornado", async () => {
  await withApp(async (base) => {
    const conn = await within(
      websocketConnect(`ws://${base}/close-later`),
      "connect",
    );
    await conn.writeMessage("close");
    assert.equal(await within(conn.readMessage(), "the close", 10_000), null);
    assert.equal(conn.closeCode, 4002);
    await until(() => events.length === 1);
    // A close never read would be dropped after the close timeout: no code.
    assert.deepEqual(events, ["close 4002"]);
  });
});
