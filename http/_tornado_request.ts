/**
 * What `AsyncHTTPClient.fetch` makes of an `HTTPRequest` before sending it:
 * every option resolved against the client's `defaults` and Tornado's, as
 * Tornado's `_RequestProxy`, and the checks `simple_httpclient` makes
 * (supported method, body rules, auth mode, scheme).
 *
 * @module
 */
import { Headers } from "./headers.ts";
import {
  type BodyProducer,
  HTTPRequest,
  type HTTPRequestOptions,
} from "./http_request.ts";
import { parseURI } from "./_url.ts";

/** The methods `simple_httpclient` sends without `allowNonstandardMethods`. */
const SUPPORTED_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
]);
const BODY_METHODS = new Set(["POST", "PATCH", "PUT"]);

/** An `HTTPRequest` with every option decided. */
export interface ResolvedRequest {
  readonly original: HTTPRequest;
  readonly url: string;
  readonly method: string;
  /**
   * The caller's object, or a copy once fields are added to it: the client
   * never touches the caller's object (see `ownHeaders`).
   */
  readonly headers: Headers;
  readonly body: Uint8Array | undefined;
  readonly bodyProducer: BodyProducer | undefined;
  readonly authUsername: string | undefined;
  readonly authPassword: string;
  readonly connectTimeout: number;
  readonly requestTimeout: number;
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly userAgent: string | undefined;
  readonly decompressResponse: boolean;
  readonly streamingCallback: ((chunk: Uint8Array) => void) | undefined;
  readonly headerCallback: ((line: string) => void) | undefined;
  readonly proxyHost: string | undefined;
  readonly proxyPort: number | undefined;
  readonly proxyUsername: string | undefined;
  readonly proxyPassword: string;
  readonly validateCert: boolean;
  readonly caCerts: readonly string[] | undefined;
  readonly expect100Continue: boolean;
  readonly signal: AbortSignal | undefined;
}

type Key = Exclude<keyof HTTPRequestOptions, "headers" | "body" | "method">;

/**
 * Resolves `request` against `defaults`: the request's value, else the
 * default's, else Tornado's. The defaults' header fields are added under the
 * request's (Tornado ignores `defaults.headers`, a known wart).
 */
export function resolveRequest(
  request: HTTPRequest,
  defaults: Readonly<HTTPRequestOptions>,
): ResolvedRequest {
  const pick = <K extends Key>(key: K): HTTPRequestOptions[K] =>
    (request as HTTPRequestOptions)[key] ?? defaults[key] ??
      (HTTPRequest.DEFAULTS as HTTPRequestOptions)[key];
  checkRequest(request, pick("allowNonstandardMethods")!, pick("authMode"));
  let headers = request.headers;
  if (defaults.headers !== undefined) {
    const base = defaults.headers instanceof Headers
      ? defaults.headers
      : new Headers(defaults.headers);
    for (const [name, values] of base.getAllRawHeaders()) {
      if (headers.hasHeader(name)) continue;
      headers = ownHeaders(request, headers);
      headers.setRawHeaders(name, values);
    }
  }
  return {
    original: request,
    url: request.url,
    method: request.method,
    headers,
    body: request.body,
    bodyProducer: pick("bodyProducer"),
    authUsername: pick("authUsername"),
    authPassword: pick("authPassword") ?? "",
    connectTimeout: pick("connectTimeout")!,
    requestTimeout: pick("requestTimeout")!,
    followRedirects: pick("followRedirects")!,
    maxRedirects: pick("maxRedirects")!,
    userAgent: pick("userAgent"),
    decompressResponse: pick("decompressResponse")!,
    streamingCallback: pick("streamingCallback"),
    headerCallback: pick("headerCallback"),
    proxyHost: pick("proxyHost"),
    proxyPort: pick("proxyPort"),
    proxyUsername: pick("proxyUsername"),
    proxyPassword: pick("proxyPassword") ?? "",
    validateCert: pick("validateCert")!,
    caCerts: pick("caCerts"),
    expect100Continue: request.expect100Continue ||
      (defaults.expect100Continue ?? false),
    signal: pick("signal"),
  };
}

/**
 * Tornado's checks, made before the request is queued rather than after it
 * has connected: the failure is the same, without a wasted connection.
 */
function checkRequest(
  request: HTTPRequest,
  allowNonstandardMethods: boolean,
  authMode: string | undefined,
): void {
  // parseURI caches, so the engine's own parse of this URL is then free.
  const scheme = parseURI(request.url).scheme;
  if (scheme !== "http" && scheme !== "https") {
    throw new TypeError(
      `Unsupported URL scheme: current value is ${JSON.stringify(request.url)}`,
    );
  }
  if (!allowNonstandardMethods) {
    if (!SUPPORTED_METHODS.has(request.method)) {
      throw new TypeError(
        `Unknown method without allowNonstandardMethods: current value is ${request.method}`,
      );
    }
    const bodyExpected = BODY_METHODS.has(request.method);
    const bodyPresent = request.body !== undefined ||
      request.bodyProducer !== undefined;
    if (bodyExpected !== bodyPresent) {
      throw new TypeError(
        `Body must ${
          bodyExpected ? "not " : ""
        }be undefined for method ${request.method} (unless allowNonstandardMethods is true)`,
      );
    }
  }
  if (authMode !== undefined && authMode !== "basic") {
    throw new TypeError(
      `Unsupported authMode: current value is ${JSON.stringify(authMode)}`,
    );
  }
}

/**
 * `headers` ready to be changed: a copy when they are still the caller's
 * (`request.headers`), as they are unless a field was added. Copying only
 * then spares a collection per request, thousands of which may be queued.
 */
export function ownHeaders(request: HTTPRequest, headers: Headers): Headers {
  return headers === request.headers ? headers.copy() : headers;
}
