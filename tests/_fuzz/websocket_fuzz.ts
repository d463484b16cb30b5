/**
 * The WebSocket fuzz harness, both ends of the frame engine.
 *
 * Server side: raw loopback clients send a valid opening handshake, then
 * seeded mutations (mutate.ts) of valid masked frame streams (text, binary,
 * fragmented text with a multi-byte character split across fragments, a
 * ping, 16- and 64-bit lengths, a permessage-deflate session, a close) to an
 * echo server, on Autobahn's face (`WebSocketServerFactory` on `listenTCP`)
 * and Tornado's (`WebSocketHandler` in an `Application`, answering from a
 * Promise on some connections) in turn; a share of variants mutates the
 * handshake too. The echoes throw on one message: that fails with 1011.
 *
 * Client side: a raw loopback server answers the handshake and sends
 * mutated unmasked server streams (the same kinds, and a deflate context
 * kept across messages) to Autobahn's client face
 * (`WebSocketClientFactory` with `connectWS`) and Tornado's
 * (`websocketConnect`) in turn; a share of variants mutates the 101 answer.
 *
 * Every connection must end within a bound: Torsion closes the socket or
 * sends a close frame whose code is one RFC 6455 7.4.1 gives for what went
 * wrong (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011), or the echo of
 * the peer's own code. A valid stream must be echoed (server) or delivered
 * (client) exactly, pings answered, and end with 1000. Nothing may go unhandled or be
 * logged as an error; connections and reactor timers must be back to zero.
 *
 * `tests/websocket/fuzz_websocket_test.ts` runs a short seeded run; run long
 * ones with `deno task fuzz --target websocket --seed S --count N`.
 *
 * @module
 */
import zlib from "node:zlib";
import type { Failure } from "../../deferred/failure.ts";
import { HTTPRequest } from "../../http/http_request.ts";
import { reactor } from "../../reactor/reactor.ts";
import { Application } from "../../web/application.ts";
import { WebSocketHandler } from "../../web/websocket_handler.ts";
import type { HTTPServer } from "../../web/http_server.ts";
import { isValidCloseCode } from "../../websocket/close_codes.ts";
import {
  type ConnectionRequest,
  WebSocketServerFactory,
  WebSocketServerProtocol,
} from "../../websocket/websocket_server_protocol.ts";
import {
  connectWS,
  WebSocketClientFactory,
  WebSocketClientProtocol,
} from "../../websocket/websocket_client_protocol.ts";
import { websocketConnect } from "../../websocket/websocket_connect.ts";
import { WebSocketClosedError } from "../../websocket/errors.ts";
import {
  closeCodeOf,
  closePayload,
  frame,
  type ReadFrame,
  readFrames,
} from "../websocket/_frames.ts";
import { joinChunks } from "../_support/bytes.ts";
import { mutate, Random } from "./mutate.ts";
import {
  fuzzReport,
  type FuzzRunOptions,
  type FuzzRunReport,
  printAndExit,
} from "./server_fuzz.ts";
import { watchErrors } from "./watch.ts";

/** Which end of Torsion a run fuzzes. */
export type WebSocketFuzzSide = "server" | "client" | "both";

/** What a WebSocket fuzz run is asked to do. */
export interface WebSocketFuzzOptions extends FuzzRunOptions {
  /** Which end to fuzz. Default `"both"`. */
  side?: WebSocketFuzzSide;
}

/** The largest message the fuzzed ends accept: mutated lengths pass it. */
const MAX_MESSAGE_SIZE = 4096;
/** Seconds between the fuzzed ends' pings, and without a pong before they close. */
const PING_INTERVAL = 0.1;
const PING_TIMEOUT = 0.15;
/** Seconds the opening handshake and the close handshake may take. */
const HANDSHAKE_TIMEOUT = 0.3;
/** How long a connection may take to end, in ms: the timeouts and a margin for a loaded machine. */
const LIMIT_MS = 5000;
/** How long a raw peer that saw a close frame waits for the socket to close, in ms. */
const LINGER_MS = 200;
/** Share of server-side variants whose handshake is mutated too. */
const HANDSHAKE_SHARE = 0.1;
/** The codes RFC 6455 7.4.1 lets an endpoint send for what went wrong. */
const RFC_CODES = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011]);
const GENERIC = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
]);

/** The message the echo servers throw on, and what they throw. */
const THROW = "throw";
const THROWN = "Fuzz: the application was asked to throw";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A valid frame stream and what a peer makes of it. */
interface BaseStream {
  /** A short name, for the counts. */
  readonly name: string;
  /** Whether it needs permessage-deflate. */
  readonly deflate: boolean;
  /** The frames on the wire, ending with a close (1000). */
  readonly wire: Uint8Array;
  /** The messages it carries, in order. */
  readonly messages: readonly (string | Uint8Array)[];
  /** The payloads of its pings, which the peer must answer. */
  readonly pings: readonly string[];
  /** The code the peer closes with: 1000, or 1011 when its application throws. */
  readonly close: number;
}

