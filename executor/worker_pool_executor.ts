/**
 * `WorkerPoolExecutor`: Python's `concurrent.futures` executor over a pool
 * of Deno Web Workers.
 *
 * @module
 */
import { absoluteUrl, TaskPool } from "./_pool.ts";
import type { Future } from "./future.ts";
import type {
  AnyTaskModule,
  Executor,
  MapItem,
  MapOptions,
  ShutdownOptions,
  TaskArgs,
  TaskName,
  TaskResult,
} from "./interfaces.ts";
import { ExecutorShutdownError } from "./errors.ts";

/**
 * Options for `new WorkerPoolExecutor()`: the `max_workers` keyword of
 * Python's `ProcessPoolExecutor`, and an idle timeout of Torsion's.
 *
 * @example Four workers that end after a minute without work
 * ```ts
 * import type { WorkerPoolExecutorOptions } from "@torsion/torsion/executor";
 * const options: WorkerPoolExecutorOptions = { maxWorkers: 4, idleTimeout: 60 };
 * ```
 */
export interface WorkerPoolExecutorOptions {
  /**
   * The most workers alive at once. They start one by one, when a task
   * finds no idle worker. Mirrors `max_workers`.
   *
   * @default {navigator.hardwareConcurrency}
   */
  maxWorkers?: number;
  /**
   * Seconds a worker may stay idle before it is terminated (a new one
   * starts when work comes). A live worker keeps the Deno process alive, so
   * a finite value lets a program that forgot `shutdown` still exit. A
   * Torsion addition.
   *
   * @default {Infinity}
   */
  idleTimeout?: number;
}

let executorCount = 0;

/**
 * Runs the functions exported by one task module in a pool of Deno Web
 * Workers, and hands back a `Future` for each call. Mirrors Python's
 * `concurrent.futures.ProcessPoolExecutor` (no alias of that name is
 * exported: Deno workers are threads, but like processes they share no
 * memory, so code travels as a module and data by structured clone).
 *
 * Use it for CPU-bound work that would otherwise block the event loop:
 * parsing, hashing, compression, number crunching. Each worker imports the
 * task module once and runs one task at a time; tasks may be async.
 *
 * - **Naming tasks.** Give the module's type,
 *   `WorkerPoolExecutor<typeof import("./tasks.ts")>`, and `submit("fib", 30)`
 *   is checked: the name must be a function export, the arguments must fit,
 *   and the Future carries the return type (a Promise unwrapped; a generic
 *   task's result is `unknown`, as TypeScript cannot instantiate it).
 *   `typeof import()` is a type only: it loads nothing in the calling thread.
 * - **Data.** Arguments and results cross by structured clone: plain data,
 *   typed arrays, Maps, Dates, but no functions or class instances. A value
 *   that cannot be cloned fails its Future with a `DataCloneError`.
 * - **Errors.** An error thrown by a task fails its Future with the same
 *   class when it is a built-in (`TypeError`, `DOMException`,
 *   `Deno.errors.*`), otherwise a `RemoteError` of the same `name`; message,
 *   the worker's stack, `cause` and own fields such as `code` are kept.
 * - **Dead workers.** A worker that dies (`close()`, `Deno.exit()`, an error
 *   thrown in a timer, an unhandled rejection) fails its task with
 *   `BrokenWorkerError` and is replaced; the pool goes on, unlike Python's
 *   `BrokenProcessPool`, which breaks the whole pool.
 * - **Hung tasks.** `future.result(timeout)` is a deadline on the task: on
 *   expiry its worker is terminated and replaced and the Future fails with
 *   `TimeoutError`.
 * - **Lifetime.** Workers keep the process alive: call `shutdown()`, or use
 *   `await using`, which waits for the submitted tasks as Python's `with`
 *   block does.
 * - **Permissions.** Workers inherit the program's permissions; starting
 *   one needs read access to Torsion's and the task module's files (or
 *   `--allow-import` for remote ones).
 *
 * @typeParam M The type of the task module, as `typeof import("./tasks.ts")`.
 *
 * @example Submitting tasks and collecting the results
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
 * // Usually: new URL("./tasks.ts", import.meta.url), with
 * // WorkerPoolExecutor<typeof import("./tasks.ts")>.
 * const tasks = "data:text/javascript,export function square(n) { return n * n; }";
 * await using pool = new WorkerPoolExecutor<{ square(n: number): number }>(tasks, { maxWorkers: 2 });
 * const futures = [0, 1, 2, 3, 4].map((n) => pool.submit("square", n));
 * const results = await Promise.all(futures.map((future) => future.result()));
 * assert.deepEqual(results, [0, 1, 4, 9, 16]);
 * ```
 */
