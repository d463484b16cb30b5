/**
 * `websocketConnect` and `WebSocketClientConnection`: Tornado's WebSocket
 * client (`tornado.websocket.websocket_connect`), with `readMessage()`
 * and `writeMessage()` over the Autobahn-style client protocol.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IReactorTime } from "../deferred/interfaces.ts";
import { HTTPRequest } from "../http/http_request.ts";
import type {
  IAddress,
  IConnector,
  IReactorSSL,
  IReactorTCP,
} from "../reactor/interfaces.ts";
import type { CompressionOptions } from "./_deflate.ts";
import {
  connectWS,
  WebSocketClientFactory,
  type WebSocketClientFactoryOptions,
  WebSocketClientProtocol,
} from "./websocket_client_protocol.ts";

/** A message as read: text, bytes, or `null` once the connection is closed. */
export type WebSocketMessage = string | Uint8Array | null;

/**
 * Options of {@linkcode websocketConnect}, as the keyword arguments of
 * Tornado's `websocket_connect`.
 *
 * @example Compression, a heartbeat and a subprotocol
 * ```ts
 * import type { WebSocketConnectOptions } from "@torsion/torsion/websocket";
 * const options: WebSocketConnectOptions = {
 *   compressionOptions: {},
 *   pingInterval: 20,
 *   subprotocols: ["chat"],
 * };
 * ```
 */
export interface WebSocketConnectOptions {
  /**
   * Seconds the TCP connection may take (an `HTTPRequest`'s own
   * `connectTimeout` wins).
   * @default 20
   */
  connectTimeout?: number;
  /**
   * Called with each message, and with `null` once closed, instead of
   * queueing them for `readMessage`.
   * @default undefined
   */
  onMessageCallback?: (message: WebSocketMessage) => void;
  /**
   * Offers permessage-deflate with these options; `null` does not.
   * @default null
   */
  compressionOptions?: CompressionOptions | null;
  /**
   * Seconds between pings; 0 for none.
   * @default 0
   */
  pingInterval?: number;
  /**
   * Seconds without a pong before closing.
   * @default the larger of pingInterval and 30
   */
  pingTimeout?: number;
  /**
   * The largest message accepted (1009 past it).
   * @default 10485760 (10 MiB)
   */
  maxMessageSize?: number;
  /**
   * Subprotocols to offer.
   * @default []
   */
  subprotocols?: readonly string[];
  /**
   * The reactor to connect with.
   * @default the global reactor
   */
  reactor?: IReactorTCP & IReactorSSL & IReactorTime;
}

/** How the protocol reaches its connection's private side. */
interface ConnectionSink {
  deliver(message: string | Uint8Array): void;
  closed(code: number | null, reason: string | null): void;
}

class ConnectionProtocol extends WebSocketClientProtocol {
  connection: WebSocketClientConnection | null = null;
  sink: ConnectionSink | null = null;
  result: Deferred<WebSocketClientConnection> | null = null;
  onMessageCallback: ((message: WebSocketMessage) => void) | null = null;

  override onOpen(): void {
    const connection = new WebSocketClientConnection(this, openKey);
    connection.onMessageCallback = this.onMessageCallback;
    this.connection = connection;
    this.result?.callback(connection);
  }

  override onMessage(payload: string | Uint8Array, _isBinary: boolean): void {
    this.sink?.deliver(payload);
  }

  override onPong(payload: Uint8Array): void {
    this.connection?.onPong(payload);
  }

  override onClose(
    _wasClean: boolean,
    code: number | null,
    reason: string | null,
  ): void {
    this.sink?.closed(code, reason);
  }

  protected override handshakeFailed(error: Error): void {
    const result = this.result;
    if (result !== null && !result.called) result.errback(error);
  }
}

const openKey = Symbol("open");

/**
 * Builds a {@linkcode ConnectionProtocol} that settles `result`. Every
 * connection's protocol is of that one class: a class made for each call
 * would give each connection's protocol its own shape, and the engine's
 * calls into it, once per message, would meet as many shapes as there are
 * connections.
 */
class ConnectionFactory extends WebSocketClientFactory {
  readonly #result: Deferred<WebSocketClientConnection>;
  readonly #onMessageCallback: ((message: WebSocketMessage) => void) | null;

