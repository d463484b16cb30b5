import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import type { IPushProducer } from "../../reactor/interfaces.ts";
import {
  WebSocketServerFactory,
  type WebSocketServerFactoryOptions,
  WebSocketServerProtocol,
} from "../../websocket/websocket_server_protocol.ts";
import { WebSocketWriteBufferFullError } from "../../websocket/errors.ts";
import { bytes, captureLogs, text, within } from "../_support/mod.ts";

const CHUNK = new Uint8Array(16384).fill(42);

/** Opens a raw WebSocket connection and reads no further than the 101 head. */
async function rawClient(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(bytes(
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  // Read the head one byte at a time so that no frame is read with it.
  const one = new Uint8Array(1);
  let head = "";
  for (let i = 0; i < 1000 && !head.endsWith("\r\n\r\n"); i++) {
    const n = await within(conn.read(one), "the 101 head");
    if (n === null) break;
    head += text(one);
  }
  assert.match(head, /^HTTP\/1\.1 101 /);
  return conn;
}

async function withServer(
  protocol: typeof WebSocketServerProtocol,
  options: WebSocketServerFactoryOptions,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const reactor = new Reactor();
  const factory = new WebSocketServerFactory(null, { reactor, ...options });
  factory.protocol = protocol;
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  try {
    await body(port.getHost().port);
  } finally {
    await port.stopListening();
    await disconnectAll(reactor);
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(condition(), what);
}

/** Streams 16 KiB messages from a push producer, as fast as it is allowed. */
class Streamer extends WebSocketServerProtocol implements IPushProducer {
  static instance: Streamer | null = null;
  paused = false;
  pauses = 0;
  resumes = 0;
  sent = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  override onOpen(): void {
    Streamer.instance = this;
    this.registerProducer(this, true);
    this.#pump();
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.paused = false;
    this.resumes++;
    this.#pump();
  }
  stopProducing(): void {
    this.paused = true;
    clearTimeout(this.#timer);
  }
  #pump(): void {
    clearTimeout(this.#timer);
    // Bounded: at most 4096 messages (64 MiB) in all.
    for (let i = 0; i < 64 && !this.paused && this.sent < 4096; i++) {
      this.sendMessage(CHUNK, true);
      this.sent++;
    }
    if (!this.paused && this.sent < 4096) {
      this.#timer = setTimeout(() => this.#pump(), 0);
    }
  }
  override onClose(): void {
    clearTimeout(this.#timer);
  }
}

Deno.test("WebSocketServerProtocol over TCP given a client that stops reading when a push producer streams then it is paused, and resumed once the client reads", async () => {
  Streamer.instance = null;
  await withServer(Streamer, {}, async (port) => {
    const conn = await rawClient(port);
    try {
      await until(
        () => Streamer.instance?.paused === true,
        "the producer to be paused",
      );
      const streamer = Streamer.instance!;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sentWhilePaused = streamer.sent;
      const resumesWhilePaused = streamer.resumes;
      assert.ok(streamer.paused);
      assert.ok(
        sentWhilePaused < 4096,
        "a paused producer stops short of the end",
      );
      // The client reads again: the writes drain and the producer resumes.
      const buffer = new Uint8Array(1 << 20);
      for (
        let i = 0;
        i < 10000 && streamer.resumes === resumesWhilePaused;
        i++
      ) {
        await within(conn.read(buffer), "the stream");
      }
      assert.ok(streamer.resumes > resumesWhilePaused);
      assert.ok(streamer.sent > sentWhilePaused);
    } finally {
      conn.close();
    }
  });
});

/** Ignores flow control: writes 16 KiB every turn until the connection ends. */
class Firehose extends WebSocketServerProtocol {
  static instance: Firehose | null = null;
  closes: [boolean, number | null, string | null][] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  override onOpen(): void {
    Firehose.instance = this;
    this.#pump();
  }
  #pump(): void {
    for (let i = 0; i < 16 && this.state === "open"; i++) {
      this.sendMessage(CHUNK, true);
    }
    if (this.state === "open") this.#timer = setTimeout(() => this.#pump(), 0);
  }
  override onClose(
    wasClean: boolean,
    code: number | null,
    reason: string | null,
  ): void {
    clearTimeout(this.#timer);
    this.closes.push([wasClean, code, reason]);
  }
}

Deno.test("WebSocketServerProtocol over TCP given a client that never reads when the writer ignores flow control then maxWriteBufferSize ends the connection with WebSocketWriteBufferFullError", async () => {
  Firehose.instance = null;
  const records = await captureLogs(async () => {
    await withServer(
      Firehose,
      { maxWriteBufferSize: 1 << 20 },
      async (port) => {
        const conn = await rawClient(port);
        try {
          await until(
            () => (Firehose.instance?.closes.length ?? 0) > 0,
            "the connection to be ended",
          );
          const firehose = Firehose.instance!;
          assert.ok(firehose.failure instanceof WebSocketWriteBufferFullError);
          assert.deepEqual(firehose.closes[0].slice(0, 2), [false, 1006]);
          assert.match(firehose.closes[0][2] ?? "", /not reading/);
        } finally {
          conn.close();
        }
      },
    );
  });
  assert.equal(
    records.filter((r) => r.message.join("").includes("not reading")).length,
    1,
  );
});
