/**
 * The errors of Tornado's stream layer (`tornado.iostream`): what a read or
 * write on an `IOStream` fails with when the stream is closed, its buffer
 * is full, or a read cannot be satisfied.
 *
 * @module
 */

/**
 * The stream is closed: a read or write on it cannot complete. Mirrors
 * Tornado's `iostream.StreamClosedError`; `realError` holds what closed it
 * when it was not a clean close.
 *
 * @example Telling a clean close from a lost connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamClosedError } from "@torsion/torsion/reactor";
 * const error = new StreamClosedError(new Error("reset"));
 * assert.equal(error.realError?.message, "reset");
 * ```
 */
export class StreamClosedError extends Error {
  /** What closed the stream, or `null` for a clean close. */
  readonly realError: Error | null;

  /**
   * Creates the error.
   *
   * @param realError What closed the stream, or `null` for a clean close.
   */
  constructor(realError: Error | null = null) {
    super(
      realError === null
        ? "Stream is closed"
        : `Stream is closed: ${realError.message}`,
      realError === null ? undefined : { cause: realError },
    );
    this.name = "StreamClosedError";
    this.realError = realError;
  }
}

/**
 * A read cannot be satisfied: `readUntil` or `readUntilRegex` did not find
 * its delimiter within `maxBytes`. The stream is closed. Mirrors Tornado's
 * `iostream.UnsatisfiableReadError`.
 *
 * @example Naming the error
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsatisfiableReadError } from "@torsion/torsion/reactor";
 * assert.equal(new UnsatisfiableReadError("too long").name, "UnsatisfiableReadError");
 * ```
 */
export class UnsatisfiableReadError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which read, and the limit it passed.
   */
  constructor(message: string) {
    super(message);
    this.name = "UnsatisfiableReadError";
  }
}

/**
 * The read buffer passed `maxBufferSize` before the pending read was
 * satisfied. The stream is closed. Mirrors Tornado's
 * `iostream.StreamBufferFullError`.
 *
 * @example Naming the error
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamBufferFullError } from "@torsion/torsion/reactor";
 * assert.equal(new StreamBufferFullError(10).name, "StreamBufferFullError");
 * ```
 */
export class StreamBufferFullError extends Error {
  /**
   * Creates the error.
   *
   * @param maxBufferSize The limit that was reached, in bytes.
   */
  constructor(maxBufferSize: number) {
    super(
      `Reached maximum read buffer size: the limit is ${maxBufferSize} bytes`,
    );
    this.name = "StreamBufferFullError";
  }
}
