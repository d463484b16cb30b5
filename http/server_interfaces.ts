/**
 * The contract between the HTTP/1.1 server engine and the frameworks that
 * sit on it, as Tornado's `httputil.HTTPServerConnectionDelegate`,
 * `HTTPMessageDelegate` and `HTTPConnection`, and Twisted's
 * `HTTPChannel`/`Request` pair.
 *
 * The engine (`HTTPChannel`, one per connection, built by an
 * `HTTPFactory`) parses requests with the same wire code the client parses
 * responses with, enforces the limits and timeouts, and answers malformed
 * requests with a 4xx and a close by itself. For every well-formed request
 * it asks its `HTTPServerConnectionDelegate` (Twisted's `Site`, Tornado's
 * `HTTPServer` over an `Application`) for an `HTTPRequestDelegate`, feeds it
 * the request, and gives it an `HTTPServerRequestChannel` to answer on.
 *
 * Types only: every implementation lives elsewhere.
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IConsumer,
  IProtocol,
  ITransport,
} from "../reactor/interfaces.ts";
import type { Headers } from "./headers.ts";
import type { HTTPVersion } from "./interfaces.ts";

/**
 * The request line and header block of a request, as Tornado's
 * `RequestStartLine` with its `HTTPHeaders`.
 */
export interface RequestHead {
  /** The method token, as sent (case-sensitive: `GET`, `POST`, ...). */
  readonly method: string;
  /** The request-target, as sent: `/path?query`, `*`, or an absolute URI. */
  readonly target: string;
  /** The version of the request line: `["HTTP", 1, 1]` or `["HTTP", 1, 0]`. */
  readonly version: HTTPVersion;
  /** Every header field, as received. */
  readonly headers: Headers;
  /**
   * The body length when known before it arrives (`Content-Length`, `0` for
   * a request without a body), or `null` for a chunked body.
   */
  readonly length: number | null;
}

/**
 * What the engine calls for one request, in order: `headersReceived` once,
 * `dataReceived` for each piece of body (after decompression when
 * `decompressRequest` is set), then `finish` when the body is complete. If
 * the connection is lost before the response is finished, `onConnectionClose`
 * is called instead of (or after) the others, exactly once. Tornado's
 * `HTTPMessageDelegate`.
 */
export interface HTTPRequestDelegate {
  /** The request line and headers have been parsed. */
  headersReceived(head: RequestHead): void;
  /** A piece of the request body: a view valid only during the call. */
  dataReceived(chunk: Uint8Array): void;
  /** The request body is complete (immediately after the head if none). */
  finish(): void;
  /** The connection closed before the response was finished. */
  onConnectionClose(reason: Failure): void;
}

/**
 * One request's side of a server connection, on which its response is
 * written: Tornado's `HTTP1Connection` as a request handler sees it, and the
 * channel under Twisted's `Request`. It is an `IConsumer`: a streaming
 * producer registered on it is paused while the peer reads slowly, so a
 * response never buffers without bound.
 *
 * The engine completes the head it is given: it adds `Date` and `Server`
 * when absent, chooses the framing (the given `Content-Length`, else chunked
 * for HTTP/1.1, else close-delimited), adds `Connection: close` when the
 * connection will not be kept alive, and never sends a body for `HEAD` or
 * for 1xx, 204 and 304 responses. A head that goes out before the request
 * body has all been read says `Connection: close`, and the connection
 * closes after the response: the unread rest of the body is not drained.
 * A head written and finished in the same turn waits until then to decide,
 * so a response finished after the body keeps the connection.
 */
