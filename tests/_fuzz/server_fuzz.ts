// deno-lint-ignore-file no-console
/**
 * The server fuzz harness: raw loopback clients send seeded mutations of
 * valid requests (Content-Length and chunked bodies, a gzip body, keep-alive
 * pairs, pipelined requests, `Expect: 100-continue`) to an `HTTPFactory`
 * with short timeouts; a few ask for a large response first and stop
 * reading, and must be aborted by the write timeout. Every connection must end, within the server's
 * timeouts, with well-formed responses (a status the engine or the test
 * delegate gives) and a close by the server; nothing may throw, go
 * unhandled or be logged as an error; the server's connections and the
 * reactor's timers must be back to zero.
 *
 * `tests/http/fuzz_server_test.ts` runs a short seeded run; run long ones
 * with `deno task fuzz --target server --seed S --count N`.
 *
 * @module
 */
import { Headers } from "../../http/headers.ts";
import { HTTPFactory } from "../../http/http_factory.ts";
import type {
  HTTPRequestDelegate,
  HTTPServerRequestChannel,
} from "../../http/server_interfaces.ts";
import { reactor } from "../../reactor/reactor.ts";
import { gzip, mutate, Random } from "./mutate.ts";
import { type ErrorWatch, watchErrors } from "./watch.ts";

/** What a seeded fuzz run is asked to do: the fields every harness takes. */
export interface FuzzRunOptions {
  /** The seed: the same seed replays the same variants. */
  seed: number;
  /** How many variants (connections). */
  count: number;
  /** Connections at once. Default 32. */
  concurrency?: number;
}

/** What a server or web fuzz run is asked to do. */
export interface ServerFuzzOptions extends FuzzRunOptions {
  /** The server's header, body, idle and write timeouts, in seconds. Default 0.2. */
  timeout?: number;
  /**
   * Share of clients that close right after writing, while a handler may
   * still be at work. Default 0.05.
   */
  abandonShare?: number;
  /**
   * Share of clients that ask for a large response first and read nothing
   * until the server's write timeout has passed. Default 0.01.
   */
  stallShare?: number;
}

/** What a seeded fuzz run of a server, the web faces or WebSocket saw. */
export interface FuzzRunReport {
  /** Connections made. */
  connections: number;
  /** Outcomes: each status or close code, and how connections ended. */
  outcomes: Record<string, number>;
  /** Variants by base and mutation kind. */
  mutations: Record<string, number>;
  /** Connections not closed within their bound. */
  hung: string[];
  /** Responses or frames that were not well formed or broke the rules. */
  invalid: string[];
  /** Unhandled promise rejections seen during the run. */
  unhandled: number;
  /** Error-level log records. */
  loggedErrors: string[];
  /** Reactor timers still pending once every connection was gone. */
  timersLeft: number;
  /** Torsion connections still open at the end. */
  socketsLeft: number;
  /** Seconds the run took. */
  seconds: number;
}

const encoder = new TextEncoder();

/** The statuses a connection may see: the engine's own and the delegate's. */
const STATUSES = new Set([
  100,
  200,
  404,
  400,
  408,
  413,
  414,
  417,
  431,
  501,
  505,
]);

/** The valid requests every run starts from. */
export async function baseRequests(): Promise<
  { name: string; wire: Uint8Array }[]
