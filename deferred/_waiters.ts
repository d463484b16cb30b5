/**
 * The queue of waiting Deferreds shared by `DeferredSemaphore` (and so
 * `DeferredLock`) and `DeferredQueue`, as Twisted's `_cancelAcquire` and
 * `_cancelGet`.
 *
 * @module
 */
import { Deferred } from "./deferred.ts";

/**
 * Appends a new Deferred to `waiting` and returns it; cancelling it while it
 * waits takes it out of `waiting` (and errbacks it with `CancelledError`).
 */
export function enqueueWaiter<T>(waiting: Deferred<T>[]): Deferred<T> {
  const d = new Deferred<T>((cancelled) => {
    const index = waiting.indexOf(cancelled);
    if (index !== -1) waiting.splice(index, 1);
  });
  waiting.push(d);
  return d;
}
