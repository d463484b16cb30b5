/**
 * The errors of Twisted's web client, by the names `twisted.web` gives them:
 * the wrapped failures of `twisted.web._newclient` (`WrapperException`,
 * `ResponseFailed`, `ResponseNeverReceived`, `RequestTransmissionFailed`,
 * `RequestGenerationFailed`, `RequestNotSent`), the reasons a response body
 * protocol's `connectionLost` receives (`ResponseDone`, `PotentialDataLoss`),
 * `twisted.web.client`'s `SchemeNotSupported` and `PartialDownloadError`, and
 * the page errors of `twisted.web.error` (`PageError` for `Error`,
 * `PageRedirect`, `InfiniteRedirection`, `RedirectWithNoLocation`).
 *
 * The `Agent` fails its Deferreds with a `ResponseFailed` whose `reasons` say
 * what went wrong (a `ParseError`, a `DataLoss`, a `BodyTooLargeError` from
 * `errors.ts`, the transport's `ConnectionLost`, ...).
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import { reasonPhrase } from "./_responses.ts";

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
 * import assert from "node:assert/strict";
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ResponseFailed, WrapperException } from "@torsion/torsion/http";
 * const error: unknown = new ResponseFailed([new Failure(new Error("reset"))]);
 * if (error instanceof WrapperException) {
 *   assert.equal(error.reasons.length, 1);
 *   assert.equal(error.message, "Response failed: reset");
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
 * import assert from "node:assert/strict";
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ParseError, ResponseFailed } from "@torsion/torsion/http";
 * const error = new ResponseFailed([new Failure(new ParseError("Bad status line"))]);
 * assert.equal(error.reasons[0].check(ParseError), ParseError);
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
 * import assert from "node:assert/strict";
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ResponseFailed, ResponseNeverReceived } from "@torsion/torsion/http";
 * const error = new ResponseNeverReceived([new Failure(new Error("reset"))]);
 * assert.ok(error instanceof ResponseFailed);
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
 * import assert from "node:assert/strict";
 * import { Failure } from "@torsion/torsion/deferred";
 * import { RequestTransmissionFailed } from "@torsion/torsion/http";
 * const error = new RequestTransmissionFailed([new Failure(new Error("broken pipe"))]);
 * assert.ok(error.message.includes("broken pipe"));
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
 * The request could not be written because producing it failed: its body
 * producer errbacked or wrote more or fewer bytes than its `length`. Mirrors
 * Twisted's `_newclient.RequestGenerationFailed`.
 *
 * @example Wrapping a producer failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@torsion/torsion/deferred";
 * import { RequestGenerationFailed } from "@torsion/torsion/http";
 * const error = new RequestGenerationFailed([new Failure(new Error("disk error"))]);
 * assert.ok(error.message.includes("disk error"));
 * ```
 */
export class RequestGenerationFailed extends WrapperException {
  /**
   * Creates the error.
   *
   * @param reasons The Failures that caused it.
   */
  constructor(reasons: readonly Failure[]) {
    super(reasons, "Request generation failed");
    this.name = "RequestGenerationFailed";
  }
}

/**
 * The request was not sent because the connection was not ready for it (it
 * was busy or already closed). Nothing reached the server, so the request may
 * be retried safely. Mirrors Twisted's `_newclient.RequestNotSent`.
 */
export class RequestNotSent extends Error {
  /**
   * Creates the error.
   *
   * @param message The message.
   */
  constructor(
    message =
      "Request not sent: the connection is busy with another request or closed",
  ) {
    super(message);
    this.name = "RequestNotSent";
  }
}

/**
 * The whole response body was delivered: the reason a body protocol's
 * `connectionLost` receives when all went well. Mirrors Twisted's
 * `twisted.web.client.ResponseDone`.
 *
 * @example Ending a body protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ResponseDone } from "@torsion/torsion/http";
 * const reason = new Failure(new ResponseDone());
 * assert.equal(reason.check(ResponseDone), ResponseDone);
 * ```
 */
export class ResponseDone extends Error {
  /**
   * Creates the reason.
   *
   * @param message The message.
   */
  constructor(message = "Response body fully received") {
    super(message);
    this.name = "ResponseDone";
  }
}

/**
 * The body ended with the connection and had no declared length, so it may
 * or may not be complete (a close-delimited body). Mirrors Twisted's
 * `twisted.web.http.PotentialDataLoss`; `readBody` turns it into a
 * `PartialDownloadError` holding the body, as Twisted does.
 */
export class PotentialDataLoss extends Error {
  /**
   * Creates the reason.
   *
   * @param message The message.
   */
  constructor(
    message =
      "Response body ended with the connection and had no declared length",
  ) {
    super(message);
    this.name = "PotentialDataLoss";
  }
}

