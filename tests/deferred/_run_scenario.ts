/**
 * Runs a scenario of `tests/fixtures/deferred/unhandled_scenarios.ts` in a
 * fresh Deno process with the garbage collector exposed.
 *
 * @module
 */

/** The outcome of a scenario run. */
export interface ScenarioOutput {
  code: number;
  stdout: string;
  stderr: string;
}

const script = new URL(
  "../fixtures/deferred/unhandled_scenarios.ts",
  import.meta.url,
);
const config = new URL("../../deno.json", import.meta.url);

/** Runs scenario `name` and returns its exit code and output. */
export async function runScenario(name: string): Promise<ScenarioOutput> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-check",
      `--config=${config.pathname}`,
      "--v8-flags=--expose-gc",
      script.pathname,
      name,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}
