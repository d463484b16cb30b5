/**
 * Recognising thenables, as Promises/A+ defines them.
 *
 * @module
 */

/** Whether `value` has a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