> {
  const body = "field=value&other=fuzz".repeat(4);
  const compressed = await gzip(body);
  const H = "Host: fuzz\r\n";
  const text = (name: string, wire: string) => ({
    name,
    wire: encoder.encode(wire),
  });
  const gzipHead = encoder.encode(
    `POST /echo HTTP/1.1\r\n${H}Content-Encoding: gzip\r\nContent-Length: ${compressed.length}\r\nConnection: close\r\n\r\n`,
  );
  const gzipped = new Uint8Array(gzipHead.length + compressed.length);
  gzipped.set(gzipHead);
  gzipped.set(compressed, gzipHead.length);
  return [
    text("get-keep-alive", `GET /echo?q=1 HTTP/1.1\r\n${H}\r\n`),
    text(
      "content-length",
      `POST /echo HTTP/1.1\r\n${H}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ),
    text(
      "chunked",
      `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n10;ext=1\r\n${
        body.slice(0, 16)
      }\r\n${(body.length - 16).toString(16)}\r\n${
        body.slice(16)
      }\r\n0\r\nX-Trailer: yes\r\n\r\n`,
    ),
    { name: "gzip", wire: gzipped },
    text(
      "keep-alive-pair",
      `GET /echo HTTP/1.1\r\n${H}\r\nPOST /later HTTP/1.1\r\n${H}Content-Length: 5\r\nConnection: close\r\n\r\nhello`,
    ),
    text(
      "pipelined",
      `GET /a HTTP/1.1\r\n${H}\r\nGET /later HTTP/1.1\r\n${H}\r\nPOST /early HTTP/1.1\r\n${H}Content-Length: 4\r\n\r\nbodyGET /c HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
    ),
    text(
      "continue",
      `POST /echo HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndata`,
    ),
    text(
      "http10-keep-alive",
      `GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /echo HTTP/1.0\r\n\r\n`,
    ),
  ];
}

/** Adds one to `map[key]`. */
export function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/**
 * The test delegate: `/early` answers 404 on the head, `/later` answers on
 * a reactor timer, anything else echoes the body's length at once.
 */
function fuzzDelegate(): (
  channel: HTTPServerRequestChannel,
) => HTTPRequestDelegate {
  return (channel) => {
    let size = 0;
    const answer = (): void => {
      if (channel.finished) return;
      channel.writeHead(
        200,
        "OK",
        new Headers({ "Content-Type": "text/plain" }),
        `${channel.head.method} ${size}`,
      );
      channel.finish();
    };
    const target = channel.head.target;
    if (target === "/big") {
      channel.writeHead(
        200,
        "OK",
        new Headers({ "Content-Length": String(BIG.length) }),
        BIG,
      );
      channel.finish();
    }
    return {
      headersReceived(): void {
        if (!target.startsWith("/early")) return;
        channel.writeHead(404, "Not Found", new Headers(), "none");
        channel.finish();
      },
      dataReceived(chunk): void {
        size += chunk.length;
      },
      finish(): void {
        if (target.startsWith("/later")) reactor.callLater(0.005, answer);
        else if (target !== "/big") answer();
      },
      onConnectionClose(): void {},
    };
  };
}

/** One response as `checkResponses` read it. */
export interface ParsedResponse {
  /** The status code. */
  status: number;
  /** The status line and header fields, without the blank line. */
  head: string;
  /** The body as sent (chunks joined), empty for a `100`. */
  body: Uint8Array;
}

/** What `checkResponses` accepts. */
export interface CheckOptions {
  /** The statuses a response may have. Default: the engine's and the test delegate's. */
  statuses?: ReadonlySet<number>;
  /**
   * Whether every 4xx and 5xx but 404 must say `Connection: close`, as the
   * engine's own answers do. Default true.
   */
  errorsClose?: boolean;
}

/**
 * Checks the bytes a connection received: a sequence of well-formed
 * responses with expected statuses, nothing after one that says
 * `Connection: close`.
 *
 * @returns The statuses and the responses, or a description of what is wrong.
 */
