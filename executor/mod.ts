/**
 * Executors: run CPU-bound work in a pool of Deno Web Workers and get it
 * back as `Future`s or Deferreds, with the shape of Python's
 * `concurrent.futures` (`WorkerPoolExecutor`, `Future`), Twisted's
 * `deferToThread` / `suggestThreadPoolSize`, and what Tornado's
 * `IOLoop.runInExecutor` needs (`Executor`, `futureToDeferred`).
 *
 * Tasks are the functions a module exports; workers import that module.
 * Name the module's type and task names and arguments are type-checked.
 * Workers need read access to Torsion's files and the task module
 * (`--allow-read`), and inherit the program's permissions.
 *
 * @example A pool, a task module, and type-checked calls
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerPoolExecutor } from "@torsion/torsion/executor";
 * // In an application: tasks.ts exports `fib`, and
 * // new WorkerPoolExecutor<typeof import("./tasks.ts")>(new URL("./tasks.ts", import.meta.url))
 * const tasks = "data:text/javascript,export const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));";
 * await using pool = new WorkerPoolExecutor<{ fib(n: number): number }>(tasks);
 * const results = await Array.fromAsync(pool.map("fib", [10, 20, 25]));
 * assert.deepEqual(results, [55, 6765, 75025]);
 * ```
 *
 * @module
 */
export {
  WorkerPoolExecutor,
  type WorkerPoolExecutorOptions,
} from "./worker_pool_executor.ts";
export {
  type DoneCallback,
  Future,
  type FutureState,
  type TimeoutHandler,
} from "./future.ts";
export {
  BrokenWorkerError,
  ExecutorShutdownError,
  InvalidStateError,
  RemoteError,
} from "./errors.ts";
export { deferToThread, deferToThreadPool } from "./defer_to_thread.ts";
export { futureToDeferred } from "./future_to_deferred.ts";
export { shutdownDefaultPool, suggestThreadPoolSize } from "./default_pool.ts";
export { type TaskModule, taskModule } from "./task_module.ts";
export type {
  AnyTaskModule,
  Executor,
  MapItem,
  MapOptions,
  ShutdownOptions,
  TaskArgs,
  TaskFunction,
  TaskName,
  TaskRef,
  TaskResult,
} from "./interfaces.ts";
