/**
 * `Future`: the result of a task submitted to an executor, as Python's
 * `concurrent.futures.Future`.
 *
 * @module
 */
import { CancelledError, TimeoutError } from "../deferred/errors.ts";
import { describeError, logError } from "../_util/log_error.ts";
import { isThenable } from "../_util/thenable.ts";
import { InvalidStateError } from "./errors.ts";

/**
 * Where a Future is in its life: waiting in a queue, running, or done one of
 * two ways. The states of Python's `concurrent.futures.Future` (`PENDING`,
 * `RUNNING`, `CANCELLED`, `FINISHED`), as `String(future)` shows them.
 *
 * @example Reading the state from a Future's description
 * ```ts
 * import { Future, type FutureState } from "@torsion/torsion/executor";
 * const state = /state=(\w+)/.exec(String(new Future()))?.[1] as FutureState;
 * console.assert(state === "pending");
 * ```
 */
export type FutureState = "pending" | "running" | "cancelled" | "finished";

/**
 * A callback given to `Future.addDoneCallback`, as the `fn` of Python's
 * `Future.add_done_callback(fn)`: it receives the Future, done. A Promise it
 * returns is watched only for a rejection, which is logged.
 *
 * @example A callback that prints the result
 * ```ts
 * import type { DoneCallback } from "@torsion/torsion/executor";
 * const print: DoneCallback<number> = async (future) => console.log(await future.result());
 * ```
 */
export type DoneCallback<T> = (future: Future<T>) => unknown;

/**
 * Called by a Future when a `result` or `exception` wait runs out of time
 * before the Future is done, with the Future and the timeout in seconds.
 * `WorkerPoolExecutor` passes one that stops the task; see `Future`. A
 * Torsion addition: Python's timeouts never touch the work.
 *
 * @example A Future that fails itself when a wait times out
 * ```ts
 * import { Future, type TimeoutHandler } from "@torsion/torsion/executor";
 * import { TimeoutError } from "@torsion/torsion/deferred";
 * const expire: TimeoutHandler<number> = (future, seconds) =>
 *   future.setException(new TimeoutError(`No result after ${seconds} seconds`));
 * const future = new Future<number>(expire);
 * await future.result(0).catch(() => {});
 * console.assert(future.done());
 * ```
 */
export type TimeoutHandler<T> = (future: Future<T>, seconds: number) => void;

/** Where the executor layer logs. */
export const LOG_CATEGORY = ["torsion", "executor"] as const;
/** setTimeout's largest delay; longer timeouts are treated as no timeout. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The result of a task that runs elsewhere: pending in the executor's queue,
 * then running in a worker, then finished with a value or an error, unless
 * it was cancelled before it started. Mirrors Python's
 * `concurrent.futures.Future`, with the waits made asynchronous: `result()`
 * and `exception()` return Promises instead of blocking, and a Future is
 * itself awaitable (`await future` is `await future.result()`).
 *
 * A Future never rejects a Promise nobody asked for: the error of a failed
 * task stays in the Future until `result()`, `exception()` or `then()` is
 * called, so a task whose failure you ignore causes no unhandled rejection.
 *
 * Executors create Futures and complete them with `setRunningOrNotifyCancel`,
 * `setResult` and `setException`, which, as in Python, are meant for
 * executor implementations and tests only.
 *
 * **Timeouts.** `result(timeout)` and `exception(timeout)` reject with
 * `TimeoutError` when the Future is not done in time. A bare Future stays as
 * it was, as in Python. A Future made by `WorkerPoolExecutor` has a
 * `TimeoutHandler` that turns the timeout into a deadline on the task: the
 * task is dropped from the queue or, when running, its worker is terminated
 * (and replaced), and the Future fails with `TimeoutError`, so a hung task
 * cannot hold a worker forever.
 *
 * @typeParam T The type of the result.
 *
 * @example Collecting results as seed programs do with `future.result()`
 * ```ts
 * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
 * const tasks = "data:text/javascript,export function square(n) { return n * n; }";
 * await using pool = new WorkerPoolExecutor<{ square(n: number): number }>(tasks, { maxWorkers: 2 });
 * const futures = [1, 2, 3].map((n) => pool.submit("square", n));
 * for (const future of futures) {
 *   const result = await future.result();
 *   console.log(String(future), result); // <Future state=finished returned number> 1
 * }
 * ```
 */
export class Future<T> implements PromiseLike<T> {
  #state: FutureState = "pending";
  #value: T | undefined = undefined;
  #error: unknown = undefined;
  #failed = false;
  #callbacks: DoneCallback<T>[] = [];
  #waiters = new Set<() => void>();
  #onTimeout: TimeoutHandler<T> | null;

  /**
   * Creates a pending Future. Executors do this; application code gets its
   * Futures from `submit`.
   *
   * @param onTimeout Called when a `result`/`exception` wait times out
   *   before the Future is done: the executor's chance to stop the work.
   */
  constructor(onTimeout?: TimeoutHandler<T>) {
    this.#onTimeout = onTimeout ?? null;
  }

