// deno-lint-ignore-file no-console -- it stands in for console while main runs
/**
 * Runs an example server's `main` in process, on a `MemoryReactor`, for
 * the tests of its defaults: nothing is bound and nothing is printed.
 *
 * @module
 */
import type { IReactor } from "../../reactor/interfaces.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";

/** What a server's `main` did before and after it was stopped. */
export interface ServerMainRun {
  /** The exit code `main` returned. */
  code: number;
  /** The `[port, interface]` of each `listenTCP` call. */
  listened: [port: number, iface: string][];
  /** Every line printed to stdout or stderr. */
  lines: string[];
}

/**
 * Calls `main(args, reactor)` with a `MemoryReactor`, stops the reactor once
 * `main` is serving, and records what it printed meanwhile.
 */
export async function runServerMain(
  main: (args: readonly string[], reactor: IReactor) => Promise<number>,
  args: readonly string[] = [],
): Promise<ServerMainRun> {
  const reactor = new MemoryReactor();
  const lines: string[] = [];
  const { log, error } = console;
  console.log = (...data: unknown[]) => lines.push(data.join(" "));
  console.error = (...data: unknown[]) => lines.push(data.join(" "));
  try {
    const done = main(args, reactor);
    if (reactor.running) reactor.stop();
    const code = await done;
    const listened = reactor.tcpServers.map((
      [port, , , iface],
    ): [number, string] => [port, iface]);
    return { code, listened, lines };
  } finally {
    console.log = log;
    console.error = error;
  }
}
