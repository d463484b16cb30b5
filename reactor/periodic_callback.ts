/**
 * `PeriodicCallback`: call a function every so many milliseconds, as
 * `tornado.ioloop.PeriodicCallback`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall } from "../deferred/interfaces.ts";
import { describeValue } from "../_util/describe.ts";
import { isThenable } from "../_util/thenable.ts";
import { IOLoop, logCallbackError } from "./ioloop.ts";

/**
 * Calls `callback` every `callbackTime` milliseconds once started. Mirrors
 * Tornado's `PeriodicCallback`, units included (milliseconds, where
 * `LoopingCall` takes seconds).
 *
 * Runs keep to a grid: when a run ends after one or more periods went by,
 * the missed periods are skipped and the next run is at the next point of
 * the grid, never a burst. When the callback returns a Promise or a
 * Deferred, the next run is scheduled once it settles. An exception or a
 * failure is logged (category `["torsion", "ioloop"]`) and the calls go on.
 *
 * With `jitter`, each period is multiplied by a random factor in
 * `1 ± jitter / 2`, which spreads out many clients polling the same server.
 *
 * @example Polling every 500 ms, driven by a test clock
 * ```ts
 * import { IOLoop, PeriodicCallback } from "@torsion/torsion/reactor";
 * import { Clock } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * let polls = 0;
 * const poller = new PeriodicCallback(() => { polls++; }, 500, 0, IOLoop.forReactor(clock));
 * poller.start();
 * clock.advance(1.5);
 * console.assert(polls === 1); // one run per advance: runs never burst
 * poller.stop();
 * ```
 */
export class PeriodicCallback {
  /** The function called every period. */
  readonly callback: () => unknown;
  /** The period, in milliseconds. */
  readonly callbackTime: number;
  /** The random spread of each period, as a fraction of it. */
  readonly jitter: number;
  #ioloop: IOLoop | undefined;
  #running = false;
  #timeout: IDelayedCall | undefined;
  #nextTimeout = 0;

  /**
   * Prepares the periodic call; nothing runs until `start()`.
   *
   * @param callback The function; a Promise or Deferred it returns is
   *   waited for before the next period starts.
   * @param callbackTime The period in milliseconds.
   * @param jitter The random spread of each period: 0.1 varies it by ±5 %.
   * @param ioloop The IOLoop to run on; by default `IOLoop.current()` at
   *   `start()`. Pass one over a `Clock` in tests.
   * @throws {TypeError} `callback` is not a function.
   * @throws {RangeError} `callbackTime` is not a positive finite number, or
   *   `jitter` is negative or not finite.
   */
  constructor(
    callback: () => unknown,
    callbackTime: number,
    jitter = 0,
    ioloop?: IOLoop,
  ) {
    if (typeof callback !== "function") {
      throw new TypeError(
        `Cannot create a PeriodicCallback of a non-function: current value is ${
          describeValue(callback)
        }`,
      );
    }
    if (
      typeof callbackTime !== "number" || !Number.isFinite(callbackTime) ||
      callbackTime <= 0
    ) {
      throw new RangeError(
        `Cannot create a PeriodicCallback with a callbackTime that is not positive: current value is ${
          describeValue(callbackTime)
        }`,
      );
    }
    if (typeof jitter !== "number" || !Number.isFinite(jitter) || jitter < 0) {
      throw new RangeError(
        `Cannot create a PeriodicCallback with a negative or non-finite jitter: current value is ${
          describeValue(jitter)
        }`,
      );
    }
    this.callback = callback;
    this.callbackTime = callbackTime;
    this.jitter = jitter;
    this.#ioloop = ioloop;
  }

  /**
   * Starts the calls; the first comes one period from now. Starting a
   * started PeriodicCallback does nothing. Mirrors `PeriodicCallback.start`.
   *
   * @example Starting on a test clock
   * ```ts
   * import { IOLoop, PeriodicCallback } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const pc = new PeriodicCallback(() => {}, 1000, 0, IOLoop.forReactor(new Clock()));
   * pc.start();
   * pc.stop();
   * ```
   */
  start(): void {
    if (this.#running) return;
    this.#ioloop ??= IOLoop.current();
    this.#running = true;
    this.#nextTimeout = this.#ioloop.time();
    this.#scheduleNext();
  }

  /**
   * Stops the calls; a run in progress finishes but none follows. Mirrors
   * `PeriodicCallback.stop`.
   *
   * @example Stopping the calls
   * ```ts
   * import { IOLoop, PeriodicCallback } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const pc = new PeriodicCallback(() => {}, 1000, 0, IOLoop.forReactor(new Clock()));
   * pc.start();
   * pc.stop();
   * console.assert(!pc.isRunning());
   * ```
   */
  stop(): void {
    this.#running = false;
    if (this.#timeout !== undefined) {
      this.#ioloop?.removeTimeout(this.#timeout);
      this.#timeout = undefined;
    }
  }

  /**
   * Whether the calls are started. Mirrors `PeriodicCallback.is_running`.
   *
   * @returns Whether it runs.
   *
   * @example A new PeriodicCallback is not running
   * ```ts
   * import { PeriodicCallback } from "@torsion/torsion/reactor";
   * console.assert(!new PeriodicCallback(() => {}, 1000).isRunning());
   * ```
   */
  isRunning(): boolean {
    return this.#running;
  }

  #run(): void {
    this.#timeout = undefined;
    if (!this.#running) return;
    let result: unknown;
    try {
      result = this.callback();
    } catch (error) {
      logCallbackError(this.callback, error);
      this.#scheduleNext();
      return;
    }
    if (result instanceof Deferred) {
      result.addBoth((outcome: unknown) => {
        if (outcome instanceof Failure) {
          logCallbackError(this.callback, outcome);
        }
        this.#scheduleNext();
      });
    } else if (isThenable(result)) {
      result.then(
        () => this.#scheduleNext(),
        (error: unknown) => {
          logCallbackError(this.callback, error);
          this.#scheduleNext();
        },
      );
    } else {
      this.#scheduleNext();
    }
  }

  #scheduleNext(): void {
    // A run that outlived stop(), or a stop() then start() during it, must
    // not add a second chain of timeouts.
    if (!this.#running || this.#timeout !== undefined) return;
    const ioloop = this.#ioloop as IOLoop;
    this.#updateNext(ioloop.time());
    this.#timeout = ioloop.addTimeout(this.#nextTimeout, () => this.#run());
  }

  #updateNext(currentTime: number): void {
    let period = this.callbackTime / 1000;
    if (this.jitter !== 0) {
      period *= 1 + this.jitter * (Math.random() - 0.5);
    }
    if (this.#nextTimeout <= currentTime) {
      this.#nextTimeout +=
        (Math.floor((currentTime - this.#nextTimeout) / period) + 1) * period;
    } else {
      // The clock went backwards: still move on by one period, so the same
      // deadline is not computed again.
      this.#nextTimeout += period;
    }
  }
}
