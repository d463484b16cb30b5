/**
 * The errors and end-of-body reasons of the Twisted-style client that
 * `errors.ts` does not hold: the reasons a response body protocol's
 * `connectionLost` receives (`ResponseDone`, `PotentialDataLoss`), the
 * request-side failures of `twisted.web._newclient` (`RequestNotSent`,
 * `RequestGenerationFailed`), `SchemeNotSupported` of `twisted.web.client`,
 * and the redirect errors of `twisted.web.error` (`PageRedirect`,
 * `InfiniteRedirection`, `RedirectWithNoLocation`).
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import { PageError, WrapperException } from "./errors.ts";

/**
 * The whole response body was delivered: the reason a body protocol's
 * `connectionLost` receives when all went well. Mirrors Twisted's
 * `twisted.web.client.ResponseDone`.
 *
 * @example Ending a body protocol
 * ```ts
 * import { Failure } from "@torsion/torsion/deferred";
 * import { ResponseDone } from "@torsion/torsion/http";
 * const reason = new Failure(new ResponseDone());
 * console.assert(reason.check(ResponseDone) === ResponseDone);
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
 *
 * @example Recognising a close-delimited end
 * ```ts
 * import { PotentialDataLoss } from "@torsion/torsion/http";
 * console.assert(new PotentialDataLoss().name === "PotentialDataLoss");
 * ```
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
 * The request was not sent because the connection was not ready for it (it
 * was busy or already closed). Nothing reached the server, so the request may
 * be retried safely. Mirrors Twisted's `_newclient.RequestNotSent`.
 *
 * @example A request that never left
 * ```ts
 * import { RequestNotSent } from "@torsion/torsion/http";
 * console.assert(new RequestNotSent().name === "RequestNotSent");
 * ```
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
 * The request could not be written because producing it failed: its body
 * producer errbacked or wrote more or fewer bytes than its `length`. Mirrors
 * Twisted's `_newclient.RequestGenerationFailed`.
 *
 * @example Wrapping a producer failure
 * ```ts
 * import { Failure } from "@torsion/torsion/deferred";
 * import { RequestGenerationFailed } from "@torsion/torsion/http";
 * const error = new RequestGenerationFailed([new Failure(new Error("disk error"))]);
 * console.assert(error.message.includes("disk error"));
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
 * The URI's scheme is neither `http` nor `https`. Mirrors Twisted's
 * `twisted.web.client.SchemeNotSupported`.
 *
 * @example Naming the unsupported scheme
 * ```ts
 * import { SchemeNotSupported } from "@torsion/torsion/http";
 * console.assert(new SchemeNotSupported("ftp").scheme === "ftp");
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
 * A redirect that was not followed: the method may not be redirected
 * automatically (a POST answered by 301, 302, 307 or 308 under
 * `RedirectAgent`), or redirects are off (`getPage` with
 * `followRedirect: false`). Mirrors Twisted's `twisted.web.error.PageRedirect`.
 *
 * @example A redirect that was not followed
 * ```ts
 * import { PageRedirect } from "@torsion/torsion/http";
 * const error = new PageRedirect(301, undefined, undefined, "http://example.com/new");
 * console.assert(error.location === "http://example.com/new");
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
 * import { InfiniteRedirection } from "@torsion/torsion/http";
 * const error = new InfiniteRedirection(302, "Infinite redirection detected", undefined, "/loop");
 * console.assert(error.status === 302);
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
 * import { RedirectWithNoLocation } from "@torsion/torsion/http";
 * const error = new RedirectWithNoLocation(302, "http://example.com/");
 * console.assert(error.uri === "http://example.com/");
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
