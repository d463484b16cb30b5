/**
 * What the suites of bench/peers/run.ts share: the systems they may run,
 * how they report, and the verdict lines.
 *
 * @module
 */

/** What a suite hands back to the runner to print and write. */
export interface SuiteReport {
  /** Markdown sections: a heading line, a blank line, a table. */
  sections: string[];
  /** One line per target judged (`- met: …`, `- **missed**: …`). */
  verdicts: string[];
}

/** The Python peers found, with the names the tables give them. */
export interface PythonPeers {
  /** The interpreter. */
  python: string;
  /** `Twisted 22.4.0`, or null when python cannot import twisted. */
  twisted: string | null;
  /** `Tornado 6.2`, or null when python cannot import tornado. */
  tornado: string | null;
}

/**
 * Which systems and workloads a run is limited to (`--systems`,
 * `--workloads`); empty means all.
 */
export interface Selection {
  systems: ReadonlySet<string>;
  workloads: ReadonlySet<string>;
}

/**
 * Whether `id` is selected by `chosen` (an empty set selects all).
 *
 * @returns True when it runs.
 */
export function selected(chosen: ReadonlySet<string>, id: string): boolean {
  return chosen.size === 0 || chosen.has(id);
}

/**
 * A verdict line.
 *
 * @param met Whether the target is met.
 * @param text What was judged, with its figure.
 * @returns `- met: text` or `- **missed**: text`.
 */
export function verdictLine(met: boolean, text: string): string {
  return `- ${met ? "met" : "**missed**"}: ${text}`;
}

/**
 * A verdict that could not be judged because a system did not run.
 *
 * @returns `- not judged: …`.
 */
export function notJudged(target: string, missing: readonly string[]): string {
  return `- not judged: ${target} (${missing.join(", ")} did not run)`;
}

/**
 * A rate with thousands separators.
 *
 * @returns For example `53,100`.
 */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/**
 * Milliseconds, to two decimals below 10 ms.
 *
 * @returns For example `1.80 ms`.
 */
export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

/**
 * Sleeps `ms` milliseconds.
 *
 * @returns A promise settled after the delay.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
