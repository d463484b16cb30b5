/**
 * `IOLoop`: Tornado's event loop API (`tornado.ioloop.IOLoop`) over a
 * Torsion reactor, so that Tornado-style and Twisted-style code share one
 * loop and one timer heap.
 *
 * @module
 */
import { Deferred, maybeDeferred } from "../deferred/deferred.ts";
import { CancelledError, TimeoutError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import { describeValue, functionName } from "../_util/describe.ts";
import { logError } from "../_util/log_error.ts";
import { isThenable } from "../_util/thenable.ts";
import { requireFinite, requireFunction } from "./_arguments.ts";
import { ReactorAlreadyRunning, ReactorNotRunning } from "./errors.ts";
import type { IReactorCore } from "./interfaces.ts";
import { reactor as globalReactor } from "./reactor.ts";
import {
  deferToThread,
  deferToThreadPool,
} from "../executor/defer_to_thread.ts";
import type {
  TaskArgs,
  TaskFunction,
  TaskName,
  TaskRef,
  TaskResult,
} from "../executor/interfaces.ts";
import type { WorkerPoolExecutor } from "../executor/worker_pool_executor.ts";

const CATEGORY = ["torsion", "ioloop"] as const;

/**
 * A relative deadline for {@linkcode IOLoop.addTimeout}, in place of the
 * `datetime.timedelta` Tornado's `IOLoop.add_timeout` accepts.
 *
 * @example Five seconds from now
 * ```ts
 * import type { TimeDelta } from "@torsion/torsion/reactor";
 * const inFiveSeconds: TimeDelta = { seconds: 5 };
 * ```
 */
export interface TimeDelta {
  /** The length of the delay, in seconds. */
  seconds: number;
}

/**
 * Options of {@linkcode IOLoop.runSync}, as Tornado's keyword arguments.
 *
 * @example A ten-second limit
 * ```ts
 * import type { RunSyncOptions } from "@torsion/torsion/reactor";
 * const options: RunSyncOptions = { timeout: 10 };
 * ```
 */
export interface RunSyncOptions {
  /**
   * Seconds after which the work is cancelled and `runSync` rejects with
   * `TimeoutError`.
   * @default undefined (no timeout)
   */
  timeout?: number;
}

const loops = new WeakMap<IReactorTime, IOLoop>();

/**
 * Tornado's `IOLoop`, camelCased, running on a Torsion reactor. Mirrors
 * `tornado.ioloop.IOLoop`.
 *
 * There is one IOLoop per reactor ({@linkcode IOLoop.current} for the global
 * reactor, {@linkcode IOLoop.forReactor} for another), and it owns no loop
 * of its own: `callLater`, `addTimeout` and `addCallback` schedule on the
 * reactor's timer heap, so callbacks scheduled through either API run in one
 * order. `addCallback` is `callLater(0)`: the callback runs on the next loop
 * iteration, after the other calls already due, in FIFO order with them.
 * Pass a `Clock` as the reactor to drive an IOLoop deterministically in
 * tests.
 *
 * Callbacks run guarded, as in Tornado: an exception, or the failure of a
 * Deferred or Promise a callback returns, is logged (category
 * `["torsion", "ioloop"]`) and the loop goes on.
 *
 * Units are Tornado's: seconds for `callLater` and `time()`, absolute
 * `time()` values for `callAt` and `addTimeout`. `runInExecutor` runs a
 * task in a worker pool (`@torsion/torsion/executor`), and `close()` has
 * nothing to release here.
 *
 * @example Running a coroutine to completion
 * ```ts
 * import { IOLoop, Reactor } from "@torsion/torsion/reactor";
 * const loop = IOLoop.forReactor(new Reactor());
 * const answer = await loop.runSync(async () => {
 *   await new Promise((resolve) => loop.callLater(0.01, () => resolve(undefined)));
 *   return 42;
 * });
 * console.assert(answer === 42);
 * ```
 */
export class IOLoop {
  readonly #reactor: IReactorTime;
  #started = false;
  #ownsRun = false;
  #resolveStop: (() => void) | undefined;

  /**
   * Creates an IOLoop on `reactor`; the first IOLoop created for a reactor
   * becomes the one `forReactor` (and `current`) returns.
   *
   * @param reactor The reactor to run on, or any `IReactorTime` such as a
   *   `Clock` (then `start()` waits for `stop()` without running anything).
   */
  constructor(reactor: IReactorTime = globalReactor) {
    this.#reactor = reactor;
    if (!loops.has(reactor)) loops.set(reactor, this);
  }

  /**
   * The IOLoop of the global reactor. Mirrors `IOLoop.current`.
   *
   * @returns The IOLoop.
   *
   * @example The one loop of the global reactor
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * console.assert(IOLoop.current() === IOLoop.current());
   * ```
   */
  static current(): IOLoop {
    return IOLoop.forReactor(globalReactor);
  }

  /**
   * The IOLoop of `reactor`, created on first use.
   *
   * @param reactor A reactor, or a `Clock` in tests.
   * @returns Its IOLoop.
   *
   * @example The loop of a test clock
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * console.assert(IOLoop.forReactor(clock) === IOLoop.forReactor(clock));
   * ```
   */
  static forReactor(reactor: IReactorTime): IOLoop {
    return loops.get(reactor) ?? new IOLoop(reactor);
  }

  /**
   * The reactor (or `Clock`) this IOLoop schedules on.
   *
   * @returns The reactor.
   */
  get reactor(): IReactorTime {
    return this.#reactor;
  }

  /**
   * The loop's current time in seconds: the reactor's `seconds()`, which on
   * the real reactor is seconds since the epoch (like `Date.now() / 1000`,
   * but monotonic). Mirrors `IOLoop.time`.
   *
   * @returns The time.
   *
   * @example A deadline five seconds away
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * const deadline = IOLoop.current().time() + 5;
   * console.assert(deadline > 0);
   * ```
   */
  time(): number {
    return this.#reactor.seconds();
  }

  /**
   * Calls `fn(...args)` on the next loop iteration. Mirrors
   * `IOLoop.add_callback`.
   *
   * @param fn The callback; its exceptions and failures are logged.
   * @param args Its arguments.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Running a callback on the next iteration
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * IOLoop.forReactor(clock).addCallback((s: string) => console.log(s), "soon");
   * clock.advance(0);
   * ```
   */
  addCallback<A extends unknown[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): void {
    this.#schedule(0, fn, args, "addCallback");
  }

  /**
   * Calls `fn(...args)` on the next loop iteration, detached from the
   * caller. Mirrors `IOLoop.spawn_callback`, which Tornado now makes the
   * same as `addCallback`.
   *
   * @param fn The callback; its exceptions and failures are logged.
   * @param args Its arguments.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Detaching a coroutine
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * IOLoop.forReactor(clock).spawnCallback(async () => {});
   * clock.advance(0);
   * ```
   */
  spawnCallback<A extends unknown[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): void {
    this.#schedule(0, fn, args, "spawnCallback");
  }

  /**
   * Calls `fn(...args)` after `delay` seconds; a negative delay means as
   * soon as possible. Mirrors `IOLoop.call_later`.
   *
   * @param delay Seconds from now.
   * @param fn The callback; its exceptions and failures are logged.
   * @param args Its arguments.
   * @returns A handle for `removeTimeout` (also an `IDelayedCall`).
   * @throws {RangeError} `delay` is not a finite number.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Scheduling, then cancelling
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * const loop = IOLoop.current();
   * const handle = loop.callLater(10, () => console.log("late"));
   * loop.removeTimeout(handle);
   * ```
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    requireFinite(delay, "callLater", "delay");
    return this.#schedule(Math.max(0, delay), fn, args, "callLater");
  }

  /**
   * Calls `fn(...args)` at `when`, in `time()` units; a time in the past
   * means as soon as possible. Mirrors `IOLoop.call_at`.
   *
   * @param when The time to run at.
   * @param fn The callback; its exceptions and failures are logged.
   * @param args Its arguments.
   * @returns A handle for `removeTimeout`.
   * @throws {RangeError} `when` is not a finite number.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Scheduling at an absolute time
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * const loop = IOLoop.current();
   * const handle = loop.callAt(loop.time() + 60, () => console.log("a minute"));
   * loop.removeTimeout(handle);
   * ```
   */
  callAt<A extends unknown[]>(
    when: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    requireFinite(when, "callAt", "time");
    return this.#schedule(Math.max(0, when - this.time()), fn, args, "callAt");
  }

  /**
   * Calls `fn(...args)` at `deadline`: an absolute time in `time()` units,
   * or `{ seconds }` from now (Tornado's `timedelta`). Mirrors
   * `IOLoop.add_timeout`.
   *
   * @param deadline When to run.
   * @param fn The callback; its exceptions and failures are logged.
   * @param args Its arguments.
   * @returns A handle for `removeTimeout`.
   * @throws {TypeError} `deadline` is neither a number nor `{ seconds }`,
   *   or `fn` is not a function.
   * @throws {RangeError} The time or the seconds are not finite.
   *
   * @example Scheduling with a relative deadline
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * const loop = IOLoop.current();
   * const handle = loop.addTimeout({ seconds: 30 }, () => console.log("timed out"));
   * loop.removeTimeout(handle);
   * ```
   */
  addTimeout<A extends unknown[]>(
    deadline: number | TimeDelta,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    if (typeof deadline === "number") return this.callAt(deadline, fn, ...args);
    if (
      typeof deadline === "object" && deadline !== null &&
      typeof deadline.seconds === "number"
    ) {
      return this.callLater(deadline.seconds, fn, ...args);
    }
    throw new TypeError(
      `Cannot call addTimeout with a deadline that is neither a number nor { seconds }: current value is ${
        describeValue(deadline)
      }`,
    );
  }

  /**
   * Cancels a pending timeout; a handle that has run or was removed is
   * ignored, as in Tornado. Mirrors `IOLoop.remove_timeout`.
   *
   * @param handle What `callLater`, `callAt` or `addTimeout` returned.
   *
   * @example Removing a timeout twice
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * const loop = IOLoop.current();
   * const handle = loop.callLater(1, () => {});
   * loop.removeTimeout(handle);
   * loop.removeTimeout(handle); // no-op
   * ```
   */
  removeTimeout(handle: IDelayedCall): void {
    if (handle.active()) handle.cancel();
  }

  /**
   * Calls `callback(future)` on the loop once `future` settles. Mirrors
   * `IOLoop.add_future`: the callback gets the same object, now settled, to
   * `await` (a Promise) or add callbacks to (a Deferred). A Deferred's
   * result is passed on unchanged, so its chain still holds it.
   *
   * @param future A Promise, Deferred or other thenable.
   * @param callback Called with `future`; its exceptions and failures are logged.
   * @throws {TypeError} `future` is not a thenable, or `callback` is not a function.
   *
   * @example Reacting to a settled Promise
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * const loop = IOLoop.forReactor(clock);
   * loop.addFuture(Promise.resolve(7), async (future) => console.log(await future));
   * ```
   */
  addFuture<F extends PromiseLike<unknown>>(
    future: F,
    callback: (future: F) => unknown,
  ): void {
    if (!isThenable(future)) {
      throw new TypeError(
        `Cannot call addFuture with a non-thenable: current value is ${
          describeValue(future)
        }`,
      );
    }
    requireFunction(callback, "addFuture");
    const settled = (): void => this.addCallback(callback, future);
    if (future instanceof Deferred) {
      future.addBoth((outcome: unknown) => {
        settled();
        return outcome;
      });
    } else {
      future.then(settled, settled);
    }
  }

  /**
   * Runs `task(...args)` in a worker of `executor` and returns a Deferred
   * of its result. Mirrors `IOLoop.run_in_executor`: with `null` for the
   * executor the task runs in the default pool behind `deferToThread`, as
   * Tornado's `executor=None` does. Functions cannot be sent to a worker, so
   * the task is named by its export: a name in the executor's task module,
   * or, with `null`, a `TaskRef` such as `taskModule(url).fib`.
   *
   * @param executor The worker pool, or `null` for the default pool.
   * @param task The task: its name in the pool's module, or a `TaskRef`.
   * @param args Its arguments (structured-cloned).
   * @returns A Deferred of the task's result.
   * @throws {ExecutorShutdownError} The executor was shut down.
   * @throws {TypeError} `executor` is `null` and `task` is not a `TaskRef`.
   *
   * @example Squaring a number in a worker
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
   * const tasks = "data:text/javascript,export const square = (n) => n * n;";
   * await using pool = new WorkerPoolExecutor<{ square(n: number): number }>(tasks, { maxWorkers: 1 });
   * console.assert((await IOLoop.current().runInExecutor(pool, "square", 3)) === 9);
   * ```
   */
  runInExecutor<M, K extends TaskName<M>>(
    executor: WorkerPoolExecutor<M>,
    task: K,
    ...args: TaskArgs<M, K>
  ): Deferred<TaskResult<M, K>>;
  /**
   * Runs the task `task` refers to in the default pool behind
   * `deferToThread`, as Tornado's `run_in_executor(None, …)`.
   *
   * @param executor `null`, for the default pool.
   * @param task The task, as a `TaskRef` such as `taskModule(url).fib`.
   * @param args Its arguments (structured-cloned).
   * @returns A Deferred of the task's result.
   * @throws {TypeError} `task` is not a `TaskRef`.
   *
   * @example Negating a number in the default pool
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * import { shutdownDefaultPool, taskModule } from "@torsion/torsion/executor";
   * const tasks = taskModule<{ negate(n: number): number }>(
   *   "data:text/javascript,export const negate = (n) => -n;",
   * );
   * console.assert((await IOLoop.current().runInExecutor(null, tasks.negate, 4)) === -4);
   * await shutdownDefaultPool();
   * ```
   */
  runInExecutor<F extends TaskFunction>(
    executor: null,
    task: TaskRef<F>,
    ...args: Parameters<F>
  ): Deferred<Awaited<ReturnType<F>>>;
  runInExecutor(
    executor: WorkerPoolExecutor<unknown> | null,
    task: string | TaskRef<TaskFunction>,
    ...args: unknown[]
  ): Deferred<unknown> {
    if (executor === null) {
      return deferToThread(task as TaskRef<TaskFunction>, ...args as never[]);
    }
    return deferToThreadPool(
      executor as WorkerPoolExecutor<Record<string, TaskFunction>>,
      task as string,
      ...args as never[],
    );
  }

  /**
   * Runs the loop until `stop()`. On a reactor that is not running, runs it
   * (startup triggers included); on a running reactor, just waits for
   * `stop()` or for the reactor's shutdown; on a `Clock`, waits for
   * `stop()`. Mirrors `IOLoop.start`, returning a Promise since JavaScript
   * cannot block.
   *
   * @returns A Promise that resolves once stopped; it rejects with
   *   `ReactorAlreadyRunning` if this IOLoop is already started.
   *
   * @example Running until stopped
   * ```ts
   * import { IOLoop, Reactor } from "@torsion/torsion/reactor";
   * const loop = IOLoop.forReactor(new Reactor());
   * loop.callLater(0.01, () => loop.stop());
   * await loop.start();
   * ```
   */
  start(): Promise<void> {
    if (this.#started) {
      return Promise.reject(
        new ReactorAlreadyRunning(
          "Cannot start an IOLoop that is already running",
        ),
      );
    }
    this.#started = true;
    const core = asCore(this.#reactor);
    let stopped: Promise<void>;
    if (core !== undefined && !core.running) {
      this.#ownsRun = true;
      stopped = core.run();
    } else {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#resolveStop = resolve;
      const trigger = core?.addSystemEventTrigger(
        "before",
        "shutdown",
        resolve,
      );
      stopped = promise.then(() => {
        if (trigger !== undefined) core?.removeSystemEventTrigger(trigger);
      });
    }
    return stopped.finally(() => {
      this.#started = false;
      this.#ownsRun = false;
      this.#resolveStop = undefined;
    });
  }

  /**
   * Stops the loop: `start()` resolves, and if `start()` ran the reactor,
   * the reactor stops (running its shutdown triggers). Stopping an IOLoop
   * that is not started does nothing; Tornado would instead make the next
   * `start()` return at once. Mirrors `IOLoop.stop`.
   *
   * @example Stopping a started loop
   * ```ts
   * import { IOLoop } from "@torsion/torsion/reactor";
   * import { Clock } from "@torsion/torsion/testing";
   * const loop = IOLoop.forReactor(new Clock());
   * const done = loop.start();
   * loop.stop();
   * await done;
   * ```
   */
  stop(): void {
    if (!this.#started) return;
    if (this.#ownsRun) {
      try {
        (this.#reactor as unknown as IReactorCore).stop();
      } catch (error) {
        // Already stopping, from a signal or another caller: run() resolves soon.
        if (!(error instanceof ReactorNotRunning)) throw error;
      }
    } else {
      this.#resolveStop?.();
    }
  }

  /**
   * Starts the loop, calls `fn()` on it, and stops the loop once the value,
   * Promise or Deferred `fn` returns has settled. Mirrors `IOLoop.run_sync`;
   * it may be called again afterwards.
   *
   * With a `timeout`, work still pending after that many seconds is
   * cancelled (`Deferred.cancel`, or `cancel()` on a future-like result;
   * a plain Promise cannot be stopped and is abandoned) and `runSync`
   * rejects with `TimeoutError`. If the loop is stopped some other way
   * first (a signal, say), the work is cancelled and `runSync` rejects with
   * `CancelledError`.
   *
   * @typeParam T What `fn` returns.
   * @param fn The work.
   * @param options The timeout.
   * @returns A Promise of `fn`'s result; it rejects with `fn`'s error,
   *   `TimeoutError`, `CancelledError`, or `ReactorAlreadyRunning` if the
   *   IOLoop is already started.
   * @throws {RangeError} `timeout` is negative or not finite.
   *
   * @example Giving up after a deadline
   * ```ts
   * import { IOLoop, Reactor } from "@torsion/torsion/reactor";
   * import { Deferred, TimeoutError } from "@torsion/torsion/deferred";
   * const loop = IOLoop.forReactor(new Reactor());
   * try {
   *   await loop.runSync(() => new Deferred<void>(), { timeout: 0.01 });
   * } catch (error) {
   *   console.assert(error instanceof TimeoutError);
   * }
   * ```
   */
  async runSync<T>(
    fn: () => T | PromiseLike<T>,
    options: RunSyncOptions = {},
  ): Promise<Awaited<T>> {
    const { timeout } = options;
    if (
      timeout !== undefined &&
      (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0)
    ) {
      throw new RangeError(
        `Cannot call runSync with a timeout that is not a finite non-negative number: current value is ${
          describeValue(timeout)
        }`,
      );
    }
    requireFunction(fn, "runSync");
    if (this.#started) {
      throw new ReactorAlreadyRunning(
        "Cannot call runSync while the IOLoop is running",
      );
    }
    let raw: unknown;
    let outcome: Deferred<Awaited<T>> | undefined;
    let timedOut = false;
    const stopWhenSettled = (result: unknown): unknown => {
      this.stop();
      return result;
    };
    const cancelWork = (): void => {
      outcome?.cancel();
      if (!(raw instanceof Deferred) && hasCancel(raw)) raw.cancel();
    };
    const first = this.#reactor.callLater(0, () => {
      outcome = maybeDeferred(() => {
        raw = fn();
        return raw;
      }) as Deferred<Awaited<T>>;
      outcome.addBoth(stopWhenSettled);
    });
    const timer = timeout === undefined
      ? undefined
      : this.#reactor.callLater(timeout, () => {
        timedOut = true;
        if (outcome === undefined) this.stop();
        else cancelWork();
      });
    try {
      await this.start();
    } finally {
      if (timer?.active()) timer.cancel();
      if (first.active()) first.cancel();
    }
    if (outcome === undefined) {
      if (timedOut) throw timeoutError(timeout);
      throw new CancelledError(
        "The IOLoop stopped before runSync's function ran",
      );
    }
    if (!outcome.called) cancelWork();
    try {
      return await outcome;
    } catch (error) {
      if (timedOut && error instanceof CancelledError) {
        throw timeoutError(timeout);
      }
      throw error;
    }
  }

  #schedule(
    delay: number,
    fn: (...args: never[]) => unknown,
    args: unknown[],
    method: string,
  ): IDelayedCall {
    requireFunction(fn, method);
    return this.#reactor.callLater(delay, runCallback, fn, args);
  }
}

