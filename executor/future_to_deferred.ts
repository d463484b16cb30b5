/**
 * `futureToDeferred`: a Twisted `Deferred` of an executor's `Future`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import type { Future } from "./future.ts";

/**
 * Returns a Deferred that fires with the Future's result, or errbacks with
 * its error. The bridge from `concurrent.futures` to Twisted, as Twisted's
 * `Deferred.fromFuture` is from asyncio; `deferToThread` and Tornado's
 * `IOLoop.runInExecutor` are built on it.
 *
 * Cancelling the Deferred cancels the Future, which stops the task if it has
 * not started. A running task cannot be stopped this way: the Deferred then
 * errbacks with `CancelledError` at once, and the task's result is dropped
 * when it comes.
 *
 * The Deferred fires from the microtask queue once the Future completes,
 * never within the call that completes it (as Twisted's fires from the
 * reactor loop, not from the worker thread).
 *
 * @param future The Future to follow.
 * @returns A Deferred of its result.
 *
 * @example Handing an executor's work to a Deferred chain
 * ```ts
 * import assert from "node:assert/strict";
 * import { futureToDeferred, WorkerPoolExecutor } from "@torsion/torsion/executor";
 * const tasks = "data:text/javascript,export const shout = (s) => s.toUpperCase();";
 * await using pool = new WorkerPoolExecutor<{ shout(s: string): string }>(tasks, { maxWorkers: 1 });
 * const d = futureToDeferred(pool.submit("shout", "hello"));
 * d.addCallback((text) => `${text}!`);
 * assert.equal(await d, "HELLO!");
 * ```
 */
export function futureToDeferred<T>(future: Future<T>): Deferred<T> {
  const deferred = new Deferred<T>(() => {
    future.cancel();
  });
  future.addDoneCallback(() => {
    if (future.cancelled()) {
      if (!deferred.called) {
        deferred.errback(new CancelledError("Future was cancelled"));
      }
      return;
    }
    future.result().then(
      (value) => {
        if (!deferred.called) deferred.callback(value);
      },
      (error) => {
        if (!deferred.called) deferred.errback(error);
      },
    );
  });
  return deferred;
}
