/**
 * Errors raised by executors, mirroring those of Python's
 * `concurrent.futures`. Timeouts and cancellations reuse the Deferred
 * layer's `TimeoutError` and `CancelledError`.
 *
 * @module
 */

/**
 * `submit` or `map` was called after `shutdown`. Python raises a
 * `RuntimeError` with the same message; Torsion names the condition so that
 * code racing a shutdown (a server draining its requests) can catch it.
 *
 * @example Catching a late submission
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExecutorShutdownError, WorkerPoolExecutor } from "@torsion/torsion/executor";
 * const pool = new WorkerPoolExecutor("data:text/javascript,export const id = (x) => x;");
 * await pool.shutdown();
 * assert.throws(() => pool.submit("id", 1), ExecutorShutdownError);
 * ```
 */
export class ExecutorShutdownError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was refused.
   */
  constructor(message = "Cannot schedule new futures after shutdown") {
    super(message);
    this.name = "ExecutorShutdownError";
  }
}

/**
 * The worker running a task died before the task finished: the task called
 * `close()` or `Deno.exit()`, or an error escaped it asynchronously (a throw
 * in a timer, an unhandled rejection). The counterpart of Python's
 * `BrokenProcessPool`, narrowed to one worker: the pool replaces the worker
 * and goes on, only the task that was running fails. When an error killed
 * the worker, it is the `cause`.
 */
export class BrokenWorkerError extends Error {
  /**
   * Creates the error.
   *
   * @param message What died, and why.
   * @param options `cause`: the error that killed the worker, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenWorkerError";
  }
}

/**
 * An error thrown by a task whose class exists only in the worker. Errors of
 * JavaScript's built-in classes (`TypeError`, `RangeError`, …), of
 * `DOMException` and of `Deno.errors` come back as instances of the same
 * class; any other class comes back as a `RemoteError` whose `name` is the
 * original class name (`"ValidationError"`), with the original message,
 * stack (the worker's), `cause` and cloneable own fields such as `code`.
 * Python pickles the exception itself; a JavaScript class cannot cross a
 * structured clone, so this is the closest faithful form.
 *
 * @example Telling a remote error by its name
 * ```ts
 * import assert from "node:assert/strict";
 * import { RemoteError, WorkerPoolExecutor } from "@torsion/torsion/executor";
 * const tasks = "data:text/javascript," +
 *   "class ValidationError extends Error { name = 'ValidationError'; }" +
 *   "export const check = (age) => { throw new ValidationError('Age must be positive: current value is ' + age); };";
 * await using pool = new WorkerPoolExecutor(tasks);
 * await assert.rejects(pool.submit("check", -1).result(), (error: unknown) => {
 *   assert.ok(error instanceof RemoteError); // the worker's class does not cross over
 *   assert.equal(error.name, "ValidationError");
 *   assert.equal(error.message, "Age must be positive: current value is -1");
 *   return true;
 * });
 * ```
 */
export class RemoteError extends Error {
  /**
   * Creates the error.
   *
   * @param name The class name of the original error.
   * @param message Its message.
   * @param options `cause`: the original error's cause.
   */
  constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/**
 * `setResult`, `setException` or `setRunningOrNotifyCancel` was called on a
 * Future in a state that does not allow it (typically: already done).
 * Mirrors Python's `concurrent.futures.InvalidStateError`; only code that
 * completes Futures (an executor, a test) can meet it.
 *
 * @example Completing a Future twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { Future, InvalidStateError } from "@torsion/torsion/executor";
 * const future = new Future<number>();
 * future.setResult(1);
 * assert.throws(() => future.setResult(2), InvalidStateError);
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which call, and the state found.
   */
  constructor(message: string) {
    super(message);
    this.name = "InvalidStateError";
  }
}