/** Raw deflate of one message with the 4-byte tail removed (RFC 7692 7.2.1). */
function compress(data: Uint8Array): Uint8Array {
  const out = zlib.deflateRawSync(data, {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.length - 4);
}

function inflate(data: Uint8Array): Uint8Array {
  const tail = joinChunks(
    [data, Uint8Array.of(0, 0, 0xff, 0xff)],
    data.length + 4,
  );
  return new Uint8Array(
    zlib.inflateRawSync(tail, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  );
}

/** `data` as one message in fragments of one byte each. */
function fragments(
  opcode: number,
  data: Uint8Array,
  mask: boolean,
): Uint8Array[] {
  return Array.from(
    data,
    (_, i) =>
      frame(i === 0 ? opcode : 0, data.subarray(i, i + 1), {
        mask,
        fin: i === data.length - 1,
      }),
  );
}

/**
 * Raw deflate of messages in turn with one compressor, each flushed and
 * its tail removed: later messages refer back to earlier ones, as a peer
 * that keeps its context (Tornado 6.2's server) sends them.
 */
async function compressInContext(
  messages: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const deflate = zlib.createDeflateRaw();
  const chunks: Uint8Array[] = [];
  deflate.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  const out: Uint8Array[] = [];
  for (const message of messages) {
    deflate.write(message);
    await new Promise<void>((resolve) =>
      deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())
    );
    const size = chunks.reduce((n, c) => n + c.length, 0);
    out.push(joinChunks(chunks, size).slice(0, size - 4));
    chunks.length = 0;
  }
  deflate.close();
  return out;
}

/**
 * The valid streams every run starts from, masked (a client's) or not (a
 * server's).
 */
async function baseStreams(mask: boolean): Promise<BaseStream[]> {
  const done = frame(8, closePayload(1000, "done"), { mask });
  const stream = (
    name: string,
    frames: Uint8Array[],
    messages: (string | Uint8Array)[],
    extra: { deflate?: boolean; pings?: string[]; close?: number } = {},
  ): BaseStream => {
    const all = [...frames, done];
    return {
      name,
      deflate: extra.deflate ?? false,
      wire: joinChunks(all, all.reduce((n, f) => n + f.length, 0)),
      messages,
      pings: extra.pings ?? [],
      close: extra.close ?? 1000,
    };
  };
  const bytes = (length: number, seed: number): Uint8Array =>
    Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
  const text = "héllo wörld ✓ 🎉";
  // Cut inside the euro sign (3 bytes) and inside the emoji (4 bytes).
  const split = "fragments: €uro, 🎉 party";
  const splitBytes = encoder.encode(split);
  const euro = encoder.encode("fragments: ").length + 1;
  const party = encoder.encode("fragments: €uro, ").length + 2;
  const short = bytes(200, 7);
  const medium = bytes(300, 3);
  const compressedText = "compressed text, ".repeat(30);
  const compressedBinary = bytes(600, 0).map((b) => b & 0x0f);
  const deflatedBinary = compress(compressedBinary);
  const cut = deflatedBinary.length >> 1;
  const manyText = "é€🎉".repeat(30);
  const contextText = "kept in context, ".repeat(10);
  const inContext = await compressInContext([
    encoder.encode(contextText),
    encoder.encode(contextText),
  ]);
  const atLimit = "limit ".repeat(MAX_MESSAGE_SIZE / 6 + 1).slice(
    0,
    MAX_MESSAGE_SIZE,
  );
  return [
    stream("text", [frame(1, text, { mask })], [text]),
    stream("binary", [frame(2, short.subarray(0, 100), { mask })], [
      short.subarray(0, 100),
    ]),
    stream(
      "fragmented-text",
      [
        frame(1, splitBytes.subarray(0, euro), { mask, fin: false }),
        frame(9, "mid", { mask }),
        frame(0, splitBytes.subarray(euro, party), { mask, fin: false }),
        frame(0, splitBytes.subarray(party), { mask }),
      ],
      [split],
      { pings: ["mid"] },
    ),
    stream(
      "ping",
      [
        frame(9, "ping payload", { mask }),
        frame(1, "after ping", { mask }),
      ],
      ["after ping"],
      { pings: ["ping payload"] },
    ),
    stream("length-16", [frame(2, medium, { mask })], [medium]),
    stream("length-64", [
      frame(2, short, {
        mask,
        len7: 127,
        extended: [0, 0, 0, 0, 0, 0, 0, short.length],
      }),
    ], [short]),
    stream(
      "deflate",
      [
        frame(1, compress(encoder.encode(compressedText)), { mask, rsv: 4 }),
        frame(2, deflatedBinary.subarray(0, cut), { mask, rsv: 4, fin: false }),
        frame(0, deflatedBinary.subarray(cut), { mask }),
        frame(1, "plain among compressed", { mask }),
      ],
      [compressedText, compressedBinary, "plain among compressed"],
      {
        deflate: true,
      },
    ),
    // Inflates to the limit exactly: mutations of it inflate past it (1009)
    // or to garbage (1007).
    stream(
      "deflate-limit",
      [
        frame(1, compress(encoder.encode(atLimit)), { mask, rsv: 4 }),
      ],
      [atLimit],
      { deflate: true },
    ),
    // Past 256 fragments the engine gathers them into one buffer; the text
    // is cut inside every multi-byte character.
    stream(
      "many-fragments",
      [
        ...fragments(1, encoder.encode(manyText), mask),
        ...fragments(2, medium, mask),
      ],
      [manyText, medium],
    ),
    // A server that keeps its compression context (Tornado 6.2's does).
    ...(mask ? [] : [
      stream(
        "deflate-context",
        inContext.map((data) => frame(1, data, { mask, rsv: 4 })),
        [contextText, contextText],
        { deflate: true },
      ),
    ]),
    stream("close", [], []),
    // The echo servers throw on it: the connection fails with 1011.
    ...(mask
      ? [stream("app-error", [frame(1, THROW, { mask })], [], { close: 1011 })]
      : []),
  ];
}

/** One connection's plan. */
interface Variant {
  readonly base: BaseStream;
  /** The bytes after the handshake (server side: also the handshake when it is mutated). */
  readonly bytes: Uint8Array;
  /** Whether the bytes are exactly the valid stream. */
  readonly valid: boolean;
  /** Whether the handshake is mutated (the bytes then hold it). */
  readonly handshake: boolean;
  /** Seeds the pieces the bytes are written in. */
  readonly seed: number;
  /** Autobahn's face or Tornado's. */
  readonly face: "autobahn" | "tornado";
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function latin1(bytes: Uint8Array): string {
  return new TextDecoder("latin1").decode(bytes);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes `bytes` in one to three pieces with short pauses; false once the peer is gone. */
async function writePieces(
  conn: Deno.Conn,
  bytes: Uint8Array,
  random: Random,
): Promise<boolean> {
  const cuts = Array.from(
    { length: random.below(6) },
    () => random.below(bytes.length + 1),
  ).sort((a, b) => a - b);
  let from = 0;
  try {
    for (const cut of [...cuts, bytes.length]) {
      for (let off = from; off < cut;) {
        off += await conn.write(bytes.subarray(off, cut));
      }
      from = cut;
      if (cut < bytes.length) await sleep(random.below(3));
    }
    return true;
  } catch {
    return false;
  }
}

/** The messages, pongs and close frames of a frame list, with problems found. */
interface Reading {
  messages: (string | Uint8Array)[];
  pongs: string[];
  /** The close frame's code (`null` for none in it), or `undefined` without a close frame. */
  close: number | null | undefined;
  problem: string | null;
}

/** Reads the frames an endpoint wrote: unmasked from a server, masked from a client. */
function readStream(frames: readonly ReadFrame[], masked: boolean): Reading {
  const reading: Reading = {
    messages: [],
    pongs: [],
    close: undefined,
    problem: null,
  };
  let parts: Uint8Array[] = [];
  let opcode = 0;
  let compressed = false;
  for (const f of frames) {
    if (reading.close !== undefined) {
      reading.problem = "a frame after the close frame";
      break;
    }
    if (f.masked !== masked) {
      reading.problem = `a ${f.masked ? "masked" : "unmasked"} frame`;
      break;
    }
    if (f.opcode === 8) {
      reading.close = closeCodeOf(f);
      continue;
    }
    if (f.opcode === 10) {
      reading.pongs.push(decoder.decode(f.payload));
      continue;
    }
    if (f.opcode === 9) continue;
    if (f.opcode !== 0) {
      opcode = f.opcode;
      compressed = (f.rsv & 4) !== 0;
    }
    parts.push(f.payload);
    if (!f.fin) continue;
    let data = joinChunks(parts, parts.reduce((n, p) => n + p.length, 0));
    parts = [];
    if (compressed) data = inflate(data);
    reading.messages.push(opcode === 1 ? decoder.decode(data) : data);
  }
  return reading;
}

function sameMessages(
  got: readonly (string | Uint8Array)[],
  want: readonly (string | Uint8Array)[],
): boolean {
  return got.length === want.length &&
    got.every((message, i) => {
      const other = want[i];
      if (typeof message === "string" || typeof other === "string") {
        return message === other;
      }
      return message.length === other.length &&
        message.every((b, j) => b === other[j]);
    });
}

/**
 * Whether an endpoint may send `code` in its close frame: a code of the
 * RFC set, none, or the peer's own code sent back (`peer`, `undefined`
 * when the peer sent no close frame or Torsion's face does not say).
 */
function closeCodeAllowed(
  code: number | null,
  peer: number | null | undefined,
): boolean {
  // A close frame need not carry a code (RFC 6455 5.5.1).
  if (code === null || RFC_CODES.has(code)) return true;
  return code === peer && isValidCloseCode(code);
}

function handshakeRequest(index: number, deflate: boolean): Uint8Array {
  return encoder.encode(
    `GET /ws/${index} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${
      deflate
        ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        : ""
    }\r\n`,
  );
}

/** What a server-side client saw. */
interface ClientSight {
  received: Uint8Array;
  /** Where the frames start (after the response head), or -1 without one. */
  frames: number;
  status: number | null;
  /** Whether the server closed the socket. */
  closedByServer: boolean;
  /** Whether the server sent a close frame. */
  closeFrame: boolean;
  ms: number;
}

/**
 * A raw client: writes its bytes, reads until the server closes; once a
 * close frame arrives it answers it, as a client does, and waits
 * `LINGER_MS` for the server to close before closing itself.
 */
async function clientConverse(
  port: number,
  bytes: Uint8Array,
  random: Random,
): Promise<ClientSight> {
  const began = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const chunks: Uint8Array[] = [];
  let size = 0;
  let closedByServer = false;
  let closeFrame = false;
  let status: number | null = null;
  let frames = -1;
  let timedOut = false;
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;
  let lingerExpired = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, LIMIT_MS);
  const reading = (async (): Promise<void> => {
    const buffer = new Uint8Array(16384);
    for (let round = 0; round < 100_000; round++) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) {
        closedByServer = !timedOut && !lingerExpired;
        return;
      }
      chunks.push(buffer.slice(0, n));
      size += n;
      if (closeFrame) continue;
      const all = joinChunks(chunks, size);
      if (frames < 0) {
        const end = latin1(all).indexOf("\r\n\r\n");
        if (end < 0) continue;
        const match = /^HTTP\/1\.1 (\d{3}) /.exec(latin1(all.subarray(0, end)));
        status = match === null ? 0 : Number(match[1]);
        frames = end + 4;
      }
      if (status !== 101) continue;
      if (readFrames(all.subarray(frames)).some((f) => f.opcode === 8)) {
        closeFrame = true;
        conn.write(frame(8, closePayload(1000))).catch(() => {});
        lingerTimer = setTimeout(() => {
          lingerExpired = true;
          conn.close();
        }, LINGER_MS);
      }
    }
  })();
  await writePieces(conn, bytes, random);
  await reading;
  clearTimeout(timer);
  clearTimeout(lingerTimer);
  if (!timedOut && !lingerExpired) conn.close();
  return {
    received: joinChunks(chunks, size),
    frames,
    status,
    closedByServer,
    closeFrame,
    ms: performance.now() - began,
  };
}

