/**
 * The errors a Tornado-style handler raises to answer with an error
 * status: `HTTPError`, `MissingArgumentError` and `Finish`, as
 * `tornado.web`.
 *
 * @module
 */
import { RESPONSES } from "../http/_responses.ts";

/** Options of {@linkcode HTTPError}, Tornado's keyword arguments. */
export interface HTTPErrorOptions {
  /**
   * The reason phrase of the status line; needed for a code with no
   * standard phrase.
   * @default the standard phrase of the code
   */
  reason?: string;
}

/**
 * An exception that becomes an HTTP error response, as Tornado's
 * `tornado.web.HTTPError`: throw it from a handler method (or `prepare`)
 * to end the request with `statusCode`. `logMessage` goes to the log
 * (category `["torsion", "web"]`, at warning level, never at error) and is
 * not shown to the client unless the application is in debug mode.
 *
 * @example Answering 404 from a handler
 * ```ts
 * import assert from "node:assert/strict";
 * import { HTTPError } from "@torsion/torsion/web";
 * const error = new HTTPError(404, "no item %s", "42");
 * assert.equal(error.statusCode, 404);
 * assert.equal(error.message, "HTTP 404: Not Found (no item 42)");
 * ```
 */
export class HTTPError extends Error {
  /** The status code to answer with. */
  readonly statusCode: number;
  /** The message for the log, with its `%s` placeholders filled. */
  readonly logMessage: string | undefined;
  /** The reason phrase given, if any. */
  readonly reason: string | undefined;

  /**
   * Creates the error for a status code.
   *
   * @param statusCode The status code.
   * @param logMessage A message for the log; `%s` placeholders are filled
   * from `args` in order.
   * @param args The values of the placeholders, or a final options object.
   * @throws {RangeError} The code is not an integer from 100 to 999, or
   * has no standard phrase and no `reason` is given.
   */
  constructor(
    statusCode = 500,
    logMessage?: string,
    ...args: (string | number | HTTPErrorOptions)[]
  ) {
    const last = args.at(-1);
    const options = typeof last === "object" ? (args.pop(), last) : {};
    if (
      !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999
    ) {
      throw new RangeError(
        `HTTPError status code must be an integer from 100 to 999: current value is ${statusCode}`,
      );
    }
    if (options.reason === undefined && !RESPONSES.has(statusCode)) {
      throw new RangeError(
        `HTTPError needs a reason for a status code without a standard phrase: current value is ${statusCode}`,
      );
    }
    let filled = logMessage;
    if (filled !== undefined && args.length > 0) {
      let index = 0;
      filled = filled.replace(
        /%[sdr%]/g,
        (spec) => spec === "%%" ? "%" : String(args[index++]),
      );
    }
    const phrase = options.reason ?? RESPONSES.get(statusCode)!;
    super(
      filled === undefined
        ? `HTTP ${statusCode}: ${phrase}`
        : `HTTP ${statusCode}: ${phrase} (${filled})`,
    );
    this.name = "HTTPError";
    this.statusCode = statusCode;
    this.logMessage = filled;
    this.reason = options.reason;
  }
}

/**
 * A required argument is missing: `getArgument(name)` without a default
 * throws it, and it answers 400. Tornado's
 * `tornado.web.MissingArgumentError`.
 *
 * @example The 400 a missing argument gives
 * ```ts
 * import assert from "node:assert/strict";
 * import { MissingArgumentError } from "@torsion/torsion/web";
 * const error = new MissingArgumentError("q");
 * assert.equal(error.statusCode, 400);
 * assert.equal(error.argName, "q");
 * ```
 */
export class MissingArgumentError extends HTTPError {
  /** The name of the missing argument. */
  readonly argName: string;

  /**
   * Creates the error for a missing argument.
   *
   * @param argName The name of the missing argument.
   */
  constructor(argName: string) {
    super(400, `Missing argument ${argName}`);
    this.name = "MissingArgumentError";
    this.argName = argName;
  }
}

/**
 * Ends the request without an error: thrown from a handler, the response
 * is finished as it stands (with `finish()` if the handler had not).
 * Tornado's `tornado.web.Finish`; `new Finish(chunk)` also writes `chunk`.
 *
 * @example Ending early
 * ```ts
 * import assert from "node:assert/strict";
 * import { Finish } from "@torsion/torsion/web";
 * assert.equal(new Finish("bye").chunk, "bye");
 * ```
 */
export class Finish extends Error {
  /** What to write before finishing, if anything. */
  readonly chunk: string | Uint8Array | Record<string, unknown> | undefined;

  /**
   * Creates the signal, with what to write first.
   *
   * @param chunk What to write before finishing.
   */
  constructor(chunk?: string | Uint8Array | Record<string, unknown>) {
    super("Finish");
    this.name = "Finish";
    this.chunk = chunk;
  }
}
