/**
 * What bench/compare.ts and bench/peers/run.ts share: running one workload
 * of one system in a fresh process (so that JIT state, pools and peak RSS
 * do not leak between measurements), medians, and the table they print.
 *
 * @module
 */

/** One measurement, as the workload scripts print it. */
export interface Measurement {
  /** The headline figure, in `unit`. */
  value: number;
  /** `req/s` or `chains/s` (higher is better), `s` (lower is better). */
  unit: string;
  /** Wall-clock seconds of the workload. */
  seconds: number;
  /** Peak resident set size of the process, MiB. */
  rss_mb: number;
}

/** A system under test: how to run one of its workloads. */
export interface System {
  /** Its name in the table. */
  readonly name: string;
  /** The command and arguments for `workload` against `base`. */
  command(workload: string, base: string): [string, string[]];
}

const BENCH_DIR = new URL(".", import.meta.url).pathname;

/**
 * A Torsion or Deno workload script under bench/peers/ run with `deno run -A`.
 *
 * @param name The system's name.
 * @param script The script, relative to bench/.
 * @param extra Arguments after the workload and base URL.
 * @returns The system.
 */
export function denoSystem(
  name: string,
  script: string,
  extra: readonly string[] = [],
): System {
  return {
    name,
    command: (workload, base) => [
      Deno.execPath(),
      ["run", "-A", `${BENCH_DIR}${script}`, workload, base, ...extra],
    ],
  };
}

/**
 * A Python workload script under bench/peers/ run with `python`.
 *
 * @param name The system's name.
 * @param python The interpreter.
 * @param script The script, relative to bench/.
 * @returns The system.
 */
export function pythonSystem(
  name: string,
  python: string,
  script: string,
): System {
  return {
    name,
    command: (
      workload,
      base,
    ) => [python, [`${BENCH_DIR}${script}`, workload, base]],
  };
}

/**
 * Runs one workload of `system` in its own process, with `extra` after its
 * usual arguments (the sizes bench/peers/run.ts passes).
 *
 * @returns The measurement.
 * @throws {Error} The process failed or printed no measurement.
 */
export async function measure(
  system: System,
  workload: string,
  base: string,
  extra: readonly string[] = [],
): Promise<Measurement> {
  const [command, args] = system.command(workload, base);
  const output = await new Deno.Command(command, {
    args: [...args, ...extra],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const last = stdout.split("\n").at(-1) ?? "";
  let parsed: Partial<Measurement> & { error?: string } = {};
  try {
    parsed = JSON.parse(last);
  } catch {
    // Reported below with the process's stderr.
  }
  if (!output.success || typeof parsed.value !== "number") {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n")
      .slice(-5);
    throw new Error(
      `${system.name} failed ${workload}: ${
        parsed.error ?? (stderr.join(" | ") || last)
      }`,
    );
  }
  return parsed as Measurement;
}

/**
 * Runs a workload `runs` times on every system and keeps each system's
 * median by value. The systems take turns (A B C, A B C, ...), so that a
 * passing load on the machine weighs on all of them alike. `extra` goes
 * after every system's usual arguments.
 *
 * @returns Each system's median measurement.
 */
export async function mediansOf(
  runs: number,
  systems: readonly System[],
  workload: string,
  base: string,
  extra: readonly string[] = [],
): Promise<Map<System, Measurement>> {
  const results = await measureInTurn(
    systems,
    runs,
    (system) => measure(system, workload, base, extra),
  );
  const medians = new Map<System, Measurement>();
  for (const [system, measured] of results) {
    if (measured instanceof Error) throw measured;
    measured.sort((a, b) => a.value - b.value);
    medians.set(system, measured[Math.floor((measured.length - 1) / 2)]);
  }
  return medians;
}

/**
 * The median of some figures: the middle one, or the mean of the middle
 * two.
 *
 * @param values At least one figure.
 * @returns The median.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Measures every entry `rounds` times, the entries taken in turn in each
 * round. On a shared machine whose speed drifts from one minute to the
 * next, rounds taken in turn put every system through the same slow and
 * fast spells, where all the runs of one system and then all of the next
 * would compare systems measured in different spells. Each round starts
 * one entry further on (the second round at the second entry), so that no
 * system is always the one measured first, right after the servers start,
 * or always right after the same neighbour. An entry whose measure throws
 * is left out of the later rounds and ends as that error.
 *
 * @param entries What to measure.
 * @param rounds How many times each.
 * @param once One measure of one entry.
 * @returns Each entry's measures, or the error that stopped it.
 */
export async function measureInTurn<E, M>(
  entries: readonly E[],
  rounds: number,
  once: (entry: E) => Promise<M>,
): Promise<Map<E, M[] | Error>> {
  const results = new Map<E, M[] | Error>(
    entries.map((entry) => [entry, []]),
  );
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < entries.length; turn++) {
      const entry = entries[(round + turn) % entries.length];
      const runs = results.get(entry);
      if (!Array.isArray(runs)) continue;
      try {
        runs.push(await once(entry));
      } catch (error) {
        results.set(
          entry,
          error instanceof Error ? error : new Error(String(error)),
        );
      }
    }
  }
  return results;
}

/** Whether a larger value is better for `unit`. */
export function higherIsBetter(unit: string): boolean {
  return unit !== "s";
}

/**
 * How many times better `a` is than `b` (above 1: `a` wins).
 *
 * @returns The ratio.
 */
export function advantage(a: Measurement, b: Measurement): number {
  return higherIsBetter(a.unit) ? a.value / b.value : b.value / a.value;
}

/**
 * Formats a figure for the table: rates with thousands separators, seconds
 * with three decimals.
 *
 * @returns The text.
 */
export function formatValue(m: Measurement): string {
  return higherIsBetter(m.unit)
    ? `${Math.round(m.value).toLocaleString("en-US")} ${m.unit}`
    : `${m.value.toFixed(3)} s`;
}

/**
 * A Markdown table, its columns padded so that it also reads well in a
 * terminal.
 *
 * @returns The table's lines joined with newlines.
 */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i].length))
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

/**
 * The machine, for the results' heading: CPU count and model (Deno
 * grants `/proc/cpuinfo` only with `--allow-all`).
 *
 * @returns For example `2 × AMD EPYC`.
 */
export function machine(): string {
  let model = "unknown CPU";
  try {
    const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
    model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? model;
  } catch {
    // Not Linux: the count alone.
  }
  return `${navigator.hardwareConcurrency} × ${model}`;
}
