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
