/**
 * `WebSocketServerProtocol` and `WebSocketServerFactory`: Autobahn's
 * Twisted server pair (`autobahn.twisted.websocket`), usable on
 * `listenTCP` alone. The upgrade request is parsed by the HTTP layer's
 * request parser.
 *
 * @module
 */
import { describeError, logError } from "../_util/log_error.ts";
import { isThenable } from "../_util/thenable.ts";
import type { Headers } from "../http/headers.ts";
import type { RequestHead } from "../http/server_interfaces.ts";
import { HTTPRequestParser } from "../http/_http_request_parser.ts";
import type { IAddress, ITransport } from "../reactor/interfaces.ts";
import { ServerFactory } from "../reactor/protocol.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { WebSocketHandshakeError } from "./errors.ts";
import { acceptDeflateOffer, type ExtensionOffer } from "./_deflate.ts";
import { CATEGORY } from "./_engine.ts";
import {
  checkUpgradeRequest,
  encodeResponse,
  originAllowed,
  upgradeResponseHeaders,
} from "./_handshake.ts";
import {
  WebSocketProtocol,
  type WebSocketProtocolOptions,
} from "./websocket_protocol.ts";

const PHRASES: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  414: "URI Too Long",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  505: "HTTP Version Not Supported",
};

/**
 * The opening handshake request, as the server protocol's `onConnect`
 * sees it. Mirrors Autobahn's `ConnectionRequest`.
 */
export interface ConnectionRequest {
  /** The client's address, as `tcp:host:port`. */
  readonly peer: string;
  /** Every header field of the request. */
  readonly headers: Headers;
  /** The `Host` header. */
  readonly host: string;
  /** The path of the request target. */
  readonly path: string;
  /** The query parameters, each with all its values. */
  readonly params: Readonly<Record<string, string[]>>;
  /** The WebSocket version: 13. */
  readonly version: number;
  /** The `Origin` header, or `null`. */
  readonly origin: string | null;
  /** The subprotocols offered, in the client's order. */
  readonly protocols: readonly string[];
  /** The extensions offered. */
  readonly extensions: readonly ExtensionOffer[];
}

/**
 * What `onConnect` may return: the subprotocol to speak (or `null` for
 * none), optionally with extra header fields for the 101 answer.
 */
export type ConnectResult =
  | string
  | null
  | undefined
  | void
  | [protocol: string | null, headers: Record<string, string>];

/**
 * Thrown from `onConnect` to refuse a connection with an HTTP status.
 * Mirrors Autobahn's `ConnectionDeny`.
 *
 * @example Refusing an unknown path
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionDeny } from "@torsion/torsion/websocket";
 * const deny = new ConnectionDeny(ConnectionDeny.NOT_FOUND, "No such room");
 * assert.equal(deny.code, 404);
 * ```
 */
export class ConnectionDeny extends Error {
  /** 400 Bad Request. */
  static readonly BAD_REQUEST = 400;
  /** 403 Forbidden. */
  static readonly FORBIDDEN = 403;
  /** 404 Not Found. */
  static readonly NOT_FOUND = 404;
  /** 500 Internal Server Error. */
  static readonly INTERNAL_SERVER_ERROR = 500;
  /** 501 Not Implemented. */
  static readonly NOT_IMPLEMENTED = 501;
  /** 503 Service Unavailable. */
  static readonly SERVICE_UNAVAILABLE = 503;

  /** The HTTP status to answer with. */
  readonly code: number;
  /** The reason, sent as the body. */
  readonly reason: string;

  /**
   * Creates the refusal.
   *
   * @param code The HTTP status.
   * @param reason Why, sent as the body.
   */
  constructor(code: number, reason = "") {
    super(`Connection denied: ${code} ${reason}`.trimEnd());
    this.name = "ConnectionDeny";
    this.code = code;
    this.reason = reason;
  }
}

