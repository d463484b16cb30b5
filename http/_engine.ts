/**
 * The request engine shared by the two faces of the HTTP client: `getPage`
 * (Twisted) and `AsyncHTTPClient` (Tornado) call {@linkcode performRequest};
 * `Agent` uses the same pieces one level down (`_route.ts`, the pool,
 * `HTTP11ClientProtocol`).
 *
 * ## Internal API (for the faces)
 *
 * ```text
 * performRequest(pool: HTTPConnectionPool, request: EngineRequest): Deferred<EngineResult>
 * ```
 *
 * One call is one fetch: the request, the redirects it leads to, and the
 * body of the final response, read whole (or streamed to `onChunk`).
 *
 * - **Connections**: taken from `pool` (keep-alive per scheme, host, port,
 *   TLS and proxy settings; idle ones capped by `maxPersistentPerHost` and
 *   closed after `cachedConnectionTimeout`). A request that fails on a kept
 *   connection before any response byte is sent again once on a new one when
 *   its method is idempotent and its body is not a stream (`retryAutomatically`).
 *   With `pool.persistent` false every request says `Connection: close`.
 * - **Request**: `method` (any token), `url` (`http:` or `https:`; user
 *   info in it is basic auth and wins over `auth`), `headers` (never
 *   modified; a copy is made when the engine adds `Authorization`,
 *   `Accept-Encoding` or `Proxy-Authorization`, and fields the caller set
 *   win), `body` as bytes (sent with the head in one write, replayed on
 *   retry and on 307/308) or an `IBodyProducer` (`Content-Length` when its
 *   `length` is known, chunked otherwise; `WriterProducer` adapts Tornado's
 *   `body_producer`). `Host` and `Content-Length` are always computed;
 *   `User-Agent` is `userAgent` unless the headers have one.
 * - **Timeouts** (seconds, 0 or `Infinity` for none): `connectTimeout`
 *   bounds each connection set-up (DNS, TCP, proxy CONNECT and TLS);
 *   `requestTimeout` is ONE deadline for the whole fetch from the call of
 *   `performRequest`, across retries and redirects. Both fail with
 *   `HTTPTimeoutError` (code 599) whose `phase` says where the fetch was
 *   (`"dns"`, `"connect"`, `"tls"`, `"request"`, `"headers"`, `"body"`;
 *   the host name is looked up as a step of its own, `_name_resolver.ts`)
 *   and whose message starts with Tornado's `"Timeout while connecting"`
 *   or `"Timeout during request"` and names the phase. The face adds
 *   `"queue"` itself (`"Timeout in request queue"`).
 * - **Redirects**: with `followRedirects`, 301, 302, 303, 307 and 308 are
 *   followed up to `maxRedirects` times with Tornado's rules: 303 turns
 *   every method but HEAD into GET, 301 and 302 turn POST into GET (the
 *   body and its `Content-*` fields are dropped), 307 and 308 keep method
 *   and body. When a hop leaves the original origin, `Authorization`,
 *   `Cookie`, `Cookie2`, `Proxy-Authorization`, `WWW-Authenticate` and the
 *   `auth` credentials are not sent (Twisted 22.1, Tornado 6.5.6); the
 *   `proxy` option's own credentials still go to that proxy, which every
 *   hop passes through, and never to an origin. A
 *   redirect that is not followed (limit reached, no `Location`, or
 *   `followRedirects` off) is returned as the result: the face decides
 *   (Tornado raises `HTTPClientError(3xx)`). `effectiveUrl` is the last
 *   URL requested, `redirects` how many were followed.
 * - **Decompression**: with `decompress`, `Accept-Encoding: gzip, deflate`
 *   is sent (unless the headers have one) and a `gzip` or `deflate` body is
 *   decompressed as it streams; `Content-Encoding` is then moved to
 *   `X-Consumed-Content-Encoding`, as Tornado does.
 * - **Limits**: `maxHeaderSize` bounds the response head (`ResponseFailed`
 *   with a `ParseError`); `maxBodySize` bounds the body AFTER decompression
 *   (and the declared `Content-Length`): `ResponseFailed` with a
 *   `BodyTooLargeError`, and the connection is aborted at once, so a gzip
 *   bomb stops near the limit.
 * - **Callbacks**: `onHeaderLine` gets the final response's status line,
 *   each header line and `"\r\n"`, each ending in CRLF (Tornado's
 *   `header_callback`, not called for redirects that are followed);
 *   `onChunk` gets each (decoded) body piece and the result's `body` is then
 *   empty (Tornado's `streaming_callback`). A throw from either fails the
 *   fetch with that error.
 * - **Proxy**: `proxy` sends plain-HTTP requests in absolute form to the
 *   proxy and tunnels https with CONNECT; `username`/`password` become
 *   `Proxy-Authorization: Basic`.
 * - **TLS**: `caCerts` adds PEM trust anchors; `validateCert: false`
 *   cannot be honoured per request on Deno (only the process-wide
 *   `--unsafely-ignore-certificate-errors` flag skips verification), so a
 *   failed handshake then says so in its `TLSError`.
 * - **Cancellation**: cancelling the returned Deferred aborts the
 *   connection at once (or stops the connection attempt) and fails it with
 *   `CancelledError`.
 * - **Errors** (as they are; the face maps them): `HTTPTimeoutError`,
 *   `ConnectionRefusedError`, `DNSLookupError`, `TLSError` and other
 *   `ConnectError`s, `SchemeNotSupported`, `ResponseNeverReceived`,
 *   `ResponseFailed` (reasons: `ParseError`, `BodyTooLargeError`,
 *   `ConnectionLost`, ...), `PartialDownloadError` (the body was cut short:
 *   its `status`, the `DataLoss` message and the bytes that arrived as
 *   `response`), `RequestTransmissionFailed`,
 *   `RequestGenerationFailed`, `CancelledError`, and `TypeError` for a
 *   request that cannot be serialised (bad method or header).
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { CancelledError, TimeoutError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall } from "../deferred/interfaces.ts";
import type { IPushProducer, ITransport } from "../reactor/interfaces.ts";
import { Protocol } from "../reactor/protocol.ts";
import {
  PartialDownloadError,
  PotentialDataLoss,
  ResponseDone,
  ResponseFailed,
  SchemeNotSupported,
} from "./client_errors.ts";
import { BodyTooLargeError } from "./errors.ts";
import { HTTPTimeoutError } from "./http_client_error.ts";
import type { HTTPConnectionPool } from "./connection_pool.ts";
import { Headers } from "./headers.ts";
import type { IBodyProducer } from "./interfaces.ts";
import { dataLossOf } from "./_bytes.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { codingOf, type ContentCoding, StreamDecoder } from "./_decoder.ts";
import { BoundedDrain, planRedirect, REDIRECT_CODES } from "./_redirect.ts";
import { ClientRequest, PHASE_WORDS, PhaseTracker } from "./_request.ts";
import {
  basicAuthorization,
  type ConnectionSettings,
  routeFor,
  sendRequest,
} from "./_route.ts";
import { type ParsedURI, parseURI } from "./_url.ts";
import type { Response } from "./response.ts";

export { WriterProducer } from "./_writer_producer.ts";

/** The default `maxBodySize`: 100 MiB, as Tornado's `max_body_size`. */
export const DEFAULT_MAX_BODY_SIZE = 100 * 1024 * 1024;

