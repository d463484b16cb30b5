/**
 * Describing arbitrary values in error messages.
 *
 * @module
 */

/**
 * `value` as error messages show it: strings quoted, anything else through
 * `String`, and objects whose `toString` throws by their tag.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
