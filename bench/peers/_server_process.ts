/**
 * One benchmarked server in a process of its own: started with a port,
 * awaited until it prints `listening <port>`, its memory read from
 * `/proc/<pid>/status`, and stopped by closing its stdin (every server
 * script exits when its stdin closes, so none outlives the runner), then by
 * a signal if it lingers.
 *
 * @module
 */

/** A server's memory, from `/proc/<pid>/status`. */
export interface ServerMemory {
  /** `VmRSS`: resident now, KiB. */
  rssKib: number;
  /** `VmHWM`: the peak resident set, KiB. */
  hwmKib: number;
}

/**
 * Reads `VmRSS` and `VmHWM` of process `pid`.
 *
 * @param pid The process.
 * @returns Its memory in KiB.
 * @throws {Error} When the status cannot be read (not Linux, or gone).
 */
export function memoryOf(pid: number): ServerMemory {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (match === null) throw new Error(`No ${name} in /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rssKib: field("VmRSS"), hwmKib: field("VmHWM") };
}

/**
 * A free TCP port on 127.0.0.1, found by binding port 0 and closing it.
 *
 * @returns The port.
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A running server process. */
export interface ServerProcess extends AsyncDisposable {
  /** Its process id, for {@linkcode memoryOf}. */
  readonly pid: number;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Its current memory. */
  memory(): ServerMemory;
  /** Stops it and waits for it to exit. */
  close(): Promise<void>;
}

/** How long a server may take to print that it listens. */
const START_TIMEOUT_MS = 30_000;
/** How long a server may take to exit once its stdin closed. */
const STOP_GRACE_MS = 2_000;

/**
 * Starts `command args` and waits for its `listening <port>` line.
 *
 * @param command The executable.
 * @param args Its arguments.
 * @returns The running server.
 * @throws {Error} The process exited or timed out before listening; the
 *   message carries the last lines it printed on stderr.
 */
export async function startServer(
  command: string,
  args: readonly string[],
): Promise<ServerProcess> {
  const child = new Deno.Command(command, {
    args: [...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream())
    .pipeTo(
      new WritableStream({
        write(chunk): void {
          stderr = (stderr + chunk).slice(-4000);
        },
      }),
    ).catch(() => {});
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), START_TIMEOUT_MS);
  });
  try {
    while (!/listening (\d+)\n/.test(text)) {
      const read = await Promise.race([reader.read(), timeout]);
      if (read === "timeout" || read.done) break;
      text += read.value;
    }
  } finally {
    clearTimeout(timer);
  }
  const match = /listening (\d+)\n/.exec(text);
  const drained = (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch {
      // The process is gone.
    }
  })();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await child.stdin.close();
      } catch {
        // Already closed: the process exited.
      }
      let grace: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<false>((resolve) => {
          grace = setTimeout(() => resolve(false), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(grace);
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch {
          // It exited meanwhile.
        }
        await child.status;
      }
      await drained;
      await stderrDone;
    })();
    return closing;
  };
  if (match === null) {
    await close();
    const all = (stderr.trim() || text.trim()).split("\n");
    // Deno's and Python's uncaught errors name themselves on one line.
    const named = all.filter((line) => /error/i.test(line));
    const lines = named.length > 0 ? named.slice(-2) : all.slice(-3);
    throw new Error(
      `${command} ${args.join(" ")} did not start: ${
        lines.join(" | ") || "it printed nothing"
      }`,
    );
  }
  return {
    pid: child.pid,
    port: Number(match[1]),
    memory: () => memoryOf(child.pid),
    close,
    [Symbol.asyncDispose]: close,
  };
}
