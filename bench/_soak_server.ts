// deno-lint-ignore-file no-console
/**
 * The server of `bench/soak.ts`, run in its own process: keep-alive
 * HTTP/1.1 on 127.0.0.1, each `GET /r/<id>` answered with the body
 * {@linkcode soakBody} of that id; a share of the responses (`--cut`) is
 * written only up to a random byte, and the connection then closed. Prints
 * its port on the first line of stdout.
 *
 * @module
 */
import { soakBody } from "./_soak_body.ts";

const args = Deno.args;
const cut = Number(args[args.indexOf("--cut") + 1] ?? 0.01);
const seed = Number(args[args.indexOf("--seed") + 1] ?? 1);
let state = seed >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const encoder = new TextEncoder();
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log((listener.addr as Deno.NetAddr).port);

async function serve(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(16384);
  let pending = "";
  const decoder = new TextDecoder();
  for (;;) {
    let end = pending.indexOf("\r\n\r\n");
    while (end < 0) {
      const n = await conn.read(buffer);
      if (n === null) return;
      pending += decoder.decode(buffer.subarray(0, n));
      end = pending.indexOf("\r\n\r\n");
    }
    const head = pending.slice(0, end);
    pending = pending.slice(end + 4);
    const id = /^GET \/r\/(\d+) /.exec(head)?.[1] ?? "0";
    const body = soakBody(Number(id));
    const response = encoder.encode(
      `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nContent-Type: text/plain\r\n\r\n${body}`,
    );
    if (random() < cut) {
      const at = Math.floor(random() * response.length);
      await write(conn, response.subarray(0, at));
      return;
    }
    await write(conn, response);
  }
}

async function write(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await conn.write(data.subarray(offset));
  }
}

for await (const conn of listener) {
  conn.setNoDelay(true);
  serve(conn).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch {
      // Closed by the client.
    }
  });
}
