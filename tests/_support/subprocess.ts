/**
 * Runs Deno as a subprocess and collects what it printed: the one runner
 * behind the tests of examples, signals and exit codes.
 *
 * @module
 */

/** What a subprocess printed, how it ended, and how long it took. */
export interface DenoRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
}

/** The path of the project's deno.json, for `--config` from any directory. */
export const DENO_CONFIG: string =
  new URL("../../deno.json", import.meta.url).pathname;

/**
 * Runs `deno <args>` with stdin closed and both outputs captured, with
 * `env` added to the inherited environment.
 */
export async function runDeno(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<DenoRun> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    ms: performance.now() - started,
  };
}

/**
 * Runs `code` with `deno eval` and the project's deno.json, so that its
 * imports (`@logtape/logtape`) resolve as in the library.
 */
export function evalScript(code: string): Promise<DenoRun> {
  return runDeno(["eval", "--config", DENO_CONFIG, code]);
}