/** An HTTP proxy for {@linkcode EngineRequest.proxy}. */
export interface EngineProxy {
  /** The proxy's host. */
  host: string;
  /** The proxy's port. */
  port: number;
  /** User name for `Proxy-Authorization: Basic`; none when undefined. */
  username?: string;
  /** Password for `Proxy-Authorization: Basic`. */
  password?: string;
}

/** One fetch, as {@linkcode performRequest} takes it. */
export interface EngineRequest {
  /** The method, an HTTP token. */
  method: string;
  /** The absolute `http:` or `https:` URL. */
  url: string;
  /** Header fields to send (not modified). */
  headers?: Headers;
  /** The body: bytes, a producer, or none. */
  body?: Uint8Array | IBodyProducer | null;
  /** Seconds for each connection set-up; 0 or `Infinity` for none. Default 20. */
  connectTimeout?: number;
  /** Seconds for the whole fetch; 0 or `Infinity` for none. Default 20. */
  requestTimeout?: number;
  /** Whether to follow redirects. Default `true`. */
  followRedirects?: boolean;
  /** How many redirects to follow at most. Default 5. */
  maxRedirects?: number;
  /** Whether to ask for and undo gzip/deflate. Default `false`. */
  decompress?: boolean;
  /** Largest response head, bytes. Default 65536. */
  maxHeaderSize?: number;
  /** Largest body after decompression, bytes. Default 100 MiB. */
  maxBodySize?: number;
  /** Reject bare LF line ends and obs-fold in response heads. Default `false`. */
  strictLineEnds?: boolean;
  /** `User-Agent` when the headers have none; `null` for none. Default `"Torsion/0.2.0"`. */
  userAgent?: string | null;
  /** Basic credentials; dropped on a hop to another origin. */
  auth?: { username: string; password: string } | null;
  /** The proxy to go through. */
  proxy?: EngineProxy | null;
  /** Extra PEM CA certificates for https. */
  caCerts?: readonly string[];
  /** Whether certificates are checked (see the module doc). Default `true`. */
  validateCert?: boolean;
  /** Send `Expect: 100-continue` and wait for it before a body. Default `false`. */
  expectContinue?: boolean;
  /** Tornado's `header_callback`. */
  onHeaderLine?: (line: string) => void;
  /** Tornado's `streaming_callback`. */
  onChunk?: (chunk: Uint8Array) => void;
}