/**
 * The URI's scheme is neither `http` nor `https`. Mirrors Twisted's
 * `twisted.web.client.SchemeNotSupported`.
 *
 * @example Naming the unsupported scheme
 * ```ts
 * import assert from "node:assert/strict";
 * import { SchemeNotSupported } from "@torsion/torsion/http";
 * assert.equal(new SchemeNotSupported("ftp").scheme, "ftp");
 * ```
 */
export class SchemeNotSupported extends Error {
  /** The scheme that was asked for. */
  readonly scheme: string;

  /**
   * Creates the error.
   *
   * @param scheme The unsupported scheme, without its colon.
   */
  constructor(scheme: string) {
    super(`Unsupported scheme: current value is ${JSON.stringify(scheme)}`);
    this.name = "SchemeNotSupported";
    this.scheme = scheme;
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
 * import assert from "node:assert/strict";
 * import { PageError } from "@torsion/torsion/http";
 * const error = new PageError(404);
 * assert.equal(error.message, "Not Found");
 * assert.equal(String(error), "404 Not Found");
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
   * import assert from "node:assert/strict";
   * import { PageError } from "@torsion/torsion/http";
   * assert.equal(new PageError(500).toString(), "500 Internal Server Error");
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
 * import assert from "node:assert/strict";
 * import { PartialDownloadError } from "@torsion/torsion/http";
 * const error = new PartialDownloadError(200, "OK", new Uint8Array([104, 105]));
 * assert.equal(error.response?.length, 2);
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
 * A redirect that was not followed: the method may not be redirected
 * automatically (a POST answered by 301, 302, 307 or 308 under
 * `RedirectAgent`), or redirects are off (`getPage` with
 * `followRedirect: false`). Mirrors Twisted's `twisted.web.error.PageRedirect`.
 *
 * @example A redirect that was not followed
 * ```ts
 * import assert from "node:assert/strict";
 * import { PageRedirect } from "@torsion/torsion/http";
 * const error = new PageRedirect(301, undefined, undefined, "http://example.com/new");
 * assert.equal(error.location, "http://example.com/new");
 * ```
 */
export class PageRedirect extends PageError {
  /** Where the redirect pointed. */
  readonly location: string | undefined;

  /**
   * Creates the error.
   *
   * @param status The redirect status code.
   * @param message The message; the reason phrase of `status` by default.
   * @param response The response body, if read.
   * @param location The `Location` of the redirect.
   */
  constructor(
    status: number,
    message?: string,
    response?: Uint8Array,
    location?: string,
  ) {
    super(status, message, response);
    this.name = "PageRedirect";
    this.location = location;
    if (location !== undefined) this.message = `${this.message} to ${location}`;
  }
}

/**
 * More redirects than the limit were met: probably a loop. Mirrors Twisted's
 * `twisted.web.error.InfiniteRedirection`; `RedirectAgent` fails with a
 * `ResponseFailed` holding it.
 *
 * @example Too many redirects
 * ```ts
 * import assert from "node:assert/strict";
 * import { InfiniteRedirection } from "@torsion/torsion/http";
 * const error = new InfiniteRedirection(302, "Infinite redirection detected", undefined, "/loop");
 * assert.equal(error.status, 302);
 * ```
 */
export class InfiniteRedirection extends PageError {
  /** The URI of the last redirect met. */
  readonly location: string | undefined;

  /**
   * Creates the error.
   *
   * @param status The status code of the last redirect.
   * @param message The message.
   * @param response The response body, if read.
   * @param location The URI of the last redirect.
   */
  constructor(
    status: number,
    message = "Infinite redirection detected",
    response?: Uint8Array,
    location?: string,
  ) {
    super(status, message, response);
    this.name = "InfiniteRedirection";
    this.location = location;
    if (location !== undefined) this.message = `${this.message} at ${location}`;
  }
}

/**
 * A redirect status came without a `Location` header. Mirrors Twisted's
 * `twisted.web.error.RedirectWithNoLocation`.
 *
 * @example A redirect with nowhere to go
 * ```ts
 * import assert from "node:assert/strict";
 * import { RedirectWithNoLocation } from "@torsion/torsion/http";
 * const error = new RedirectWithNoLocation(302, "http://example.com/");
 * assert.equal(error.uri, "http://example.com/");
 * ```
 */
export class RedirectWithNoLocation extends PageError {
  /** The URI whose response had no `Location`. */
  readonly uri: string;

  /**
   * Creates the error.
   *
   * @param status The redirect status code.
   * @param uri The URI that was requested.
   */
  constructor(status: number, uri: string) {
    super(status, `Redirect without a Location header from ${uri}`);
    this.name = "RedirectWithNoLocation";
    this.uri = uri;
  }
}
