/**
 * The interfaces of the Twisted-style HTTP client, as
 * `twisted.web.iweb`: what an agent, a request body producer, a response
 * and a sent request promise; and the parsed head of a response
 * (`ResponseHead`, with its `HTTPVersion` and `BodyFraming`). Types only.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type {
  IConsumer,
  IProtocol,
  IPushProducer,
} from "../reactor/interfaces.ts";
import type { Headers } from "./headers.ts";

/**
 * How a response body is delimited: not at all (`"none"`: HEAD, 1xx, 204,
 * 304, tunnels), by `Content-Length` (`"length"`), by chunked encoding
 * (`"chunked"`), or by the close of the connection (`"close"`). A
 * close-delimited body cannot be told from a truncated one: Twisted reports
 * it as `PotentialDataLoss`.
 */
export type BodyFraming = "none" | "length" | "chunked" | "close";

/**
 * The HTTP version of a response, as Twisted's `(b"HTTP", 1, 1)` tuple
 * (`IResponse.version`).
 *
 * @example Telling HTTP/1.0 apart
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HTTPVersion } from "@torsion/torsion/http";
 * const version: HTTPVersion = ["HTTP", 1, 0];
 * const [, major, minor] = version;
 * assert.equal(`HTTP/${major}.${minor}`, "HTTP/1.0");
 * ```
 */
export type HTTPVersion = readonly [protocol: "HTTP", major: 1, minor: number];

/** The status line and header block of a response. */
export interface ResponseHead {
  /** The version of the status line: `["HTTP", 1, 1]` or `["HTTP", 1, 0]`. */
  readonly version: HTTPVersion;
  /** The status code, 100 to 999. */
  readonly code: number;
  /** The reason phrase, possibly empty. Twisted's `phrase`, Tornado's `reason`. */
  readonly phrase: string;
  /**
   * Every header field, connection-control fields included (Twisted moves
   * those to a separate `connHeaders`; the client may strip them).
   */
  readonly headers: Headers;
  /**
   * The body length when known before it arrives: the `Content-Length`, or
   * 0 for bodiless responses; `null` for chunked and close-delimited bodies
   * (Twisted's `UNKNOWN_LENGTH`).
   */
  readonly length: number | null;
  /** How the body is delimited. */
  readonly framing: BodyFraming;
  /**
   * Whether the connection may carry another request once this response is
   * complete: HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
   * `Connection: keep-alive`; never for close-delimited bodies, tunnels, or
   * responses with both `Transfer-Encoding` and `Content-Length`.
   */
  readonly keepAlive: boolean;
  /**
   * Whether the connection now carries another protocol (101 Switching
   * Protocols, or a 2xx answer to CONNECT): the bytes after the head are not
   * HTTP and are left unconsumed.
   */
  readonly upgraded: boolean;
}

/**
 * Produces a request body, writing it to the connection as it goes. Mirrors
 * Twisted's `twisted.web.iweb.IBodyProducer`: `length` is sent as
 * `Content-Length`, or, when it is `UNKNOWN_LENGTH`, the body is sent with
 * chunked coding. The client registers the producer with the connection,
 * so it is paused while the socket's buffer is full.
 *
 * @example A producer of a fixed text
 * ```ts
 * import { succeed } from "@torsion/torsion/deferred";
 * import type { IBodyProducer } from "@torsion/torsion/http";
 * const body = new TextEncoder().encode("hello");
 * const producer: IBodyProducer = {
 *   length: body.length,
 *   startProducing(consumer) {
 *     consumer.write(body);
 *     return succeed(undefined);
 *   },
 *   pauseProducing() {},
 *   resumeProducing() {},
 *   stopProducing() {},
 * };
 * ```
 */
export interface IBodyProducer extends IPushProducer {
  /** The body's length in bytes, or `UNKNOWN_LENGTH` to send it chunked. */
  readonly length: number | "UNKNOWN_LENGTH";
  /**
   * Starts writing the body to `consumer`.
   *
   * @returns A Deferred that fires once the whole body is written, or fails
   * if producing it failed.
   */
  startProducing(consumer: IConsumer): Deferred<void>;
}

