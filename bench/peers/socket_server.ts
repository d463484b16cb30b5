/**
 * The floor server of bench/peers/run.ts: bare `Deno.listen` with no HTTP
 * library. It does not parse requests: it finds where each one ends (the
 * blank line, then `Content-Length` bytes of body when the head has one) and
 * answers it with fixed bytes chosen at start for the workload, the 1 KiB
 * POST with the body it received. That is enough for wrk's keep-alive
 * without pipelining, and is what no server written on `Deno.listen` can
 * beat, so the runner reports it when a target is missed.
 *
 * Usage: deno run -A bench/peers/socket_server.ts <workload> <port> <static-dir>
 * Workloads: plaintext, json, static, echo, idle. Prints `listening <port>`;
 * exits when stdin closes.
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
const response = ECHO ? undefined : RESPONSES[workload]?.();
if (!ECHO && response === undefined) {
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

const listener = Deno.listen({ hostname: "127.0.0.1", port });
listeningUntilStdinCloses(port);
for await (const conn of listener) serve(conn);
