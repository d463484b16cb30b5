/**
 * Finding the real peers some tests talk to (nginx, curl, Python), where
 * Debian installs them: a daemon such as nginx lives in /usr/sbin, which is
 * not on an ordinary user's PATH, so a PATH lookup alone skips the test on
 * a machine where the package is installed.
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
