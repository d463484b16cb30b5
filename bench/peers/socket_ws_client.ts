/**
 * The floor WebSocket client of bench/peers/run.ts: bare `Deno.connect`
 * with `TCP_NODELAY`, no WebSocket library. It sends the handshake, checks
 * for `101`, then writes one precomputed masked binary frame per message
 * (the same bytes every time) and reads the server's unmasked frame header
 * and payload. It drives the WebSocket servers on 16 KiB messages, because
 * Deno's native `WebSocket` client stalls on them here (about 1,000 round
 * trips/s over 50 connections whatever the server, with a p99 near 60 ms:
 * likely a write held back by Nagle's algorithm until a delayed ACK; this
 * client sets `TCP_NODELAY`), and it is the floor of the client targets.
 *
 * Usage: deno run -A bench/peers/socket_ws_client.ts <ws-url>
 *   [connections=50] [size=64] [seconds=10] [warmup=1] [pid=N]
 * With `pid=N`, the CPU time per message of process N (the server) is
 * measured too. Prints one JSON line: {"value", "unit", "p99_ms",
 * "seconds", "rss_mb", "cpu_us_per_msg", "peer_cpu_us_per_msg"}.
 *
 * @module
 */
import { type EchoConnection, parseEchoArgs, runEcho } from "./_ws_common.ts";

const encoder = new TextEncoder();
const LATIN1 = new TextDecoder("latin1");

/** A masked binary frame carrying `payload`, as a client must send it. */
export function maskedFrame(payload: Uint8Array, opcode = 0x2): Uint8Array {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = new Uint8Array(2 + extended + 4 + length);
  frame[0] = 0x80 | opcode;
  const view = new DataView(frame.buffer);
  if (extended === 0) frame[1] = 0x80 | length;
  else if (extended === 2) {
    frame[1] = 0x80 | 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(length));
  }
  const maskAt = 2 + extended;
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, maskAt);
  for (let i = 0; i < length; i++) {
    frame[maskAt + 4 + i] = payload[i] ^ mask[i & 3];
  }
  return frame;
}

class BareWebSocket implements EchoConnection {
  readonly #conn: Deno.TcpConn;
  #buffer = new Uint8Array(64 * 1024);
  #filled = 0;
  #frame: Uint8Array | undefined;
  #payload: Uint8Array | undefined;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(url: URL): Promise<BareWebSocket> {
    const conn = await Deno.connect({
      hostname: url.hostname,
      port: Number(url.port),
    });
    conn.setNoDelay(true);
    const ws = new BareWebSocket(conn);
    await ws.#writeAll(encoder.encode(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${
        btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
      }\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ));
    let end = -1;
    while (
      (end = LATIN1.decode(ws.#buffer.subarray(0, ws.#filled)).indexOf(
        "\r\n\r\n",
      )) < 0
    ) {
      await ws.#fill();
    }
    const head = LATIN1.decode(ws.#buffer.subarray(0, end));
    if (!/^HTTP\/1\.1 101 /.test(head)) {
      conn.close();
      throw new Error(`Handshake refused: ${head.split("\r\n")[0]}`);
    }
    ws.#consume(end + 4);
    return ws;
  }

  async roundTrip(message: Uint8Array): Promise<number> {
    if (this.#payload !== message) {
      this.#payload = message;
      this.#frame = maskedFrame(message);
    }
    // Reading starts while the write is in flight: one turn saved per trip.
    const writing = this.#writeAll(this.#frame!);
    while (this.#filled < 2) await this.#fill();
    let length = this.#buffer[1] & 0x7f;
    let headerLength = 2;
    if (length === 126) headerLength = 4;
    else if (length === 127) headerLength = 10;
    while (this.#filled < headerLength) await this.#fill();
    const view = new DataView(this.#buffer.buffer);
    if (length === 126) length = view.getUint16(2);
    else if (length === 127) length = Number(view.getBigUint64(2));
    const opcode = this.#buffer[0] & 0x0f;
    if (opcode !== 0x2) {
      throw new Error(`Expected a binary frame, got opcode ${opcode}`);
    }
    while (this.#filled < headerLength + length) await this.#fill();
    this.#consume(headerLength + length);
    await writing;
    return length;
  }

  async close(): Promise<void> {
    try {
      await this.#writeAll(maskedFrame(new Uint8Array([0x03, 0xe8]), 0x8));
    } catch {
      // The server went first.
    }
    this.#conn.close();
  }

  #consume(n: number): void {
    this.#buffer.copyWithin(0, n, this.#filled);
    this.#filled -= n;
  }

  async #fill(): Promise<void> {
    if (this.#filled === this.#buffer.length) {
      const larger = new Uint8Array(this.#buffer.length * 2);
      larger.set(this.#buffer);
      this.#buffer = larger;
    }
    const n = await this.#conn.read(this.#buffer.subarray(this.#filled));
    if (n === null) throw new Error("The server closed the connection");
    this.#filled += n;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await this.#conn.write(bytes.subarray(written));
    }
  }
}

if (import.meta.main) {
  const { url, sizes, peerPid } = parseEchoArgs(Deno.args);
  // deno-lint-ignore no-console
  console.log(
    JSON.stringify(
      await runEcho(
        () => BareWebSocket.open(new URL(url)),
        sizes,
        peerPid,
      ),
    ),
  );
}
