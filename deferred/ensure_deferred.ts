/**
 * `ensureDeferred`: a Deferred from a Promise, a generator or a Deferred, as
 * `twisted.internet.defer.ensureDeferred`.
 *
 * @module
 */
import { type Deferred, toDeferred } from "./deferred.ts";
import { driveGenerator, isGenerator } from "./_drive_generator.ts";
import { describeValue } from "../_util/describe.ts";

/**
 * Returns a Deferred for whatever asynchronous shape `coroutine` has.
 * Mirrors Twisted's `ensureDeferred`, where coroutines become Deferreds: here
 * a Promise (or any thenable) is followed as `Deferred.fromPromise` does, a
 * generator object is driven as `inlineCallbacks` drives it, and a Deferred
 * is returned as it is. Use it at the boundary where `async` code hands its
 * result to Deferred-based code.
 *
 * @typeParam T The type of the result.
 * @param coroutine A Promise, a generator object or a Deferred.
 * @returns A Deferred of the result; the same object for a Deferred.
 * @throws {TypeError} `coroutine` is none of these.
 *
 * @example Handing an async function's result to Deferred code
 * ```ts
 * import { ensureDeferred } from "@torsion/torsion/deferred";
 * async function answer(): Promise<number> {
 *   return 42;
 * }
 * const d = ensureDeferred(answer());
 * console.assert((await d) === 42);
 * ```
 */
export function ensureDeferred<T>(
  coroutine: Deferred<T> | PromiseLike<T> | Generator<unknown, T, unknown>,
): Deferred<Awaited<T>> {
  const d = toDeferred(coroutine);
  if (d !== null) return d as Deferred<Awaited<T>>;
  if (isGenerator(coroutine)) {
    return driveGenerator(coroutine as Generator<unknown, T, unknown>);
  }
  throw new TypeError(
    `Cannot ensure a Deferred: expected a Promise, a generator or a Deferred, current value is ${
      describeValue(coroutine)
    }`,
  );
}
