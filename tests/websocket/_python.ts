/**
 * Python Tornado as a WebSocket peer for the interop tests: a server run
 * until the test closes it, and a client run to completion.
 *
 * @module
 */
import { within } from "../_support/mod.ts";

/** The Python that has Tornado installed, or `null` when there is none. */
export const PYTHON: string | null = (() => {
  try {
    const { success } = new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import tornado"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return success ? "/usr/bin/python3" : null;
  } catch {
    return null;
  }
})();

/** Why the interop tests with Tornado are skipped, for `ignore`. */
export const NO_TORNADO = PYTHON === null;

/** A Python server that printed its port on its first line. */
export interface PythonServer {
  port: number;
  close(): Promise<void>;
}

/** Runs `script` (which must print its port first) until `close()`. */
export async function pythonServer(script: string): Promise<PythonServer> {
  const child = new Deno.Command(PYTHON as string, {
    args: ["-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  try {
    while (!first.includes("\n")) {
      const { value, done } = await within(
        reader.read(),
        "the Python server's port",
        10000,
      );
      if (done) break;
      first += value;
    }
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const stderr = new Response(child.stderr).text();
  return {
    port: Number(first.trim()),
    async close(): Promise<void> {
      try {
        child.kill("SIGTERM");
      } catch {
        // It has exited already.
      }
      await reader.cancel();
      await child.status;
      await stderr;
    },
  };
}

/** Runs `script` with `args` to completion and returns its stdout lines. */
export async function pythonClient(
  script: string,
  args: string[],
): Promise<{ code: number; lines: string[]; stderr: string }> {
  const output = await within(
    new Deno.Command(PYTHON as string, {
      args: ["-c", script, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output(),
    "the Python client",
    20000,
  );
  const decoder = new TextDecoder();
  return {
    code: output.code,
    lines: decoder.decode(output.stdout).split("\n").filter((line) =>
      line !== ""
    ),
    stderr: decoder.decode(output.stderr),
  };
}
