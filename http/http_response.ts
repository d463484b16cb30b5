/**
 * `HTTPResponse`: what {@linkcode AsyncHTTPClient.fetch} delivers, as
 * `tornado.httpclient.HTTPResponse`, plus a `text` reader that decodes the
 * body by its declared charset.
 *
 * @module
 */
import { reasonPhrase } from "./_responses.ts";
import { HTTPClientError } from "./http_client_error.ts";
import { Headers } from "./headers.ts";
import type { HTTPRequest } from "./http_request.ts";

/**
 * The optional parts of an {@linkcode HTTPResponse}: the keyword arguments
 * of Tornado's `HTTPResponse(request, code, headers=..., buffer=...,
 * effective_url=..., error=..., request_time=..., time_info=...,
 * reason=..., start_time=...)`, with `body` for `buffer`.
 *
 * @example A canned response for a test
 * ```ts
 * import { Headers, HTTPRequest, HTTPResponse, type HTTPResponseOptions } from "@torsion/torsion/http";
 * const options: HTTPResponseOptions = {
 *   headers: new Headers({ "Content-Type": "text/plain" }),
 *   body: new TextEncoder().encode("ok"),
 *   requestTime: 0.01,
 * };
 * const response = new HTTPResponse(new HTTPRequest("http://example.com/"), 200, options);
 * console.assert(response.text === "ok" && response.error === undefined);
 * ```
 */
export interface HTTPResponseOptions {
  /**
   * The reason phrase of the status line.
   *
   * @default {the standard phrase of `code`, or "Unknown"}
   */
  reason?: string;
  /**
   * The response's header fields.
   *
   * @default {empty Headers}
   */
  headers?: Headers;
  /**
   * The response body.
   *
   * @default {an empty array}
   */
  body?: Uint8Array;
  /**
   * The URL the response came from, after redirects.
   *
   * @default {request.url}
   */
  effectiveUrl?: string;
  /**
   * Why the request failed. Without one, a code outside 200-299 makes an
   * {@linkcode HTTPClientError} that refers back to the response.
   *
   * @default {undefined}
   */
  error?: Error;
  /**
   * Seconds from leaving the client's queue to the end of the response.
   *
   * @default {undefined}
   */
  requestTime?: number;
  /**
   * When the HTTP operation started, in seconds since the epoch.
   *
   * @default {undefined}
   */
  startTime?: number;
  /**
   * Diagnostic timings in seconds, such as `queue` (time spent waiting for
   * a slot under `maxClients`).
   *
   * @default {{}}
   */
  timeInfo?: Record<string, number>;
}

const EMPTY = new Uint8Array(0);
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

const UTF8 = new TextDecoder();

function decoderFor(contentType: string | undefined): TextDecoder {
  const label = contentType === undefined
    ? undefined
    : CHARSET.exec(contentType)?.[1];
  if (label !== undefined) {
    try {
      const decoder = new TextDecoder(label);
      if (decoder.encoding !== "utf-8") return decoder;
    } catch {
      // An unknown charset label: UTF-8 is the web's default, and a readable
      // approximation beats an exception for a diagnostic reader.
    }
  }
  return UTF8;
}

/**
 * The outcome of a fetch. Mirrors Tornado's
 * `tornado.httpclient.HTTPResponse`.
 *
 * A response exists even when no HTTP response was received: then `code` is
 * 599 and `error` says why (a timeout, a refused or broken connection). For a
 * received response whose code is outside 200-299, `error` is an
 * {@linkcode HTTPClientError} whose `response` is this object, exactly as in
 * Tornado, so `rethrow()` turns any failure into an exception.
 *
 * @example Reading a response in a fetch callback
 * ```ts
 * import { HTTPRequest, HTTPResponse } from "@torsion/torsion/http";
 * const request = new HTTPRequest("http://example.com/");
 * const response = new HTTPResponse(request, 200, {
 *   body: new TextEncoder().encode("hello"),
 * });
 * if (response.error) console.log("Error:", response.error.message);
 * else console.assert(response.text === "hello");
 * ```
 */
