/**
 * The floor server of bench/peers/run.ts: bare `Deno.listen` with no HTTP
 * library. It does not parse requests: it finds where each one ends (the
 * blank line, then `Content-Length` bytes of body when the head has one) and
 * answers it with fixed bytes chosen at start for the workload, the 1 KiB
 * POST with the body it received. That is enough for wrk's keep-alive
 * without pipelining, and is what no server written on `Deno.listen` can
 * beat, so the runner reports it when a target is missed.
 *
 * For `ws` it is the WebSocket floor: it answers the opening handshake
 * without checking it, then echoes each frame as it comes, unmasked in
 * place a word at a time, its header written over the mask and the end of
 * the received one, in one write: no allocation per message, no
 * fragmentation, no UTF-8 check, no limit. With `own` it copies each
 * payload, with its mask, into an array of its own first and echoes it
 * from there: the least a server must do whose handler keeps each message
 * it is given, as Tornado's and Autobahn's may (Torsion's WebSocket
 * servers, `Deno.upgradeWebSocket`).
 *
 * With `collect` (and `--v8-flags=--expose-gc`) it is the floor after a
 * full collection: one second after the first connection of a burst (a wrk
 * run opening its connections), it runs V8's full collection once. That
 * collection moves the connections' objects to the old generation, where
 * Deno's `Conn.read` then leaves garbage at every read (the Set of pending
 * reads that each connection keeps is rebuilt there), so further full
 * collections follow for as long as those connections live. A server whose
 * heap holds more than the floor's few megabytes reaches that state on its
 * own (V8 starts a full collection when the young generation grows past
 * the old generation's headroom); the floor alone never does under wrk.
 *
 * Usage: deno run -A bench/peers/socket_server.ts <workload> <port> <static-dir>
 *   [collect] [own]
 * Workloads: plaintext, json, static, echo, idle, ws. Prints
 * `listening <port>`; exits when stdin closes.
 *
 * @module
 */
import {
  JSON_MESSAGE,
  listeningUntilStdinCloses,
  parseServerArgs,
  PLAINTEXT,
  STATIC_FILE,
} from "./_common.ts";

const { workload, port, staticDir } = parseServerArgs(Deno.args);
/** The words after the static directory: `collect`, `own`. */
const options = Deno.args.slice(3);
const collect = options.includes("collect") ? fullCollection() : undefined;
const encoder = new TextEncoder();

function head(type: string, length: number): Uint8Array {
  return encoder.encode(
    `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`,
  );
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function fixed(type: string, body: Uint8Array): Uint8Array {
  return concat(head(type, body.length), body);
}

const RESPONSES: Record<string, () => Uint8Array> = {
  plaintext: () => fixed("text/plain", encoder.encode(PLAINTEXT)),
  idle: () => fixed("text/plain", encoder.encode(PLAINTEXT)),
  json: () =>
    fixed("application/json", encoder.encode(JSON.stringify(JSON_MESSAGE))),
  static: () =>
    fixed(
      "application/octet-stream",
      Deno.readFileSync(`${staticDir}/${STATIC_FILE}`),
    ),
};
const ECHO = workload === "echo";
const WS = workload === "ws";
const OWN = WS && options.includes("own");
const response = ECHO || WS ? undefined : RESPONSES[workload]?.();
if (!ECHO && !WS && response === undefined) {
  throw new TypeError(`The floor has no response for workload ${workload}`);
}

const CR = 13;
const LF = 10;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const LATIN1 = new TextDecoder("latin1");

/** Index just past the blank line ending a head in `bytes[from, to)`, or -1. */
function headEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (
      bytes[i] === CR && bytes[i + 1] === LF && bytes[i + 2] === CR &&
      bytes[i + 3] === LF
    ) return i + 4;
  }
  return -1;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const WS_KEY = /\r\nsec-websocket-key:[ \t]*([^\r\n]*)/i;

async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    encoder.encode(key.trim() + WS_GUID),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** XORs `bytes[from, from+length)` with the 4-byte mask at `maskAt`. */
function unmask(
  bytes: Uint8Array,
  words: BigUint64Array,
  maskAt: number,
  from: number,
  length: number,
): void {
  const end = from + length;
  let i = from;
  for (; i < end && (i & 7) !== 0; i++) {
    bytes[i] ^= bytes[maskAt + ((i - from) & 3)];
  }
  const key = new Uint8Array(8);
  for (let k = 0; k < 8; k++) key[k] = bytes[maskAt + ((i - from + k) & 3)];
  const word = new BigUint64Array(key.buffer)[0];
  for (let w = i >>> 3, last = end >>> 3; w < last; w++) words[w] ^= word;
  for (i = Math.max(i, end & ~7); i < end; i++) {
    bytes[i] ^= bytes[maskAt + ((i - from) & 3)];
  }
}

/** Where {@linkcode ownCopy} puts the mask: room for the longest header before it. */
const OWN_MASK_AT = 10;

/**
 * The mask and payload of the frame whose mask is at `maskAt`, copied into
 * an array of their own (its length a whole number of 64-bit words), the
 * mask at {@linkcode OWN_MASK_AT}.
 */
function ownCopy(
  bytes: Uint8Array,
  maskAt: number,
  length: number,
): Uint8Array {
  const own = new Uint8Array((OWN_MASK_AT + 4 + length + 7) & ~7);
  own.set(bytes.subarray(maskAt, maskAt + 4 + length), OWN_MASK_AT);
  return own;
}

