/**
 * `WebSocketClientProtocol`, `WebSocketClientFactory` and `connectWS`:
 * Autobahn's Twisted client pair. The server's answer is parsed by the
 * HTTP layer's response parser.
 *
 * @module
 */
import type { Headers } from "../http/headers.ts";
import { HTTPClientParser } from "../http/_http_client_parser.ts";
import type {
  IAddress,
  IConnector,
  IReactorSSL,
  IReactorTCP,
  TLSClientOptions,
} from "../reactor/interfaces.ts";
import { ClientFactory } from "../reactor/protocol.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { WebSocketHandshakeError } from "./errors.ts";
import { acceptDeflateResponse, deflateOffer } from "./_deflate.ts";
import {
  checkUpgradeResponse,
  encodeClientRequest,
  newKey,
} from "./_handshake.ts";
import {
  WebSocketProtocol,
  type WebSocketProtocolOptions,
} from "./websocket_protocol.ts";

/**
 * The server's answer to the opening handshake, as the client protocol's
 * `onConnect` sees it. Mirrors Autobahn's `ConnectionResponse`.
 */
export interface ConnectionResponse {
  /** The server's address, as `tcp:host:port`. */
  readonly peer: string;
  /** Every header field of the 101 answer. */
  readonly headers: Headers;
  /** The WebSocket version: 13. */
  readonly version: number;
  /** The subprotocol the server chose, or `null`. */
  readonly protocol: string | null;
  /** The extensions in use (`["permessage-deflate"]` or `[]`). */
  readonly extensions: readonly string[];
}

/**
 * Options of {@linkcode WebSocketClientFactory}: Autobahn's constructor
 * arguments and `setProtocolOptions`.
 *
 * @example Offering a subprotocol and compression
 * ```ts
 * import type { WebSocketClientFactoryOptions } from "@torsion/torsion/websocket";
 * const options: WebSocketClientFactoryOptions = { protocols: ["chat"], compressionOptions: {} };
 * ```
 */
export interface WebSocketClientFactoryOptions
  extends WebSocketProtocolOptions {
  /**
   * The `Origin` to send.
   * @default none
   */
  origin?: string | null;
  /**
   * Subprotocols to offer, in order of preference.
   * @default []
   */
  protocols?: readonly string[];
  /**
   * The `User-Agent` to send.
   * @default "Torsion"
   */
  useragent?: string | null;
  /**
   * More header fields for the upgrade request.
   * @default {}
   */
  headers?: Readonly<Record<string, string>>;
}

/** The parts of a `ws://` or `wss://` URL a client needs. */
export interface WebSocketURL {
  /** Whether the URL is `wss:`. */
  secure: boolean;
  /** The host name or address. */
  host: string;
  /** The port (80 or 443 by default). */
  port: number;
  /** The path and query, for the request line. */
  resource: string;
  /** `host[:port]`, for the `Host` header. */
  hostHeader: string;
}

/**
 * Splits a WebSocket URL. Mirrors Autobahn's `parse_url`.
 *
 * @throws {TypeError} Not a `ws:` or `wss:` URL, or a URL with a fragment.
 */