export function checkResponses(
  bytes: Uint8Array,
  options: CheckOptions = {},
): { statuses: number[]; responses: ParsedResponse[] } | { problem: string } {
  const statusesAllowed = options.statuses ?? STATUSES;
  const errorsClose = options.errorsClose ?? true;
  const text = latin1(bytes);
  const statuses: number[] = [];
  const responses: ParsedResponse[] = [];
  let at = 0;
  for (let round = 0; round < 100 && at < text.length; round++) {
    const end = text.indexOf("\r\n\r\n", at);
    if (end < 0) return { problem: `a truncated head at ${at}` };
    const head = text.slice(at, end);
    const match = /^HTTP\/1\.1 (\d{3}) [^\r\n]*/.exec(head);
    if (match === null) {
      return {
        problem: `no status line at ${at}: ${
          JSON.stringify(head.slice(0, 40))
        }`,
      };
    }
    const status = Number(match[1]);
    if (!statusesAllowed.has(status)) return { problem: `status ${status}` };
    statuses.push(status);
    at = end + 4;
    if (status === 100) {
      responses.push({ status, head, body: new Uint8Array(0) });
      continue;
    }
    const close = /\r\nConnection: close\r\n/i.test(`${head}\r\n`);
    if (errorsClose && status >= 400 && status !== 404 && !close) {
      return { problem: `${status} without Connection: close` };
    }
    const length = /\r\nContent-Length: (\d+)\r\n/i.exec(`${head}\r\n`);
    const bodyStart = at;
    let body: Uint8Array;
    if (/\r\nTransfer-Encoding: chunked\r\n/i.test(`${head}\r\n`)) {
      const chunks: Uint8Array[] = [];
      for (let n = 0; n < 10000; n++) {
        const lineEnd = text.indexOf("\r\n", at);
        if (lineEnd < 0) return { problem: "a truncated chunk" };
        const size = parseInt(text.slice(at, lineEnd), 16);
        chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = joinChunks(chunks);
    } else if (length !== null) {
      // A HEAD answer (a mutated method) has the length but not the body:
      // its end is the end of what arrived, or the next response's start
      // where its length would not land on one.
      const next = at + Number(length[1]);
      const headAnswer = text.startsWith("HTTP/1.1 ", at) &&
        !text.startsWith("HTTP/1.1 ", next);
      if (next <= text.length && !headAnswer) at = next;
      body = bytes.subarray(bodyStart, at);
    } else {
      // Close-delimited (an HTTP/1.0 request): the body runs to the close.
      at = text.length;
      body = bytes.subarray(bodyStart, at);
    }
    responses.push({ status, head, body });
    if (close && at < text.length) {
      return { problem: "bytes after a response that said Connection: close" };
    }
  }
  if (at > text.length) return { problem: "a truncated body" };
  return { statuses, responses };
}

function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** What a run counted itself; the rest of its report comes from the watch and the reactor. */
export type FuzzRunCounts = Pick<
  FuzzRunReport,
  "connections" | "outcomes" | "mutations" | "hung" | "invalid" | "socketsLeft"
>;

/**
 * A run's report: its own counts, what `watch` saw, the reactor timers
 * left pending, and the seconds since `started` (a `performance.now()`).
 */
export function fuzzReport(
  counts: FuzzRunCounts,
  watch: ErrorWatch,
  started: number,
): FuzzRunReport {
  return {
    ...counts,
    unhandled: watch.unhandled,
    loggedErrors: watch.loggedErrors,
    timersLeft: reactor.getDelayedCalls().length,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Prints a long run's counts (its outcomes and any `tables` more) and its
 * first failures, then exits: 0 when nothing hung, was invalid, went
 * unhandled or logged, or was left open, 1 otherwise.
 */
export function printAndExit(
  seed: number,
  result: FuzzRunReport,
  tables: Record<string, Record<string, number>> = {},
): never {
  console.log(
    `seed ${seed}, ${result.connections} connections in ${
      result.seconds.toFixed(1)
    } s`,
  );
  for (
    const [title, table] of Object.entries({
      outcomes: result.outcomes,
      ...tables,
    })
  ) {
    console.log(`${title}:`);
    for (const [key, n] of Object.entries(table).sort()) {
      console.log(`  ${key.padEnd(48)} ${n}`);
    }
  }
  console.log(
    `hung ${result.hung.length}, invalid ${result.invalid.length}, unhandled ${result.unhandled}, logged errors ${result.loggedErrors.length}, timers left ${result.timersLeft}, sockets left ${result.socketsLeft}`,
  );
  for (
    const line of [...result.hung, ...result.invalid, ...result.loggedErrors]
      .slice(0, 40)
  ) {
    console.log(`  ${line.slice(0, 600)}`);
  }
  const clean = result.hung.length === 0 && result.invalid.length === 0 &&
    result.unhandled === 0 && result.loggedErrors.length === 0 &&
    result.timersLeft === 0 && result.socketsLeft === 0;
  Deno.exit(clean ? 0 : 1);
}

/** How a client that did not read its answers ended, for `endedAside`. */
export interface AsideEnd {
  /** The bytes it received. */
  received: Uint8Array;
  /** Whether the server closed the connection. */
  closedByServer: boolean;
  /** The size of the whole response a stalled client asked for. */
  fullSize: number;
  /** The variant, for a hung connection's line. */
  label: string;
  /** The run's outcomes. */
  outcomes: Record<string, number>;
  /** The run's hung connections. */
  hung: string[];
}

/**
 * Counts how a client that abandoned or stalled ended (`true`): its
 * answers are not checked. `false` for a client that read them.
 */
export function endedAside(behaviour: Behaviour, end: AsideEnd): boolean {
  if (behaviour === "abandon") {
    count(end.outcomes, "client abandoned");
    return true;
  }
  if (behaviour !== "stall") return false;
  // Aborted by the write timeout: what arrived is cut short.
  if (end.closedByServer && end.received.length < end.fullSize) {
    count(end.outcomes, "stalled client aborted");
  } else if (end.closedByServer) {
    count(end.outcomes, "stalled client served in full");
  } else {
    end.hung.push(`${end.label}: a stalled client was never aborted`);
    count(end.outcomes, "hung");
  }
  return true;
}

/** A response too large for the socket buffers: it blocks on flow control. */
const BIG = new Uint8Array(16 * 1024 * 1024);

/** What a client does after writing. */
export type Behaviour = "read" | "abandon" | "stall";

/**
 * Sends `bytes` in one to three pieces, then reads until the server closes
 * (`read`), closes at once (`abandon`), or reads only after `stallMs`
 * (`stall`).
 */
export async function converse(
  port: number,
  bytes: Uint8Array,
  random: Random,
  behaviour: Behaviour,
  limitMs: number,
  stallMs: number,
): Promise<{ received: Uint8Array; closedByServer: boolean }> {
  const abandon = behaviour === "abandon";
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const pieces = 1 + random.below(3);
  const cuts = Array.from(
    { length: pieces - 1 },
    () => random.below(bytes.length + 1),
  ).sort((a, b) => a - b);
  const pauses = cuts.map(() => random.below(3));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, limitMs);
  const received: Uint8Array[] = [];
  let size = 0;
  let closedByServer = false;
  const reading = (async () => {
    if (behaviour === "stall") {
      await new Promise((resolve) => setTimeout(resolve, stallMs));
    }
    const buffer = new Uint8Array(16384);
    for (let round = 0; round < 10000; round++) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) {
        closedByServer = !timedOut && !abandon;
        return;
      }
      received.push(buffer.slice(0, n));
      size += n;
    }
  })();
  try {
    let from = 0;
    for (const [i, cut] of [...cuts, bytes.length].entries()) {
      const piece = bytes.subarray(from, cut);
      from = cut;
      for (let off = 0; off < piece.length;) {
        off += await conn.write(piece.subarray(off));
      }
      if (i < pauses.length && pauses[i] > 0) {
        await new Promise((resolve) => setTimeout(resolve, pauses[i]));
      }
    }
  } catch {
    // The server closed first (a 4xx on a partial request): read what it sent.
  }
  if (abandon && !timedOut) conn.close();
  await reading;
  clearTimeout(timer);
  if (!timedOut && !abandon) conn.close();
  const out = new Uint8Array(size);
  let offset = 0;
  for (const piece of received) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return { received: out, closedByServer };
}

