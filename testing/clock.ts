/**
 * `Clock`: a deterministic `IReactorTime` for tests, as
 * `twisted.internet.task.Clock`.
 *
 * @module
 */
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import { requireDelay } from "../reactor/_arguments.ts";
import {
  DelayedCall,
  type DelayedCallOwner,
} from "../reactor/_delayed_call.ts";
import { TimerHeap } from "../reactor/_timer_heap.ts";

/**
 * A scheduler whose time only moves when the test says so. Mirrors Twisted's
 * `task.Clock`: pass it wherever an `IReactorTime` is expected, then
 * `advance()` it; due calls run synchronously, in order, and their
 * exceptions propagate to the caller of `advance`.
 *
 * @example Testing a timeout without waiting
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * let fired = false;
 * clock.callLater(10, () => { fired = true; });
 * clock.advance(9);
 * assert.equal(fired, false);
 * clock.advance(1);
 * assert.equal(fired, true);
 * ```
 */
export class Clock implements IReactorTime {
  #now = 0;
  readonly #calls = new TimerHeap<DelayedCall>();
  readonly #owner: DelayedCallOwner = {
    seconds: () => this.#now,
    cancelCall: (call) => this.#calls.remove(call),
    rescheduleCall: (call) => this.#calls.reschedule(call),
  };

  /**
   * The clock's current time, in seconds since it was created: 0 until the
   * first `advance`. Mirrors `Clock.seconds`.
   *
   * @returns The time.
   *
   * @example Reading the time
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * clock.advance(2.5);
   * assert.equal(clock.seconds(), 2.5);
   * ```
   */
  seconds(): number {
    return this.#now;
  }

  /**
   * Schedules `fn(...args)` for `delay` seconds from now; it runs during the
   * `advance` that reaches that time. Mirrors `Clock.callLater`.
   *
   * @param delay Seconds from now.
   * @param fn The function.
   * @param args Its arguments.
   * @returns The pending call, to cancel, delay or reset it.
   * @throws {RangeError} `delay` is negative or not finite.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Scheduling a call with arguments
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * const seen: string[] = [];
   * const call = clock.callLater(3, (word: string) => seen.push(word), "late");
   * assert.equal(call.getTime(), 3);
   * clock.advance(3);
   * assert.equal(seen[0], "late");
   * ```
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    const call = DelayedCall.schedule(this.#owner, delay, fn, args);
    this.#calls.push(call);
    return call;
  }

  /**
   * The calls still pending, earliest first: use it to assert that code
   * cleaned up its timers. Mirrors `Clock.getDelayedCalls`.
   *
   * @returns The pending calls.
   *
   * @example Checking that nothing is left scheduled
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * clock.callLater(1, () => {}).cancel();
   * assert.equal(clock.getDelayedCalls().length, 0);
   * ```
   */
  getDelayedCalls(): IDelayedCall[] {
    return this.#calls.sorted();
  }

  /**
   * Moves time forward by `amount` seconds and runs every call that is due,
   * in time order (calls due at the same time in the order they were
   * scheduled). A call scheduled by a running call for no later than the
   * new time runs in the same `advance`. Mirrors `Clock.advance`.
   *
   * @param amount Seconds to move forward; 0 runs the calls due now.
   * @throws {RangeError} `amount` is negative or not finite.
   * @throws {unknown} Whatever a due call throws; the calls after it stay
   *   pending.
   *
   * @example Running what is due
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * const order: number[] = [];
   * clock.callLater(2, () => order.push(2));
   * clock.callLater(1, () => order.push(1));
   * clock.advance(2);
   * assert.deepEqual(order, [1, 2]);
   * ```
   */
  advance(amount: number): void {
    requireDelay(amount, "advance");
    this.#now += amount;
    for (;;) {
      const next = this.#calls.peek();
      if (next === undefined || next.time > this.#now) break;
      this.#calls.pop();
      next.invoke();
    }
  }

  /**
   * Advances by each amount in turn, as a series of `advance` calls: handy
   * to step through retries or periodic work. Mirrors `Clock.pump`.
   *
   * @param timings The amounts, in seconds.
   * @throws {RangeError} An amount is negative or not finite.
   *
   * @example Stepping through time
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * clock.pump([1, 1, 1]);
   * assert.equal(clock.seconds(), 3);
   * ```
   */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }
}
