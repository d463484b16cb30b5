/**
 * `Clock`: a deterministic `IReactorTime` for tests, as
 * `twisted.internet.task.Clock`.
 *
 * @module
 */
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import {
  DelayedCall,
  type DelayedCallOwner,
  requireDelay,
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
 * import { Clock } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * let fired = false;
 * clock.callLater(10, () => { fired = true; });
 * clock.advance(9);
 * console.assert(!fired);
 * clock.advance(1);
 * console.assert(fired);
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
   * The clock's current time, in seconds since it was created.
   *
   * @returns The time.
   */
  seconds(): number {
    return this.#now;
  }

  /**
   * Schedules `fn(...args)` for `delay` seconds from now.
   *
   * @param delay Seconds from now.
   * @param fn The function.
   * @param args Its arguments.
   * @returns The pending call.
   * @throws {RangeError} `delay` is negative or not finite.
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    requireDelay(delay, "callLater");
    if (typeof fn !== "function") {
      throw new TypeError("Cannot call callLater: fn is not a function");
    }
    const call = new DelayedCall(
      this.#now + delay,
      fn as (...args: never[]) => unknown,
      args,
      this.#owner,
    );
    this.#calls.push(call);
    return call;
  }

  /**
   * The calls still pending, earliest first.
   *
   * @returns The pending calls.
   */
  getDelayedCalls(): IDelayedCall[] {
    return this.#calls.sorted();
  }

  /**
   * Moves time forward by `amount` seconds and runs every call that is due.
   * A call scheduled by a running call for no later than the new time runs
   * in the same `advance`.
   *
   * @param amount Seconds to move forward.
   * @throws {RangeError} `amount` is negative or not finite.
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
   * Advances by each amount in turn. Mirrors `Clock.pump`.
   *
   * @param timings The amounts, in seconds.
   */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }
}