function runCallback(
  fn: (...args: never[]) => unknown,
  args: unknown[],
): void {
  let result: unknown;
  try {
    result = (fn as (...args: unknown[]) => unknown)(...args);
  } catch (error) {
    logCallbackError(fn, error);
    return;
  }
  if (result instanceof Deferred) {
    result.addErrback((failure: Failure) => logCallbackError(fn, failure));
  } else if (isThenable(result)) {
    result.then(undefined, (error: unknown) => logCallbackError(fn, error));
  }
}

/** Logs an error of an IOLoop callback, or of a PeriodicCallback's, as Tornado words it. */
export function logCallbackError(
  fn: (...args: never[]) => unknown,
  error: unknown,
): void {
  logError(
    CATEGORY,
    `Exception in callback ${functionName(fn)}: ${
      Failure.from(error).getTraceback()
    }`,
    error,
  );
}

function timeoutError(timeout: number | undefined): TimeoutError {
  return new TimeoutError(`Operation timed out after ${timeout} seconds`);
}

function asCore(reactor: IReactorTime): IReactorCore | undefined {
  const candidate = reactor as Partial<IReactorCore>;
  return typeof candidate.run === "function" &&
      typeof candidate.stop === "function" &&
      typeof candidate.addSystemEventTrigger === "function"
    ? reactor as unknown as IReactorCore
    : undefined;
}

function hasCancel(value: unknown): value is { cancel(): unknown } {
  return isThenable(value) &&
    typeof (value as { cancel?: unknown }).cancel === "function";
}
