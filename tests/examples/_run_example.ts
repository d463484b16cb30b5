import { type DenoRun, runDeno } from "../_support/mod.ts";
/**
 * Runs an example as a subprocess and collects what it printed.
 *
 * @module
 */

/** What an example printed and how it ended. */
export type ExampleRun = DenoRun;

/**
 * Runs `examples/<name>` with the given arguments and permissions
 * (`--allow-net` unless told otherwise).
 */
export function runExample(
  name: string,
  args: readonly string[] = [],
  permissions: readonly string[] = ["--allow-net"],
): Promise<ExampleRun> {
  const script = new URL(`../../examples/${name}`, import.meta.url).pathname;
  return runDeno(["run", ...permissions, script, ...args]);
}
