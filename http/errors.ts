/**
 * The errors of the HTTP client, with the names of the Twisted and Tornado
 * errors they mirror: `twisted.web._newclient` (`ResponseFailed`,
 * `ResponseNeverReceived`, `RequestTransmissionFailed`, `ParseError`),
 * `twisted.web.error` (`PageError` for `Error`), `twisted.web.client`
 * (`PartialDownloadError`) and `tornado.httpclient` (`HTTPClientError`,
 * `HTTPTimeoutError`, `HTTPStreamClosedError`).
 *
 * The two families stay apart, as in the originals: the Twisted-style
 * `Agent` fails its Deferreds with a `ResponseFailed` whose `reasons` say
 * what went wrong (a `ParseError`, a `DataLoss`, a `BodyTooLargeError`, the
 * transport's `ConnectionLost`, ...), and the Tornado-style
 * `AsyncHTTPClient` raises an `HTTPClientError` with a `code` (599 for
 * timeouts and transport errors).
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import { reasonPhrase } from "./_responses.ts";

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
 * import { ParseError } from "@torsion/torsion/http";
 * const error = new ParseError('Invalid status code: current value is "2x0"', "HTTP/1.1 2x0 OK");
 * console.assert(error.data === "HTTP/1.1 2x0 OK");
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
 * import { DataLoss } from "@torsion/torsion/http";
 * const error = new DataLoss(10, 100);
 * console.assert(error.received === 10 && error.expected === 100);
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
 * import { BodyTooLargeError } from "@torsion/torsion/http";
 * const error = new BodyTooLargeError(1024, 4096);
 * console.assert(error.maxBodySize === 1024 && error.size === 4096);
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

/**
 * An error that wraps the Failures that caused it, in `reasons`: the base of
 * {@linkcode ResponseFailed}, {@linkcode RequestTransmissionFailed} and
 * `RequestGenerationFailed`. Mirrors Twisted's
 * `twisted.web._newclient._WrapperException`. Catch it to handle any of
 * those at once; look inside with `reasons.some((r) => r.check(Type))`.
 *
 * Its message is `"<summary>: <reason>; <reason>"`, each reason's message in
 * order, so a logged error says what went wrong underneath.
 *
 * @example Catching any wrapped failure
 * ```ts
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ResponseFailed, WrapperException } from "@torsion/torsion/http";
 * const error: unknown = new ResponseFailed([new Failure(new Error("reset"))]);
 * if (error instanceof WrapperException) {
 *   console.assert(error.reasons.length === 1);
 *   console.assert(error.message === "Response failed: reset");
 * }
 * ```
 */
export class WrapperException extends Error {
  /** The Failures that caused this error, the lowest-level one first. */
  readonly reasons: readonly Failure[];

  /**
   * Creates the error.
   *
   * @param reasons The Failures that caused it; the first is also its `cause`.
   * @param summary What failed, the start of the message.
   */
  constructor(reasons: readonly Failure[], summary = "Failed") {
    super(describeReasons(summary, reasons), { cause: reasons[0]?.value });
    this.name = "WrapperException";
    this.reasons = reasons;
  }
}

function describeReasons(prefix: string, reasons: readonly Failure[]): string {
  if (reasons.length === 0) return prefix;
  return `${prefix}: ${reasons.map((r) => r.getErrorMessage()).join("; ")}`;
}

/**
 * The response to a request was not received completely or correctly: it
 * was malformed, truncated, too large, or the connection was lost while it
 * arrived. Mirrors Twisted's `_newclient.ResponseFailed`.
 *
 * `reasons` holds one or more Failures, the transport's first (for example
 * `ConnectionLost`), then the HTTP layer's ({@linkcode ParseError},
 * {@linkcode DataLoss}, {@linkcode BodyTooLargeError}). Trap the one you care
 * about with `reasons.some((r) => r.check(DataLoss))`.
 *
 * @example Looking inside the reasons
 * ```ts
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ParseError, ResponseFailed } from "@torsion/torsion/http";
 * const error = new ResponseFailed([new Failure(new ParseError("Bad status line"))]);
 * console.assert(error.reasons[0].check(ParseError) === ParseError);
 * ```
 */
export class ResponseFailed extends WrapperException {
  /**
   * The response, when its status line and headers had been received (the
   * parser puts its `ResponseHead` here, the `Agent` its `Response`).
   */
  readonly response: unknown;

  /**
   * Creates the error.
   *
   * @param reasons The Failures that caused it.
   * @param response The response received so far, if any.
   */
  constructor(reasons: readonly Failure[], response?: unknown) {
    super(reasons, "Response failed");
    this.name = "ResponseFailed";
    this.response = response;
  }
}

