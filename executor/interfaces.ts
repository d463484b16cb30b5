/**
 * The types that make task names type-checked: which exports of a task
 * module are tasks, what they take and what they return, and the `Executor`
 * interface. Types only.
 *
 * @module
 */
import type { Future } from "./future.ts";

/**
 * Any function: what a task module must export under a task's name, where
 * Python's `submit(fn, *args)` takes any callable.
 *
 * @example A task's type
 * ```ts
 * import type { TaskFunction } from "@torsion/torsion/executor";
 * const square: TaskFunction = (n: number) => n * n;
 * ```
 */
export type TaskFunction = (...args: never[]) => unknown;

/**
 * The type of a task module when none is given: any name, any arguments,
 * an `unknown` result, as loose as Python's `submit`. Pass
 * `typeof import("./tasks.ts")` instead to have names and arguments checked.
 *
 * @example An unchecked pool
 * ```ts
 * import { type AnyTaskModule, WorkerPoolExecutor } from "@torsion/torsion/executor";
 * await using pool = new WorkerPoolExecutor<AnyTaskModule>("data:text/javascript,export const id = (x) => x;");
 * const value: unknown = await pool.submit("id", 1);
 * ```
 */
export type AnyTaskModule = Record<string, (...args: unknown[]) => unknown>;

/**
 * The names of the function exports of the task module type `M`: what
 * `submit` takes where Python's `Executor.submit(fn, *args)` takes `fn`.
 *
 * @typeParam M The type of the task module, as `typeof import("./tasks.ts")`.
 *
 * @example Only function exports are task names
 * ```ts
 * import type { TaskName } from "@torsion/torsion/executor";
 * type Tasks = { fib(n: number): number; VERSION: string };
 * const name: TaskName<Tasks> = "fib"; // "VERSION" would not compile
 * ```
 */
export type TaskName<M> =
  & { [K in keyof M]-?: M[K] extends TaskFunction ? K : never }[keyof M]
  & string;

/**
 * The parameters of task `K` of the task module type `M`: the `*args` of
 * Python's `Executor.submit(fn, *args)`, checked.
 *
 * @example The parameters of a task
 * ```ts
 * import type { TaskArgs } from "@torsion/torsion/executor";
 * type Tasks = { add(a: number, b: number): number };
 * const args: TaskArgs<Tasks, "add"> = [1, 2];
 * ```
 */
export type TaskArgs<M, K extends TaskName<M>> = M[K] extends
  (...args: infer A) => unknown ? A
  : never;

/**
 * What task `K` of the task module type `M` resolves to: its return type,
 * unwrapped from a Promise when the task is async; what Python's
 * `Future.result()` returns.
 *
 * @example An async task's result is unwrapped
 * ```ts
 * import type { TaskResult } from "@torsion/torsion/executor";
 * type Tasks = { load(path: string): Promise<Uint8Array> };
 * const bytes: TaskResult<Tasks, "load"> = new Uint8Array();
 * ```
 */
export type TaskResult<M, K extends TaskName<M>> = M[K] extends
  (...args: never[]) => infer R ? Awaited<R>
  : never;

/**
 * The type of each item `map` passes to task `K` (the items of Python's
 * `Executor.map(fn, iterable)`): its first parameter, when
 * the task can be called with that one argument; `never` otherwise, so that
 * mapping a task that needs more arguments does not compile.
 *
 * @example The item type of map
 * ```ts
 * import type { MapItem } from "@torsion/torsion/executor";
 * type Tasks = { square(n: number): number; add(a: number, b: number): number };
 * const item: MapItem<Tasks, "square"> = 3; // MapItem<Tasks, "add"> is never
 * ```
 */
export type MapItem<M, K extends TaskName<M>> = [TaskArgs<M, K>[0]] extends
  TaskArgs<M, K> ? TaskArgs<M, K>[0]
  : never;

/**
 * A reference to one task of one module, made by `taskModule`: what
 * `deferToThread` takes where Twisted takes a callable.
 *
 * @typeParam F The task's signature.
 *
 * @example A reference to one task
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskModule, type TaskRef } from "@torsion/torsion/executor";
 * const tasks = taskModule<{ fib(n: number): number }>("data:text/javascript,export const fib = (n) => n;");
 * const fib: TaskRef<(n: number) => number> = tasks.fib;
 * assert.equal(fib.name, "fib");
 * ```
 */
export interface TaskRef<F extends TaskFunction> {
  /** The URL of the module the task is exported from. */
  readonly module: string;
  /** The name it is exported under. */
  readonly name: string;
  /** Never set: carries the task's signature for the type checker. */
  readonly signature?: F;
}

/**
 * Options for `Executor.map`: the `timeout` and `chunksize` keyword
 * arguments of Python's `Executor.map`.
 *
 * @example Sending items in chunks of 100, with a deadline
 * ```ts
 * import type { MapOptions } from "@torsion/torsion/executor";
 * const options: MapOptions = { chunksize: 100, timeout: 30 };
 * ```
 */
export interface MapOptions {
  /**
   * How many items go to a worker in one message. Larger chunks cut the
   * messaging cost of long inputs of small tasks, as in Python's
   * `ProcessPoolExecutor.map`; an error then fails the whole chunk.
   *
   * @default {1}
   */
  chunksize?: number;
  /**
   * Seconds, counted from the call to `map`, after which waiting for the
   * next result rejects with `TimeoutError` and the remaining tasks are
   * cancelled.
   *
   * @default {Infinity}
   */
  timeout?: number;
}

/**
 * Options for `Executor.shutdown`: the `wait` and `cancel_futures` keyword
 * arguments of Python's `Executor.shutdown`.
 *
 * @example Dropping the queued work and not waiting for the rest
 * ```ts
 * import type { ShutdownOptions } from "@torsion/torsion/executor";
 * const options: ShutdownOptions = { wait: false, cancelFutures: true };
 * ```
 */
export interface ShutdownOptions {
  /**
   * Whether the returned Promise waits until every pending and running task
   * is done and every worker is gone. When `false` it resolves at once, and
   * the tasks still complete in the background.
   *
   * @default {true}
   */
  wait?: boolean;
  /**
   * Whether to cancel the tasks that have not started yet.
   *
   * @default {false}
   */
  cancelFutures?: boolean;
}

/**
 * Runs the tasks of one task module elsewhere and hands back Futures.
 * Mirrors Python's `concurrent.futures.Executor`; `WorkerPoolExecutor`
 * implements it, and code that only submits work (Tornado's
 * `IOLoop.runInExecutor`) should accept this interface.
 *
 * @typeParam M The type of the task module.
 *
 * @example Accepting any executor
 * ```ts
 * import type { Executor, Future } from "@torsion/torsion/executor";
 * function double(executor: Executor<{ double(n: number): number }>): Future<number> {
 *   return executor.submit("double", 21);
 * }
 * ```
 */
export interface Executor<M> {
  /**
   * Schedules `task(...args)` and returns its Future.
   *
   * @throws {ExecutorShutdownError} The executor was shut down.
   */
  submit<K extends TaskName<M>>(
    task: K,
    ...args: TaskArgs<M, K>
  ): Future<TaskResult<M, K>>;
  /**
   * Runs `task` on every item and yields the results in input order.
   *
   * @throws {ExecutorShutdownError} The executor was shut down.
   */
  map<K extends TaskName<M>>(
    task: K,
    items: Iterable<MapItem<M, K>>,
    options?: MapOptions,
  ): AsyncIterableIterator<TaskResult<M, K>>;
  /** Refuses new tasks and releases the workers. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}
