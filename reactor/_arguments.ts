/**
 * Argument checks shared by the reactor, `Clock`, `MemoryReactor` and
 * `IOLoop`, so that the same misuse gets the same message everywhere, and
 * the defaults both reactors apply to omitted TCP options.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";

/** Twisted's default listen backlog, for both reactors. */
export const DEFAULT_BACKLOG = 50;
/** Twisted's default connect timeout, in seconds, for both reactors. */
export const DEFAULT_TIMEOUT = 30;

// The Deferred layer's check, so that misuse reads the same in every layer.
export { requireFunction } from "../_util/describe.ts";

/**
 * Throws a `RangeError` naming `value` unless it is a finite number.
 *
 * @param value The number passed.
 * @param method The method that was called, for the message.
 * @param what What the number is ("delay", "time"), for the message.
 * @throws {RangeError} `value` is not a finite number.
 */
export function requireFinite(
  value: number,
  method: string,
  what: string,
): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(
      `Cannot call ${method} with a non-finite ${what}: current value is ${
        describeValue(value)
      }`,
    );
  }
}

/**
 * Rejects delays that would make a call run in the past or never.
 *
 * @param seconds The delay passed.
 * @param method The method that was called, for the message.
 * @throws {RangeError} `seconds` is negative or not a finite number.
 */
export function requireDelay(seconds: number, method: string): void {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new RangeError(
      `Cannot call ${method} with a non-finite delay: current value is ${seconds}`,
    );
  }
  if (seconds < 0) {
    throw new RangeError(
      `Cannot call ${method} with a negative delay: current value is ${seconds}`,
    );
  }
}
