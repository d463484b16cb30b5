/**
 * The idle-connections client of bench/peers/run.ts: opens `count`
 * connections to a server, sends one `GET /plaintext` on each and reads its
 * response, so that every connection is a served keep-alive connection
 * waiting for its next request, then holds them all open. It prints
 * `ready <open> <failed>` once they are, and closes them when stdin closes.
 * It runs in a process of its own so that the server's RSS is the server's
 * alone and each process needs one file descriptor per connection.
 *
 * Usage: deno run -A bench/peers/idle_client.ts <port> <count>
 *
 * @module
 */

/** Connection attempts in flight at once, under the servers' backlog. */
const CONCURRENCY = 256;
/** Milliseconds a connection may take to be answered before it counts as failed. */
const ANSWER_TIMEOUT_MS = 10_000;
const CR_LF_CR_LF = /\r\n\r\n/;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

const [portText = "", countText = ""] = Deno.args;
const port = Number(portText);
const count = Number(countText);
if (!Number.isInteger(port) || !Number.isInteger(count) || count < 1) {
  throw new TypeError(
    `Usage: idle_client.ts <port> <count>: current values are ${Deno.args}`,
  );
}
const request = new TextEncoder().encode(
  `GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
);
const latin1 = new TextDecoder("latin1");

/** Whether `text` holds a whole response (Content-Length or chunked). */
function complete(text: string): boolean {
  const end = CR_LF_CR_LF.exec(text);
  if (end === null) return false;
  const head = text.slice(0, end.index);
  const length = CONTENT_LENGTH.exec(head);
  if (length !== null) {
    return text.length >= end.index + 4 + Number(length[1]);
  }
  return text.endsWith("0\r\n\r\n");
}

async function open(): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  // A server that never answers fails the connection rather than the run.
  const timer = setTimeout(() => conn.close(), ANSWER_TIMEOUT_MS);
  try {
    await conn.write(request);
    const buffer = new Uint8Array(4096);
    let text = "";
    while (!complete(text)) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error("The server closed before answering");
      text += latin1.decode(buffer.subarray(0, n));
    }
    return conn;
  } catch (error) {
    try {
      conn.close();
    } catch {
      // Closed by the timeout.
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const conns: Deno.Conn[] = [];
let failed = 0;
let next = 0;
const firstErrors = new Set<string>();
async function worker(): Promise<void> {
  while (next < count) {
    next++;
    try {
      conns.push(await open());
    } catch (error) {
      failed++;
      firstErrors.add(String(error));
    }
  }
}
await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
if (firstErrors.size > 0) {
  // deno-lint-ignore no-console
  console.error([...firstErrors].slice(0, 3).join("\n"));
}
// deno-lint-ignore no-console
console.log(`ready ${conns.length} ${failed}`);
for await (const _ of Deno.stdin.readable) { /* hold until the runner goes */ }
for (const conn of conns) conn.close();