export interface HTTPServerRequestChannel extends IConsumer {
  /** The request head this channel answers. */
  readonly head: RequestHead;
  /** Whether the response head has been written. */
  readonly headWritten: boolean;
  /** Whether `finish` has been called. */
  readonly finished: boolean;
  /**
   * Writes the status line and headers, with `chunk` as the first piece of
   * body when given.
   *
   * @throws {Error} When the head was already written.
   */
  writeHead(
    code: number,
    phrase: string,
    headers: Headers,
    chunk?: Uint8Array | string,
  ): void;
  /**
   * Writes a piece of body (after `writeHead`). Writing after `finish`
   * throws; writing after the client went away is ignored.
   */
  write(data: Uint8Array | string): void;
  /**
   * Ends the response; the connection then serves the next request or
   * closes. Writes a default head first if none was written.
   */
  finish(): void;
  /** The client's address (after `xheaders` when that option is set). */
  getPeer(): IAddress;
  /** The server's address for this connection. */
  getHost(): IAddress;
  /** Whether the connection is over TLS (or `X-Scheme: https` under `xheaders`). */
  isSecure(): boolean;
  /** Aborts the connection at once, dropping anything unsent. */
  abort(): void;
  /**
   * Seconds since the request's head arrived, on the server's clock (its
   * reactor's `seconds()`). Optional: a request on a channel without it
   * times itself. The engine's channels have it, so that a face that
   * times requests (Tornado's `request_time`) reads the clock once, at
   * the end, rather than again at the start.
   */
  elapsed?(): number;
  /**
   * Takes the connection out of HTTP once a `101 Switching Protocols` head
   * has been written: the engine stops parsing and timing it and hands over
   * the transport, with any bytes it had already read past the request.
   *
   * When `protocol` is given, the engine connects it to the transport
   * (`makeConnection`), passes it `buffered` (`dataReceived`, when not
   * empty), and from then on everything the connection receives, its close
   * included (`connectionLost`). Without one, later bytes are dropped.
   *
   * @param protocol The protocol that takes the connection over.
   * @throws {TypeError} The request's response is finished, or the
   * connection is closing.
   */
  detach(protocol?: IProtocol): { transport: ITransport; buffered: Uint8Array };
}

/**
 * One finished request as the access log records it: Tornado's
 * `log_request` and Twisted's `Site.log` line.
 */
export interface AccessLogEntry {
  /** The method, as sent. */
  readonly method: string;
  /** The request-target, as sent. */
  readonly target: string;
  /** The HTTP version of the request line, as `"HTTP/1.1"`. */
  readonly version: string;
  /** The status code sent. */
  readonly status: number;
  /** Milliseconds from the head's arrival to the end of the response. */
  readonly durationMs: number;
  /** The client's address (after `xheaders`), as `"host"` only. */
  readonly peer: string;
  /** How many body bytes were sent (after framing is removed). */
  readonly bytesSent: number;
  /** The request's `User-Agent`, if any. */
  readonly userAgent: string | undefined;
  /** The request's `Referer`, if any. */
  readonly referer: string | undefined;
}

/**
 * Makes the delegate for each request of every connection: what `Site` and
 * Tornado's `HTTPServer` implement. Tornado's
 * `HTTPServerConnectionDelegate`.
 *
 * @example A delegate that answers every request with its own target
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   Headers,
 *   HTTPFactory,
 *   type HTTPServerConnectionDelegate,
 * } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const delegate: HTTPServerConnectionDelegate = {
 *   startRequest(request) {
 *     const chunks: Uint8Array[] = [];
 *     return {
 *       headersReceived() {},
 *       dataReceived(chunk) { chunks.push(chunk.slice()); },
 *       finish() {
 *         request.writeHead(200, "OK", new Headers(), request.head.target);
 *         request.finish();
 *       },
 *       onConnectionClose() {},
 *     };
 *   },
 *   logAccess() {}, // quiet: no access log line
 * };
 * const factory = new HTTPFactory(delegate);
 * const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${port.getHost().port}/where`);
 * assert.equal(await response.text(), "/where");
 * await port.stopListening();
 * await factory.closeAllConnections();
 * ```
 */
export interface HTTPServerConnectionDelegate {
  /** Called for each well-formed request head, before its body is read. */
  startRequest(channel: HTTPServerRequestChannel): HTTPRequestDelegate;
  /**
   * Records a finished request instead of the engine's default access log
   * line (LogTape category `["torsion", "access"]`): Tornado's
   * `Application.log_request`, Twisted's `Site.log`. Optional.
   */
  logAccess?(entry: AccessLogEntry): void;
  /**
   * Whether `logAccess` wants the request that just finished: when it
   * answers `false` the engine builds no entry and calls nothing, which
   * spares every request a clock reading and an object when nobody logs
   * (Tornado's `Application`, which logs in its own `log_request`, always
   * answers `false`; `Site` answers whether its log is enabled). Optional:
   * without it, `logAccess` is called for every request.
   */
  logsAccess?(): boolean;
}

