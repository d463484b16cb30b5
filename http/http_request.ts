/**
 * `HTTPRequest`: one request for the Tornado-style
 * {@linkcode AsyncHTTPClient}, as `tornado.httpclient.HTTPRequest`, with its
 * keyword arguments as the {@linkcode HTTPRequestOptions} interface.
 *
 * @module
 */
import { Headers, type HeadersInit } from "./headers.ts";

/**
 * Writes the request body piece by piece: called once with a `write`
 * function, it calls `write` with each chunk and returns (or resolves) when
 * the body is complete. `write` resolves when the chunk has been handed to
 * the connection, which is how a producer keeps pace with the network.
 * Mirrors Tornado's `body_producer`.
 *
 * @example Streaming lines as they are made
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BodyProducer } from "@torsion/torsion/http";
 * const produceLines: BodyProducer = async (write) => {
 *   const encoder = new TextEncoder();
 *   for (let i = 0; i < 3; i++) await write(encoder.encode(`line ${i}\n`));
 * };
 * const sent: Uint8Array[] = [];
 * await produceLines(async (chunk) => { sent.push(chunk); });
 * assert.equal(sent.length, 3);
 * ```
 */
export type BodyProducer = (
  write: (chunk: Uint8Array) => Promise<void>,
) => PromiseLike<void> | void;

/**
 * The options of an {@linkcode HTTPRequest}: Tornado's `HTTPRequest`
 * keyword arguments, camelCased. Every field is optional; one left
 * `undefined` takes the client's `defaults` value, then Tornado's default.
 * Times are in seconds, as in Tornado.
 *
 * @example Options shared by a client and set per request
 * ```ts
 * import assert from "node:assert/strict";
 * import { AsyncHTTPClient, HTTPRequest, type HTTPRequestOptions } from "@torsion/torsion/http";
 * const defaults: HTTPRequestOptions = { requestTimeout: 5, userAgent: "crawler/1.0" };
 * const client = new AsyncHTTPClient({ forceInstance: true, defaults });
 * const request = new HTTPRequest("http://example.com/", { followRedirects: false });
 * assert.equal(request.requestTimeout, undefined); // the client's 5 applies
 * await client.close();
 * ```
 */