/**
 * A {@linkcode ResponseFailed} before any byte of the response arrived: the
 * server closed the connection (or it broke) without answering. Mirrors
 * Twisted's `_newclient.ResponseNeverReceived`. A client may retry an
 * idempotent request on a fresh connection when a pooled connection fails this
 * way, as Twisted's `HTTPConnectionPool` does.
 *
 * @example Telling a never-answered request apart
 * ```ts
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ResponseFailed, ResponseNeverReceived } from "@torsion/torsion/http";
 * const error = new ResponseNeverReceived([new Failure(new Error("reset"))]);
 * console.assert(error instanceof ResponseFailed);
 * ```
 */
export class ResponseNeverReceived extends ResponseFailed {
  /**
   * Creates the error.
   *
   * @param reasons The Failures that caused it.
   */
  constructor(reasons: readonly Failure[]) {
    super(reasons);
    this.message = describeReasons("Response never received", reasons);
    this.name = "ResponseNeverReceived";
  }
}

/**
 * Sending the request failed: the connection broke while it was written, or
 * the body producer failed. Mirrors Twisted's
 * `_newclient.RequestTransmissionFailed`.
 *
 * @example Wrapping a write failure
 * ```ts
 * import { Failure } from "@torsion/torsion/deferred";
 * import { RequestTransmissionFailed } from "@torsion/torsion/http";
 * const error = new RequestTransmissionFailed([new Failure(new Error("broken pipe"))]);
 * console.assert(error.message.includes("broken pipe"));
 * ```
 */
export class RequestTransmissionFailed extends WrapperException {
  /**
   * Creates the error.
   *
   * @param reasons The Failures that caused it.
   */
  constructor(reasons: readonly Failure[]) {
    super(reasons, "Request transmission failed");
    this.name = "RequestTransmissionFailed";
  }
}

/**
 * A page could not be fetched as wanted: an HTTP error status, with the
 * body that came with it. Mirrors Twisted's `twisted.web.error.Error` (renamed
 * because `Error` is JavaScript's base class); `String(error)` is
 * `"<status> <message>"` as Twisted's `str(error)`.
 *
 * @example Reporting an error status
 * ```ts
 * import { PageError } from "@torsion/torsion/http";
 * const error = new PageError(404);
 * console.assert(error.message === "Not Found");
 * console.assert(String(error) === "404 Not Found");
 * ```
 */
export class PageError extends Error {
  /** The HTTP status code. */
  readonly status: number;
  /** The response body, when there was one. */
  readonly response: Uint8Array | undefined;

  /**
   * Creates the error.
   *
   * @param status The HTTP status code.
   * @param message The message; the standard reason phrase of `status` by default.
   * @param response The response body.
   */
  constructor(status: number, message?: string, response?: Uint8Array) {
    super(message || reasonPhrase(status));
    this.name = "PageError";
    this.status = status;
    this.response = response;
  }

  /**
   * The status and message, as Twisted's `str(Error)`.
   *
   * @returns `"<status> <message>"`.
   *
   * @example Formatting like Twisted
   * ```ts
   * import { PageError } from "@torsion/torsion/http";
   * console.assert(new PageError(500).toString() === "500 Internal Server Error");
   * ```
   */
  override toString(): string {
    return `${this.status} ${this.message}`;
  }
}

/**
 * The connection closed before the whole body was read, or the body's end
 * could not be confirmed (a close-delimited body): `response` holds the
 * bytes that did arrive. Mirrors Twisted's
 * `twisted.web.client.PartialDownloadError`, which `readBody` raises; catch
 * it to use the partial body.
 *
 * @example Salvaging a partial body
 * ```ts
 * import { PartialDownloadError } from "@torsion/torsion/http";
 * const error = new PartialDownloadError(200, "OK", new Uint8Array([104, 105]));
 * console.assert(error.response?.length === 2);
 * ```
 */
export class PartialDownloadError extends PageError {
  /**
   * Creates the error.
   *
   * @param status The HTTP status code of the response.
   * @param message The message; the reason phrase of `status` by default.
   * @param response The body bytes received.
   */
  constructor(status: number, message?: string, response?: Uint8Array) {
    super(status, message, response);
    this.name = "PartialDownloadError";
  }
}

/**
 * A request of the Tornado-style client failed: the server answered with an
 * error status (`code` 4xx/5xx, `response` set), or no response was received
 * (`code` 599: timeout, refused or broken connection). Mirrors Tornado's
 * `tornado.httpclient.HTTPClientError` (formerly `HTTPError`); `String(error)`
 * is `"HTTP <code>: <message>"` as in Tornado.
 *
 * @example Telling a status error from a transport error
 * ```ts
 * import { HTTPClientError } from "@torsion/torsion/http";
 * const error = new HTTPClientError(404);
 * console.assert(error.code === 404 && error.message === "Not Found");
 * console.assert(String(error) === "HTTP 404: Not Found");
 * ```
 */
export class HTTPClientError extends Error {
  /** The HTTP status code, or 599 when no response was received. */
  readonly code: number;
  /**
   * The response, when one was received (the client's `HTTPResponse`);
   * `undefined` for 599 errors.
   */
  readonly response: unknown;

