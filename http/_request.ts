/**
 * `ClientRequest`: one request as the connection sends it, as
 * `twisted.web._newclient.Request`, and `PhaseTracker`, which follows the
 * request through connecting, sending and receiving so that a timeout can
 * say which phase ran out.
 *
 * @module
 */
import type { HTTPTimeoutPhase } from "./http_client_error.ts";
import type { Headers } from "./headers.ts";
import type { IBodyProducer, IClientRequest } from "./interfaces.ts";
import type { ParsedURI } from "./_url.ts";

/**
 * Where a request is: the engine's deadline reads it when it fires, the
 * endpoint and the connection write it as they go.
 */
export class PhaseTracker {
  /** The current phase. */
  phase: HTTPTimeoutPhase = "connect";
}

/** Human words for each phase, for timeout messages. */
export const PHASE_WORDS: Readonly<Record<HTTPTimeoutPhase, string>> = Object
  .freeze({
    queue: "waiting in the request queue",
    dns: "resolving the host",
    connect: "connecting",
    tls: "in the TLS handshake",
    request: "sending the request",
    headers: "waiting for the response headers",
    body: "reading the response body",
  });

/** What a {@linkcode ClientRequest} is made of. */
export interface ClientRequestInit {
  /** The method, an HTTP token. */
  method: string;
  /** The URI requested. */
  uri: ParsedURI;
  /** The caller's header fields (never changed). */
  headers: Headers;
  /** A body known in full, or `null`. */
  body?: Uint8Array | null;
  /** A body producer, or `null`. */
  bodyProducer?: IBodyProducer | null;
  /** Whether the connection should stay open afterwards (`false` sends `Connection: close`). */
  persistent?: boolean;
  /** Whether the request goes to a forward proxy (absolute-form target). */
  proxy?: boolean;
  /** Whether to send `Expect: 100-continue` and wait before the body. */
  expectContinue?: boolean;
  /** `User-Agent` when the headers have none; `null` for none, `undefined` for the default. */
  userAgent?: string | null;
  /** Largest response head accepted. */
  maxHeaderSize?: number;
  /** Largest response body accepted (on the wire). */
  maxBodySize?: number;
  /** Follows the request's phases, or `null`. */
  tracker?: PhaseTracker | null;
}

/**
 * A request, as handed to `HTTP11ClientProtocol.request`. Mirrors Twisted's
 * `_newclient.Request`; a retry sends the same object again.
 */
export class ClientRequest implements IClientRequest {
  readonly method: string;
  readonly uri: ParsedURI;
  readonly headers: Headers;
  readonly body: Uint8Array | null;
  readonly bodyProducer: IBodyProducer | null;
  readonly persistent: boolean;
  readonly proxy: boolean;
  readonly expectContinue: boolean;
  readonly userAgent: string | null | undefined;
  readonly maxHeaderSize: number | undefined;
  readonly maxBodySize: number | undefined;
  readonly tracker: PhaseTracker | null;

  constructor(init: ClientRequestInit) {
    this.method = init.method;
    this.uri = init.uri;
    this.headers = init.headers;
    this.body = init.body ?? null;
    this.bodyProducer = init.bodyProducer ?? null;
    this.persistent = init.persistent ?? true;
    this.proxy = init.proxy ?? false;
    this.expectContinue = init.expectContinue ?? false;
    this.userAgent = init.userAgent;
    this.maxHeaderSize = init.maxHeaderSize;
    this.maxBodySize = init.maxBodySize;
    this.tracker = init.tracker ?? null;
  }

  /** The absolute URI requested, as Twisted's `Request.absoluteURI`. */
  get absoluteURI(): string {
    return this.uri.absolute;
  }
}