export interface HTTPRequestOptions {
  /**
   * The HTTP method.
   *
   * @default {"GET"}
   */
  method?: string;
  /**
   * Header fields to send, added to those the client sets itself (`Host`,
   * `User-Agent`, `Accept-Encoding`, `Content-Length`, ...). A field given
   * here wins over the client's.
   *
   * @default {undefined}
   */
  headers?: Headers | HeadersInit;
  /**
   * The request body; a string is sent as UTF-8. Required for POST, PUT and
   * PATCH and forbidden for the other methods unless
   * `allowNonstandardMethods` is set, as in Tornado.
   *
   * @default {undefined}
   */
  body?: string | Uint8Array;
  /**
   * Produces the body lazily instead of `body` (only one of the two may be
   * given). Without a `Content-Length` header the body is sent chunked.
   *
   * @default {undefined}
   */
  bodyProducer?: BodyProducer;
  /**
   * The user name for HTTP authentication (credentials in the URL win).
   *
   * @default {undefined}
   */
  authUsername?: string;
  /**
   * The password for HTTP authentication.
   *
   * @default {""} when `authUsername` is set
   */
  authPassword?: string;
  /**
   * The authentication scheme; only `"basic"` is supported, as in Tornado's
   * `simple_httpclient`.
   *
   * @default {"basic"}
   */
  authMode?: string;
  /**
   * Seconds allowed to establish the connection (DNS, TCP and TLS); 0 means
   * no limit.
   *
   * @default {20}
   */
  connectTimeout?: number;
  /**
   * Seconds allowed for the whole request, from the moment it leaves the
   * client's queue to the last byte of the body; 0 means no limit.
   *
   * @default {20}
   */
  requestTimeout?: number;
  /**
   * Sends `If-Modified-Since` with this time: a `Date`, or seconds since the
   * epoch as Tornado's float timestamps.
   *
   * @default {undefined}
   */
  ifModifiedSince?: Date | number;
  /**
   * Whether 301, 302, 303, 307 and 308 responses are followed; when not, a
   * redirect is an `HTTPClientError` whose `response` holds the `Location`.
   *
   * @default {true}
   */
  followRedirects?: boolean;
  /**
   * How many redirects are followed at most.
   *
   * @default {5}
   */
  maxRedirects?: number;
  /**
   * The `User-Agent` to send.
   *
   * @default {"Torsion/<version>"} unless `headers` has one
   */
  userAgent?: string;
  /**
   * Whether to ask for a compressed response (`Accept-Encoding: gzip`) and
   * decompress it.
   *
   * @default {true}
   */
  decompressResponse?: boolean;
  /**
   * Called with each chunk of the body as it arrives; the response's `body`
   * is then empty.
   *
   * @default {undefined}
   */
  streamingCallback?: (chunk: Uint8Array) => void;
  /**
   * Called with each line of the response head as it is received, the
   * status line first (`"HTTP/1.1 200 OK\r\n"`), then each header line, then
   * a final `"\r\n"`; every line keeps its CRLF. Not called for a redirect
   * that is followed.
   *
   * @default {undefined}
   */
  headerCallback?: (line: string) => void;
  /**
   * The host of an HTTP proxy to send the request through (Tornado's
   * `simple_httpclient` rejects proxies; Torsion supports them).
   *
   * @default {undefined}
   */
  proxyHost?: string;
  /**
   * The port of the proxy.
   *
   * @default {undefined}
   */
  proxyPort?: number;
  /**
   * The user name for the proxy (`Proxy-Authorization: Basic`).
   *
   * @default {undefined}
   */
  proxyUsername?: string;
  /**
   * The password for the proxy.
   *
   * @default {""}
   */
  proxyPassword?: string;
  /**
   * Whether an HTTPS server's certificate is checked.
   *
   * @default {true}
   */
  validateCert?: boolean;
  /**
   * PEM-encoded CA certificates to trust for HTTPS instead of the system's
   * (Tornado takes a file name: read it with `Deno.readTextFileSync`).
   *
   * @default {undefined}
   */
  caCerts?: readonly string[];
  /**
   * Allows methods other than GET, HEAD, POST, PUT, DELETE, PATCH and
   * OPTIONS, and lifts the body rules.
   *
   * @default {false}
   */
  allowNonstandardMethods?: boolean;
  /**
   * Sends `Expect: 100-continue` and waits for the server's interim response
   * before sending the body.
   *
   * @default {false}
   */
  expect100Continue?: boolean;
  /**
   * Aborting it cancels the fetch, as cancelling the Deferred `fetch`
   * returns does: a queued request leaves the queue, a running one has its
   * connection aborted at once, and the Deferred fails with
   * `CancelledError` (the callback, if any, is not called). A signal
   * already aborted when `fetch` is called fails it at once. Not in
   * Tornado, whose futures are not cancellable.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * The Tornado defaults of the options that have one: the type of
 * {@linkcode HTTPRequest.DEFAULTS}, Tornado's `HTTPRequest._DEFAULTS`.
 *
 * @example Reading a default
 * ```ts
 * import assert from "node:assert/strict";
 * import { HTTPRequest, type HTTPRequestDefaults } from "@torsion/torsion/http";
 * const defaults: HTTPRequestDefaults = HTTPRequest.DEFAULTS;
 * assert.equal(defaults.requestTimeout, 20);
 * assert.equal(defaults.maxRedirects, 5);
 * ```
 */
export interface HTTPRequestDefaults {
  /** 20 seconds. */
  readonly connectTimeout: number;
  /** 20 seconds. */
  readonly requestTimeout: number;
  /** `true`. */
  readonly followRedirects: boolean;
  /** 5. */
  readonly maxRedirects: number;
  /** `true`. */
  readonly decompressResponse: boolean;
  /** `""`. */
  readonly proxyPassword: string;
  /** `false`. */
  readonly allowNonstandardMethods: boolean;
  /** `true`. */
  readonly validateCert: boolean;
}

const DEFAULTS: HTTPRequestDefaults = Object.freeze({
  connectTimeout: 20,
  requestTimeout: 20,
  followRedirects: true,
  maxRedirects: 5,
  decompressResponse: true,
  proxyPassword: "",
  allowNonstandardMethods: false,
  validateCert: true,
});

const encoder = new TextEncoder();

function httpDate(value: Date | number): string {
  const date = typeof value === "number" ? new Date(value * 1000) : value;
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(
      `Cannot use ifModifiedSince: current value is an invalid date (${
        String(value)
      })`,
    );
  }
  return date.toUTCString();
}

