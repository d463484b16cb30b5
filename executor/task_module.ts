/**
 * `taskModule`: typed references to the tasks of a module, for
 * `deferToThread`.
 *
 * @module
 */
import { absoluteUrl } from "./_pool.ts";
import type {
  AnyTaskModule,
  TaskFunction,
  TaskName,
  TaskRef,
} from "./interfaces.ts";

/**
 * A `TaskRef` for each function export of the task module type `M`, made by
 * `taskModule`: what stands in for the module object whose functions
 * Twisted's `deferToThread(module.f)` would take.
 *
 * @example The references of a two-task module
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskModule, type TaskModule } from "@torsion/torsion/executor";
 * type Tasks = { fib(n: number): number; hash(text: string): string };
 * const tasks: TaskModule<Tasks> = taskModule<Tasks>("data:text/javascript,export const fib = (n) => n;");
 * assert.equal(tasks.hash.name, "hash");
 * ```
 */
export type TaskModule<M> = {
  readonly [K in TaskName<M>]: TaskRef<Extract<M[K], TaskFunction>>;
};

/**
 * Returns an object whose properties are references to the tasks a module
 * exports: `taskModule<typeof import("./tasks.ts")>(url).fib` is a
 * `TaskRef` to `fib`. Twisted's `deferToThread(f, *args)` takes the
 * function itself; a Deno worker cannot receive a function, only the URL of
 * the module that exports it and the name, which is what a `TaskRef` holds,
 * with the function's type. Nothing is imported in the calling thread.
 *
 * @param url The task module: `new URL("./tasks.ts", import.meta.url)` or an
 *   absolute URL string.
 * @returns An object of `TaskRef`s, one per property read.
 * @throws {TypeError} `url` is not an absolute URL.
 *
 * @example Referring to a task for deferToThread
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskModule } from "@torsion/torsion/executor";
 * const tasks = taskModule<{ fib(n: number): number }>(
 *   "data:text/javascript,export const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));",
 * );
 * assert.equal(tasks.fib.name, "fib");
 * ```
 */
export function taskModule<M = AnyTaskModule>(
  url: string | URL,
): TaskModule<M> {
  const module = absoluteUrl(url);
  const refs = new Map<string, TaskRef<TaskFunction>>();
  return new Proxy(Object.freeze({}), {
    get(_target, key): TaskRef<TaskFunction> | undefined {
      if (typeof key !== "string") return undefined;
      let ref = refs.get(key);
      if (ref === undefined) {
        ref = Object.freeze({ module, name: key });
        refs.set(key, ref);
      }
      return ref;
    },
  }) as TaskModule<M>;
}
