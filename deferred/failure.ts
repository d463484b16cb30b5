/**
 * `Failure`: an error travelling down a Deferred's errback chain, as
 * `twisted.python.failure.Failure`.
 *
 * @module
 */
import { stringify } from "../_util/describe.ts";

/**
 * Any class a thrown value can be matched against with `Failure.check` or
 * `Failure.trap` (Twisted matches exception classes): an `Error` subclass,
 * or a built-in such as `String` for thrown strings.
 *
 * @example Accepting a list of error classes
 * ```ts
 * import { type ErrorClass, Failure } from "@torsion/torsion/deferred";
 * const retryable: ErrorClass[] = [RangeError, String];
 * console.assert(new Failure("busy").check(...retryable) === String);
 * ```
 */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/**
 * Wraps whatever was thrown (or passed to `errback`) so that it can travel
 * down an errback chain with its traceback. Mirrors Twisted's `Failure`:
 * errbacks receive one, inspect it with `check`, filter it with `trap`, and
 * re-raise it with `raiseException`.
 *
 * @example Filtering errors in an errback
 * ```ts
 * import { Deferred, Failure } from "@torsion/torsion/deferred";
 * const d = new Deferred<string>();
 * d.addErrback((failure: Failure) => {
 *   failure.trap(RangeError); // anything else keeps failing down the chain
 *   return "recovered";
 * });
 * d.errback(new RangeError("out of range"));
 * ```
 */
export class Failure {
  /** The thrown value, exactly as thrown (non-`Error` values are kept as they are). */
  readonly value: unknown;
  /**
   * The class of `value`: its constructor for objects, the wrapper class
   * (`String`, `Number`, …) for primitives, `Object` for null and undefined.
   */
  readonly type: ErrorClass;

  /**
   * Wraps a thrown value. A `Failure` passed in is not wrapped twice: use
   * {@linkcode Failure.from} for that case.
   *
   * @param value The thrown value.
   */
  constructor(value: unknown) {
    this.value = value;
    this.type = typeOf(value);
  }

  /**
   * Returns `value` itself when it is already a `Failure`, a new `Failure`
   * wrapping it otherwise.
   *
   * @param value A thrown value or a Failure.
   * @returns The Failure for it.
   *
   * @example Not wrapping twice
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * const f = new Failure(new Error("x"));
   * console.assert(Failure.from(f) === f);
   * ```
   */
  static from(value: unknown): Failure {
    return value instanceof Failure ? value : new Failure(value);
  }

  /**
   * Returns the first of `errorClasses` that `value` is an instance of, or
   * `null`. Mirrors `Failure.check`.
   *
   * @param errorClasses The classes to match.
   * @returns The matching class, or `null`.
   *
   * @example Testing the error type
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * const f = new Failure(new TypeError("bad"));
   * console.assert(f.check(RangeError, TypeError) === TypeError);
   * console.assert(f.check(RangeError) === null);
   * ```
   */
  check<C extends ErrorClass>(...errorClasses: C[]): C | null {
    for (const errorClass of errorClasses) {
      if (this.value instanceof errorClass || this.type === errorClass) {
        return errorClass;
      }
    }
    return null;
  }

  /**
   * Returns the matching class, or re-throws this Failure so the errback
   * chain goes on failing. Mirrors `Failure.trap`.
   *
   * @param errorClasses The classes the errback handles.
   * @returns The matching class.
   * @throws {Failure} This Failure, when no class matches.
   *
   * @example Handling only some errors
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * const f = new Failure(new RangeError("x"));
   * console.assert(f.trap(RangeError) === RangeError);
   * ```
   */
  trap<C extends ErrorClass>(...errorClasses: C[]): C {
    const matched = this.check(...errorClasses);
    if (matched === null) throw this;
    return matched;
  }

  /**
   * Throws the original value. Mirrors `Failure.raiseException`.
   *
   * @throws {unknown} `value`, always.
   *
   * @example Re-throwing the original error
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * try { new Failure(new Error("x")).raiseException(); } catch (e) {
   *   console.assert((e as Error).message === "x");
   * }
   * ```
   */
  raiseException(): never {
    throw this.value;
  }

  /**
   * The error's message, or the value as a string; never throws. Mirrors
   * `Failure.getErrorMessage`.
   *
   * @returns The message.
   *
   * @example Reading the message
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * console.assert(new Failure(new Error("boom")).getErrorMessage() === "boom");
   * console.assert(new Failure(42).getErrorMessage() === "42");
   * ```
   */
  getErrorMessage(): string {
    if (this.value instanceof Error) {
      // Reports of lost errors rely on this: it never throws, even for an
      // error whose `message` is a throwing getter.
      try {
        return String(this.value.message);
      } catch {
        // Described by its tag below.
      }
    }
    return stringify(this.value);
  }

  /**
   * The traceback: the error's stack when it has one, otherwise its type and
   * message; never throws. Mirrors `Failure.getTraceback`.
   *
   * @returns The traceback text.
   *
   * @example Reading the traceback
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * console.assert(new Failure(new Error("boom")).getTraceback().includes("boom"));
   * ```
   */
  getTraceback(): string {
    // Formatting a stack is costly, so it happens only when asked for: V8
    // captured the frames when the error was created.
    let stack: unknown;
    try {
      stack = this.value instanceof Error ? this.value.stack : undefined;
    } catch {
      // A throwing `stack` getter: fall back to type and message.
    }
    if (typeof stack === "string") return stack;
    return `${this.type.name}: ${this.getErrorMessage()}`;
  }

  /**
   * A one-line description, as Twisted's `repr(failure)`.
   *
   * @returns `[Failure instance: <type>: <message>]`.
   *
   * @example Describing a Failure
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * console.assert(String(new Failure(new TypeError("x"))).includes("TypeError"));
   * ```
   */
  toString(): string {
    return `[Failure instance: ${this.type.name}: ${this.getErrorMessage()}]`;
  }
}

function typeOf(value: unknown): ErrorClass {
  if (value === null || value === undefined) return Object;
  const constructor = (Object(value) as { constructor?: unknown }).constructor;
  return typeof constructor === "function" ? constructor as ErrorClass : Object;
}