/**
 * A request for {@linkcode AsyncHTTPClient.fetch}. Mirrors Tornado's
 * `tornado.httpclient.HTTPRequest`: a plain record of what to send and how,
 * whose fields may be changed until it is fetched.
 *
 * As in Tornado, an option that is not given stays `undefined` on the
 * request, so that the client's `defaults` can supply it when the request is
 * fetched; {@linkcode HTTPRequest.DEFAULTS} holds Tornado's own defaults (20
 * second timeouts, redirects followed up to 5 times, decompression on,
 * certificates checked), which apply last. The body rules (a body for POST,
 * PUT and PATCH, none for the others) are checked when the request is
 * fetched, once `allowNonstandardMethods` is known.
 *
 * @example Building a POST request
 * ```ts
 * import assert from "node:assert/strict";
 * import { HTTPRequest } from "@torsion/torsion/http";
 * const request = new HTTPRequest("http://example.com/api", {
 *   method: "POST",
 *   headers: { "Content-Type": "application/json" },
 *   body: JSON.stringify({ hello: "world" }),
 *   requestTimeout: 5,
 * });
 * assert.equal(request.headers.get("content-type"), "application/json");
 * assert.deepEqual(request.body, new TextEncoder().encode('{"hello":"world"}')); // a string body is sent as UTF-8
 * assert.equal(request.connectTimeout, undefined); // the client's default applies
 * ```
 */
export class HTTPRequest {
  /**
   * Tornado's defaults (`HTTPRequest._DEFAULTS`): what an option left
   * `undefined` by both the request and the client's `defaults` becomes.
   */
  static readonly DEFAULTS: HTTPRequestDefaults = DEFAULTS;

  /** The URL to fetch (`http:` or `https:`). */
  url: string;
  /** The HTTP method. */
  method: string;
  /** The header fields to send. */
  headers: Headers;
  /** The body, encoded; `undefined` when there is none. */
  body: Uint8Array | undefined;
  /** See {@linkcode HTTPRequestOptions.bodyProducer}. */
  bodyProducer: BodyProducer | undefined;
  /** See {@linkcode HTTPRequestOptions.authUsername}. */
  authUsername: string | undefined;
  /** See {@linkcode HTTPRequestOptions.authPassword}. */
  authPassword: string | undefined;
  /** See {@linkcode HTTPRequestOptions.authMode}. */
  authMode: string | undefined;
  /** See {@linkcode HTTPRequestOptions.connectTimeout}. */
  connectTimeout: number | undefined;
  /** See {@linkcode HTTPRequestOptions.requestTimeout}. */
  requestTimeout: number | undefined;
  /** See {@linkcode HTTPRequestOptions.followRedirects}. */
  followRedirects: boolean | undefined;
  /** See {@linkcode HTTPRequestOptions.maxRedirects}. */
  maxRedirects: number | undefined;
  /** See {@linkcode HTTPRequestOptions.userAgent}. */
  userAgent: string | undefined;
  /** See {@linkcode HTTPRequestOptions.decompressResponse}. */
  decompressResponse: boolean | undefined;
  /** See {@linkcode HTTPRequestOptions.streamingCallback}. */
  streamingCallback: ((chunk: Uint8Array) => void) | undefined;
  /** See {@linkcode HTTPRequestOptions.headerCallback}. */
  headerCallback: ((line: string) => void) | undefined;
  /** See {@linkcode HTTPRequestOptions.proxyHost}. */
  proxyHost: string | undefined;
  /** See {@linkcode HTTPRequestOptions.proxyPort}. */
  proxyPort: number | undefined;
  /** See {@linkcode HTTPRequestOptions.proxyUsername}. */
  proxyUsername: string | undefined;
  /** See {@linkcode HTTPRequestOptions.proxyPassword}. */
  proxyPassword: string | undefined;
  /** See {@linkcode HTTPRequestOptions.validateCert}. */
  validateCert: boolean | undefined;
  /** See {@linkcode HTTPRequestOptions.caCerts}. */
  caCerts: readonly string[] | undefined;
  /** See {@linkcode HTTPRequestOptions.allowNonstandardMethods}. */
  allowNonstandardMethods: boolean | undefined;
  /** See {@linkcode HTTPRequestOptions.expect100Continue}. */
  expect100Continue: boolean;
  /** See {@linkcode HTTPRequestOptions.signal}. */
  signal: AbortSignal | undefined;
  /** When the request was created, in seconds since the epoch (Tornado's `time.time()`). */
  readonly startTime: number;

