/**
 * Starts bench/_server.ts as a child process and hands back its base URL;
 * shared by bench/compare.ts and bench/peers/run.ts.
 *
 * @module
 */

/** A running benchmark server process. */
export interface BenchServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the server process and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Spawns the benchmark server and waits until it listens.
 *
 * @returns The server; close it when done.
 * @throws {Error} The server did not report a port.
 */
export async function startBenchServer(): Promise<BenchServer> {
  const script = new URL("./_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const match = /listening (\d+)/.exec(text);
  if (!match) {
    child.kill();
    throw new Error(
      `Benchmark server did not start: it printed ${JSON.stringify(text)}`,
    );
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await child.stdin.close();
      await child.status;
      await drained;
    })();
    return closing;
  };
  return {
    url: `http://127.0.0.1:${match[1]}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