  constructor(
    url: string,
    options: WebSocketClientFactoryOptions,
    result: Deferred<WebSocketClientConnection>,
    onMessageCallback: ((message: WebSocketMessage) => void) | null,
  ) {
    super(url, options);
    this.protocol = ConnectionProtocol;
    this.#result = result;
    this.#onMessageCallback = onMessageCallback;
  }

  override buildProtocol(addr: IAddress): ConnectionProtocol {
    const protocol = super.buildProtocol(addr) as ConnectionProtocol;
    protocol.result = this.#result;
    protocol.onMessageCallback = this.#onMessageCallback;
    return protocol;
  }

  override clientConnectionFailed(
    _connector: IConnector,
    reason: Failure,
  ): void {
    if (!this.#result.called) this.#result.errback(reason);
  }
}

/**
 * A client connection opened by {@linkcode websocketConnect}. Mirrors
 * Tornado's `WebSocketClientConnection`: read with `readMessage()` (or get
 * each message through `onMessageCallback`), write with `writeMessage()`.
 *
 * @example Talking to an echo server
 * ```ts
 * import assert from "node:assert/strict";
 * import { websocketConnect } from "@torsion/torsion/websocket";
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * const conn = await websocketConnect(`ws://127.0.0.1:${server.addr.port}/`);
 * await conn.writeMessage("ping");
 * assert.equal(await conn.readMessage(), "ping");
 * conn.close(1000);
 * assert.equal(await conn.readMessage(), null);
 * await server.shutdown();
 * ```
 */
export class WebSocketClientConnection {
  readonly #protocol: WebSocketClientProtocol;
  #queue: WebSocketMessage[] = [];
  #readers: Deferred<WebSocketMessage>[] = [];
  #closed = false;
  #closeCode: number | null = null;
  #closeReason: string | null = null;
  /** See {@linkcode WebSocketConnectOptions.onMessageCallback}. */
  onMessageCallback: ((message: WebSocketMessage) => void) | null = null;

  /**
   * Made by `websocketConnect` only.
   *
   * @param protocol The open protocol.
   * @param key The constructor's guard.
   * @throws {TypeError} Called from outside.
   */
  constructor(protocol: WebSocketClientProtocol, key: symbol) {
    if (key !== openKey || !(protocol instanceof ConnectionProtocol)) {
      throw new TypeError("Use websocketConnect to open a connection");
    }
    this.#protocol = protocol;
    protocol.sink = {
      deliver: (message) => this.#deliver(message),
      closed: (code, reason) => this.#closedWith(code, reason),
    };
  }

  /** The subprotocol the server chose, or `null`. Mirrors `selected_subprotocol`. */
  get selectedSubprotocol(): string | null {
    return this.#protocol.websocketProtocolInUse;
  }

  /** The server's close code once closed, or `null`. Mirrors `close_code`. */
  get closeCode(): number | null {
    return this.#closeCode;
  }

  /** The server's close reason once closed, or `null`. Mirrors `close_reason`. */
  get closeReason(): string | null {
    return this.#closeReason;
  }

  /** The protocol underneath, for its state and producer API. */
  get protocol(): WebSocketClientProtocol {
    return this.#protocol;
  }