  /**
   * Creates a request. Mirrors `HTTPRequest(url, **kwargs)`.
   *
   * @param url The URL to fetch.
   * @param options How to fetch it; see {@linkcode HTTPRequestOptions}.
   * @throws {TypeError} `url` is not a string, or both `body` and `bodyProducer` are given.
   * @throws {RangeError} `ifModifiedSince` is not a valid date.
   *
   * @example A conditional GET
   * ```ts
   * import assert from "node:assert/strict";
   * import { HTTPRequest } from "@torsion/torsion/http";
   * const request = new HTTPRequest("http://example.com/", { ifModifiedSince: 0 });
   * assert.equal(request.headers.get("If-Modified-Since"), "Thu, 01 Jan 1970 00:00:00 GMT");
   * ```
   */
  constructor(url: string, options: HTTPRequestOptions = {}) {
    if (typeof url !== "string") {
      throw new TypeError(
        `Cannot create an HTTPRequest: url must be a string, current value is ${
          String(url)
        }`,
      );
    }
    if (options.body !== undefined && options.bodyProducer !== undefined) {
      throw new TypeError(
        "Cannot create an HTTPRequest with both body and bodyProducer: give only one",
      );
    }
    this.url = url;
    this.method = options.method ?? "GET";
    this.headers = options.headers instanceof Headers
      ? options.headers
      : new Headers(options.headers);
    if (options.ifModifiedSince !== undefined) {
      this.headers.setRawHeaders("If-Modified-Since", [
        httpDate(options.ifModifiedSince),
      ]);
    }
    this.body = typeof options.body === "string"
      ? encoder.encode(options.body)
      : options.body;
    this.bodyProducer = options.bodyProducer;
    this.authUsername = options.authUsername;
    this.authPassword = options.authPassword;
    this.authMode = options.authMode;
    this.connectTimeout = options.connectTimeout;
    this.requestTimeout = options.requestTimeout;
    this.followRedirects = options.followRedirects;
    this.maxRedirects = options.maxRedirects;
    this.userAgent = options.userAgent;
    this.decompressResponse = options.decompressResponse;
    this.streamingCallback = options.streamingCallback;
    this.headerCallback = options.headerCallback;
    this.proxyHost = options.proxyHost;
    this.proxyPort = options.proxyPort;
    this.proxyUsername = options.proxyUsername;
    this.proxyPassword = options.proxyPassword;
    this.validateCert = options.validateCert;
    this.caCerts = options.caCerts;
    this.allowNonstandardMethods = options.allowNonstandardMethods;
    this.expect100Continue = options.expect100Continue ?? false;
    this.signal = options.signal;
    this.startTime = Date.now() / 1000;
  }
}
