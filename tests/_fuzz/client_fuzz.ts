// deno-lint-ignore-file no-console
/**
 * The client fuzz harness: a raw loopback server answers each request with
 * a seeded mutation of a valid response, and both faces of the client
 * (`Agent` with `ContentDecoderAgent` and `readBody`; `AsyncHTTPClient` with
 * `decompressResponse`) fetch them. Every fetch must settle within its
 * timeout with a response or a named error; nothing may go unhandled or be
 * logged as an error; sockets and reactor timers must be back to zero.
 *
 * `tests/http/fuzz_client_test.ts` runs a short seeded run; run long ones
 * with `deno task fuzz --seed S --count N`, which prints the counts.
 *
 * @module
 */
import type { Deferred } from "../../deferred/deferred.ts";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import { AsyncHTTPClient } from "../../http/async_http_client.ts";
import { ContentDecoderAgent } from "../../http/content_decoder_agent.ts";
import { GzipDecoder } from "../../http/gzip_decoder.ts";
import { readBody } from "../../http/read_body.ts";
import { baseResponses, mutate, Random } from "./mutate.ts";
import { watchErrors } from "./watch.ts";

/** What a run is asked to do. */
export interface FuzzOptions {
  /** The seed: the same seed replays the same variants. */
  seed: number;
  /** How many variants (fetches), split between the two faces. */
  count: number;
  /** Fetches in flight at once. Default 32. */
  concurrency?: number;
  /** Seconds each fetch may take. Default 2. */
  timeout?: number;
  /** Share of connections the server holds open after answering. Default 0.02. */
  holdShare?: number;
}

/** What a run saw. */
export interface FuzzReport {
  /** Fetches made. */
  fetches: number;
  /** Outcomes by `face outcome` (a status code or an error's class). */
  outcomes: Record<string, number>;
  /** Variants by mutation kind. */
  mutations: Record<string, number>;
  /** Fetches that did not settle within their timeout and a grace second. */
  hung: number;
  /** Fetches that failed with an unnamed error (`Error`, `TypeError`, ...). */
  unnamed: string[];
  /** Unhandled promise rejections seen during the run. */
  unhandled: number;
  /** Error-level log records. */
  loggedErrors: string[];
  /** Reactor timers still pending after the faces were closed. */
  timersLeft: number;
  /** Server-side connections still open after the faces were closed. */
  socketsLeft: number;
  /** Seconds the run took. */
  seconds: number;
}

const GENERIC = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
]);

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** The server: each connection gets the variant its request path names. */
function startFuzzServer(
  variants: readonly { bytes: Uint8Array; hold: boolean }[],
): { port: number; open(): number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const decoder = new TextDecoder();
  const serve = async (conn: Deno.Conn): Promise<void> => {
    const buffer = new Uint8Array(8192);
    let head = "";
    try {
      while (!head.includes("\r\n\r\n") && head.length < 8192) {
        const n = await conn.read(buffer);
        if (n === null) return;
        head += decoder.decode(buffer.subarray(0, n));
      }
      const index = Number(/^GET \/v\/(\d+) /.exec(head)?.[1] ?? -1);
      const variant = variants[index];
      if (variant === undefined) return;
      let offset = 0;
      while (offset < variant.bytes.length) {
        offset += await conn.write(variant.bytes.subarray(offset));
      }
      if (variant.hold) {
        // Held open: the client's own timeout or close must end it.
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && (await conn.read(buffer)) !== null);
      }
    } catch {
      // The client reset the connection: one of the outcomes fuzzed.
    }
  };
  const loop = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      conns.add(conn);
      const task = serve(conn).finally(() => {
        conns.delete(conn);
        tasks.delete(task);
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      });
      tasks.add(task);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    open: () => conns.size,
    close: async () => {
      listener.close();
      await loop;
      await Promise.all(tasks);
    },
  };
}

/** Settles `promise` or says it hung after `ms`. */
function settle(
  promise: Promise<unknown>,
  ms: number,
): Promise<{ value?: unknown; error?: unknown; hung?: true }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<{ hung: true }>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), ms);
  });
  return Promise.race([
    promise.then((value) => ({ value }), (error) => ({ error })),
    watchdog,
  ]).finally(() => clearTimeout(timer));
}