export function parseWebSocketURL(url: string): WebSocketURL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid WebSocket URL: current value is ${url}`);
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new TypeError(
      `A WebSocket URL must use ws: or wss:: current value is ${url}`,
    );
  }
  if (parsed.hash !== "") {
    throw new TypeError(
      `A WebSocket URL has no fragment: current value is ${url}`,
    );
  }
  const secure = parsed.protocol === "wss:";
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    secure,
    host,
    port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port),
    resource: `${parsed.pathname || "/"}${parsed.search}`,
    hostHeader: parsed.host,
  };
}

/**
 * The client side of a WebSocket connection. Mirrors Autobahn's
 * `WebSocketClientProtocol`: it sends the upgrade request for its
 * factory's URL, checks the answer, then `onConnect(response)`, `onOpen`,
 * `onMessage` and `onClose` follow.
 *
 * @example A client that says hello and closes
 * ```ts
 * import { WebSocketClientProtocol } from "@torsion/torsion/websocket";
 * class Hello extends WebSocketClientProtocol {
 *   override onOpen(): void {
 *     this.sendMessage("hello");
 *     this.sendClose(1000);
 *   }
 * }
 * ```
 */
export class WebSocketClientProtocol
  extends WebSocketProtocol<WebSocketClientFactory> {
  #key = "";
  #parser: HTTPClientParser | null = null;

  /**
   * The server accepted the upgrade. Mirrors Autobahn's client `onConnect`.
   *
   * @param _response The server's answer.
   */
  onConnect(_response: ConnectionResponse): void {}

  /** Sends the upgrade request, within `openHandshakeTimeout`. */
  override connectionMade(): void {
    const factory = this.factory;
    if (factory === null) {
      throw new TypeError("A WebSocketClientProtocol needs its factory");
    }
    const options = factory.options;
    const url = factory.parsedURL;
    this.#key = newKey();
    this.#parser = new HTTPClientParser({
      onHeaders: () => {},
      onBody: () => {},
      onComplete: () => {},
    }, { method: "GET" });
    const headers: [string, string][] = [];
    const useragent = options.useragent === undefined
      ? "Torsion"
      : options.useragent;
    if (useragent !== null) headers.push(["User-Agent", useragent]);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers.push([name, value]);
    }
    this.transport!.write(encodeClientRequest({
      host: url.hostHeader,
      resource: url.resource,
      key: this.#key,
      protocols: options.protocols ?? [],
      extensions: options.compressionOptions == null ? null : deflateOffer(),
      origin: options.origin ?? null,
      headers,
    }));
    this.startOpenTimer();
  }

  /**
   * Bytes of the server's answer, before the connection is open.
   *
   * @param data The bytes.
   */
  protected override handshakeDataReceived(data: Uint8Array): void {
    const parser = this.#parser;
    if (parser === null) return;
    let consumed: number;
    try {
      consumed = parser.feed(data);
    } catch (error) {
      this.#parser = null;
      this.failHandshake(
        new WebSocketHandshakeError(
          0,
          `Malformed answer to the upgrade: ${(error as Error).message}`,
          { cause: error },
        ),
      );
      return;
    }
    const head = parser.head;
    if (head === null) return;
    this.#parser = null;
    const options = this.factory!.options;
    let protocol: string | null;
    let deflate;
    try {
      protocol = checkUpgradeResponse(head, this.#key, options.protocols ?? []);
      const extensions = head.headers.getList("sec-websocket-extensions").join(
        ", ",
      );
      if (options.compressionOptions == null) {
        if (extensions !== "") {
          throw new WebSocketHandshakeError(
            101,
            `The server accepted extensions never offered: ${extensions}`,
          );
        }
        deflate = null;
      } else {
        try {
          deflate = acceptDeflateResponse(
            extensions === "" ? null : extensions,
            options.compressionOptions,
          );
        } catch (error) {
          throw new WebSocketHandshakeError(101, (error as Error).message);
        }
      }
    } catch (error) {
      this.failHandshake(error as Error);
      return;
    }
    const peer = this.transport!.getPeer();
    this.websocketProtocolInUse = protocol;
    this.onConnect({
      peer: `tcp:${peer.host}:${peer.port}`,
      headers: head.headers,
      version: 13,
      protocol,
      extensions: deflate === null ? [] : ["permessage-deflate"],
    });
    this.openEngine({
      isServer: false,
      deflate,
      buffered: data.subarray(consumed),
    });
  }
}

/**
 * Builds a {@linkcode WebSocketClientProtocol} (or the subclass set as
 * `protocol`) for a URL. Mirrors Autobahn's `WebSocketClientFactory`;
 * connect it with {@linkcode connectWS} or `reactor.connectTCP`.
 *
 * @example A factory for a local server
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebSocketClientFactory } from "@torsion/torsion/websocket";
 * const factory = new WebSocketClientFactory("ws://127.0.0.1:9000/chat");
 * assert.equal(factory.parsedURL.resource, "/chat");
 * ```
 */
export class WebSocketClientFactory extends ClientFactory {
  /** The URL connected to. */
  readonly url: string;
  /** The URL's parts. */
  readonly parsedURL: WebSocketURL;
  /** The options in force. */
  options: WebSocketClientFactoryOptions;

  /**
   * Creates the factory; `protocol` defaults to `WebSocketClientProtocol`.
   *
   * @param url A `ws://` or `wss://` URL.
   * @param options Origin, subprotocols, headers and protocol options.
   * @throws {TypeError} The URL is not a WebSocket URL.
   */
  constructor(url: string, options: WebSocketClientFactoryOptions = {}) {
    super();
    this.url = url;
    this.parsedURL = parseWebSocketURL(url);
    this.options = { ...options };
    this.protocol = WebSocketClientProtocol;
  }

  /**
   * Changes protocol options for connections made from now on. Mirrors
   * Autobahn's `setProtocolOptions`.
   *
   * @param options The options to change.
   */
  setProtocolOptions(options: WebSocketClientFactoryOptions): void {
    this.options = { ...this.options, ...options };
  }

  /**
   * Builds the protocol for a connection to `addr`.
   *
   * @param addr The server's address.
   * @returns The protocol.
   */
  override buildProtocol(addr: IAddress): WebSocketClientProtocol {
    return super.buildProtocol(addr) as WebSocketClientProtocol;
  }
}

/**
 * Options of {@linkcode connectWS}.
 *
 * @example A ten-second connect timeout
 * ```ts
 * import type { ConnectWSOptions } from "@torsion/torsion/websocket";
 * const options: ConnectWSOptions = { timeout: 10 };
 * ```
 */
export interface ConnectWSOptions {
  /**
   * The reactor to connect with.
   * @default the global reactor
   */
  reactor?: IReactorTCP & IReactorSSL;
  /**
   * TLS settings for `wss:` URLs.
   * @default verify against the system's trust store
   */
  tls?: TLSClientOptions;
  /**
   * Seconds the TCP connection may take.
   * @default 30
   */
  timeout?: number;
}

/**
 * Connects `factory` to its URL, over TLS for `wss:`. Mirrors Autobahn's
 * `autobahn.twisted.websocket.connectWS`.
 *
 * @param factory The client factory.
 * @param options The reactor, TLS settings and timeout.
 * @returns The connector.
 */
export function connectWS(
  factory: WebSocketClientFactory,
  options: ConnectWSOptions = {},
): IConnector {
  const reactor = options.reactor ?? globalReactor;
  const { secure, host, port } = factory.parsedURL;
  const connect = options.timeout === undefined
    ? {}
    : { timeout: options.timeout };
  return secure
    ? reactor.connectSSL(host, port, factory, options.tls ?? {}, connect)
    : reactor.connectTCP(host, port, factory, connect);
}
