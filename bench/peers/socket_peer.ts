// deno-lint-ignore-file no-console
/**
 * The floor of bench/peers/run.ts: the HTTP workloads on bare `Deno.connect`
 * sockets with no HTTP library, no Deferreds and no reactor. It writes a
 * fixed request and reads until the `Content-Length` body has arrived,
 * which is all this benchmark's server needs. No client written on
 * `Deno.connect` can do the same work faster, so the runner compares the
 * targets with what this floor reaches before calling one missed.
 *
 * Usage: deno run -A bench/peers/socket_peer.ts <workload> <base-url>
 *   [logtape|torsion] [count=N] [concurrency=N] [ms=N] [warmup=N]
 * Workloads: keepalive, delay, inflight. With `logtape` it first loads
 * LogTape, Torsion's one dependency, and with `torsion` Torsion's HTTP
 * client (http/mod.ts, LogTape included), and uses nothing of them: what
 * loading them alone adds to the floor's peak RSS. Prints one JSON line:
 * {"value", "unit", "seconds", "rss_mb"}.
 *
 * @module
 */
import {
  afterWarmUp,
  elapsed,
  emit,
  parsePeerArgs,
  type Sizes,
  timed,
  type WorkloadResult,
} from "./_common.ts";

const HEAD_END = new TextEncoder().encode("\r\n\r\n");
const LATIN1 = new TextDecoder("latin1");
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/** One keep-alive connection that sends GETs and skips to each body's end. */
class BareConnection {
  readonly #conn: Deno.TcpConn;
  readonly #buffer = new Uint8Array(2 * 1024);
  #filled = 0;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(url: URL): Promise<BareConnection> {
    const conn = await Deno.connect({
      hostname: url.hostname,
      port: Number(url.port),
    });
    return new BareConnection(conn);
  }

  /** Sends one GET of `request` and returns its body's size. */
  async get(request: Uint8Array): Promise<number> {
    await this.#conn.write(request);
    let headEnd = -1;
    while ((headEnd = this.#find(HEAD_END)) < 0) await this.#fill();
    const head = LATIN1.decode(this.#buffer.subarray(0, headEnd));
    const length = Number(CONTENT_LENGTH.exec(head)?.[1]);
    if (!Number.isInteger(length)) {
      throw new Error(`No Content-Length in: ${head}`);
    }
    const end = headEnd + HEAD_END.length + length;
    while (this.#filled < end) await this.#fill();
    this.#buffer.copyWithin(0, end, this.#filled);
    this.#filled -= end;
    return length;
  }

  close(): void {
    this.#conn.close();
  }

  async #fill(): Promise<void> {
    if (this.#filled === this.#buffer.byteLength) {
      throw new Error("Response larger than the floor's buffer");
    }
    const n = await this.#conn.read(this.#buffer.subarray(this.#filled));
    if (n === null) throw new Error("Server closed mid-response");
    this.#filled += n;
  }

  #find(needle: Uint8Array): number {
    const haystack = this.#buffer;
    outer: for (let i = 0; i + needle.length <= this.#filled; i++) {
      for (let j = 0; j < needle.length; j++) {
        if (haystack[i + j] !== needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}

function requestFor(url: URL): Uint8Array {
  return new TextEncoder().encode(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`,
  );
}

async function keepalive(
  base: string,
  total: number,
  concurrency: number,
): Promise<WorkloadResult> {
  const url = new URL(`${base}/1k`);
  const request = requestFor(url);
  let remaining = total;
  const worker = async (): Promise<void> => {
    const connection = await BareConnection.open(url);
    try {
      while (remaining > 0) {
        remaining--;
        const size = await connection.get(request);
        if (size !== 1024) throw new Error(`Unexpected body size: ${size}`);
      }
    } finally {
      connection.close();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = elapsed(start);
  return { value: total / seconds, unit: "req/s", seconds };
}

/** `count` GETs of `url` at once, each on a connection of its own. */
async function parallel(url: URL, count: number): Promise<WorkloadResult> {
  const request = requestFor(url);
  const one = async (): Promise<void> => {
    const connection = await BareConnection.open(url);
    try {
      await connection.get(request);
    } finally {
      connection.close();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, one));
  return timed(elapsed(start));
}

const WORKLOADS: Record<
  string,
  (base: string, sizes: Sizes) => Promise<WorkloadResult>
> = {
  keepalive: (base, { count = 5000, concurrency = 50 }) =>
    keepalive(base, count, concurrency),
  delay: (base, { count = 20, ms = 500 }) =>
    parallel(new URL(`${base}/delay?ms=${ms}`), count),
  inflight: (base, { count = 2000 }) => parallel(new URL(`${base}/1k`), count),
};

const { workload, base, words, sizes } = parsePeerArgs(Deno.args);
if (words.includes("logtape")) await import("@logtape/logtape");
if (words.includes("torsion")) await import("../../http/mod.ts");
const run = WORKLOADS[workload];
if (run === undefined) {
  console.error(`Unknown workload: ${workload} (the floor has only HTTP ones)`);
  Deno.exit(2);
}
emit(await afterWarmUp((sized) => run(base, sized), sizes));