/**
 * Options of the HTTP/1.1 server engine (`HTTPFactory`), with the names and
 * defaults of Tornado's `HTTPServer` keyword arguments. Timeouts are in
 * seconds; `0` or `Infinity` turns a timeout off.
 *
 * @example Behind a proxy, with tighter limits
 * ```ts
 * import assert from "node:assert/strict";
 * import { HTTPFactory, type HTTPServerOptions } from "@torsion/torsion/http";
 * const options: HTTPServerOptions = {
 *   xheaders: true,
 *   maxBodySize: 1024 * 1024,
 *   headerTimeout: 10,
 * };
 * const factory = new HTTPFactory({
 *   startRequest() { throw new Error("not serving in this example"); },
 * }, options);
 * assert.equal(factory.options.maxBodySize, 1048576);
 * assert.throws(
 *   () => new HTTPFactory(factory.delegate, { maxHeaderSize: 0 }),
 *   RangeError,
 * );
 * ```
 */
export interface HTTPServerOptions {
  /**
   * The largest request head (request line, fields, line ends), in bytes.
   * A longer request line is answered 414, a larger head 431. Tornado's
   * `max_header_size`.
   * @default {65536}
   */
  maxHeaderSize?: number;
  /**
   * The largest request body, in bytes, declared or streamed (counted after
   * decompression with `decompressRequest`); a larger one is answered 413.
   * Tornado's `max_body_size`.
   * @default {104857600}
   */
  maxBodySize?: number;
  /**
   * Seconds a connection may wait for the first byte of its next request
   * before it is closed. Tornado's `idle_connection_timeout`.
   * @default {3600}
   */
  idleConnectionTimeout?: number;
  /**
   * Seconds from the first byte of a request until its whole head has
   * arrived; then the request is answered 408 and the connection closed.
   * It ends clients that drip their headers to hold connections
   * (slowloris). Node's `headersTimeout` is 60 s as well.
   * @default {60}
   */
  headerTimeout?: number;
  /**
   * Seconds from the end of a request's head until its whole body has
   * arrived; then it is answered 408 (or the connection aborted if the
   * response has begun). It bounds the whole body, not the gap between
   * two reads, so a body dripped a byte at a time ends too. Tornado's
   * `body_timeout`, with its meaning (Tornado has no default and closes
   * without an answer; here an hour, so that nothing waits forever).
   * @default {3600}
   */
  bodyTimeout?: number;
  /**
   * Seconds a response may wait for the client to read. Once more than the
   * transport's buffer (64 KiB) waits to be sent, the client must take what
   * the transport holds within this time, and then each further 64 KiB (a
   * large write goes out in such slices); else the connection is aborted,
   * a registered producer is stopped and the request's delegate hears
   * `onConnectionClose`. Writes made meanwhile wait and do not restart the
   * clock. A pull producer must be asked for more within it. Tornado has
   * none; Twisted's `HTTPChannel` aborts `abortTimeout` (15 s) after its
   * `timeOut`, which is off while a request is served.
   * @default {300}
   */
  writeTimeout?: number;
  /**
   * Close every connection after one request. Tornado's `no_keep_alive`.
   * @default {false}
   */
  noKeepAlive?: boolean;
  /**
   * Trust `X-Real-Ip`/`X-Forwarded-For` for the client's address and
   * `X-Scheme`/`X-Forwarded-Proto` for the scheme: set it only behind a
   * proxy that sets them. Tornado's `xheaders`.
   * @default {false}
   */
  xheaders?: boolean;
  /**
   * Decode request bodies sent with `Content-Encoding: gzip` (or
   * `deflate`) before the delegate sees them. Tornado's
   * `decompress_request`.
   * @default {false}
   */
  decompressRequest?: boolean;
  /**
   * The `Server` header added to responses that have none; `null` sends
   * none.
   * @default {"Torsion"}
   */
  serverHeader?: string | null;
}
