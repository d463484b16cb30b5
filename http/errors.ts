/**
 * The wire-level errors that the request and the response parser share:
 * bytes that are not valid HTTP/1.1 (`ParseError`, Twisted's
 * `_newclient.ParseError` and Tornado's `HTTPInputError`), a body cut short
 * (`DataLoss`, Twisted's `_DataLoss`) and a body over the size limit
 * (`BodyTooLargeError`, Tornado's `max_body_size`).
 *
 * The client's own families live apart: Twisted's web-client errors in
 * `client_errors.ts`, Tornado's `HTTPClientError` family in
 * `http_client_error.ts`.
 *
 * @module
 */

/**
 * Received bytes that are not valid HTTP/1.1: a malformed status line or
 * header field, conflicting `Content-Length` values, a bad chunk size, a
 * response head larger than `maxHeaderSize`. Mirrors Twisted's
 * `_newclient.ParseError` (and Tornado's `HTTPInputError`).
 *
 * The parser never throws it alone: it is the reason inside a
 * {@linkcode ResponseFailed}, as in Twisted.
 *
 * @example Reading the offending line
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParseError } from "@torsion/torsion/http";
 * const error = new ParseError('Invalid status code: current value is "2x0"', "HTTP/1.1 2x0 OK");
 * assert.equal(error.data, "HTTP/1.1 2x0 OK");
 * ```
 */
export class ParseError extends Error {
  /** The line (or bytes, decoded as latin-1) that could not be parsed; may be empty. */
  readonly data: string;

  /**
   * Creates the error.
   *
   * @param message What is wrong, stating the value.
   * @param data The offending input, decoded as latin-1.
   */
  constructor(message: string, data = "") {
    super(message);
    this.name = "ParseError";
    this.data = data;
  }
}

/**
 * The connection closed before a response body framed by `Content-Length`
 * or chunked encoding was complete: the body is truncated. Mirrors Twisted's
 * `twisted.web.http._DataLoss`; the client turns it into a
 * {@linkcode PartialDownloadError} when it has buffered the body.
 *
 * A close-delimited body (no `Content-Length`, no chunked encoding) ending on
 * close is not a `DataLoss`: that is how such a body ends.
 *
 * @example Reporting a truncated body
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataLoss } from "@torsion/torsion/http";
 * const error = new DataLoss(10, 100);
 * assert.equal(error.received, 10);
 * assert.equal(error.expected, 100);
 * ```
 */
export class DataLoss extends Error {
  /** How many body bytes arrived before the close. */
  readonly received: number;
  /** The `Content-Length`, or `null` for a chunked body. */
  readonly expected: number | null;

  /**
   * Creates the error.
   *
   * @param received How many body bytes arrived.
   * @param expected The declared length, or `null` for a chunked body.
   */
  constructor(received: number, expected: number | null) {
    super(
      expected === null
        ? `Connection closed before the chunked response body was complete: received ${received} bytes`
        : `Connection closed before the response body was complete: received ${received} of ${expected} bytes`,
    );
    this.name = "DataLoss";
    this.received = received;
    this.expected = expected;
  }
}

/**
 * The response body is larger than the client's `maxBodySize`, either as
 * declared by `Content-Length` or as counted while it streams in. Mirrors the
 * "Content-Length too long" / "chunked body too large" errors of Tornado's
 * `HTTP1Connection` (`max_body_size`).
 *
 * @example Reporting a body over the limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { BodyTooLargeError } from "@torsion/torsion/http";
 * const error = new BodyTooLargeError(1024, 4096);
 * assert.equal(error.maxBodySize, 1024);
 * assert.equal(error.size, 4096);
 * ```
 */
export class BodyTooLargeError extends Error {
  /** The limit that was exceeded, in bytes. */
  readonly maxBodySize: number;
  /** The declared length, or the bytes counted when the limit was crossed. */
  readonly size: number;

  /**
   * Creates the error.
   *
   * @param maxBodySize The limit, in bytes.
   * @param size The declared or counted body size, in bytes.
   */
  constructor(maxBodySize: number, size: number) {
    super(
      `Response body exceeds maxBodySize: limit is ${maxBodySize} bytes, body has at least ${size}`,
    );
    this.name = "BodyTooLargeError";
    this.maxBodySize = maxBodySize;
    this.size = size;
  }
}