/** What a fetch produced: the final response, read. */
export interface EngineResult {
  /** The status code. */
  code: number;
  /** The reason phrase. */
  reason: string;
  /** The response's header fields. */
  headers: Headers;
  /** The body (decoded); empty when streamed to `onChunk`. */
  body: Uint8Array;
  /** The URL of the final request, after redirects. */
  effectiveUrl: string;
  /** How many redirects were followed. */
  redirects: number;
  /** Seconds from the call of `performRequest` to the end of the body. */
  requestTime: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Performs one fetch. See the module documentation for the semantics.
 *
 * @param pool Where connections come from (and its reactor keeps time).
 * @param request What to fetch and how.
 * @returns A Deferred of the result.
 */
export function performRequest(
  pool: HTTPConnectionPool,
  request: EngineRequest,
): Deferred<EngineResult> {
  return new Fetch(pool, request).deferred;
}

/** Where the body of a response goes. */
class BodySink extends Protocol {
  readonly #fetch: Fetch;
  readonly #limit: number;
  readonly #onChunk: ((chunk: Uint8Array) => void) | undefined;
  #decoder: StreamDecoder | null = null;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #ended = false;
  #reason: Failure | null = null;

  constructor(
    fetch: Fetch,
    limit: number,
    onChunk: ((chunk: Uint8Array) => void) | undefined,
    coding: ContentCoding | null,
  ) {
    super();
    this.#fetch = fetch;
    this.#limit = limit;
    this.#onChunk = onChunk;
    if (coding !== null) {
      this.#decoder = new StreamDecoder(coding, {
        onData: (chunk) => this.#accept(chunk),
        onEnd: (error) => this.#decoded(error),
      });
    }
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#ended) return;
    if (this.#decoder !== null) this.#decoder.write(data);
    else this.#accept(data);
  }

  override connectionLost(reason: Failure): void {
    if (this.#ended) return;
    if (reason.check(ResponseDone, PotentialDataLoss) !== null) {
      if (this.#decoder !== null) {
        this.#reason = reason;
        this.#decoder.end();
        return;
      }
      this.#ended = true;
      this.#fetch.bodyDone(joinChunks(this.#chunks, this.#size));
      return;
    }
    this.#ended = true;
    this.#decoder?.abort();
    const loss = dataLossOf(reason);
    this.#fetch.fail(
      loss === undefined ? reason : new Failure(
        this.#fetch.partial(
          loss.getErrorMessage(),
          joinChunks(this.#chunks, this.#size),
        ),
      ),
    );
  }