/**
 * A request as sent, as a response refers back to it. Mirrors Twisted's
 * `twisted.web.iweb.IClientRequest`.
 *
 * @example Describing a request
 * ```ts
 * import type { IClientRequest } from "@torsion/torsion/http";
 * function describe(request: IClientRequest): string {
 *   return `${request.method} ${request.absoluteURI}`;
 * }
 * ```
 */
export interface IClientRequest {
  /** The method, as sent. */
  readonly method: string;
  /** The absolute URI requested (never the proxy's). */
  readonly absoluteURI: string;
  /** The header fields given by the caller (the client adds `Host` and framing). */
  readonly headers: Headers;
}

/**
 * A response whose head has arrived and whose body can be delivered to a
 * protocol. Mirrors Twisted's `twisted.web.iweb.IResponse`.
 *
 * @example Checking for success
 * ```ts
 * import type { IResponse } from "@torsion/torsion/http";
 * function ok(response: IResponse): boolean {
 *   return response.code >= 200 && response.code < 300;
 * }
 * ```
 */
export interface IResponse {
  /** The HTTP version: `["HTTP", 1, 1]` or `["HTTP", 1, 0]`. */
  readonly version: HTTPVersion;
  /** The status code. */
  readonly code: number;
  /** The reason phrase. */
  readonly phrase: string;
  /** The header fields. */
  readonly headers: Headers;
  /** The body length, or `UNKNOWN_LENGTH` for chunked and close-delimited bodies. */
  readonly length: number | "UNKNOWN_LENGTH";
  /** The request this response answers. */
  readonly request: IClientRequest | null;
  /** The response that redirected to this one, when redirects were followed. */
  readonly previousResponse: IResponse | null;
  /**
   * Delivers the body to `protocol`: `makeConnection` with a transport that
   * is also an `IPushProducer` (pause, resume or stop the body), then
   * `dataReceived` with each piece, then `connectionLost` with
   * `ResponseDone`, `PotentialDataLoss` or `ResponseFailed`.
   *
   * @throws {TypeError} The body was already delivered.
   */
  deliverBody(protocol: IProtocol): void;
  /** Records the response that redirected to this one. */
  setPreviousResponse(response: IResponse): void;
}

/**
 * Issues HTTP requests. Mirrors Twisted's `twisted.web.iweb.IAgent`: `Agent`
 * implements it, and the wrappers (`RedirectAgent`, `ContentDecoderAgent`,
 * ...) take one and are one.
 *
 * @example Writing against any agent
 * ```ts
 * import type { IAgent } from "@torsion/torsion/http";
 * function get(agent: IAgent, uri: string) {
 *   return agent.request("GET", uri);
 * }
 * ```
 */
export interface IAgent {
  /**
   * Requests `uri` with `method`.
   *
   * @returns A Deferred of the response, fired once its head has arrived.
   */
  request(
    method: string,
    uri: string | Uint8Array,
    headers?: Headers | null,
    bodyProducer?: IBodyProducer | null,
  ): Deferred<IResponse>;
}

/**
 * The transport a body protocol gets from `deliverBody`: it can pause,
 * resume or stop the body (stopping closes the connection); writing to it
 * is an error, since a response body is read-only. Mirrors the transport
 * Twisted hands to `IResponse.deliverBody`'s protocol
 * (`_TransportProxyProducer`).
 *
 * @example Pausing a large body
 * ```ts
 * import type { IResponseBodyTransport } from "@torsion/torsion/http";
 * function throttle(transport: IResponseBodyTransport): void {
 *   transport.pauseProducing();
 *   setTimeout(() => transport.resumeProducing(), 100);
 * }
 * ```
 */
export interface IResponseBodyTransport extends IPushProducer {
  /** Stops the body and closes the connection it arrives on. */
  stopProducing(): void;
}
