/**
 * Time interfaces shared by the reactor and the deterministic `Clock`:
 * Twisted's `IReactorTime` and `IDelayedCall`. Types only.
 *
 * @module
 */

/**
 * A call scheduled with `callLater`. Mirrors Twisted's `IDelayedCall`.
 *
 * @example Postponing a pending call
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IDelayedCall } from "@torsion/torsion/deferred";
 * import { Clock } from "@torsion/torsion/testing";
 * function postpone(call: IDelayedCall): void {
 *   if (call.active()) call.delay(1);
 * }
 * const clock = new Clock();
 * const call = clock.callLater(2, () => {});
 * postpone(call);
 * assert.equal(call.getTime(), 3);
 * ```
 */
export interface IDelayedCall {
  /** When the call will run, in the scheduler's `seconds()`. */
  getTime(): number;
  /**
   * Stops the call from running.
   *
   * @throws {AlreadyCancelled} It was cancelled already.
   * @throws {AlreadyCalled} It has run already.
   */
  cancel(): void;
  /** Postpones the call by `seconds` more. */
  delay(seconds: number): void;
  /** Reschedules the call for `seconds` from now. */
  reset(seconds: number): void;
  /** Whether the call is still pending (neither run nor cancelled). */
  active(): boolean;
}

/**
 * A scheduler of delayed calls. Mirrors Twisted's `IReactorTime`; the
 * reactor and `Clock` implement it, so code written against it is tested
 * with a `Clock` and run with the reactor.
 *
 * @example Writing code against any scheduler
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorTime } from "@torsion/torsion/deferred";
 * import { Clock } from "@torsion/torsion/testing";
 * function remind(clock: IReactorTime, notes: string[]): void {
 *   clock.callLater(60, () => notes.push("a minute has passed"));
 * }
 * const clock = new Clock(); // the reactor in production, a Clock in tests
 * const notes: string[] = [];
 * remind(clock, notes);
 * clock.advance(60);
 * assert.deepEqual(notes, ["a minute has passed"]);
 * ```
 */
export interface IReactorTime {
  /** The current time in seconds, on this scheduler's clock. */
  seconds(): number;
  /**
   * Calls `fn(...args)` once `delay` seconds have passed.
   *
   * @throws {RangeError} `delay` is negative or not finite.
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall;
  /** The calls still pending. */
  getDelayedCalls(): IDelayedCall[];
}