/** The echo servers of both faces, and what they saw of each variant. */
interface EchoServers {
  autobahnPort: number;
  tornadoPort: number;
  /** The peer's close code each echo connection saw, by variant (`null` for an empty close). */
  peerCodes: Map<number, number | null>;
  /** Connections still open, both faces. */
  open(): number;
  close(): Promise<void>;
}

function startEchoServers(): EchoServers {
  const peerCodes = new Map<number, number | null>();
  const autobahnLive = new Set<object>();
  const tornadoLive = new Set<object>();
  const variantOf = (path: string): number =>
    Number(/\/ws\/(\d+)/.exec(path)?.[1] ?? -1);
  class Echo extends WebSocketServerProtocol {
    #variant = -1;
    override connectionMade(): void {
      autobahnLive.add(this);
      super.connectionMade();
    }
    override onConnect(request: ConnectionRequest): null {
      this.#variant = variantOf(request.path);
      return null;
    }
    override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
      if (payload === THROW) throw new Error(THROWN);
      // Messages still arrive once this end sent its close (a ping timeout),
      // and sending then raises, as Autobahn's Disconnected.
      if (this.state === "open") this.sendMessage(payload, isBinary);
    }
    override onClose(): void {
      if (this.remoteCloseReason !== null) {
        peerCodes.set(this.#variant, this.remoteCloseCode);
      }
    }
    override connectionLost(
      reason: Failure,
    ): void {
      super.connectionLost(reason);
      autobahnLive.delete(this);
    }
  }
  const factory = new WebSocketServerFactory(null, {
    maxMessagePayloadSize: MAX_MESSAGE_SIZE,
    autoPingInterval: PING_INTERVAL,
    autoPingTimeout: PING_TIMEOUT,
    openHandshakeTimeout: HANDSHAKE_TIMEOUT,
    closeHandshakeTimeout: HANDSHAKE_TIMEOUT,
    compressionOptions: {},
    maxHeaderSize: 2048,
  });
  factory.protocol = Echo;
  const autobahn = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  class TornadoEcho extends WebSocketHandler {
    #variant = -1;
    override open(variant: string): Promise<void> | void {
      this.#variant = Number(variant);
      tornadoLive.add(this);
      // Some open later: the frames that came meanwhile wait for it.
      if (this.#variant % 8 === 5) return sleep(1);
    }
    override onMessage(message: string | Uint8Array): Promise<void> | void {
      if (message === THROW) throw new Error(THROWN);
      // A quarter of the connections answer later: reading pauses meanwhile.
      if (this.#variant % 4 === 3) {
        return sleep(1).then(() => this.#echo(message));
      }
      this.#echo(message);
    }
    #echo(message: string | Uint8Array): void {
      // Tornado's idiom: a message that arrives once closing is dropped.
      try {
        this.writeMessage(message, typeof message !== "string");
      } catch (error) {
        if (!(error instanceof WebSocketClosedError)) throw error;
      }
    }
    override onClose(): void {
      tornadoLive.delete(this);
      if (this.closeCode !== null) peerCodes.set(this.#variant, this.closeCode);
    }
    override getCompressionOptions(): Record<string, never> {
      return {};
    }
  }
  const tornado: HTTPServer = new Application([["/ws/(\\d+)", TornadoEcho]], {
    websocketMaxMessageSize: MAX_MESSAGE_SIZE,
    websocketPingInterval: PING_INTERVAL,
    websocketPingTimeout: PING_TIMEOUT,
  }).listen(0, {
    address: "127.0.0.1",
    headerTimeout: HANDSHAKE_TIMEOUT,
    idleConnectionTimeout: HANDSHAKE_TIMEOUT,
    bodyTimeout: HANDSHAKE_TIMEOUT,
    maxHeaderSize: 2048,
  });
  return {
    autobahnPort: autobahn.getHost().port,
    tornadoPort: tornado.port,
    peerCodes,
    open: () => autobahnLive.size + tornadoLive.size,
    async close(): Promise<void> {
      await autobahn.stopListening();
      await tornado.stop();
      for (
        let i = 0;
        i < 300 && autobahnLive.size + tornadoLive.size > 0;
        i++
      ) {
        await sleep(10);
      }
      await tornado.closeAllConnections(0);
    },
  };
}

/** Checks what a server-side client saw; returns the outcome or a problem. */
function judgeServerSight(
  variant: Variant,
  sight: ClientSight,
  peerCode: number | null | undefined,
): { outcome: string } | { problem: string } | { hung: true } {
  if (!sight.closedByServer && !sight.closeFrame) return { hung: true };
  if (sight.status === null) return { outcome: "closed before any answer" };
  if (sight.status !== 101) {
    if (!variant.handshake) {
      return { problem: `status ${sight.status} for a valid handshake` };
    }
    return { outcome: `http ${sight.status}` };
  }
  const reading = readStream(
    readFrames(sight.received.subarray(sight.frames)),
    false,
  );
  if (reading.problem !== null) return { problem: reading.problem };
  if (reading.close === undefined) {
    return { outcome: "closed without a close frame" };
  }
  if (!closeCodeAllowed(reading.close, peerCode)) {
    return {
      problem: `close code ${reading.close} (the peer's was ${peerCode})`,
    };
  }
  if (variant.valid) {
    if (reading.close !== variant.base.close) {
      return { problem: `close ${reading.close} for a valid stream` };
    }
    if (!sameMessages(reading.messages, variant.base.messages)) {
      return { problem: "echoed messages differ from those sent" };
    }
    if (reading.pongs.join("|") !== variant.base.pings.join("|")) {
      return { problem: `pongs ${JSON.stringify(reading.pongs)}` };
    }
  }
  const how = sight.closedByServer ? "" : ", client closed";
  return { outcome: `close ${reading.close ?? "empty"}${how}` };
}

/** A raw WebSocket server for the client side: each connection gets the variant its path names. */
function startRawServer(variants: readonly Variant[]): {
  port: number;
  /** What each variant's client sent: its close code, or `undefined` without a close frame. */
  clientSent: Map<number, Reading>;
  close(): Promise<void>;
} {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const clientSent = new Map<number, Reading>();
  const handlers = new Set<Promise<void>>();
  const serve = async (conn: Deno.Conn): Promise<void> => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let head = -1;
    const buffer = new Uint8Array(16384);
    const deadline = setTimeout(() => {
      try {
        conn.close();
      } catch {
        // Closed meanwhile.
      }
    }, LIMIT_MS);
    let closed = false;
    try {
      while (head < 0 && size < 65536) {
        const n = await conn.read(buffer);
        if (n === null) return;
        chunks.push(buffer.slice(0, n));
        size += n;
        head = latin1(joinChunks(chunks, size)).indexOf("\r\n\r\n");
      }
      const request = latin1(joinChunks(chunks, size).subarray(0, head));
      const index = Number(/^GET \/v\/(\d+) /.exec(request)?.[1] ?? -1);
      const key = /\r\nSec-WebSocket-Key: *([^\r\n]*)/i.exec(request)?.[1];
      const variant = variants[index];
      if (variant === undefined || key === undefined) return;
      const digest = await crypto.subtle.digest(
        "SHA-1",
        encoder.encode(key + GUID),
      );
      const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
      const response = encoder.encode(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${
          variant.base.deflate
            ? "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"
            : ""
        }\r\n`,
      );
      const random = new Random(variant.seed);
      const whole = joinChunks(
        [response, variant.bytes],
        response.length + variant.bytes.length,
      );
      const bytes = variant.handshake ? mutate(whole, random).bytes : whole;
      // The client's frames come after its request.
      const rest = joinChunks(chunks, size).subarray(head + 4);
      chunks.length = 0;
      chunks.push(rest.slice());
      size = rest.length;
      const writing = writePieces(conn, bytes, random);
      let frames: ReadFrame[] = [];
      for (let round = 0; round < 100_000; round++) {
        frames = readFrames(joinChunks(chunks, size));
        if (frames.some((f) => f.opcode === 8)) break;
        const n = await conn.read(buffer).catch(() => null);
        if (n === null) break;
        chunks.push(buffer.slice(0, n));
        size += n;
      }
      clientSent.set(index, readStream(frames, true));
      await writing;
      // A server closes the socket once the close handshake is done.
      conn.close();
      closed = true;
    } catch {
      // The client went away mid-request.
    } finally {
      clearTimeout(deadline);
      if (!closed) {
        try {
          conn.close();
        } catch {
          // Closed by the deadline.
        }
      }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      const handler = serve(conn);
      handlers.add(handler);
      handler.finally(() => handlers.delete(handler));
    }
  })();
  return {
    port: listener.addr.port,
    clientSent,
    async close(): Promise<void> {
      listener.close();
      await accepting.catch(() => {});
      await Promise.all(handlers);
    },
  };
}

/** What a Torsion client face made of a connection. */
interface ClientResult {
  opened: boolean;
  messages: (string | Uint8Array)[];
  /** The face's close code: the server's, or 1006 (null on Tornado's face for none). */
  code: number | null;
  /** The code the client received in the server's close frame, `undefined` without one. */
  remote: number | null | undefined;
  /** The class of the error the connect failed with. */
  error: string | null;
}

let clientsLive = 0;

/** Autobahn's client face. */
function autobahnClient(url: string, deflate: boolean): Promise<ClientResult> {
  const result: ClientResult = {
    opened: false,
    messages: [],
    code: null,
    remote: undefined,
    error: null,
  };
  const { promise, resolve } = Promise.withResolvers<ClientResult>();
  class Collector extends WebSocketClientProtocol {
    override connectionMade(): void {
      clientsLive++;
      super.connectionMade();
    }
    override onOpen(): void {
      result.opened = true;
    }
    override onMessage(payload: string | Uint8Array): void {
      result.messages.push(payload);
    }
    override onClose(_wasClean: boolean, code: number | null): void {
      result.code = code;
      if (this.remoteCloseReason !== null) result.remote = this.remoteCloseCode;
      if (!result.opened && this.failure !== null) {
        result.error = this.failure.constructor.name;
      }
    }
    override connectionLost(
      reason: Failure,
    ): void {
      super.connectionLost(reason);
      clientsLive--;
      resolve(result);
    }
  }
  const factory = new WebSocketClientFactory(url, {
    compressionOptions: deflate ? {} : null,
    maxMessagePayloadSize: MAX_MESSAGE_SIZE,
    autoPingInterval: PING_INTERVAL,
    autoPingTimeout: PING_TIMEOUT,
    openHandshakeTimeout: HANDSHAKE_TIMEOUT,
    closeHandshakeTimeout: HANDSHAKE_TIMEOUT,
  });
  factory.protocol = Collector;
  factory.clientConnectionFailed = (_connector, reason): void => {
    result.error = (reason.value as Error).constructor.name;
    resolve(result);
  };
  connectWS(factory, { timeout: 2 });
  return promise;
}

/** Tornado's client face. */
async function tornadoClient(
  url: string,
  deflate: boolean,
): Promise<ClientResult> {
  const result: ClientResult = {
    opened: false,
    messages: [],
    code: null,
    remote: undefined,
    error: null,
  };
  clientsLive++;
  try {
    const request = new HTTPRequest(url, { requestTimeout: HANDSHAKE_TIMEOUT });
    const conn = await websocketConnect(request, {
      compressionOptions: deflate ? {} : null,
      maxMessageSize: MAX_MESSAGE_SIZE,
      pingInterval: PING_INTERVAL,
      pingTimeout: PING_TIMEOUT,
      connectTimeout: 2,
    });
    result.opened = true;
    for (let i = 0; i < 1000; i++) {
      const message = await conn.readMessage();
      if (message === null) break;
      result.messages.push(message);
    }
    result.code = conn.closeCode;
    const protocol = conn.protocol;
    if (protocol.remoteCloseReason !== null) {
      result.remote = protocol.remoteCloseCode;
    }
  } catch (error) {
    result.error = (error as Error).constructor.name;
  } finally {
    clientsLive--;
  }
  return result;
}

/** Checks a client-side connection; returns the outcome or a problem. */
function judgeClient(
  variant: Variant,
  result: ClientResult,
  reading: Reading | undefined,
): { outcome: string } | { problem: string } {
  if (reading?.problem) return { problem: `client sent ${reading.problem}` };
  const sent = reading?.close;
  if (result.error !== null) {
    if (GENERIC.has(result.error)) {
      return { problem: `failed with ${result.error}` };
    }
    if (!variant.handshake) {
      return { problem: `a valid handshake failed with ${result.error}` };
    }
    return { outcome: `refused: ${result.error}` };
  }
  if (!result.opened) return { outcome: "never opened" };
  if (sent !== undefined && !closeCodeAllowed(sent, result.remote)) {
    return {
      problem: `client sent close ${sent} (the server's was ${result.remote})`,
    };
  }
  if (variant.valid) {
    if (sent !== 1000 || result.remote !== 1000) {
      return { problem: `a valid stream ended with ${sent}/${result.remote}` };
    }
    if (!sameMessages(result.messages, variant.base.messages)) {
      return { problem: "messages differ from those sent" };
    }
    if (reading?.pongs.join("|") !== variant.base.pings.join("|")) {
      return { problem: `pongs ${JSON.stringify(reading?.pongs)}` };
    }
  }
  return {
    outcome: sent === undefined
      ? `no close frame, ${result.code ?? "none"}`
      : `close ${sent ?? "empty"}`,
  };
}

function planVariants(
  random: Random,
  n: number,
  bases: readonly BaseStream[],
  handshakeShare: number,
  mutations: Record<string, number>,
  side: string,
): Variant[] {
  return Array.from({ length: n }, (_, index) => {
    const base = random.pick(bases);
    const handshake = random.next() < handshakeShare;
    const face = index % 2 === 0 ? "autobahn" : "tornado";
    if (handshake) {
      count(mutations, `${side} ${base.name} handshake`);
      return {
        base,
        bytes: base.wire,
        valid: false,
        handshake,
        seed: random.below(2 ** 31),
        face,
      };
    }
    const { bytes, mutation } = mutate(base.wire, random);
    count(mutations, `${side} ${base.name} ${mutation}`);
    return {
      base,
      bytes,
      valid: mutation === "none",
      handshake,
      seed: random.below(2 ** 31),
      face,
    };
  });
}

async function pool(
  n: number,
  concurrency: number,
  run: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await run(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Runs the harness.
 *
 * @param options The seed, the number of variants, the pace and the side.
 * @returns The counts.
 */
export async function runWebSocketFuzz(
  options: WebSocketFuzzOptions,
): Promise<FuzzRunReport> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 32;
  const side = options.side ?? "both";
  const random = new Random(options.seed);
  const outcomes: Record<string, number> = {};
  const mutations: Record<string, number> = {};
  const hung: string[] = [];
  const invalid: string[] = [];
  let connections = 0;
  let socketsLeft = 0;
  // The echo servers' own throws are logged, as they must be.
  const watch = await watchErrors(THROWN);
  try {
    if (side !== "client") {
      const variants = planVariants(
        random,
        options.count,
        await baseStreams(true),
        HANDSHAKE_SHARE,
        mutations,
        "server",
      );
      const servers = startEchoServers();
      try {
        await pool(variants.length, concurrency, async (index) => {
          const variant = variants[index];
          const head = handshakeRequest(index, variant.base.deflate);
          const wire = joinChunks(
            [head, variant.base.wire],
            head.length + variant.base.wire.length,
          );
          const vRandom = new Random(variant.seed);
          const bytes = variant.handshake
            ? mutate(wire, vRandom).bytes
            : joinChunks(
              [head, variant.bytes],
              head.length + variant.bytes.length,
            );
          const sight = await clientConverse(
            variant.face === "autobahn"
              ? servers.autobahnPort
              : servers.tornadoPort,
            bytes,
            vRandom,
          );
          connections++;
          // Give the server's onClose its turn before reading what it saw.
          for (
            let i = 0;
            i < 20 && sight.closeFrame && !servers.peerCodes.has(index);
            i++
          ) await sleep(5);
          const judged = judgeServerSight(
            variant,
            sight,
            servers.peerCodes.get(index),
          );
          const label = `#${index} ${variant.face} ${variant.base.name}${
            variant.handshake ? " handshake" : ""
          }`;
          if ("hung" in judged) {
            hung.push(
              `${label} (${Math.round(sight.ms)} ms): ${
                JSON.stringify(latin1(bytes).slice(0, 120))
              }`,
            );
            count(outcomes, `server ${variant.face} hung`);
          } else if ("problem" in judged) {
            invalid.push(`${label}: ${judged.problem}`);
            count(outcomes, `server ${variant.face} invalid`);
          } else {
            count(outcomes, `server ${variant.face} ${judged.outcome}`);
          }
        });
      } finally {
        await servers.close();
        socketsLeft += servers.open();
      }
    }
    if (side !== "server") {
      const variants = planVariants(
        random,
        options.count,
        await baseStreams(false),
        HANDSHAKE_SHARE,
        mutations,
        "client",
      );
      const server = startRawServer(variants);
      try {
        await pool(variants.length, concurrency, async (index) => {
          const variant = variants[index];
          const url = `ws://127.0.0.1:${server.port}/v/${index}`;
          const began = performance.now();
          const running = variant.face === "autobahn"
            ? autobahnClient(url, variant.base.deflate)
            : tornadoClient(url, variant.base.deflate);
          let timer: ReturnType<typeof setTimeout> | undefined;
          const result = await Promise.race([
            running,
            new Promise<null>((resolve) =>
              timer = setTimeout(() => resolve(null), LIMIT_MS)
            ),
          ]);
          clearTimeout(timer);
          connections++;
          const label = `#${index} ${variant.face} ${variant.base.name}${
            variant.handshake ? " handshake" : ""
          }`;
          if (result === null) {
            hung.push(`${label} (${Math.round(performance.now() - began)} ms)`);
            count(outcomes, `client ${variant.face} hung`);
            return;
          }
          // The raw server records the client's close once it has read it.
          for (let i = 0; i < 100 && !server.clientSent.has(index); i++) {
            await sleep(5);
          }
          const judged = judgeClient(
            variant,
            result,
            server.clientSent.get(index),
          );
          if ("problem" in judged) {
            invalid.push(`${label}: ${judged.problem}`);
            count(outcomes, `client ${variant.face} invalid`);
          } else {
            count(outcomes, `client ${variant.face} ${judged.outcome}`);
          }
        });
      } finally {
        await server.close();
        for (let i = 0; i < 300 && clientsLive > 0; i++) await sleep(10);
        socketsLeft += clientsLive;
      }
    }
  } finally {
    await watch.stop();
  }
  return fuzzReport(
    { connections, outcomes, mutations, hung, invalid, socketsLeft },
    watch,
    started,
  );
}

/**
 * Runs a long seeded run and prints the counts; exits non-zero when any
 * check failed.
 *
 * @param options The seed, the number of variants, the pace and the side.
 */
export async function webSocketFuzzMain(
  options: WebSocketFuzzOptions,
): Promise<void> {
  const result = await runWebSocketFuzz(options);
  const byKind: Record<string, number> = {};
  for (const [key, n] of Object.entries(result.mutations)) {
    const [side, , kind] = key.split(" ");
    byKind[`${side} ${kind}`] = (byKind[`${side} ${kind}`] ?? 0) + n;
  }
  printAndExit(options.seed, result, { mutations: byKind });
}
