/**
 * The process-wide pool behind `deferToThread`, as the reactor's thread pool
 * is behind Twisted's. Created on first use; its workers end as soon as it
 * runs out of work, so that an idle default pool never keeps the process
 * alive.
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

/** Sets the size of the default pool, now and for later ones. */
export function setDefaultPoolSize(size: number): void {
  suggestedSize = checkMaxWorkers(size, "the default pool size");
  pool?.setMaxWorkers(size);
}

/** Shuts the default pool down, waiting for its tasks; the next use makes a new one. */
export function shutdownDefault(): Promise<void> {
  const current = pool;
  pool = null;
  return current === null ? Promise.resolve() : current.shutdown(true, false);
}