  /**
   * The next message. Mirrors `read_message`.
   *
   * @returns A Deferred of the next message: text, bytes, or `null` once
   *   the connection is closed.
   */
  readMessage(): Deferred<WebSocketMessage> {
    const d = new Deferred<WebSocketMessage>();
    if (this.#queue.length > 0) d.callback(this.#queue.shift()!);
    else if (this.#closed) d.callback(null);
    else this.#readers.push(d);
    return d;
  }

  /**
   * Sends a message. Mirrors `write_message`.
   *
   * @param message Text, or bytes.
   * @param binary Whether to send a binary frame (bytes are sent as binary
   *   unless this is `false`).
   * @returns A Deferred that fires once the message is flushed to the
   *   socket, or fails with `WebSocketClosedError`.
   */
  writeMessage(
    message: string | Uint8Array,
    binary: boolean = typeof message !== "string",
  ): Deferred<void> {
    try {
      this.#protocol.sendMessage(message, binary);
    } catch (error) {
      const d = new Deferred<void>();
      d.errback(error);
      return d;
    }
    return this.#protocol.whenFlushed();
  }

  /**
   * Sends a ping. Mirrors `ping`.
   *
   * @param data At most 125 bytes.
   * @throws {RangeError} The payload is longer than 125 bytes.
   */
  ping(data: Uint8Array | string = new Uint8Array(0)): void {
    this.#protocol.sendPing(data);
  }

  /**
   * A pong arrived. Mirrors `on_ping`'s counterpart `on_pong`; override or
   * assign it.
   *
   * @param _data The pong's payload.
   */
  onPong(_data: Uint8Array): void {}

  /**
   * Starts the close handshake. Mirrors `close`.
   *
   * @param code The close code; omit for none.
   * @param reason The reason.
   * @throws {RangeError} An invalid code or a reason too long.
   */
  close(code?: number, reason?: string): void {
    this.#protocol.sendClose(code, reason);
  }

  #deliver(message: string | Uint8Array): void {
    const callback = this.onMessageCallback;
    if (callback !== null) {
      callback(message);
      return;
    }
    const reader = this.#readers.shift();
    if (reader !== undefined) reader.callback(message);
    else this.#queue.push(message);
  }

  #closedWith(code: number | null, reason: string | null): void {
    this.#closed = true;
    this.#closeCode = code === 1006 ? null : code;
    this.#closeReason = code === 1006 ? null : reason;
    const readers = this.#readers;
    this.#readers = [];
    for (const reader of readers) reader.callback(null);
    this.onMessageCallback?.(null);
  }
}

/**
 * Opens a WebSocket client connection. Mirrors Tornado's
 * `websocket_connect`.
 *
 * @param urlOrRequest A `ws://` or `wss://` URL, or an `HTTPRequest` for
 *   one (its headers, `connectTimeout`, `validateCert` and `caCerts` are
 *   used, and its `requestTimeout` bounds the opening handshake, 0 for no
 *   bound; as in Tornado, both default to `HTTPRequest.DEFAULTS`' 20 s).
 * @param options Callbacks, compression, limits, the reactor.
 * @returns A Deferred of the open connection; it fails with
 *   `WebSocketHandshakeError` when the server refuses the upgrade, or with
 *   the connection error.
 * @throws {TypeError} Not a WebSocket URL.
 */
export function websocketConnect(
  urlOrRequest: string | HTTPRequest,
  options: WebSocketConnectOptions = {},
): Deferred<WebSocketClientConnection> {
  const request = typeof urlOrRequest === "string"
    ? new HTTPRequest(urlOrRequest)
    : urlOrRequest;
  const url = request.url.replace(/^http(s?):/i, "ws$1:");
  const headers: Record<string, string> = {};
  for (const [name, values] of request.headers.getAllRawHeaders()) {
    headers[name] = values.join(", ");
  }
  let connector: IConnector | null = null;
  const result = new Deferred<WebSocketClientConnection>(() =>
    connector?.disconnect()
  );
  const factory = new ConnectionFactory(
    url,
    {
      protocols: options.subprotocols ?? [],
      headers,
      useragent: request.userAgent ?? "Torsion",
      compressionOptions: options.compressionOptions ?? null,
      maxMessagePayloadSize: options.maxMessageSize,
      autoPingInterval: options.pingInterval,
      autoPingTimeout: options.pingTimeout,
      // Tornado's request_timeout runs until the 101 arrives.
      openHandshakeTimeout: request.requestTimeout ??
        HTTPRequest.DEFAULTS.requestTimeout,
      reactor: options.reactor,
    },
    result,
    options.onMessageCallback ?? null,
  );
  const caCerts = request.caCerts === undefined
    ? undefined
    : [...request.caCerts];
  connector = connectWS(factory, {
    reactor: options.reactor,
    timeout: request.connectTimeout ?? options.connectTimeout ??
      HTTPRequest.DEFAULTS.connectTimeout,
    tls: caCerts === undefined ? {} : { caCerts },
  });
  return result;
}