/**
 * Options of {@linkcode WebSocketServerFactory}: Autobahn's constructor
 * arguments and `setProtocolOptions`.
 *
 * @example A chat server that speaks one subprotocol
 * ```ts
 * import type { WebSocketServerFactoryOptions } from "@torsion/torsion/websocket";
 * const options: WebSocketServerFactoryOptions = { protocols: ["chat"], compressionOptions: {} };
 * ```
 */
export interface WebSocketServerFactoryOptions
  extends WebSocketProtocolOptions {
  /**
   * The subprotocols the server speaks: when `onConnect` does not choose,
   * the first one the client offers that is listed here is chosen.
   * @default []
   */
  protocols?: readonly string[];
  /**
   * Header fields added to every 101 answer.
   * @default {}
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * Origins allowed to connect (`*` matches anything); a request without
   * `Origin` is always allowed. Others get 403.
   * @default ["*"]
   */
  allowedOrigins?: readonly string[];
  /**
   * The largest request head, in bytes.
   * @default 65536
   */
  maxHeaderSize?: number;
}

/**
 * The server side of a WebSocket connection. Mirrors Autobahn's
 * `WebSocketServerProtocol`: the HTTP upgrade request is read and checked,
 * `onConnect(request)` may choose a subprotocol or refuse with
 * `ConnectionDeny`, then `onOpen`, `onMessage` and `onClose` follow.
 * When the reactor stops, open connections are first closed with 1001
 * (going away), within `closeHandshakeTimeout`.
 *
 * @example An echo server on listenTCP, and Deno's WebSocket as client
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactor } from "@torsion/torsion/reactor";
 * import { WebSocketServerFactory, WebSocketServerProtocol } from "@torsion/torsion/websocket";
 * class Echo extends WebSocketServerProtocol {
 *   override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
 *     this.sendMessage(payload, isBinary);
 *   }
 * }
 * const factory = new WebSocketServerFactory();
 * factory.protocol = Echo;
 * const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
 * const ws = new WebSocket(`ws://127.0.0.1:${port.getHost().port}/`);
 * const echoed = new Promise((resolve) => ws.onmessage = (event) => resolve(event.data));
 * ws.onopen = () => ws.send("hello");
 * assert.equal(await echoed, "hello");
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await port.stopListening();
 * ```
 */