export class WorkerPoolExecutor<M = AnyTaskModule>
  implements Executor<M>, AsyncDisposable {
  #module: string;
  #pool: TaskPool;

  /**
   * Creates the pool. No worker starts until the first `submit`.
   *
   * @param taskModule The URL of the module whose exports are the tasks:
   *   `new URL("./tasks.ts", import.meta.url)`, or an absolute URL string.
   * @param options `maxWorkers` and `idleTimeout`.
   * @throws {TypeError} `taskModule` is not an absolute URL.
   * @throws {RangeError} `maxWorkers` is not a positive integer, or
   *   `idleTimeout` is negative.
   *
   * @example A pool of one worker
   * ```ts
   * import assert from "node:assert/strict";
   * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
   * await using pool = new WorkerPoolExecutor("data:text/javascript,export const id = (x) => x;", { maxWorkers: 1 });
   * assert.equal(pool.maxWorkers, 1);
   * assert.equal(pool.workerCount, 0); // none until the first submit
   * ```
   */
  constructor(
    taskModule: string | URL,
    options: WorkerPoolExecutorOptions = {},
  ) {
    this.#module = absoluteUrl(taskModule);
    const maxWorkers = options.maxWorkers ?? navigator.hardwareConcurrency;
    // TaskPool checks both options; a refused executor still uses a number.
    this.#pool = new TaskPool({
      label: `WorkerPoolExecutor-${executorCount++}`,
      maxWorkers,
      idleTimeout: options.idleTimeout ?? Infinity,
    });
  }

  /**
   * The URL of the task module, as a string.
   *
   * @returns The absolute URL the workers import.
   *
   * @example Where the tasks come from
   * ```ts
   * import assert from "node:assert/strict";
   * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
   * const tasks = new URL("data:text/javascript,export const id = (x) => x;");
   * await using pool = new WorkerPoolExecutor(tasks);
   * assert.equal(pool.taskModule, tasks.href);
   * ```
   */
  get taskModule(): string {
    return this.#module;
  }

  /**
   * The most workers alive at once: Python's `_max_workers`.
   *
   * @returns The `maxWorkers` option, or the number of cores.
   *
   * @example The default is one worker per core
   * ```ts
   * import assert from "node:assert/strict";
   * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
   * await using pool = new WorkerPoolExecutor("data:text/javascript,export const id = (x) => x;");
   * assert.equal(pool.maxWorkers, navigator.hardwareConcurrency);
   * ```
   */
  get maxWorkers(): number {
    return this.#pool.maxWorkers;
  }

  /**
   * How many workers are alive now (they start lazily, up to `maxWorkers`).
   *
   * @returns The count of live workers.
   *
   * @example No worker before the first task
   * ```ts
   * import assert from "node:assert/strict";
   * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
   * await using pool = new WorkerPoolExecutor("data:text/javascript,export const id = (x) => x;");
   * assert.equal(pool.workerCount, 0);
   * ```
   */
  get workerCount(): number {
    return this.#pool.workerCount;
  }

  /**
   * Schedules `task(...args)` in a worker and returns its Future at once.
   * Mirrors `Executor.submit`.
   *
   * @param task The name of a function exported by the task module.
   * @param args Its arguments, structured-cloned into the worker.
   * @returns The Future of the task's result.
   * @throws {ExecutorShutdownError} `shutdown` was called.
   *
   * @example Submitting one call
   * ```ts
   * import assert from "node:assert/strict";
   * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
   * const tasks = "data:text/javascript,export function add(a, b) { return a + b; }";
   * await using pool = new WorkerPoolExecutor<{ add(a: number, b: number): number }>(tasks);
   * assert.equal(await pool.submit("add", 2, 3), 5);
   * ```
   */
  submit<K extends TaskName<M>>(
    task: K,
    ...args: TaskArgs<M, K>
  ): Future<TaskResult<M, K>> {
    return this.#pool.submit<TaskResult<M, K>>(this.#module, task, args);
  }

  /**
   * Runs `task` once per item and yields the results in input order, as
   * they become available. Mirrors `Executor.map`, in the form natural to
   * Deno: Python returns an iterator whose `next()` blocks, this returns an
   * async iterator (`for await`, or `Array.fromAsync` to collect). As in
   * Python, every item is submitted now, before the first result is asked
   * for; an error a task throws is thrown when its result is reached; and
   * ending the iteration early (or an error or timeout) cancels the tasks
   * that have not started.
   *
   * @param task The name of a task that takes one argument.
   * @param items The arguments, one task call each.
   * @param options `chunksize` and `timeout`.
   * @returns An async iterator of the results.
   * @throws {ExecutorShutdownError} `shutdown` was called.
   * @throws {RangeError} `chunksize` is not a positive integer, or `timeout` is negative.
   *
   * @example Squaring a range, as Python's `executor.map(task, range(1, 5))`
   * ```ts
   * import assert from "node:assert/strict";
   * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
   * const tasks = "data:text/javascript,export function square(n) { return n * n; }";
   * await using pool = new WorkerPoolExecutor<{ square(n: number): number }>(tasks, { maxWorkers: 3 });
   * const squares = await Array.fromAsync(pool.map("square", [1, 2, 3, 4]));
   * assert.deepEqual(squares, [1, 4, 9, 16]);
   * ```
   */
  map<K extends TaskName<M>>(
    task: K,
    items: Iterable<MapItem<M, K>>,
    options: MapOptions = {},
  ): AsyncIterableIterator<TaskResult<M, K>> {
    const chunksize = options.chunksize ?? 1;
    if (!Number.isInteger(chunksize) || chunksize < 1) {
      throw new RangeError(
        `Cannot map with a chunksize below 1 or not an integer: current value is ${chunksize}`,
      );
    }
    const timeout = options.timeout ?? Infinity;
    if (!(timeout >= 0)) {
      throw new RangeError(
        `Cannot map with a negative or NaN timeout: current value is ${timeout}`,
      );
    }
    if (this.#pool.isShutdown) throw new ExecutorShutdownError();
    const deadline = performance.now() + timeout * 1000;
    const futures: Future<unknown>[] = [];
    let chunk: unknown[][] = [];
    for (const item of items) {
      if (chunksize === 1) {
        futures.push(this.#pool.submit(this.#module, task, [item]));
        continue;
      }
      chunk.push([item]);
      if (chunk.length === chunksize) {
        futures.push(this.#pool.submit(this.#module, task, null, chunk));
        chunk = [];
      }
    }
    if (chunk.length > 0) {
      futures.push(this.#pool.submit(this.#module, task, null, chunk));
    }
    return results(futures, chunksize > 1, deadline) as AsyncIterableIterator<
      TaskResult<M, K>
    >;
  }

  /**
   * Stops taking tasks and releases the workers. Mirrors
   * `Executor.shutdown`: afterwards `submit` and `map` throw
   * `ExecutorShutdownError`; the tasks already submitted still run unless
   * `cancelFutures` cancels those not started; each worker is terminated
   * once no task is left for it. Calling it again is harmless.
   *
   * @param options `wait` and `cancelFutures`.
   * @returns A Promise that resolves, with `wait` (the default), once every
   *   task is done and every worker terminated; at once otherwise.
   *
   * @example Refusing work after shutdown
   * ```ts
   * import assert from "node:assert/strict";
   * import { ExecutorShutdownError, WorkerPoolExecutor } from "@torsion/torsion/executor";
   * const pool = new WorkerPoolExecutor("data:text/javascript,export const id = (x) => x;");
   * await pool.shutdown();
   * assert.throws(() => pool.submit("id", 1), ExecutorShutdownError);
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    return this.#pool.shutdown(
      options.wait ?? true,
      options.cancelFutures ?? false,
    );
  }

  /**
   * `shutdown()` with its defaults, so that `await using pool = ...` waits
   * for the submitted tasks and terminates the workers at the end of the
   * block, as Python's `with ProcessPoolExecutor() as pool:` does.
   *
   * @returns A Promise that resolves once the pool is shut down.
   *
   * @example Shutting down at the end of a block
   * ```ts
   * import assert from "node:assert/strict";
   * import { type Future, WorkerPoolExecutor } from "@torsion/torsion/executor";
   * let future: Future<unknown>;
   * {
   *   await using pool = new WorkerPoolExecutor("data:text/javascript,export const id = (x) => x;");
   *   future = pool.submit("id", 1);
   * } // waits for the task, then terminates the worker
   * assert.equal(future.done(), true);
   * assert.equal(await future.result(), 1);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

async function* results(
  futures: Future<unknown>[],
  chunked: boolean,
  deadline: number,
): AsyncIterableIterator<unknown> {
  try {
    for (const future of futures) {
      const timeout = deadline === Infinity
        ? undefined
        : Math.max(0, (deadline - performance.now()) / 1000);
      const value = await future.result(timeout);
      if (chunked) {
        yield* value as unknown[];
      } else {
        yield value;
      }
    }
  } finally {
    for (const future of futures) future.cancel();
  }
}
