/**
 * Typed assertions over `node:assert/strict` for the HTTP tests: the
 * `asserts` signatures let TypeScript narrow after a check.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Asserts that `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Asserts deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts that `value` is an instance of `type`. */
export function assertInstanceOf<T>(
  value: unknown,
  // deno-lint-ignore no-explicit-any
  type: abstract new (...args: any[]) => T,
  message?: string,
): asserts value is T {
  nodeAssert.ok(
    value instanceof type,
    message ?? `Expected an instance of ${type.name}, got ${String(value)}`,
  );
}

/** Asserts that `fn` throws (an instance of `type`, if given); returns what it threw. */
export function assertThrows<T = unknown>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  type?: abstract new (...args: any[]) => T,
  messageIncludes?: string,
): T {
  try {
    fn();
  } catch (error) {
    if (type !== undefined) assertInstanceOf(error, type);
    if (messageIncludes !== undefined) {
      nodeAssert.ok(
        (error as Error).message.includes(messageIncludes),
        `Expected the message to include ${
          JSON.stringify(messageIncludes)
        }, got ${JSON.stringify((error as Error).message)}`,
      );
    }
    return error as T;
  }
  throw new nodeAssert.AssertionError({
    message: "Expected the function to throw",
  });
}
