/**
 * `react`: run the reactor for the lifetime of one asynchronous task, as
 * `twisted.internet.task.react`.
 *
 * @module
 */
import { maybeDeferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import { logError } from "../_util/log_error.ts";
import { ReactorAlreadyRunning, ReactorNotRunning } from "./errors.ts";
import type { IReactorCore } from "./interfaces.ts";
import { type Reactor, reactor as globalReactor } from "./reactor.ts";

/**
 * Options of {@linkcode react} that Twisted does not have.
 *
 * @example Recording the exit code
 * ```ts
 * import type { ReactOptions } from "@torsion/torsion/reactor";
 * const options: ReactOptions = { exit: (code) => console.log("exit", code) };
 * ```
 */
export interface ReactOptions {
  /**
   * Ends the process with the exit code; tests pass a function that records
   * it instead.
   * @default Deno.exit
   */
  exit?: (code: number) => void;
}

/**
 * Calls `main(reactor, ...argv)`, runs the reactor until the Deferred or
 * Promise it returns settles, stops the reactor, then exits the process: with
 * 0 on success, with 1 after logging the error (its stack; category
 * `["torsion", "reactor"]`, stderr when LogTape is not configured) on
 * failure, `CancelledError` included. If the reactor is stopped some other
 * way first (SIGINT, `reactor.stop()`), it exits once shutdown is done, with
 * 0 unless `main` had already failed. Mirrors Twisted's `task.react`, the
 * way to write a command-line client with a well-defined end.
 *
 * @typeParam A The types of `argv`.
 * @typeParam R The reactor's type.
 * @param main The program: gets the reactor and `argv`, returns its outcome.
 * @param argv Extra arguments for `main`.
 * @param reactor The reactor to run.
 * @param options The exit function.
 * @returns A Promise that settles after `exit` was called; in a real program
 *   `Deno.exit` ends the process first.
 * @throws {ReactorAlreadyRunning} The reactor is already running (the
 *   Promise rejects with it and `main` is not called).
 *
 * @example A one-shot client
 * ```ts
 * import { react, reactor } from "@torsion/torsion/reactor";
 * await react(
 *   (r) => new Promise((resolve) => r.callLater(0.01, () => resolve(undefined))),
 *   [],
 *   reactor,
 *   { exit: (code) => console.assert(code === 0) },
 * );
 * ```
 */
export async function react<
  A extends unknown[] = [],
  R extends IReactorCore = Reactor,
>(
  main: (reactor: R, ...argv: A) => unknown,
  argv: A = [] as unknown as A,
  reactor?: R,
  options: ReactOptions = {},
): Promise<void> {
  const target = reactor ?? globalReactor as unknown as R;
  if (target.running) throw new ReactorAlreadyRunning();
  const exit = options.exit ?? Deno.exit;
  let code = 0;
  let stopping = false;
  const stoppingTrigger = target.addSystemEventTrigger(
    "before",
    "shutdown",
    () => {
      stopping = true;
    },
  );
  const finish = (outcome: unknown, stopReactor: boolean): void => {
    if (stopReactor) {
      try {
        target.stop();
      } catch (error) {
        if (!(error instanceof ReactorNotRunning)) throw error;
      }
    }
    if (outcome instanceof Failure) {
      logError(
        ["torsion", "reactor"],
        `main function encountered error: ${outcome.getTraceback()}`,
        outcome,
      );
      code = 1;
    }
  };
  maybeDeferred(main, target, ...argv).addBoth((outcome: unknown) => {
    if (stopping) finish(outcome, false);
    else target.callWhenRunning(finish, outcome, true);
  });
  try {
    await target.run();
  } finally {
    target.removeSystemEventTrigger(stoppingTrigger);
  }
  exit(code);
}
