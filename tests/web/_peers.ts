/**
 * The real peers the web tests talk to (Python with Tornado, curl): where
 * they are, whether they are installed, and running them.
 *
 * @module
 */

/** Debian's Python, with Twisted and Tornado installed beside it. */
export const PYTHON = "/usr/bin/python3";
/** curl. */
export const CURL = "/usr/bin/curl";

const decoder = new TextDecoder();

function succeeds(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Whether Python is installed. */
export const hasPython: boolean = succeeds(PYTHON, [
  "-c",
  "import http.client",
]);
/** Whether Python can import Tornado. */
export const hasTornado: boolean = hasPython &&
  succeeds(PYTHON, ["-c", "import tornado.web"]);
/** Whether curl is installed. */
export const hasCurl: boolean = succeeds(CURL, ["--version"]);

/** Prints why the tests needing `what` are skipped, when it is missing. */
export function reportMissing(present: boolean, what: string): void {
  if (present) return;
  // deno-lint-ignore no-console
  console.log(`${what} not found: skipping the tests that need it`);
}

/**
 * Runs a peer to the end and returns what it printed.
 *
 * @throws {Error} It exits with a non-zero code (its stderr is the message).
 */
export async function runPeer(
  command: string,
  args: string[],
): Promise<string> {
  const output = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (output.code !== 0) {
    throw new Error(
      `${command} exited with ${output.code}: ${decoder.decode(output.stderr)}`,
    );
  }
  return decoder.decode(output.stdout);
}
