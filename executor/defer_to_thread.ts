/**
 * `deferToThread` and `deferToThreadPool`: Twisted's way of running
 * blocking work off the reactor, over Deno workers.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { defaultPool } from "./default_pool.ts";
import { futureToDeferred } from "./future_to_deferred.ts";
import type { WorkerPoolExecutor } from "./worker_pool_executor.ts";
import type {
  Executor,
  TaskArgs,
  TaskFunction,
  TaskName,
  TaskRef,
  TaskResult,
} from "./interfaces.ts";

/**
 * Runs a task in the default worker pool and returns a Deferred of its
 * result. Mirrors Twisted's `threads.deferToThread(f, *args)`, with two
 * deviations Deno imposes: workers share no memory, so `task` is a
 * `TaskRef` (from `taskModule`) rather than a function, and the arguments
 * and result are structured-cloned. Errors, dead workers and cancellation
 * behave as with `WorkerPoolExecutor` and `futureToDeferred`.
 *
 * The default pool holds up to `navigator.hardwareConcurrency` workers
 * (see `suggestThreadPoolSize`), serves every task module, and terminates
 * its workers as soon as it has no work, so it never keeps the process
 * alive; for a steady stream of tasks, a `WorkerPoolExecutor` of your own
 * keeps its workers warm.
 *
 * @param task The task, as `taskModule<typeof import("./tasks.ts")>(url).fib`.
 * @param args Its arguments.
 * @returns A Deferred of the task's result.
 * @throws {TypeError} `task` is not a `TaskRef`.
 *
 * @example Hashing off the event loop
 * ```ts
 * import { deferToThread, shutdownDefaultPool, taskModule } from "@torsion/torsion/executor";
 * const tasks = taskModule<{ sum(n: number): number }>(
 *   "data:text/javascript,export function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }",
 * );
 * try {
 *   const d = deferToThread(tasks.sum, 1000);
 *   d.addCallback((total) => console.log(`sum: ${total}`));
 *   await d;
 * } finally {
 *   await shutdownDefaultPool();
 * }
 * ```
 */
export function deferToThread<F extends TaskFunction>(
  task: TaskRef<F>,
  ...args: Parameters<F>
): Deferred<Awaited<ReturnType<F>>> {
  if (
    task === null || typeof task !== "object" ||
    typeof task.module !== "string" ||
    typeof task.name !== "string"
  ) {
    throw new TypeError(
      `Cannot defer ${typeof task} to a worker: pass a TaskRef, such as taskModule(url).name`,
    );
  }
  return futureToDeferred(defaultPool().submit(task.module, task.name, args));
}

/**
 * Runs a task in the given executor and returns a Deferred of its result.
 * Mirrors Twisted's `threads.deferToThreadPool(reactor, threadpool, f,
 * *args)` without the reactor argument: a worker's result comes back as a
 * message on the event loop, so there is no thread to hop back from.
 *
 * @param executor The executor: a `WorkerPoolExecutor`, or any `Executor`.
 *   (Naming the class in the parameter type lets TypeScript infer the task
 *   module's type from it, which it cannot do through the interface alone.)
 * @param task The name of the task in the executor's module.
 * @param args Its arguments.
 * @returns A Deferred of the task's result.
 * @throws {ExecutorShutdownError} The executor was shut down.
 *
 * @example Running a task of your own pool as a Deferred
 * ```ts
 * import { deferToThreadPool, WorkerPoolExecutor } from "@torsion/torsion/executor";
 * const tasks = "data:text/javascript,export const negate = (n) => -n;";
 * await using pool = new WorkerPoolExecutor<{ negate(n: number): number }>(tasks, { maxWorkers: 1 });
 * console.assert((await deferToThreadPool(pool, "negate", 4)) === -4);
 * ```
 */
export function deferToThreadPool<M, K extends TaskName<M>>(
  // Not redundant: TypeScript infers M from a WorkerPoolExecutor<M> by its
  // type argument, but cannot infer it through Executor<M>'s generic methods.
  executor: WorkerPoolExecutor<M> | Executor<M>,
  task: K,
  ...args: TaskArgs<M, K>
): Deferred<TaskResult<M, K>> {
  return futureToDeferred(executor.submit(task, ...args));
}