/**
 * Runs the harness.
 *
 * @param options The seed, the number of variants and the pace.
 * @returns The counts.
 */
export async function runServerFuzz(
  options: ServerFuzzOptions,
): Promise<FuzzRunReport> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 32;
  const timeout = options.timeout ?? 0.2;
  const abandonShare = options.abandonShare ?? 0.05;
  const stallShare = options.stallShare ?? 0.01;
  const random = new Random(options.seed);
  const bases = await baseRequests();
  const mutations: Record<string, number> = {};
  const variants = Array.from({ length: options.count }, () => {
    const base = random.pick(bases);
    const { bytes, mutation } = mutate(base.wire, random);
    count(mutations, `${base.name} ${mutation}`);
    const draw = random.next();
    const behaviour: Behaviour = draw < abandonShare
      ? "abandon"
      : draw < abandonShare + stallShare
      ? "stall"
      : "read";
    return {
      // A stalled client asks for the large response first; the mutated
      // request waits behind it.
      bytes: behaviour === "stall" ? joinBytes(BIG_REQUEST, bytes) : bytes,
      behaviour,
      seed: random.below(2 ** 31),
    };
  });
  const outcomes: Record<string, number> = {};
  const hung: string[] = [];
  const invalid: string[] = [];
  const watch = await watchErrors();
  const delegate = fuzzDelegate();
  const factory = new HTTPFactory({
    startRequest: delegate,
    logAccess(): void {},
  }, {
    headerTimeout: timeout,
    bodyTimeout: timeout,
    idleConnectionTimeout: timeout,
    writeTimeout: timeout,
    maxHeaderSize: 2048,
    maxBodySize: 4096,
    decompressRequest: true,
  });
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  const portNumber = port.getHost().port;
  // The server must close within its timeouts: two of them, and a margin
  // for a loaded machine.
  const limitMs = (2 * timeout + 5) * 1000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < variants.length) {
      const index = next++;
      const variant = variants[index];
      const began = performance.now();
      const { received, closedByServer } = await converse(
        portNumber,
        variant.bytes,
        new Random(variant.seed),
        variant.behaviour,
        limitMs,
        (timeout + 0.5) * 1000,
      );
      if (
        endedAside(variant.behaviour, {
          received,
          closedByServer,
          fullSize: BIG.length,
          label: `#${index}`,
          outcomes,
          hung,
        })
      ) continue;
      if (!closedByServer) {
        hung.push(
          `#${index} (${received.length} bytes back, ${
            Math.round(performance.now() - began)
          } ms): ${JSON.stringify(latin1(variant.bytes).slice(0, 80))}`,
        );
        count(outcomes, "hung");
        continue;
      }
      const checked = checkResponses(received);
      if ("problem" in checked) {
        invalid.push(`#${index}: ${checked.problem}`);
        count(outcomes, "invalid");
        continue;
      }
      if (checked.statuses.length === 0) {
        count(outcomes, "closed without a response");
      }
      for (const status of checked.statuses) count(outcomes, String(status));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await port.stopListening();
    // Abandoned and lingering connections get their turn to go.
    for (let i = 0; i < 200 && factory.connections.size > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const socketsLeft = factory.connections.size;
    await factory.closeAllConnections();
    await watch.stop();
    report = fuzzReport(
      {
        connections: variants.length,
        outcomes,
        mutations,
        hung,
        invalid,
        socketsLeft,
      },
      watch,
      started,
    );
  }
  return report;
}

let report: FuzzRunReport;

const BIG_REQUEST = encoder.encode("GET /big HTTP/1.1\r\nHost: fuzz\r\n\r\n");

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `bytes` as latin-1 text, one character a byte. */
export function latin1(bytes: Uint8Array): string {
  return new TextDecoder("latin1").decode(bytes);
}

/**
 * Runs a long seeded run and prints the counts; exits non-zero when any
 * check failed.
 *
 * @param seed The seed.
 * @param connections How many variants.
 * @param concurrency Connections at once.
 */
export async function serverFuzzMain(
  seed: number,
  connections: number,
  concurrency: number,
): Promise<void> {
  const result = await runServerFuzz({ seed, count: connections, concurrency });
  printAndExit(seed, result);
}
