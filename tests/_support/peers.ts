/**
 * The real peers some tests talk to (nginx, curl, Python with Twisted and
 * Tornado): where Debian installs them, whether they are there, and running
 * them. A daemon such as nginx lives in /usr/sbin, which is not on an
 * ordinary user's PATH, so a PATH lookup alone skips the test on a machine
 * where the package is installed.
 *
 * @module
 */

/** The directories searched after PATH: where system daemons are installed. */
const SYSTEM_DIRS: readonly string[] = [
  "/usr/sbin",
  "/sbin",
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/bin",
  "/usr/local/nginx/sbin",
];

function pathDirs(): string[] {
  try {
    return (Deno.env.get("PATH") ?? "").split(":").filter((dir) => dir !== "");
  } catch {
    // Without --allow-env only the system directories are searched.
    return [];
  }
}

/**
 * The path of the executable `name`: from PATH (or `path`, a PATH-style
 * list), then the system directories; `null` when none holds an
 * executable file of that name.
 */
export function findExecutable(
  name: string,
  path: string | undefined = undefined,
): string | null {
  const dirs = path === undefined ? pathDirs() : path.split(":");
  for (const dir of [...dirs, ...SYSTEM_DIRS]) {
    const candidate = `${dir}/${name}`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) {
        return candidate;
      }
    } catch {
      // Not here, or not readable.
    }
  }
  return null;
}

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

const found = new Map<string, boolean>();

/** Whether `command args` succeeds, asked once per run (spawning costs). */
function succeedsOnce(command: string, args: string[]): boolean {
  const key = [command, ...args].join(" ");
  let present = found.get(key);
  if (present === undefined) {
    present = succeeds(command, args);
    found.set(key, present);
  }
  return present;
}

/** Whether Python is installed. */
export function hasPython(): boolean {
  return succeedsOnce(PYTHON, ["-c", "import http.client"]);
}

/** Whether Python can import Tornado. */
export function hasTornado(): boolean {
  return hasPython() && succeedsOnce(PYTHON, ["-c", "import tornado.web"]);
}

/** Whether Python can import Twisted. */
export function hasTwisted(): boolean {
  return hasPython() && succeedsOnce(PYTHON, ["-c", "import twisted"]);
}

/** Whether curl is installed. */
export function hasCurl(): boolean {
  return succeedsOnce(CURL, ["--version"]);
}

/** Prints why the tests needing `what` are skipped, when it is missing. */
export function reportMissing(present: boolean, what: string): void {
  if (present) return;
  // deno-lint-ignore no-console
  console.log(`${what} not found: skipping the tests that need it`);
}

/** What a peer run to the end printed, and its exit code. */
export interface PeerOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a peer to the end and returns its exit code and what it printed. */
export async function runCommand(
  command: string,
  args: string[],
): Promise<PeerOutput> {
  const output = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
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
  const { code, stdout, stderr } = await runCommand(command, args);
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${stderr}`);
  return stdout;
}

/**
 * Runs a Python program given as text and returns what it printed, trimmed.
 *
 * @throws {Error} It exits with a non-zero code (its stderr is the message).
 */
export async function runPython(code: string): Promise<string> {
  return (await runPeer(PYTHON, ["-c", code])).trim();
}