export class WebSocketServerProtocol
  extends WebSocketProtocol<WebSocketServerFactory> {
  #parser: HTTPRequestParser | null = null;
  #held: Uint8Array[] = [];
  #waiting = false;

  /**
   * The upgrade request arrived and is valid: return the subprotocol to
   * speak (or nothing), or throw `ConnectionDeny`. May return a Promise.
   * Mirrors Autobahn's `onConnect`.
   *
   * @param _request The request.
   * @returns The subprotocol, `null`, or `[subprotocol, extraHeaders]`.
   * @throws {ConnectionDeny} To refuse the connection.
   */
  onConnect(
    _request: ConnectionRequest,
  ): ConnectResult | PromiseLike<ConnectResult> {
    return undefined;
  }

  /**
   * A request without `Upgrade: websocket` arrived (a browser opening the
   * page): return HTML to answer it with 200, or `null` to refuse it as
   * an invalid upgrade (400). Generalizes Autobahn's `webStatus` page, so
   * one port can serve a page and its WebSocket.
   *
   * @param _path The request's path.
   * @param _headers The request's header fields.
   * @returns The page, or `null`.
   */
  onPlainRequest(_path: string, _headers: Headers): string | null {
    return null;
  }

  /** Starts reading the upgrade request, within `openHandshakeTimeout`. */
  override connectionMade(): void {
    const options =
      (this.factory?.options ?? {}) as WebSocketServerFactoryOptions;
    this.#parser = new HTTPRequestParser({
      onRequest: () => {},
      onBody: () => {},
      onComplete: () => {},
    }, { maxHeaderSize: options.maxHeaderSize, maxBodySize: 0 });
    this.startOpenTimer();
  }

  /**
   * Runs the handshake for a request the HTTP layer already parsed, as
   * `WebSocketResource` in a `Site` does: `transport` is this protocol's
   * from now on, and it answers the request itself.
   *
   * @param transport The connection taken from the HTTP server.
   * @param head The request.
   * @param buffered Bytes read past the request.
   */
  upgradeFrom(
    transport: ITransport,
    head: RequestHead,
    buffered: Uint8Array,
  ): void {
    this.makeConnection(transport);
    this.#parser = null;
    this.#handleRequest(head, buffered);
  }

  /**
   * Bytes of the upgrade request, before the connection is open.
   *
   * @param data The bytes.
   */
  protected override handshakeDataReceived(data: Uint8Array): void {
    if (this.#waiting) {
      this.#held.push(data.slice());
      return;
    }
    const parser = this.#parser;
    if (parser === null) return;
    let consumed: number;
    try {
      consumed = parser.feed(data);
    } catch (error) {
      this.#refuse(parser.errorStatus || 400, (error as Error).message);
      return;
    }
    const head = parser.head;
    if (head === null) return;
    if (head.length !== 0) {
      this.#refuse(400, "A WebSocket upgrade request must not have a body");
      return;
    }
    if (!parser.done) return;
    this.#parser = null;
    this.#handleRequest(head, data.subarray(consumed));
  }

  #handleRequest(head: RequestHead, rest: Uint8Array): void {
    const factory = this.factory;
    const options = factory?.options ?? {};
    if (
      (head.method === "GET" || head.method === "HEAD") &&
      !/(^|,)\s*websocket\s*(,|$)/i.test(head.headers.get("upgrade") ?? "")
    ) {
      const path = new URL(head.target, "ws://localhost").pathname;
      let page: string | null;
      try {
        page = this.onPlainRequest(path, head.headers);
      } catch (error) {
        this.#denied(error);
        return;
      }
      if (page !== null) {
        this.failHandshake(
          new WebSocketHandshakeError(200, "Served a page, not a WebSocket"),
          encodeResponse(
            200,
            "OK",
            [],
            head.method === "HEAD" ? "" : page,
            "text/html; charset=utf-8",
          ),
        );
        return;
      }
    }
    let upgrade;
    try {
      upgrade = checkUpgradeRequest(head);
    } catch (error) {
      const status = (error as WebSocketHandshakeError).status ?? 400;
      this.#refuse(status, (error as Error).message);
      return;
    }
    if (!originAllowed(upgrade.origin, options.allowedOrigins ?? ["*"])) {
      this.#refuse(403, `Origin not allowed: ${upgrade.origin}`);
      return;
    }
    const url = new URL(head.target, "ws://localhost");
    const params: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) {
      (params[name] ??= []).push(value);
    }
    const peer = this.transport!.getPeer();
    const request: ConnectionRequest = {
      peer: `tcp:${peer.host}:${peer.port}`,
      headers: head.headers,
      host: head.headers.get("host") ?? "",
      path: url.pathname,
      params,
      version: 13,
      origin: upgrade.origin,
      protocols: upgrade.protocols,
      extensions: upgrade.extensions,
    };
    const finish = (result: ConnectResult): void => {
      this.#accept(upgrade.key, request, result, rest);
    };
    let result: ConnectResult | PromiseLike<ConnectResult>;
    try {
      result = this.onConnect(request);
    } catch (error) {
      this.#denied(error);
      return;
    }
    if (!isThenable(result)) {
      finish(result);
      return;
    }
    this.#waiting = true;
    // The bytes after the request are lent (see readsInPlace): they wait
    // for onConnect as a copy.
    rest = rest.slice();
    result.then((value) => {
      this.#waiting = false;
      finish(value);
    }, (error) => {
      this.#waiting = false;
      this.#denied(error);
    });
  }

  #accept(
    key: string,
    request: ConnectionRequest,
    result: ConnectResult,
    rest: Uint8Array,
  ): void {
    const transport = this.transport;
    if (transport === null || !this.connected || this.state !== "connecting") {
      return;
    }
    const options = this.factory?.options ?? {};
    let protocol: string | null = null;
    let extra: Record<string, string> = {};
    if (Array.isArray(result)) {
      [protocol, extra] = result;
    } else if (typeof result === "string" || result === null) {
      protocol = result;
    } else {
      protocol = request.protocols.find((p) =>
        (options.protocols ?? []).includes(p)
      ) ?? null;
    }
    if (protocol !== null && !request.protocols.includes(protocol)) {
      this.#refuse(
        500,
        `onConnect chose a subprotocol never offered: ${protocol}`,
      );
      return;
    }
    const accepted = options.compressionOptions == null
      ? null
      : acceptDeflateOffer(request.extensions, options.compressionOptions);
    const fields = upgradeResponseHeaders(
      key,
      protocol,
      accepted?.response ?? null,
    );
    for (
      const [name, value] of Object.entries({ ...options.headers, ...extra })
    ) {
      fields.push([name, value]);
    }
    transport.write(encodeResponse(101, "Switching Protocols", fields));
    this.websocketProtocolInUse = protocol;
    const held = this.#held;
    this.#held = [];
    const buffered = held.length === 0 ? rest : joinChunks(
      [rest, ...held],
      held.reduce((n, chunk) => n + chunk.length, rest.length),
    );
    this.openEngine({
      isServer: true,
      deflate: accepted?.deflate ?? null,
      buffered,
    });
  }

  #denied(error: unknown): void {
    if (error instanceof ConnectionDeny) {
      this.#refuse(error.code, error.reason);
      return;
    }
    logError(CATEGORY, `Unhandled error in onConnect: ${describeError(error)}`);
    this.#refuse(500, "Internal error");
  }

  #refuse(status: number, reason: string): void {
    const fields: [string, string][] = status === 426
      ? [["Sec-WebSocket-Version", "13"]]
      : [];
    this.failHandshake(
      new WebSocketHandshakeError(status, reason),
      encodeResponse(status, PHRASES[status] ?? "Error", fields, `${reason}\n`),
    );
  }
}