/**
 * Runs the harness.
 *
 * @param options The seed, the number of variants and the pace.
 * @returns The counts.
 */
export async function runClientFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 32;
  const timeout = options.timeout ?? 2;
  const holdShare = options.holdShare ?? 0.02;
  const random = new Random(options.seed);
  const bases = await baseResponses();
  const mutations: Record<string, number> = {};
  const variants = Array.from({ length: options.count }, () => {
    const base = random.pick(bases);
    const { bytes, mutation } = mutate(base.wire, random);
    count(mutations, `${base.name} ${mutation}`);
    return { bytes, hold: random.next() < holdShare };
  });
  const server = startFuzzServer(variants);
  const url = `http://127.0.0.1:${server.port}/v/`;
  const agent = new ContentDecoderAgent(new Agent(reactor), [
    ["gzip", GzipDecoder],
  ]);
  const client = new AsyncHTTPClient({
    forceInstance: true,
    maxClients: concurrency,
    defaults: { requestTimeout: timeout, decompressResponse: true },
  });
  const outcomes: Record<string, number> = {};
  const unnamed: string[] = [];
  let hung = 0;
  const watch = await watchErrors();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < variants.length) {
      const index = next++;
      const tornado = index % 2 === 1;
      const face = tornado ? "tornado" : "twisted";
      let attempt: Promise<unknown>;
      if (tornado) {
        attempt = client.fetch(`${url}${index}`, { raiseError: false })
          .asPromise().then((response) => {
            if (response.error !== undefined && response.code === 599) {
              throw response.error;
            }
            return response.code;
          });
      } else {
        const d: Deferred<unknown> = agent.request("GET", `${url}${index}`)
          .addCallback((response) =>
            readBody(response).addCallback(() => response.code)
          );
        d.addTimeout(timeout, reactor);
        attempt = d.asPromise();
      }
      const outcome = await settle(attempt, (timeout + 1) * 1000);
      if (outcome.hung) {
        hung++;
        count(outcomes, `${face} hung`);
      } else if ("error" in outcome) {
        const error = outcome.error;
        const name = error instanceof Error ? error.name : typeof error;
        count(outcomes, `${face} ${name}`);
        if (!(error instanceof Error) || GENERIC.has(error.name)) {
          unnamed.push(
            `${face} #${index}: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
      } else {
        count(outcomes, `${face} ${String(outcome.value)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await client.close();
    // Give aborted and closing connections their turn to go.
    for (let i = 0; i < 100 && server.open() > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const socketsLeft = server.open();
    await server.close();
    await watch.stop();
    report = {
      fetches: variants.length,
      outcomes,
      mutations,
      hung,
      unnamed,
      unhandled: watch.unhandled,
      loggedErrors: watch.loggedErrors,
      timersLeft: reactor.getDelayedCalls().length,
      socketsLeft,
      seconds: (performance.now() - started) / 1000,
    };
  }
  return report;
}

let report: FuzzReport;

function argument(name: string, fallback: number): number {
  const index = Deno.args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(Deno.args[index + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `--${name} must be a non-negative integer: current value is ${
        Deno.args[index + 1]
      }`,
    );
  }
  return value;
}

if (import.meta.main) {
  const seed = argument("seed", Date.now() % 2 ** 31);
  const fetches = argument("count", 20_000);
  const result = await runClientFuzz({
    seed,
    count: fetches,
    concurrency: argument("concurrency", 32),
  });
  console.log(
    `seed ${seed}, ${result.fetches} fetches in ${result.seconds.toFixed(1)} s`,
  );
  for (const [key, n] of Object.entries(result.outcomes).sort()) {
    console.log(`  ${key.padEnd(40)} ${n}`);
  }
  console.log(
    `hung ${result.hung}, unnamed ${result.unnamed.length}, unhandled ${result.unhandled}, logged errors ${result.loggedErrors.length}, timers left ${result.timersLeft}, sockets left ${result.socketsLeft}`,
  );
  for (const line of [...result.unnamed, ...result.loggedErrors].slice(0, 20)) {
    console.log(`  ${line}`);
  }
  const clean = result.hung === 0 && result.unnamed.length === 0 &&
    result.unhandled === 0 && result.loggedErrors.length === 0 &&
    result.timersLeft === 0 && result.socketsLeft === 0;
  Deno.exit(clean ? 0 : 1);
}
