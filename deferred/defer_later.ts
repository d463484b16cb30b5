/**
 * `deferLater`: a Deferred that fires after a delay, as
 * `twisted.internet.task.deferLater`.
 *
 * @module
 */
import { Deferred } from "./deferred.ts";
import { requireFunction } from "../_util/describe.ts";
import type { IReactorTime } from "./interfaces.ts";

/**
 * Calls `fn(...args)` after `seconds` on `clock` and returns a Deferred of
 * its result; without `fn`, the Deferred fires with `undefined`. Mirrors
 * Twisted's `task.deferLater`.
 *
 * `fn` may return a value, throw, or return a Deferred or Promise, which is
 * waited for. Cancelling the Deferred before the delay has passed cancels
 * the delayed call, so `fn` never runs, and errbacks with `CancelledError`.
 * Pass the reactor as `clock` in programs and a `Clock` in tests.
 *
 * @typeParam R What `fn` returns.
 * @typeParam A `fn`'s arguments.
 * @param clock What schedules the call.
 * @param seconds The delay, in seconds.
 * @param fn The function to call.
 * @param args Its arguments.
 * @returns A Deferred of `fn`'s result.
 * @throws {TypeError} `fn` is given and is not a function.
 * @throws {RangeError} `seconds` is negative or not finite (from `clock`).
 *
 * @example Retrying in five seconds
 * ```ts
 * import { deferLater } from "@torsion/torsion/deferred";
 * import { Clock } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * deferLater(clock, 5, (attempt: number) => `attempt ${attempt}`, 2)
 *   .addCallback((s) => console.assert(s === "attempt 2"));
 * clock.advance(5);
 * ```
 */
export function deferLater<R = undefined, A extends unknown[] = []>(
  clock: IReactorTime,
  seconds: number,
  fn?: (...args: A) => R,
  ...args: A
): Deferred<Awaited<R>> {
  if (fn !== undefined) requireFunction(fn, "deferLater");
  const d = new Deferred<undefined>(() => delayedCall.cancel());
  const result = d.addCallback((): R | undefined =>
    fn === undefined ? undefined : fn(...args)
  );
  const delayedCall = clock.callLater(seconds, () => d.callback(undefined));
  return result as Deferred<Awaited<R>>;
}