/**
 * Builds a {@linkcode WebSocketServerProtocol} (or the subclass set as
 * `protocol`) per connection. Mirrors Autobahn's `WebSocketServerFactory`.
 *
 * @example A factory with options
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebSocketServerFactory } from "@torsion/torsion/websocket";
 * const factory = new WebSocketServerFactory("ws://127.0.0.1:9000", { protocols: ["chat"] });
 * factory.setProtocolOptions({ autoPingInterval: 10 });
 * assert.equal(factory.options.autoPingInterval, 10);
 * ```
 */
export class WebSocketServerFactory extends ServerFactory {
  /** The URL the server is reached at, for information. */
  readonly url: string | null;
  /** The options in force. */
  options: WebSocketServerFactoryOptions;

  /**
   * Creates the factory; `protocol` defaults to `WebSocketServerProtocol`.
   *
   * @param url The URL the server is reached at.
   * @param options Subprotocols, headers, origins and protocol options.
   */
  constructor(
    url: string | null = null,
    options: WebSocketServerFactoryOptions = {},
  ) {
    super();
    this.url = url;
    this.options = { ...options };
    this.protocol = WebSocketServerProtocol;
  }

  /**
   * Changes protocol options for connections made from now on. Mirrors
   * Autobahn's `setProtocolOptions`.
   *
   * @param options The options to change.
   */
  setProtocolOptions(options: WebSocketServerFactoryOptions): void {
    this.options = { ...this.options, ...options };
  }

  /**
   * Builds the protocol for a connection from `addr`.
   *
   * @param addr The client's address.
   * @returns The protocol.
   */
  override buildProtocol(addr: IAddress): WebSocketServerProtocol {
    return super.buildProtocol(addr) as WebSocketServerProtocol;
  }
}