/**
 * Unmasks in place the `length` bytes after the mask at `maskAt` (`words`
 * is `bytes` as 64-bit words), writes the echo's unmasked header over the
 * end of the mask and what precedes it, and returns the echo frame (a pong
 * for a ping).
 */
function echoFrame(
  bytes: Uint8Array,
  words: BigUint64Array,
  maskAt: number,
  length: number,
  opcode: number,
): Uint8Array {
  const payloadAt = maskAt + 4;
  unmask(bytes, words, maskAt, payloadAt, length);
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frameAt = payloadAt - head;
  bytes[frameAt] = 0x80 | (opcode === 0x9 ? 0xa : opcode);
  if (head === 2) bytes[frameAt + 1] = length;
  else if (head === 4) {
    bytes[frameAt + 1] = 126;
    bytes[frameAt + 2] = length >>> 8;
    bytes[frameAt + 3] = length & 0xff;
  } else {
    bytes[frameAt + 1] = 127;
    new DataView(bytes.buffer).setBigUint64(frameAt + 2, BigInt(length));
  }
  return bytes.subarray(frameAt, payloadAt + length);
}

async function serveWebSocket(conn: Deno.Conn): Promise<void> {
  let buffer = new Uint8Array(65536);
  let words = new BigUint64Array(buffer.buffer);
  let filled = 0;
  let start = -1;
  while ((start = headEnd(buffer, 0, filled)) < 0) {
    const n = await conn.read(buffer.subarray(filled));
    if (n === null) return;
    filled += n;
  }
  const key = WS_KEY.exec(LATIN1.decode(buffer.subarray(0, start)))?.[1];
  await writeAll(
    conn,
    encoder.encode(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${await acceptKey(
        key ?? "",
      )}\r\n\r\n`,
    ),
  );
  while (true) {
    while (filled - start >= 2) {
      const opcode = buffer[start] & 0x0f;
      let length = buffer[start + 1] & 0x7f;
      let at = start + 2;
      if (length === 126) {
        length = (buffer[at] << 8) | buffer[at + 1];
        at += 2;
      } else if (length === 127) {
        length = Number(new DataView(buffer.buffer).getBigUint64(at));
        at += 8;
      }
      const payloadAt = at + 4;
      if (payloadAt + length > filled) break;
      let frame: Uint8Array;
      if (OWN) {
        const own = ownCopy(buffer, at, length);
        const ownWords = new BigUint64Array(own.buffer);
        frame = echoFrame(own, ownWords, OWN_MASK_AT, length, opcode);
      } else {
        frame = echoFrame(buffer, words, at, length, opcode);
      }
      await writeAll(conn, frame);
      if (opcode === 0x8) return;
      start = payloadAt + length;
    }
    buffer.copyWithin(0, start, filled);
    filled -= start;
    start = 0;
    if (filled === buffer.length) {
      const larger = new Uint8Array(buffer.length * 2);
      larger.set(buffer);
      buffer = larger;
      words = new BigUint64Array(buffer.buffer);
    }
    const n = await conn.read(buffer.subarray(filled));
    if (n === null) return;
    filled += n;
  }
}

async function serve(conn: Deno.Conn): Promise<void> {
  // Small at first, as each idle connection holds its buffer in a pending
  // read; it doubles for a larger request.
  let buffer = new Uint8Array(1024);
  let filled = 0;
  try {
    while (true) {
      if (filled === buffer.length) {
        const larger = new Uint8Array(buffer.length * 2);
        larger.set(buffer);
        buffer = larger;
      }
      const n = await conn.read(buffer.subarray(filled));
      if (n === null) return;
      filled += n;
      let start = 0;
      const replies: Uint8Array[] = [];
      while (start < filled) {
        const end = headEnd(buffer, start, filled);
        if (end < 0) break;
        let requestEnd = end;
        let body: Uint8Array | undefined;
        if (ECHO) {
          const length = Number(
            CONTENT_LENGTH.exec(LATIN1.decode(buffer.subarray(start, end)))
              ?.[1] ?? 0,
          );
          requestEnd = end + length;
          if (requestEnd > filled) break;
          body = buffer.slice(end, requestEnd);
        }
        replies.push(
          body === undefined
            ? response!
            : fixed("application/octet-stream", body),
        );
        start = requestEnd;
      }
      buffer.copyWithin(0, start, filled);
      filled -= start;
      for (const reply of replies) {
        let written = 0;
        while (written < reply.length) {
          written += await conn.write(reply.subarray(written));
        }
      }
    }
  } catch {
    // The client went away mid-request: nothing to answer.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** V8's full collection, which `--v8-flags=--expose-gc` exposes as `gc`. */
function fullCollection(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    throw new TypeError(
      "Cannot collect: run the floor with --v8-flags=--expose-gc",
    );
  }
  return gc;
}

/** Whether a full collection is due for the current burst of connections. */
let collectionDue = false;

function collectAfterBurst(): void {
  if (collect === undefined || collectionDue) return;
  collectionDue = true;
  setTimeout(() => {
    collectionDue = false;
    collect();
  }, 1000);
}

const listener = Deno.listen({ hostname: "127.0.0.1", port });
listeningUntilStdinCloses(port);
for await (const conn of listener) {
  collectAfterBurst();
  if (WS) {
    serveWebSocket(conn).catch(() => {
      // The client went away mid-frame: nothing to answer.
    }).finally(() => {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    });
  } else {
    serve(conn);
  }
}