  /**
   * Cancels the task if it has not started. Mirrors `Future.cancel`: a
   * running or finished Future cannot be cancelled and returns `false`; a
   * cancelled one returns `true`. Cancelling runs the done callbacks, and
   * `result()` then rejects with `CancelledError`.
   *
   * @returns Whether the Future is now cancelled.
   *
   * @example Cancelling a Future that has not started
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * console.assert(future.cancel() && future.cancelled() && future.done());
   * ```
   */
  cancel(): boolean {
    if (this.#state === "running" || this.#state === "finished") return false;
    if (this.#state === "cancelled") return true;
    this.#state = "cancelled";
    this.#complete();
    return true;
  }

  /**
   * Whether the Future was cancelled. Mirrors `Future.cancelled`.
   *
   * @returns `true` once `cancel()` succeeded.
   *
   * @example A fresh Future is not cancelled
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * console.assert(!new Future().cancelled());
   * ```
   */
  cancelled(): boolean {
    return this.#state === "cancelled";
  }

  /**
   * Whether the task is running now. Mirrors `Future.running`.
   *
   * @returns `true` between the start of the task and its end.
   *
   * @example A Future an executor has started
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * future.setRunningOrNotifyCancel();
   * console.assert(future.running());
   * ```
   */
  running(): boolean {
    return this.#state === "running";
  }

  /**
   * Whether the Future is finished or cancelled. Mirrors `Future.done`.
   *
   * @returns `true` once the Future has a result, an error, or was cancelled.
   *
   * @example A Future with a result is done
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * future.setResult(1);
   * console.assert(future.done());
   * ```
   */
  done(): boolean {
    return this.#state === "cancelled" || this.#state === "finished";
  }

  /**
   * Waits for the result. Mirrors `Future.result`, as a Promise.
   *
   * @param timeout The most seconds to wait; `undefined` or `Infinity` waits
   *   for ever. For a Future from `WorkerPoolExecutor` it is a deadline on
   *   the task itself (see the class documentation).
   * @returns A Promise of the task's result.
   * @throws {TimeoutError} The Future was not done after `timeout` seconds.
   * @throws {CancelledError} The Future was cancelled.
   * @throws {RangeError} `timeout` is negative or NaN.
   * @throws {unknown} Whatever the task threw (see `RemoteError`).
   *
   * @example Waiting with a timeout
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * import { TimeoutError } from "@torsion/torsion/deferred";
   * const future = new Future<number>();
   * try { await future.result(0.01); } catch (e) { console.assert(e instanceof TimeoutError); }
   * future.setResult(7);
   * console.assert((await future.result(1)) === 7);
   * ```
   */
  async result(timeout?: number): Promise<T> {
    await this.#wait(timeout);
    if (this.#state === "cancelled") {
      throw new CancelledError("Future was cancelled");
    }
    if (this.#failed) throw this.#error;
    return this.#value as T;
  }

  /**
   * Waits for the Future and returns the error the task threw, or
   * `undefined` when it succeeded. Mirrors `Future.exception`.
   *
   * @param timeout The most seconds to wait, as for `result`.
   * @returns A Promise of the error, or of `undefined`.
   * @throws {TimeoutError} The Future was not done after `timeout` seconds.
   * @throws {CancelledError} The Future was cancelled.
   * @throws {RangeError} `timeout` is negative or NaN.
   *
   * @example Reading a task's error without a try block
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * future.setException(new RangeError("too big"));
   * console.assert((await future.exception()) instanceof RangeError);
   * ```
   */
  async exception(timeout?: number): Promise<unknown> {
    await this.#wait(timeout);
    if (this.#state === "cancelled") {
      throw new CancelledError("Future was cancelled");
    }
    return this.#failed ? this.#error : undefined;
  }

  /**
   * Calls `callback` with this Future when it is done (finished or
   * cancelled); at once if it already is. Mirrors
   * `Future.add_done_callback`: callbacks run in the order they were added,
   * and an error thrown by one (or a rejection of the Promise it returns)
   * is logged under `["torsion", "executor"]` and otherwise ignored.
   *
   * @param callback Receives the Future; read it with `result()`.
   * @throws {TypeError} `callback` is not a function.
   *
   * @example Printing each result as it lands
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * future.addDoneCallback(async (f) => console.log(`result: ${await f.result()}`));
   * future.setResult(16);
   * ```
   */
  addDoneCallback(callback: DoneCallback<T>): void {
    if (typeof callback !== "function") {
      throw new TypeError(
        `Cannot add a done callback that is not a function: received ${typeof callback}`,
      );
    }
    if (this.done()) {
      this.#invoke(callback);
    } else {
      this.#callbacks.push(callback);
    }
  }

  /**
   * Marks the Future as running, unless it was cancelled. Mirrors
   * `Future.set_running_or_notify_cancel`; for executors.
   *
   * @returns `false` when the Future was cancelled (do not run the task),
   *   `true` when it is now running.
   * @throws {InvalidStateError} The Future is already running or finished.
   *
   * @example Starting a Future's work, as an executor does
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * console.assert(future.setRunningOrNotifyCancel());
   * ```
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.#state === "cancelled") return false;
    if (this.#state !== "pending") {
      throw new InvalidStateError(
        `Cannot set a Future running: current state is ${this.#state}`,
      );
    }
    this.#state = "running";
    return true;
  }

  /**
   * Completes the Future with a result. Mirrors `Future.set_result`; for
   * executors.
   *
   * @param value The result.
   * @throws {InvalidStateError} The Future is already done.
   *
   * @example Completing a Future, as an executor does
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<string>();
   * future.setResult("ready");
   * console.assert((await future) === "ready");
   * ```
   */
  setResult(value: T): void {
    this.#requireNotDone("setResult");
    this.#value = value;
    this.#state = "finished";
    this.#complete();
  }

  /**
   * Completes the Future with an error. Mirrors `Future.set_exception`; for
   * executors.
   *
   * @param error What the task threw.
   * @throws {InvalidStateError} The Future is already done.
   *
   * @example Failing a Future, as an executor does
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<string>();
   * future.setException(new Error("boom"));
   * console.assert(future.done() && !future.cancelled());
   * ```
   */
  setException(error: unknown): void {
    this.#requireNotDone("setException");
    this.#error = error;
    this.#failed = true;
    this.#state = "finished";
    this.#complete();
  }

  /**
   * Makes `await future` work: the same as `future.result().then(...)`.
   *
   * @param onfulfilled Called with the result.
   * @param onrejected Called with the error.
   * @returns A Promise, as `Promise.prototype.then`.
   *
   * @example Awaiting a Future directly
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * future.setResult(3);
   * console.assert((await future) === 3);
   * ```
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.result().then(onfulfilled, onrejected);
  }

  /**
   * A one-line description, as Python's `repr(future)`.
   *
   * @returns `<Future state=...>`, with the result's type or the error's
   *   class once finished.
   *
   * @example Printing a Future as Python's repr does
   * ```ts
   * import { Future } from "@torsion/torsion/executor";
   * const future = new Future<number>();
   * future.setResult(100);
   * console.assert(String(future) === "<Future state=finished returned number>");
   * ```
   */
  toString(): string {
    if (this.#state !== "finished") return `<Future state=${this.#state}>`;
    if (this.#failed) {
      return `<Future state=finished raised ${typeName(this.#error)}>`;
    }
    return `<Future state=finished returned ${typeName(this.#value)}>`;
  }

  #requireNotDone(method: string): void {
    if (this.done()) {
      throw new InvalidStateError(
        `Cannot call ${method} on a Future that is done: current state is ${this.#state}`,
      );
    }
  }

  #wait(timeout: number | undefined): Promise<void> {
    if (timeout !== undefined && !(timeout >= 0)) {
      return Promise.reject(
        new RangeError(
          `Cannot wait for a Future with a negative or NaN timeout: current value is ${timeout}`,
        ),
      );
    }
    if (this.done()) return Promise.resolve();
    const milliseconds = timeout === undefined ? Infinity : timeout * 1000;
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onDone = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      const onTimeout = (): void => {
        this.#waiters.delete(onDone);
        this.#timedOut(timeout as number);
        reject(
          new TimeoutError(`Future was not done after ${timeout} seconds`),
        );
      };
      if (milliseconds === 0) {
        onTimeout();
        return;
      }
      this.#waiters.add(onDone);
      if (milliseconds <= MAX_DELAY_MS) {
        timer = setTimeout(onTimeout, milliseconds);
      }
    });
  }

  #timedOut(seconds: number): void {
    if (this.#onTimeout === null || this.done()) return;
    try {
      this.#onTimeout(this, seconds);
    } catch (error) {
      logError(
        LOG_CATEGORY,
        `Error in the timeout handler of ${this}: ${describeError(error)}`,
        error,
      );
    }
  }

  #complete(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) this.#invoke(callback);
  }

  #invoke(callback: DoneCallback<T>): void {
    const report = (error: unknown): void => {
      logError(
        LOG_CATEGORY,
        `Error in done callback ${
          callback.name || "(anonymous)"
        } for ${this}: ${describeError(error)}`,
        error,
      );
    };
    try {
      const returned = callback(this);
      if (isThenable(returned)) returned.then(undefined, report);
    } catch (error) {
      report(error);
    }
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object" && typeof value !== "function") {
    return typeof value;
  }
  const constructor = Object.getPrototypeOf(value)?.constructor;
  if (value instanceof Error) return value.name;
  return typeof constructor === "function" && constructor.name !== ""
    ? constructor.name
    : "object";
}
