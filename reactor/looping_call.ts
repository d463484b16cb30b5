/**
 * `LoopingCall`: call a function every interval, as
 * `twisted.internet.task.LoopingCall`.
 *
 * @module
 */
import { Deferred, maybeDeferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import { describeValue } from "../_util/describe.ts";
import { reactor } from "./reactor.ts";

/**
 * Calls a function every `interval` seconds. Mirrors Twisted's
 * `task.LoopingCall`.
 *
 * Calls keep to the grid laid from the start time: each one is scheduled for
 * the next multiple of `interval` after the previous call ended, so a slow
 * call or a busy loop skips the intervals it missed instead of firing a
 * burst to catch up (use {@linkcode LoopingCall.withCount} to learn how many
 * were skipped). When the function returns a Deferred or a Promise, the next
 * call waits until it settles.
 *
 * `start()` returns a Deferred that fires with the LoopingCall once
 * `stop()` is called, or fails with the error if the function throws or its
 * Deferred or Promise fails; the loop stops then.
 *
 * @typeParam A The function's argument types.
 *
 * @example Polling with a test clock
 * ```ts
 * import { LoopingCall } from "@torsion/torsion/reactor";
 * import { Clock } from "@torsion/torsion/testing";
 * let polls = 0;
 * const loop = new LoopingCall(() => { polls++; });
 * const clock = new Clock();
 * loop.clock = clock;
 * loop.start(10); // polls at once, then every 10 seconds
 * clock.pump([10, 10, 5]);
 * console.assert(polls === 3);
 * loop.stop();
 * ```
 */
export class LoopingCall<A extends unknown[] = []> {
  /** The function called every interval. */
  readonly f: (...args: A) => unknown;
  /** Its arguments. */
  readonly a: A;
  /**
   * What schedules the calls: the global reactor, or a `Clock` in tests.
   * Set it before `start()`.
   */
  clock: IReactorTime = reactor;
  /** The pending call to `f`, or `null` while `f` runs or once stopped. */
  call: IDelayedCall | null = null;
  /** The clock's time when `start()` (or `reset()`) was last called. */
  starttime: number | undefined;
  #running = false;
  #interval: number | undefined;
  #runAtStart = false;
  #deferred: Deferred<LoopingCall<A>> | null = null;

  /**
   * Prepares a loop; nothing runs until `start()`.
   *
   * @param f The function to call.
   * @param a Its arguments.
   * @throws {TypeError} `f` is not a function.
   */
  constructor(f: (...args: A) => unknown, ...a: A) {
    if (typeof f !== "function") {
      throw new TypeError(
        `Cannot create a LoopingCall of a non-function: current value is ${
          describeValue(f)
        }`,
      );
    }
    this.f = f;
    this.a = a;
  }

  /**
   * A LoopingCall that calls `countCallable` with the number of intervals
   * that elapsed since its previous call: 1 normally, more when the loop
   * fell behind and skipped intervals. Mirrors `LoopingCall.withCount`.
   *
   * @param countCallable Called with the count each time.
   * @returns The LoopingCall; set its `clock` and `start()` it.
   *
   * @example Catching up after a stall
   * ```ts
   * import { LoopingCall } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const counts: number[] = [];
   * const loop = LoopingCall.withCount((n) => { counts.push(n); });
   * const clock = new Clock();
   * loop.clock = clock;
   * loop.start(1);
   * clock.advance(3); // three intervals at once: one call, told 3
   * console.assert(counts.join() === "1,3");
   * loop.stop();
   * ```
   */
  static withCount(
    countCallable: (count: number) => unknown,
  ): LoopingCall<[]> {
    let realLastTime: number | undefined;
    const loop: LoopingCall<[]> = new LoopingCall(() => {
      const now = loop.clock.seconds();
      const interval = loop.#interval as number;
      if (interval === 0) {
        realLastTime = now;
        return countCallable(1);
      }
      let lastTime = realLastTime;
      if (lastTime === undefined) {
        lastTime = loop.starttime as number;
        // A call at start counts the interval that ends at the start.
        if (loop.#runAtStart) lastTime -= interval;
      }
      const count = loop.#intervalOf(now) - loop.#intervalOf(lastTime);
      if (count > 0) {
        realLastTime = now;
        return countCallable(count);
      }
      return undefined;
    });
    return loop;
  }

  /** Whether the loop is started and not stopped. */
  get running(): boolean {
    return this.#running;
  }

  /** The interval in seconds given to the last `start()`, if any. */
  get interval(): number | undefined {
    return this.#interval;
  }

  /** The Deferred `start()` returned, while the loop runs. */
  get deferred(): Deferred<LoopingCall<A>> | null {
    return this.#deferred;
  }

  /**
   * Starts calling `f` every `interval` seconds. Mirrors `LoopingCall.start`.
   *
   * @param interval Seconds between calls; 0 calls `f` on every loop iteration.
   * @param now Whether to call `f` at once rather than after one interval.
   * @returns A Deferred that fires with this LoopingCall once stopped, or
   *   fails with the error `f` threw (or its Deferred or Promise failed with).
   * @throws {TypeError} The loop is already running.
   * @throws {RangeError} `interval` is negative or not finite.
   *
   * @example Starting after one interval
   * ```ts
   * import { LoopingCall } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const loop = new LoopingCall(() => {});
   * loop.clock = new Clock();
   * loop.start(5, false).addCallback(() => console.log("stopped"));
   * loop.stop();
   * ```
   */
  start(interval: number, now = true): Deferred<LoopingCall<A>> {
    if (this.#running) {
      throw new TypeError("Cannot start a LoopingCall that is already running");
    }
    if (typeof interval !== "number" || !Number.isFinite(interval)) {
      throw new RangeError(
        `Cannot start a LoopingCall with a non-finite interval: current value is ${
          describeValue(interval)
        }`,
      );
    }
    if (interval < 0) {
      throw new RangeError(
        `Cannot start a LoopingCall with a negative interval: current value is ${interval}`,
      );
    }
    this.#running = true;
    const deferred = new Deferred<LoopingCall<A>>();
    this.#deferred = deferred;
    this.starttime = this.clock.seconds();
    this.#interval = interval;
    this.#runAtStart = now;
    if (now) this.#run();
    else this.#scheduleFrom(this.starttime);
    return deferred;
  }

  /**
   * Stops the loop. The Deferred from `start()` fires now, or, if `f`'s
   * Deferred or Promise is pending, once it settles. Mirrors
   * `LoopingCall.stop`.
   *
   * @throws {TypeError} The loop is not running.
   *
   * @example Stopping a loop
   * ```ts
   * import { LoopingCall } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const loop = new LoopingCall(() => {});
   * loop.clock = new Clock();
   * loop.start(1);
   * loop.stop();
   * console.assert(!loop.running);
   * ```
   */
  stop(): void {
    if (!this.#running) {
      throw new TypeError("Cannot stop a LoopingCall that is not running");
    }
    this.#running = false;
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.#fireDeferred();
    }
  }

  /**
   * Restarts the interval grid from now: the next call comes one interval
   * from now. Mirrors `LoopingCall.reset`.
   *
   * @throws {TypeError} The loop is not running.
   *
   * @example Restarting the interval grid
   * ```ts
   * import { LoopingCall } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const loop = new LoopingCall(() => {});
   * loop.clock = new Clock();
   * loop.start(10);
   * loop.reset();
   * loop.stop();
   * ```
   */
  reset(): void {
    if (!this.#running) {
      throw new TypeError("Cannot reset a LoopingCall that is not running");
    }
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.starttime = this.clock.seconds();
      this.#scheduleFrom(this.starttime);
    }
  }

  #run(): void {
    this.call = null;
    maybeDeferred(this.f, ...this.a).addCallbacks(
      () => {
        if (this.#running) this.#scheduleFrom(this.clock.seconds());
        else this.#fireDeferred();
      },
      (failure: Failure) => {
        this.#running = false;
        const deferred = this.#deferred;
        this.#deferred = null;
        deferred?.errback(failure);
      },
    );
  }

  #fireDeferred(): void {
    const deferred = this.#deferred;
    this.#deferred = null;
    deferred?.callback(this);
  }

  #scheduleFrom(when: number): void {
    this.call = this.clock.callLater(this.#howLong(when), () => this.#run());
  }

  #howLong(when: number): number {
    const interval = this.#interval as number;
    if (interval === 0) return 0;
    const runningFor = when - (this.starttime as number);
    const untilNextInterval = interval - (runningFor % interval);
    // Rounding can make the step vanish next to a large time; never stall.
    if (when === when + untilNextInterval) return interval;
    return untilNextInterval;
  }

  #intervalOf(time: number): number {
    return Math.trunc(
      (time - (this.starttime as number)) / (this.#interval as number),
    );
  }
}