  /** Aborts the connection the body arrives on. */
  abort(): void {
    this.#ended = true;
    this.#decoder?.abort();
    (this.transport as (ITransport & IPushProducer) | null)?.stopProducing();
  }

  #accept(chunk: Uint8Array): void {
    if (this.#ended) return;
    this.#size += chunk.length;
    if (this.#size > this.#limit) {
      const error = new ResponseFailed([
        new Failure(new BodyTooLargeError(this.#limit, this.#size)),
      ]);
      this.abort();
      this.#fetch.fail(new Failure(error));
      return;
    }
    const onChunk = this.#onChunk;
    if (onChunk === undefined) {
      this.#chunks.push(chunk);
      return;
    }
    try {
      onChunk(chunk);
    } catch (error) {
      this.abort();
      this.#fetch.fail(new Failure(error));
    }
  }

  #decoded(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (error !== undefined) {
      const reasons = this.#reason === null ? [] : [this.#reason];
      reasons.push(new Failure(error));
      if (this.#reason === null) {
        (this.transport as (ITransport & IPushProducer) | null)
          ?.stopProducing();
      }
      this.#fetch.fail(new Failure(new ResponseFailed(reasons)));
      return;
    }
    this.#fetch.bodyDone(joinChunks(this.#chunks, this.#size));
  }
}

/** One request of a fetch: the first, or one a redirect leads to. */
interface Hop {
  readonly method: string;
  readonly uri: ParsedURI;
  /** The caller's fields (or a redirect's copy); the engine's are added to a copy. */
  readonly headers: Headers | null;
  readonly body: Uint8Array | IBodyProducer | null;
  /** How many more redirects may be followed. */
  readonly redirectsLeft: number;
}

/** The state of one fetch. */
class Fetch {
  readonly deferred: Deferred<EngineResult>;
  readonly #pool: HTTPConnectionPool;
  readonly #request: EngineRequest;
  readonly #settings: ConnectionSettings;
  readonly #tracker = new PhaseTracker();
  readonly #start: number;
  readonly #origin: string;
  readonly #maxBodySize: number;
  #current: Deferred<unknown> | null = null;
  #sink: BodySink | null = null;
  #timer: IDelayedCall | null = null;
  #override: Error | null = null;
  #finished = false;
  #response: Response | null = null;
  #url = "";
  #redirects = 0;

