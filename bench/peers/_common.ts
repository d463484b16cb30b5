/**
 * What the peer benchmark scripts share: the result record they print and
 * the peak-RSS reader (VmHWM, as the Python peers read it).
 *
 * @module
 */
import { median } from "../_runner.ts";

/** One workload's measurement, printed as a JSON line by each peer script. */
export interface WorkloadResult {
  /** The headline figure, in `unit`. */
  value: number;
  /** `req/s`, `chains/s` (higher is better) or `s` (lower is better). */
  unit: "req/s" | "chains/s" | "s";
  /** Wall-clock seconds the workload took. */
  seconds: number;
}

/**
 * The process's peak resident set size in MiB, from `/proc/self/status`
 * (Deno grants `/proc/self` only with `--allow-all`); without it, the
 * current RSS.
 *
 * @returns The peak (or current) RSS in MiB.
 */
export function peakRssMb(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not permitted or not Linux: fall back to the current RSS.
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

/** The sizes a workload may be given on the command line. */
export type Sizes = Partial<
  Record<"count" | "concurrency" | "ms" | "warmup", number>
>;

/** A peer script's command line: `<workload> <base-url> [word ...] [key=N ...]`. */
export interface PeerArgs {
  /** The workload's name. */
  workload: string;
  /** The benchmark server's base URL. */
  base: string;
  /** Arguments after the base URL that are not sizes (the Torsion face). */
  words: string[];
  /** The `count=N`, `concurrency=N`, `ms=N` and `warmup=N` sizes. */
  sizes: Sizes;
}

/**
 * Reads a peer script's command line, as the Python peers' `parse_args`.
 *
 * @param args `Deno.args`.
 * @returns The workload, base URL, other words and sizes.
 * @throws {TypeError} A size that is not `count`, `concurrency` or `ms`
 *   with a non-negative integer.
 */
export function parsePeerArgs(args: readonly string[]): PeerArgs {
  const [workload = "", base = "", ...rest] = args;
  const words: string[] = [];
  const sizes: Sizes = {};
  for (const arg of rest) {
    const match = /^(count|concurrency|ms|warmup)=(\d+)$/.exec(arg);
    if (match !== null) {
      sizes[match[1] as keyof Sizes] = Number(match[2]);
    } else if (arg.includes("=")) {
      throw new TypeError(
        `Cannot read workload size ${arg}: pass count=N, concurrency=N, ms=N or warmup=N`,
      );
    } else {
      words.push(arg);
    }
  }
  return { workload, base, words, sizes };
}

/**
 * Seconds since `start`, a `performance.now()` reading.
 *
 * @returns The elapsed time in seconds.
 */
export function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * The result of a workload measured in seconds (lower is better).
 *
 * @returns The result record.
 */
export function timed(seconds: number): WorkloadResult {
  return { value: seconds, unit: "s", seconds };
}

/**
 * The keep-alive workload of the Promise-based clients: `total` GETs of the
 * 1 KiB body shared among `concurrency` workers, each body's size checked.
 *
 * @param total The GETs in all.
 * @param concurrency The workers.
 * @param get Makes one GET and returns the body's size.
 * @returns The rate, in req/s.
 */
export async function keepaliveRate(
  total: number,
  concurrency: number,
  get: () => Promise<number>,
): Promise<WorkloadResult> {
  let remaining = total;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining--;
      const size = await get();
      if (size !== 1024) throw new Error(`Unexpected body size: ${size}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = elapsed(start);
  return { value: total / seconds, unit: "req/s", seconds };
}

/**
 * Runs a workload with `count` set to the `warmup` size, untimed, when one
 * is given, then as sized: every system then compiles and caches what it
 * will before the measurement, and the measurement is of the work.
 *
 * @param run Runs the workload at the given sizes.
 * @param sizes The sizes, with `warmup` the count of the warm-up run.
 * @returns The measured run's result.
 */
export async function afterWarmUp(
  run: (sizes: Sizes) => Promise<WorkloadResult>,
  sizes: Sizes,
): Promise<WorkloadResult> {
  const { warmup, ...measured } = sizes;
  if (warmup !== undefined && warmup > 0) {
    await run({ ...measured, count: warmup });
  }
  return await run(measured);
}

/**
 * The chain workload's timed rounds: each system reports its median round,
 * so that one collection or JIT tier-up does not decide a measurement of a
 * few milliseconds.
 */
export const CHAIN_ROUNDS = 5;

/**
 * Times `round` {@linkcode CHAIN_ROUNDS} times and reports the median
 * round's rate.
 *
 * @param count The items one round processes.
 * @param round Runs one round.
 * @returns The median round's result, in chains/s.
 */
export async function medianChainRate(
  count: number,
  round: () => void | Promise<void>,
): Promise<WorkloadResult> {
  const seconds: number[] = [];
  for (let i = 0; i < CHAIN_ROUNDS; i++) {
    const start = performance.now();
    await round();
    seconds.push(elapsed(start));
  }
  const middle = median(seconds);
  return { value: count / middle, unit: "chains/s", seconds: middle };
}

/**
 * Prints a workload's result with the peak RSS, as the runner reads it.
 *
 * @param result The measurement.
 */
export function emit(result: WorkloadResult): void {
  // deno-lint-ignore no-console
  console.log(JSON.stringify({ ...result, rss_mb: peakRssMb() }));
}

/**
 * The command line of a server script of bench/peers/run.ts:
 * `<workload> <port> <static-dir>`. Every server serves every route; the
 * floor answers only `workload`'s.
 */
export interface ServerArgs {
  /** `plaintext`, `json`, `static`, `echo`, `idle` or `ws`. */
  workload: string;
  /** The port to listen on, on 127.0.0.1. */
  port: number;
  /** The directory `/static/` serves (it holds `100k.bin`). */
  staticDir: string;
}

/**
 * Reads a server script's command line.
 *
 * @param args `Deno.args`.
 * @returns The workload, port and static directory.
 * @throws {TypeError} When the port is not an integer in 1..65535.
 */
export function parseServerArgs(args: readonly string[]): ServerArgs {
  const [workload = "", portText = "", staticDir = ""] = args;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(
      `Cannot read the server's port: current value is ${portText}`,
    );
  }
  return { workload, port, staticDir };
}

/** The body of `/plaintext`. */
export const PLAINTEXT = "Hello, World!";
/** The object `/json` serializes on every request. */
export const JSON_MESSAGE = { message: "Hello, World!" } as const;
/** The static file `/static/` serves, and its size. */
export const STATIC_FILE = "100k.bin";
/** The size of {@linkcode STATIC_FILE}: 100 KiB. */
export const STATIC_SIZE = 100 * 1024;
/** The size of the body POSTed to `/echo`. */
export const ECHO_SIZE = 1024;

/**
 * Tells the runner that the server listens (`listening <port>` on stdout),
 * and exits when the runner closes stdin, so that no server outlives it.
 *
 * @param port The port listened on.
 */
export function listeningUntilStdinCloses(port: number): void {
  // deno-lint-ignore no-console
  console.log(`listening ${port}`);
  (async () => {
    for await (const _ of Deno.stdin.readable) { /* until the runner goes */ }
    Deno.exit(0);
  })();
}
