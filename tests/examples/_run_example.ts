/**
 * Runs an example as a subprocess and collects what it printed.
 *
 * @module
 */

/** What an example printed and how it ended. */
export interface ExampleRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `examples/<name>` with `--allow-net` and the given arguments. */
export async function runExample(
  name: string,
  args: readonly string[] = [],
): Promise<ExampleRun> {
  const script = new URL(`../../examples/${name}`, import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
