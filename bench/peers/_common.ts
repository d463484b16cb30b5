/**
 * What the peer benchmark scripts share: the result record they print and
 * the peak-RSS reader (VmHWM, as the Python peers read it).
 *
 * @module
 */

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
export type Sizes = Partial<Record<"count" | "concurrency" | "ms", number>>;

/** A peer script's command line: `<workload> <base-url> [word ...] [key=N ...]`. */
export interface PeerArgs {
  /** The workload's name. */
  workload: string;
  /** The benchmark server's base URL. */
  base: string;
  /** Arguments after the base URL that are not sizes (the Torsion face). */
  words: string[];
  /** The `count=N`, `concurrency=N` and `ms=N` sizes. */
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
    const match = /^(count|concurrency|ms)=(\d+)$/.exec(arg);
    if (match !== null) {
      sizes[match[1] as keyof Sizes] = Number(match[2]);
    } else if (arg.includes("=")) {
      throw new TypeError(
        `Cannot read workload size ${arg}: pass count=N, concurrency=N or ms=N`,
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
 * Prints a workload's result with the peak RSS, as the runner reads it.
 *
 * @param result The measurement.
 */
export function emit(result: WorkloadResult): void {
  // deno-lint-ignore no-console
  console.log(JSON.stringify({ ...result, rss_mb: peakRssMb() }));
}
