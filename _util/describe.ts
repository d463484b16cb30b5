/**
 * Describing arbitrary values in messages, and the argument check that uses
 * it.
 *
 * @module
 */

/** `String(value)`, or the value's tag when its `toString` throws. */
export function stringify(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * `value` as error messages show it: strings quoted, anything else as
 * {@linkcode stringify} gives it.
 */
export function describeValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : stringify(value);
}

/** A function's name as messages show it: `<anonymous>` when it has none. */
export function functionName(fn: (...args: never[]) => unknown): string {
  return fn.name === "" ? "<anonymous>" : fn.name;
}

/**
 * Throws a `TypeError` naming `fn` unless it is a function; `method` is the
 * method or function that was called, for the message (the same message as
 * the reactor's argument checks).
 */
export function requireFunction(fn: unknown, method: string): void {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot call ${method} with a non-function: current value is ${
        describeValue(fn)
      }`,
    );
  }
}