export class HTTPResponse {
  /** The request this responds to (the original one, when redirected). */
  readonly request: HTTPRequest;
  /** The HTTP status code, or 599 when no response was received. */
  readonly code: number;
  /** The reason phrase of the status line. */
  readonly reason: string;
  /** The header fields of the response. */
  readonly headers: Headers;
  /** The body; empty with a `streamingCallback` or when nothing was received. */
  readonly body: Uint8Array;
  /** The final URL, after any redirects. */
  readonly effectiveUrl: string;
  /** Why the request failed, or `undefined` for a 2xx response. */
  readonly error: Error | undefined;
  /**
   * Seconds from leaving the client's queue to the end of the response (queue
   * time excluded, as since Tornado 5.1); for a redirected request, the whole
   * chain.
   */
  readonly requestTime: number | undefined;
  /** When the HTTP operation started, in seconds since the epoch; `undefined` if it never left the queue. */
  readonly startTime: number | undefined;
  /** Diagnostic timings in seconds (`queue`: the wait for a slot under `maxClients`). */
  readonly timeInfo: Record<string, number>;
  #text: string | undefined;

  /**
   * Creates a response. The client creates them; tests and adapters may too.
   *
   * @param request The request.
   * @param code The status code, or 599 when no response was received.
   * @param options The rest; see {@linkcode HTTPResponseOptions}.
   *
   * @example A synthetic error response
   * ```ts
   * import { HTTPRequest, HTTPResponse } from "@torsion/torsion/http";
   * const response = new HTTPResponse(new HTTPRequest("http://example.com/"), 404);
   * console.assert(response.reason === "Not Found");
   * console.assert(response.error?.message === "Not Found");
   * ```
   */
  constructor(
    request: HTTPRequest,
    code: number,
    options: HTTPResponseOptions = {},
  ) {
    this.request = request;
    this.code = code;
    this.reason = options.reason || reasonPhrase(code);
    this.headers = options.headers ?? new Headers();
    this.body = options.body ?? EMPTY;
    this.effectiveUrl = options.effectiveUrl ?? request.url;
    if (options.error !== undefined) {
      this.error = options.error;
    } else if (code < 200 || code >= 300) {
      this.error = new HTTPClientError(code, this.reason, this);
    } else {
      this.error = undefined;
    }
    this.requestTime = options.requestTime;
    this.startTime = options.startTime;
    this.timeInfo = options.timeInfo ?? {};
  }

  /**
   * The body decoded as text, by the `charset` of `Content-Type` (UTF-8 when
   * there is none or it is unknown); invalid bytes become U+FFFD. Tornado
   * has no such reader: it is `response.body.decode(charset)`.
   *
   * @returns The decoded body.
   *
   * @example
   * ```ts
   * import { Headers, HTTPRequest, HTTPResponse } from "@torsion/torsion/http";
   * const response = new HTTPResponse(new HTTPRequest("http://example.com/"), 200, {
   *   headers: new Headers({ "Content-Type": "text/plain; charset=iso-8859-1" }),
   *   body: new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
   * });
   * console.assert(response.text === "café");
   * ```
   */
  get text(): string {
    this.#text ??= decoderFor(this.headers.get("Content-Type")).decode(
      this.body,
    );
    return this.#text;
  }

  /**
   * Throws `error` if the request failed; does nothing otherwise. Mirrors
   * `HTTPResponse.rethrow`: the way to turn a callback-style result into an
   * exception.
   *
   * @throws {Error} The response's `error`: an {@linkcode HTTPClientError}
   * for an error status or a timeout, the transport's error otherwise.
   *
   * @example Turning an error response into an exception
   * ```ts
   * import { HTTPClientError, HTTPRequest, HTTPResponse } from "@torsion/torsion/http";
   * const response = new HTTPResponse(new HTTPRequest("http://example.com/"), 500);
   * try {
   *   response.rethrow();
   * } catch (error) {
   *   console.assert(error instanceof HTTPClientError && error.code === 500);
   * }
   * ```
   */
  rethrow(): void {
    if (this.error !== undefined) throw this.error;
  }
}
