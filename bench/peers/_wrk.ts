/**
 * Running `wrk` against a server of bench/peers/run.ts and reading what it
 * prints: requests/s, the 99th percentile latency (`--latency`), and the
 * errors that make a figure worthless (socket errors, non-2xx responses).
 *
 * @module
 */

/** What one `wrk` run measured. */
export interface WrkResult {
  /** `Requests/sec:`. */
  requestsPerSecond: number;
  /** The 99% line of `Latency Distribution`, in milliseconds. */
  p99Ms: number;
  /** Requests completed. */
  requests: number;
  /** Connect, read, write and timeout errors, summed. */
  socketErrors: number;
  /** `Non-2xx or 3xx responses:`. */
  non2xx: number;
}

const UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * A latency as wrk prints it (`634.00us`, `1.80ms`, `2.01s`), in
 * milliseconds.
 *
 * @param text The figure with its unit.
 * @returns Milliseconds.
 * @throws {TypeError} When `text` is not a wrk latency.
 */
export function parseLatencyMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (match === null) {
    throw new TypeError(`Cannot read a wrk latency: current value is ${text}`);
  }
  // wrk prints microseconds at most: round away the float error of scaling.
  const value = Number(match[1]);
  const ms = match[2] === "us" ? value / 1000 : value * UNITS_MS[match[2]];
  return Math.round(ms * 1000) / 1000;
}

/**
 * Reads the output of `wrk --latency`.
 *
 * @param output What wrk printed on stdout.
 * @returns The figures.
 * @throws {TypeError} When the output lacks `Requests/sec` or the 99% line.
 */
export function parseWrkOutput(output: string): WrkResult {
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const p99 = /^\s+99(?:\.000)?%\s+(\S+)/m.exec(output);
  if (rate === null || p99 === null) {
    throw new TypeError(
      `Cannot read wrk's output (run with --latency): ${output.trim()}`,
    );
  }
  const requests = /^\s+(\d+) requests in /m.exec(output);
  const socket =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    requestsPerSecond: Number(rate[1]),
    p99Ms: parseLatencyMs(p99[1]),
    requests: Number(requests?.[1] ?? 0),
    socketErrors: socket === null
      ? 0
      : socket.slice(1).reduce((sum, n) => sum + Number(n), 0),
    non2xx: Number(non2xx?.[1] ?? 0),
  };
}

/** How one `wrk` run loads a server. */
export interface WrkOptions {
  /** The URL to load. */
  url: string;
  /** Open connections (`-c`). */
  connections: number;
  /** Whole seconds to run (`-d`). */
  seconds: number;
  /** Threads (`-t`). @default 1 */
  threads?: number;
  /** A Lua script (`-s`), for the POST workload. */
  script?: string;
}

/** The path of the wrk binary, or null when it is not installed. */
export async function findWrk(
  candidates: readonly string[] = ["/usr/bin/wrk", "/usr/local/bin/wrk"],
): Promise<string | null> {
  for (const path of candidates) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // Not there: try the next.
    }
  }
  return null;
}

/**
 * Runs wrk once with `--latency` and reads its figures.
 *
 * @param wrk The wrk binary.
 * @param options The load.
 * @returns The figures.
 * @throws {Error} wrk failed or printed no figures.
 */
export async function runWrk(
  wrk: string,
  { url, connections, seconds, threads = 1, script }: WrkOptions,
): Promise<WrkResult> {
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    "--timeout",
    "10s",
    "--latency",
    ...(script === undefined ? [] : ["-s", script]),
    url,
  ];
  const output = await new Deno.Command(wrk, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `wrk ${args.join(" ")} failed: ${
        new TextDecoder().decode(output.stderr).trim() || stdout.trim()
      }`,
    );
  }
  return parseWrkOutput(stdout);
}

/**
 * A wrk Lua script that POSTs `body`, written to a temporary file.
 *
 * @param body The request body (ASCII).
 * @returns The script's path; remove it when done.
 */
export async function writePostScript(body: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "wrk_post_", suffix: ".lua" });
  await Deno.writeTextFile(
    path,
    `wrk.method = "POST"
wrk.body = "${body}"
wrk.headers["Content-Type"] = "application/octet-stream"
`,
  );
  return path;
}