  constructor(pool: HTTPConnectionPool, request: EngineRequest) {
    this.#pool = pool;
    this.#request = request;
    const reactor = pool.reactor;
    this.#start = reactor.seconds();
    this.deferred = new Deferred<EngineResult>(() => this.#cancel());
    this.#maxBodySize = request.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
    const proxy = request.proxy ?? null;
    const proxyAuthorization = proxy !== null && proxy.username !== undefined
      ? basicAuthorization(proxy.username, proxy.password ?? "")
      : null;
    const connectTimeout = seconds(request.connectTimeout, 20);
    this.#settings = {
      connectTimeout,
      caCerts: request.caCerts,
      validateCert: request.validateCert ?? true,
      proxy: proxy === null ? null : {
        host: proxy.host,
        port: proxy.port,
        authorization: proxyAuthorization,
      },
    };
    let uri: ParsedURI;
    try {
      uri = parseURI(request.url);
    } catch (error) {
      this.#origin = "";
      this.fail(new Failure(error));
      return;
    }
    this.#origin = uri.origin;
    const requestTimeout = seconds(request.requestTimeout, 20);
    if (requestTimeout !== null) {
      this.#timer = reactor.callLater(requestTimeout, () => {
        this.#timer = null;
        this.#deadline(requestTimeout);
      });
    }
    this.#send({
      method: request.method,
      uri,
      headers: request.headers ?? null,
      body: request.body ?? null,
      redirectsLeft: request.maxRedirects ?? 5,
    });
  }

  /** The body of the final response arrived whole. */
  bodyDone(body: Uint8Array): void {
    if (this.#finished) return;
    const response = this.#response as Response;
    const end = this.#pool.reactor.seconds();
    this.#finish();
    this.deferred.callback({
      code: response.code,
      reason: response.phrase,
      headers: response.headers,
      body: this.#request.onChunk === undefined ? body : EMPTY,
      effectiveUrl: this.#url,
      redirects: this.#redirects,
      requestTime: end - this.#start,
    });
  }

  /** A `PartialDownloadError` for the current response, holding `body`. */
  partial(message: string, body: Uint8Array): PartialDownloadError {
    const code = this.#response?.code ?? 200;
    return new PartialDownloadError(code, message, body);
  }

  /**
   * The fetch failed. A deadline or a cancellation that caused the failure
   * wins over what it caused (the aborted connection's error); a connect
   * timeout becomes an `HTTPTimeoutError` naming its phase.
   */
  fail(failure: Failure): void {
    if (this.#finished) return;
    this.#finish();
    let error: unknown = this.#override ?? failure;
    if (this.#override === null && failure.value instanceof TimeoutError) {
      const phase = this.#tracker.phase;
      error = new HTTPTimeoutError(
        failure.value.message,
        phase === "dns" || phase === "tls" ? phase : "connect",
      );
    }
    this.deferred.errback(error);
  }

  #send(hop: Hop): void {
    if (this.#finished) return;
    const { method, uri, headers, body } = hop;
    if (uri.scheme !== "http" && uri.scheme !== "https") {
      this.fail(new Failure(new SchemeNotSupported(uri.scheme)));
      return;
    }
    this.#url = uri.absolute;
    const request = this.#request;
    const sameOrigin = uri.origin === this.#origin;
    const route = routeFor(
      this.#pool.reactor,
      uri,
      this.#settings,
      this.#tracker,
    );
    let sent = headers;
    const add = (name: string, value: string | null): void => {
      if (value === null || sent?.hasHeader(name)) return;
      if (sent === headers) {
        sent = headers === null ? new Headers() : headers.copy();
      }
      (sent as Headers).addRawHeader(name, value);
    };
    const credentials = uri.credentials ??
      (sameOrigin && request.auth ? request.auth : null);
    if (credentials !== null) {
      add(
        "Authorization",
        basicAuthorization(credentials.username, credentials.password),
      );
    }
    if (request.decompress) add("Accept-Encoding", "gzip, deflate");
    add("Proxy-Authorization", route.proxyAuthorization);
    let bytes: Uint8Array | null = null;
    let producer: IBodyProducer | null = null;
    if (body instanceof Uint8Array) bytes = body;
    else if (body !== null) producer = body;
    let clientRequest: ClientRequest;
    try {
      clientRequest = new ClientRequest({
        method,
        uri,
        headers: sent ?? EMPTY_HEADERS,
        body: bytes,
        bodyProducer: producer,
        persistent: this.#pool.persistent,
        proxy: route.proxied,
        expectContinue: request.expectContinue ?? false,
        userAgent: request.userAgent,
        maxHeaderSize: request.maxHeaderSize,
        maxBodySize: this.#maxBodySize,
        strictLineEnds: request.strictLineEnds ?? false,
        tracker: this.#tracker,
      });
    } catch (error) {
      this.fail(new Failure(error));
      return;
    }
    const current = sendRequest(this.#pool, route, clientRequest);
    this.#current = current;
    current.addBoth(this.#answered, current, hop);
  }

  /**
   * The outcome of a hop's request: its response, or why none came. One
   * function for all of the fetch's hops, told which by its arguments.
   */
  readonly #answered = (
    outcome: Response | Failure,
    current: Deferred<Response>,
    hop: Hop,
  ): void => {
    if (this.#current === current) this.#current = null;
    if (outcome instanceof Failure) this.fail(outcome);
    else this.#received(outcome, hop);
  };

  #received(response: Response, hop: Hop): void {
    const { method, uri, headers, body, redirectsLeft } = hop;
    if (this.#finished) {
      response.deliverBody(new BoundedDrain(0));
      return;
    }
    const request = this.#request;
    if (
      request.followRedirects !== false && redirectsLeft > 0 &&
      REDIRECT_CODES.has(response.code)
    ) {
      const location = response.headers.getRawHeaders("location")?.[0];
      let plan;
      try {
        plan = planRedirect(
          "tornado",
          response.code,
          method,
          uri.absolute,
          location,
          headers,
        );
      } catch (error) {
        response.deliverBody(new BoundedDrain(0));
        this.fail(
          new Failure(new ResponseFailed([new Failure(error)], response)),
        );
        return;
      }
      if (plan !== null && typeof plan !== "string") {
        let next: ParsedURI;
        try {
          next = parseURI(plan.uri);
        } catch (error) {
          response.deliverBody(new BoundedDrain(0));
          this.fail(new Failure(error));
          return;
        }
        response.deliverBody(new BoundedDrain());
        this.#redirects++;
        this.#send({
          method: plan.method,
          uri: next,
          headers: plan.headers,
          body: plan.keepBody ? body : null,
          redirectsLeft: redirectsLeft - 1,
        });
        return;
      }
    }
    this.#response = response;
    const responseHeaders = response.headers;
    let coding: ContentCoding | null = null;
    if (request.decompress) {
      const encoding = responseHeaders.getRawHeaders("content-encoding");
      if (encoding !== undefined && encoding.length === 1) {
        coding = codingOf(encoding[0]);
        if (coding !== null) {
          responseHeaders.removeHeader("content-encoding");
          responseHeaders.addRawHeader(
            "X-Consumed-Content-Encoding",
            encoding[0],
          );
        }
      }
    }
    const onHeaderLine = request.onHeaderLine;
    if (onHeaderLine !== undefined) {
      try {
        const [, major, minor] = response.version;
        onHeaderLine(
          `HTTP/${major}.${minor} ${response.code} ${response.phrase}\r\n`,
        );
        for (const [name, value] of responseHeaders) {
          onHeaderLine(`${name}: ${value}\r\n`);
        }
        onHeaderLine("\r\n");
      } catch (error) {
        const sink = new BodySink(this, 0, undefined, null);
        response.deliverBody(sink);
        sink.abort();
        this.fail(new Failure(error));
        return;
      }
    }
    const sink = new BodySink(this, this.#maxBodySize, request.onChunk, coding);
    this.#sink = sink;
    response.deliverBody(sink);
  }

  #deadline(timeout: number): void {
    if (this.#finished) return;
    const phase = this.#tracker.phase;
    const error = new HTTPTimeoutError(
      `Timeout during request (${PHASE_WORDS[phase]}) after ${timeout} seconds`,
      phase,
    );
    this.#override = error;
    this.#abortCurrent();
    this.fail(new Failure(error));
  }

  #cancel(): void {
    if (this.#finished) return;
    const error = new CancelledError("The request was cancelled");
    this.#override = error;
    this.#abortCurrent();
    this.fail(new Failure(error));
  }

  #abortCurrent(): void {
    const current = this.#current;
    this.#current = null;
    current?.cancel();
    this.#sink?.abort();
  }

  #finish(): void {
    this.#finished = true;
    this.#current = null;
    this.#sink = null;
    const timer = this.#timer;
    this.#timer = null;
    if (timer !== null && timer.active()) timer.cancel();
  }
}

const EMPTY_HEADERS = new Headers();

/** A timeout option in seconds: `null` for none (0 or `Infinity`). */
function seconds(value: number | undefined, fallback: number): number | null {
  const n = value ?? fallback;
  if (!(n >= 0)) {
    throw new RangeError(
      `Timeouts must be non-negative numbers of seconds: current value is ${n}`,
    );
  }
  return n === 0 || n === Infinity ? null : n;
}
