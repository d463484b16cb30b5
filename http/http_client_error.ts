/**
 * Tornado's `HTTPClientError` family, as `tornado.httpclient` raises it from
 * `AsyncHTTPClient.fetch`: an error status (`code` 4xx/5xx with the
 * `response`), or no response at all (`code` 599: `HTTPTimeoutError`,
 * `HTTPStreamClosedError`).
 *
 * @module
 */
import { reasonPhrase } from "./_responses.ts";

/**
 * A request of the Tornado-style client failed: the server answered with an
 * error status (`code` 4xx/5xx, `response` set), or no response was received
 * (`code` 599: timeout, refused or broken connection). Mirrors Tornado's
 * `tornado.httpclient.HTTPClientError` (formerly `HTTPError`); `String(error)`
 * is `"HTTP <code>: <message>"` as in Tornado.
 *
 * @example Telling a status error from a transport error
 * ```ts
 * import assert from "node:assert/strict";
 * import { HTTPClientError } from "@torsion/torsion/http";
 * const error = new HTTPClientError(404);
 * assert.equal(error.code, 404);
 * assert.equal(error.message, "Not Found");
 * assert.equal(String(error), "HTTP 404: Not Found");
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
   * import assert from "node:assert/strict";
   * import { HTTPClientError } from "@torsion/torsion/http";
   * assert.equal(new HTTPClientError(503).toString(), "HTTP 503: Service Unavailable");
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
 * import assert from "node:assert/strict";
 * import { HTTPTimeoutError, type HTTPTimeoutPhase } from "@torsion/torsion/http";
 * function blame(phase: HTTPTimeoutPhase): string {
 *   return phase === "headers" || phase === "body" ? "the server" : "the network";
 * }
 * assert.equal(blame(new HTTPTimeoutError("Timeout during request", "body").phase), "the server");
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
 * import assert from "node:assert/strict";
 * import { HTTPClientError, HTTPTimeoutError } from "@torsion/torsion/http";
 * const error = new HTTPTimeoutError("Timeout while connecting", "connect");
 * assert.ok(error instanceof HTTPClientError);
 * assert.equal(error.code, 599);
 * assert.equal(error.phase, "connect");
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
   * import assert from "node:assert/strict";
   * import { HTTPTimeoutError } from "@torsion/torsion/http";
   * assert.equal(String(new HTTPTimeoutError("Timeout during request")), "Timeout during request");
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
 * import assert from "node:assert/strict";
 * import { HTTPStreamClosedError } from "@torsion/torsion/http";
 * const error = new HTTPStreamClosedError();
 * assert.equal(error.code, 599);
 * assert.equal(error.message, "Stream closed");
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
   * import assert from "node:assert/strict";
   * import { HTTPStreamClosedError } from "@torsion/torsion/http";
   * assert.equal(String(new HTTPStreamClosedError()), "Stream closed");
   * ```
   */
  override toString(): string {
    return this.message;
  }
}
