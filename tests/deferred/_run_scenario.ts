/**
 * Runs a scenario of `tests/fixtures/deferred/unhandled_scenarios.ts` in a
 * fresh Deno process with the garbage collector exposed.
 *
 * @module
 */
import { DENO_CONFIG, type DenoRun, runDeno } from "../_support/mod.ts";

/** The outcome of a scenario run. */
export type ScenarioOutput = DenoRun;

const script = new URL(
  "../fixtures/deferred/unhandled_scenarios.ts",
  import.meta.url,
);

/** Runs scenario `name` and returns its exit code and output. */
export function runScenario(name: string): Promise<ScenarioOutput> {
  return runDeno([
    "run",
    "--no-check",
    `--config=${DENO_CONFIG}`,
    "--v8-flags=--expose-gc",
    script.pathname,
    name,
  ], { NO_COLOR: "1" });
}
