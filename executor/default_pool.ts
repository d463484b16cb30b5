/**
 * The process-wide pool behind `deferToThread`, as the reactor's thread pool
 * is behind Twisted's, and its sizing and shutdown: the counterparts of
 * Twisted's `reactor.suggestThreadPoolSize` and of the reactor stopping its
 * thread pool at shutdown. The pool is created on first use; its workers end
 * as soon as it runs out of work, so that an idle default pool never keeps
 * the process alive.
 *
 * @module
 */
import { checkMaxWorkers, TaskPool } from "./_pool.ts";

let pool: TaskPool | null = null;
let suggestedSize: number | null = null;
let generation = 0;

/** The default pool, created (again, after a shutdown) when needed. */
export function defaultPool(): TaskPool {
  if (pool === null) {
    pool = new TaskPool({
      label: `DefaultWorkerPool-${generation++}`,
      maxWorkers: suggestedSize ?? navigator.hardwareConcurrency,
      idleTimeout: 0,
    });
  }
  return pool;
}

/**
 * Sets how many workers the default pool may run at once. Mirrors Twisted's
 * `reactor.suggestThreadPoolSize`, which the reactor's method of that name
 * delegates to. It takes effect at once: more workers start if tasks are
 * waiting, and surplus ones are terminated as they become idle. The default
 * size is `navigator.hardwareConcurrency` (Twisted's is 10 threads; workers
 * are for CPU-bound work, so more than one per core only adds switching).
 *
 * @param size The most workers alive at once.
 * @throws {RangeError} `size` is not a positive integer.
 *
 * @example Capping the default pool at two workers
 * ```ts
 * import { suggestThreadPoolSize } from "@torsion/torsion/executor";
 * suggestThreadPoolSize(2);
 * ```
 */
export function suggestThreadPoolSize(size: number): void {
  suggestedSize = checkMaxWorkers(size, "the default pool size");
  pool?.setMaxWorkers(size);
}

/**
 * Shuts the default pool down: waits for the tasks already given to
 * `deferToThread`, then terminates its workers. The counterpart of the
 * reactor stopping its thread pool at shutdown in Twisted. A later
 * `deferToThread` starts a fresh pool, so tests call this in `finally` (the
 * default pool's workers would otherwise trip the sanitizers). The default
 * pool ends idle workers by itself, so programs need not call it.
 *
 * @returns A Promise that resolves once every worker is gone.
 *
 * @example Releasing the default pool's workers in a test
 * ```ts
 * import { deferToThread, shutdownDefaultPool, taskModule } from "@torsion/torsion/executor";
 * const tasks = taskModule<{ triple(n: number): number }>(
 *   "data:text/javascript,export const triple = (n) => n * 3;",
 * );
 * try {
 *   console.assert((await deferToThread(tasks.triple, 5)) === 15);
 * } finally {
 *   await shutdownDefaultPool();
 * }
 * ```
 */
export function shutdownDefaultPool(): Promise<void> {
  const current = pool;
  pool = null;
  return current === null ? Promise.resolve() : current.shutdown(true, false);
}
