/**
 * Running `bench/peers/run.ts --quick` as the bench tests do.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runDeno } from "../_support/mod.ts";

const RUN = new URL("../../bench/peers/run.ts", import.meta.url).pathname;

/**
 * Runs `bench/peers/run.ts --quick` with `args`.
 *
 * @returns Its standard output, once it has exited with 0.
 */
export async function runQuick(args: readonly string[]): Promise<string> {
  const { code, stdout, stderr } = await runDeno([
    "run",
    "-A",
    RUN,
    "--quick",
    ...args,
  ]);
  assert.equal(code, 0, stderr);
  return stdout;
}
