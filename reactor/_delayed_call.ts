/**
 * The delayed call shared by the reactor and `Clock`.
 *
 * @module
 */
import type { IDelayedCall } from "../deferred/interfaces.ts";
import { requireDelay, requireFunction } from "./_arguments.ts";
import { AlreadyCalled, AlreadyCancelled } from "./errors.ts";
import type { TimerEntry } from "./_timer_heap.ts";

/** What a delayed call needs from whoever scheduled it. */
export interface DelayedCallOwner {
  seconds(): number;
  cancelCall(call: DelayedCall): void;
  rescheduleCall(call: DelayedCall): void;
}

/** A pending call in a timer heap. Mirrors Twisted's `base.DelayedCall`. */
export class DelayedCall implements IDelayedCall, TimerEntry {
  time: number;
  seq = 0;
  heapIndex = -1;
  cancelled = false;
  called = false;
  readonly fn: (...args: never[]) => unknown;
  readonly args: readonly unknown[];
  readonly #owner: DelayedCallOwner;

  /**
   * Checks `callLater`'s arguments and makes the call, due `delay` seconds
   * after `owner.seconds()`; the owner then puts it in its heap.
   *
   * @throws {RangeError} `delay` is negative or not finite.
   * @throws {TypeError} `fn` is not a function.
   */
  static schedule(
    owner: DelayedCallOwner,
    delay: number,
    fn: unknown,
    args: readonly unknown[],
  ): DelayedCall {
    requireDelay(delay, "callLater");
    requireFunction(fn, "callLater");
    return new DelayedCall(
      owner.seconds() + delay,
      fn as (...args: never[]) => unknown,
      args,
      owner,
    );
  }

  constructor(
    time: number,
    fn: (...args: never[]) => unknown,
    args: readonly unknown[],
    owner: DelayedCallOwner,
  ) {
    this.time = time;
    this.fn = fn;
    this.args = args;
    this.#owner = owner;
  }

  getTime(): number {
    return this.time;
  }

  cancel(): void {
    this.#requireActive();
    this.cancelled = true;
    this.#owner.cancelCall(this);
  }

  delay(seconds: number): void {
    requireDelay(seconds, "delay");
    this.#requireActive();
    this.time += seconds;
    this.#owner.rescheduleCall(this);
  }

  reset(seconds: number): void {
    requireDelay(seconds, "reset");
    this.#requireActive();
    this.time = this.#owner.seconds() + seconds;
    this.#owner.rescheduleCall(this);
  }

  active(): boolean {
    return !this.cancelled && !this.called;
  }

  /** Marks the call as run and runs it; exceptions propagate to the owner. */
  invoke(): void {
    this.called = true;
    const fn = this.fn as (...args: unknown[]) => unknown;
    if (this.args.length === 0) fn();
    else fn(...this.args);
  }

  #requireActive(): void {
    if (this.cancelled) throw new AlreadyCancelled();
    if (this.called) throw new AlreadyCalled();
  }
}
