/**
 * `inlineCallbacks`: sequential-looking code over Deferreds, written as a
 * generator, as `twisted.internet.defer.inlineCallbacks`.
 *
 * @module
 */
import type { Deferred } from "./deferred.ts";
import { driveGenerator, isGenerator } from "./_drive_generator.ts";
import { describeValue } from "../_util/describe.ts";

/**
 * The type of a generator that `inlineCallbacks` drives and that returns
 * `R`: it may yield anything, and gets back `unknown` from a bare `yield`
 * (use `yield* wait(d)` for a typed result). Handy as the explicit return
 * type of a `function*`.
 *
 * @typeParam R What the generator returns.
 *
 * @example Annotating a generator function
 * ```ts
 * import {
 *   type InlineCallbacksGenerator,
 *   inlineCallbacks,
 *   succeed,
 *   wait,
 * } from "@torsion/torsion/deferred";
 * const double = inlineCallbacks(
 *   function* (n: number): InlineCallbacksGenerator<number> {
 *     return 2 * (yield* wait(succeed(n)));
 *   },
 * );
 * double(4).addCallback((v) => console.assert(v === 8));
 * ```
 */
export type InlineCallbacksGenerator<R = unknown> = Generator<
  unknown,
  R,
  unknown
>;

/**
 * Turns a generator function into a function returning a Deferred of what
 * the generator returns. Mirrors Twisted's `inlineCallbacks`.
 *
 * Inside the generator, `yield` a Deferred (or a Promise) to wait for it:
 * the `yield` expression evaluates to its result, and a failure throws its
 * original error at the `yield`, so ordinary `try`/`catch` handles it. Any
 * other yielded value comes straight back. `return` fires the returned
 * Deferred (there is no `returnValue`); an error escaping the generator
 * errbacks it. Use `yield* wait(d)` instead of `yield d` to have the result
 * typed.
 *
 * Unlike an `async` function, the generator runs synchronously for as long
 * as what it yields has already fired, and resumes inside the callback of
 * the Deferred it waited for, with no trip through the microtask queue.
 * Already-fired Deferreds are consumed in a loop, so a generator may yield
 * any number of them without growing the stack.
 *
 * Cancelling the returned Deferred cancels the Deferred the generator is
 * waiting on, which usually throws `CancelledError` in at the `yield`; a
 * generator that catches it may go on, and the returned Deferred fires with
 * whatever the generator does next.
 *
 * @typeParam This The type of `this` inside the generator.
 * @typeParam A The arguments.
 * @typeParam R What the generator returns.
 * @param fn A generator function (`function*`).
 * @returns A function with the same arguments returning a Deferred of the
 *   generator's return value.
 * @throws {TypeError} `fn` is not a function; the returned function throws
 *   it when `fn` does not return a generator.
 *
 * @example Waiting for Deferreds in sequence
 * ```ts
 * import { inlineCallbacks, succeed, wait } from "@torsion/torsion/deferred";
 * const add = inlineCallbacks(function* (a: number) {
 *   const b = yield* wait(succeed(2)); // b: number
 *   return a + b;
 * });
 * add(1).addCallback((sum) => console.assert(sum === 3));
 * ```
 */
export function inlineCallbacks<This, A extends unknown[], R>(
  fn: (this: This, ...args: A) => InlineCallbacksGenerator<R>,
): (this: This, ...args: A) => Deferred<Awaited<R>> {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot apply inlineCallbacks: expected a generator function, current value is ${
        describeValue(fn)
      }`,
    );
  }
  return function (this: This, ...args: A): Deferred<Awaited<R>> {
    const gen: unknown = fn.apply(this, args);
    if (!isGenerator(gen)) {
      throw new TypeError(
        `Cannot run inlineCallbacks: ${
          fn.name || "the function"
        } must return a generator, current value is ${describeValue(gen)}`,
      );
    }
    return driveGenerator(gen as InlineCallbacksGenerator<R>);
  };
}

/**
 * Waits for a Deferred, Promise or plain value inside an `inlineCallbacks`
 * generator, with its result typed: `const x = yield* wait(d)` gives `x`
 * the type of `d`'s result, where a bare `yield d` gives `unknown`. A
 * failure throws its original error at the `yield*`.
 *
 * @typeParam T The type of the result.
 * @param awaitable What to wait for.
 * @returns A generator to delegate to with `yield*`; it yields `awaitable`
 *   once and returns its result.
 *
 * @example Typed results in a generator
 * ```ts
 * import { Deferred, inlineCallbacks, wait } from "@torsion/torsion/deferred";
 * const d = new Deferred<string>();
 * const shout = inlineCallbacks(function* () {
 *   const word = yield* wait(d);
 *   return word.toUpperCase();
 * });
 * shout().addCallback((loud) => console.assert(loud === "HI"));
 * d.callback("hi");
 * ```
 */
export function* wait<T>(
  awaitable: Deferred<T> | PromiseLike<T> | T,
): Generator<Deferred<T> | PromiseLike<T> | T, T, unknown> {
  return (yield awaitable) as T;
}