  /**
   * Creates the error.
   *
   * @param code The HTTP status code, or 599.
   * @param message The message; the standard reason phrase of `code` (or `"Unknown"`) by default.
   * @param response The response, if one was received.
   * @param options The `cause`, as for `Error`.
   */
  constructor(
    code: number,
    message?: string,
    response?: unknown,
    options?: ErrorOptions,
  ) {
    super(message || reasonPhrase(code), options);
    this.name = "HTTPClientError";
    this.code = code;
    this.response = response;
  }

  /**
   * The code and message, as Tornado's `str(HTTPClientError)`.
   *
   * @returns `"HTTP <code>: <message>"`.
   *
   * @example Formatting like Tornado
   * ```ts
   * import { HTTPClientError } from "@torsion/torsion/http";
   * console.assert(new HTTPClientError(503).toString() === "HTTP 503: Service Unavailable");
   * ```
   */
  override toString(): string {
    return `HTTP ${this.code}: ${this.message}`;
  }
}

/**
 * The phase of a request in which an {@linkcode HTTPTimeoutError} struck:
 * waiting for a free connection slot (`"queue"`), resolving the host
 * (`"dns"`), connecting (`"connect"`), the TLS handshake (`"tls"`), sending
 * the request (`"request"`), waiting for the response head (`"headers"`), or
 * reading the body (`"body"`). Twisted and Tornado only say that a timeout
 * struck; their users keep asking which step it was.
 *
 * @example Telling a slow server from an unreachable one
 * ```ts
 * import { HTTPTimeoutError, type HTTPTimeoutPhase } from "@torsion/torsion/http";
 * function blame(phase: HTTPTimeoutPhase): string {
 *   return phase === "headers" || phase === "body" ? "the server" : "the network";
 * }
 * console.assert(blame(new HTTPTimeoutError("Timeout during request", "body").phase) === "the server");
 * ```
 */
export type HTTPTimeoutPhase =
  | "queue"
  | "dns"
  | "connect"
  | "tls"
  | "request"
  | "headers"
  | "body";

/**
 * A request timed out: `connectTimeout`, `requestTimeout` or the wait in
 * the client's queue ran out. Code 599. Mirrors Tornado's
 * `tornado.httpclient.HTTPTimeoutError`, whose messages it keeps
 * (`"Timeout in request queue"`, `"Timeout while connecting"`,
 * `"Timeout during request"`), and adds the `phase`. `String(error)` is the
 * message alone, as in Tornado.
 *
 * @example Reporting a connect timeout
 * ```ts
 * import { HTTPClientError, HTTPTimeoutError } from "@torsion/torsion/http";
 * const error = new HTTPTimeoutError("Timeout while connecting", "connect");
 * console.assert(error instanceof HTTPClientError && error.code === 599);
 * console.assert(error.phase === "connect");
 * ```
 */
export class HTTPTimeoutError extends HTTPClientError {
  /** Where the request was when the timeout struck. */
  readonly phase: HTTPTimeoutPhase;

  /**
   * Creates the error.
   *
   * @param message The message.
   * @param phase Where the request was when the timeout struck.
   */
  constructor(message = "Timeout", phase: HTTPTimeoutPhase = "request") {
    super(599, message);
    this.name = "HTTPTimeoutError";
    this.phase = phase;
  }

  /**
   * The message alone, as Tornado's `str(HTTPTimeoutError)`.
   *
   * @returns The message.
   *
   * @example Formatting a timeout like Tornado
   * ```ts
   * import { HTTPTimeoutError } from "@torsion/torsion/http";
   * console.assert(String(new HTTPTimeoutError("Timeout during request")) === "Timeout during request");
   * ```
   */
  override toString(): string {
    return this.message;
  }
}

/**
 * The connection closed (or broke) before the response was complete. Code
 * 599. Mirrors Tornado's `tornado.httpclient.HTTPStreamClosedError`;
 * `String(error)` is the message alone, as in Tornado.
 *
 * @example Reporting a closed connection
 * ```ts
 * import { HTTPStreamClosedError } from "@torsion/torsion/http";
 * const error = new HTTPStreamClosedError();
 * console.assert(error.code === 599 && error.message === "Stream closed");
 * ```
 */
export class HTTPStreamClosedError extends HTTPClientError {
  /**
   * Creates the error.
   *
   * @param message The message.
   * @param options The `cause`, as for `Error`: the underlying transport error.
   */
  constructor(message = "Stream closed", options?: ErrorOptions) {
    super(599, message, undefined, options);
    this.name = "HTTPStreamClosedError";
  }

  /**
   * The message alone, as Tornado's `str(HTTPStreamClosedError)`.
   *
   * @returns The message.
   *
   * @example Formatting a closed stream like Tornado
   * ```ts
   * import { HTTPStreamClosedError } from "@torsion/torsion/http";
   * console.assert(String(new HTTPStreamClosedError()) === "Stream closed");
   * ```
   */
  override toString(): string {
    return this.message;
  }
}
