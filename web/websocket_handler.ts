/**
 * `WebSocketHandler`: Tornado's `tornado.websocket.WebSocketHandler`, a
 * `RequestHandler` whose GET upgrades the connection and then speaks
 * WebSocket through the shared frame engine.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IReactorTime } from "../deferred/interfaces.ts";
import { isThenable } from "../_util/thenable.ts";
import { Headers } from "../http/headers.ts";
import type { IProtocol, ITCPTransport } from "../reactor/interfaces.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import {
  WebSocketClosedError,
  type WebSocketHandshakeError,
} from "../websocket/errors.ts";
import type { CompressionOptions } from "../websocket/mod.ts";
import { acceptDeflateOffer } from "../websocket/_deflate.ts";
import { CloseCode } from "../websocket/close_codes.ts";
import { WebSocketEngine } from "../websocket/_engine.ts";
import {
  checkUpgradeRequest,
  upgradeResponseHeaders,
} from "../websocket/_handshake.ts";
import { HTTPError } from "./http_error.ts";
import { type HandlerResult, RequestHandler } from "./request_handler.ts";

const logger = getLogger(["torsion", "websocket"]);
const EMPTY = new Uint8Array(0);

/**
 * A WebSocket endpoint routed by `Application`. Mirrors Tornado's
 * `WebSocketHandler`: override `open(...pathArgs)`, `onMessage(message)`
 * and `onClose()`; send with `writeMessage`, end with `close`.
 *
 * `onMessage` may return a Promise: the next message waits for it (no
 * frame is read meanwhile, pings and the close neither), as in Tornado. The settings
 * `websocketPingInterval`, `websocketPingTimeout` (seconds) and
 * `websocketMaxMessageSize` (bytes, 10 MiB by default) apply, and
 * `getCompressionOptions()` enables permessage-deflate. When the reactor
 * stops, open connections are first closed with 1001 (going away), so the
 * server's drain does not wait for them.
 *
 * @example An echo endpoint and Deno's WebSocket as client
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, WebSocketHandler } from "@torsion/torsion/web";
 * class Echo extends WebSocketHandler {
 *   override onMessage(message: string | Uint8Array): void {
 *     this.writeMessage(message, typeof message !== "string");
 *   }
 * }
 * const app = new Application([["/ws", Echo]]);
 * const server = app.listen(0, { address: "127.0.0.1" });
 * const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
 * const echoed = new Promise((resolve) => ws.onmessage = (event) => resolve(event.data));
 * ws.onopen = () => ws.send("hello");
 * assert.equal(await echoed, "hello");
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export class WebSocketHandler extends RequestHandler {
  #engine: WebSocketEngine | null = null;
  #pending: Uint8Array[] | null = null;
  #protocol: string | null = null;
  #busy = false;
  #closed = false;
  #closeCode: number | null = null;
  #closeReason: string | null = null;

  /**
   * Checks and accepts the upgrade, then runs `open` and reads messages.
   * Mirrors Tornado's `WebSocketHandler.get`.
   *
   * @param args The route's groups, passed on to `open`.
   */
  override async get(...args: string[]): Promise<void> {
    const connection = this.request.connection;
    if (connection === undefined) {
      throw new HTTPError(500, "A WebSocket needs a connection to upgrade");
    }
    let upgrade;
    try {
      upgrade = checkUpgradeRequest(connection.head);
    } catch (error) {
      const status = (error as WebSocketHandshakeError).status ?? 400;
      this.setStatus(status);
      if (status === 426) this.setHeader("Sec-WebSocket-Version", "13");
      await this.finish((error as Error).message);
      return;
    }
    if (upgrade.origin !== null && !this.checkOrigin(upgrade.origin)) {
      this.setStatus(403);
      await this.finish("Cross origin websockets not allowed");
      return;
    }
    let protocol: string | null = null;
    if (upgrade.protocols.length > 0) {
      protocol = this.selectSubprotocol(upgrade.protocols);
      if (protocol !== null && !upgrade.protocols.includes(protocol)) {
        throw new TypeError(
          `selectSubprotocol chose a subprotocol never offered: ${protocol}`,
        );
      }
    }
    const compression = this.getCompressionOptions();
    const accepted = compression === null
      ? null
      : acceptDeflateOffer(upgrade.extensions, compression);
    const headers = new Headers();
    for (
      const [name, value] of upgradeResponseHeaders(
        upgrade.key,
        protocol,
        accepted?.response ?? null,
      )
    ) {
      headers.addRawHeader(name, value);
    }
    connection.writeHead(101, "Switching Protocols", headers);
    this.#protocol = protocol;
    this.#pending = [];
    const adapter: IProtocol = {
      // The engine copies what it keeps, and so do the pending bytes.
      readsInPlace: true,
      makeConnection(): void {},
      connectionMade(): void {},
      dataReceived: (data) => this.#received(data),
      connectionLost: (reason) => this.#lost(reason),
    };
    const { transport } = this.detach(adapter);
    const settings = this.settings;
    this.#engine = new WebSocketEngine(transport, {
      onMessage: (payload) => this.#deliver(payload),
      onPing: (payload) => this.#call("onPing", () => this.onPing(payload)),
      onPong: (payload) => this.#call("onPong", () => this.onPong(payload)),
      onClose: (_wasClean, code, reason) => this.#onEngineClose(code, reason),
    }, {
      isServer: true,
      deflate: accepted?.deflate ?? null,
      maxMessageSize: settings.websocketMaxMessageSize as number | undefined,
      pingInterval: settings.websocketPingInterval as number | undefined,
      pingTimeout: settings.websocketPingTimeout as number | undefined,
      reactor: settings.reactor as IReactorTime | undefined,
      goingAwayOnShutdown: true,
    });
    try {
      const opened = this.open(...args);
      if (isThenable(opened)) await opened;
    } catch (error) {
      logger.error("Uncaught exception in open: {error}", { error });
      this.#engine.close(CloseCode.INTERNAL_ERROR);
    }
    const pending = this.#pending;
    this.#pending = null;
    if (pending === null) return;
    this.#engine.start(
      pending.length === 0 ? EMPTY : joinChunks(
        pending,
        pending.reduce((n, chunk) => n + chunk.length, 0),
      ),
    );
  }

  /**
   * The connection is open. Mirrors `open`; may return a Promise, which
   * messages wait for.
   *
   * @param _args The route's groups.
   */
  open(..._args: string[]): HandlerResult {}

  /**
   * A message arrived: a string for text, bytes for binary. Mirrors
   * `on_message`; may return a Promise, which the next message waits for.
   * The bytes are the handler's to keep; a small message's view may share
   * its `buffer` with other small messages of the connection, so keep the
   * view, not its `buffer`.
   *
   * @param _message The message.
   */
  onMessage(_message: string | Uint8Array): HandlerResult {}

  /** The connection is closed. Mirrors `on_close`. */
  onClose(): void {}

  /**
   * A ping arrived (the pong is already sent). Mirrors `on_ping`.
   *
   * @param _data The ping's payload.
   */
  onPing(_data: Uint8Array): void {}

  /**
   * A pong arrived. Mirrors `on_pong`.
   *
   * @param _data The pong's payload.
   */
  onPong(_data: Uint8Array): void {}

  /**
   * Chooses one of the subprotocols the client offered. Mirrors
   * `select_subprotocol`.
   *
   * @param _subprotocols The offered subprotocols, in the client's order.
   * @returns The chosen one, or `null` for none.
   */
  selectSubprotocol(_subprotocols: string[]): string | null {
    return null;
  }

  /**
   * Whether a browser page from `origin` may connect. Mirrors
   * `check_origin`: by default only the page's own host (the `Host`
   * header) may.
   *
   * @param origin The `Origin` header.
   * @returns Whether to accept the connection (otherwise 403).
   */
  checkOrigin(origin: string): boolean {
    let host: string;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      return false;
    }
    return host === (this.request.headers.get("host") ?? "").toLowerCase();
  }

  /**
   * The permessage-deflate options, or `null` to refuse compression.
   * Mirrors `get_compression_options`.
   *
   * @returns `null` by default.
   */
  getCompressionOptions(): CompressionOptions | null {
    return null;
  }

  /** The subprotocol chosen, or `null`. Mirrors `selected_subprotocol`. */
  get selectedSubprotocol(): string | null {
    return this.#protocol;
  }

  /** The client's close code once closed, or `null`. Mirrors `close_code`. */
  get closeCode(): number | null {
    return this.#closeCode;
  }

  /** The client's close reason once closed, or `null`. Mirrors `close_reason`. */
  get closeReason(): string | null {
    return this.#closeReason;
  }

  /**
   * Sends a message. Mirrors `write_message`: a plain object is sent as
   * JSON text. Bytes received and sent back from `onMessage` are written
   * as they are, not copied: do not modify them afterwards.
   *
   * @param message Text, bytes, or an object for JSON.
   * @param binary Whether to send a binary frame.
   * @returns A Deferred that fires once the message is flushed to the
   *   socket.
   * @throws {WebSocketClosedError} The connection is not open.
   */
  writeMessage(
    message: string | Uint8Array | Record<string, unknown>,
    binary = false,
  ): Deferred<void> {
    const engine = this.#engine;
    const payload = typeof message === "string" || message instanceof Uint8Array
      ? message
      : JSON.stringify(message);
    if (engine === null || !engine.sendMessage(payload, binary)) {
      throw new WebSocketClosedError(
        "Cannot write a message: the WebSocket is closed",
      );
    }
    return engine.whenFlushed();
  }

  /**
   * Sends a ping. Mirrors `ping`.
   *
   * @param data At most 125 bytes.
   * @throws {WebSocketClosedError} The connection is not open.
   * @throws {RangeError} The payload is longer than 125 bytes.
   */
  ping(data: Uint8Array | string = EMPTY): void {
    const engine = this.#engine;
    if (engine === null || engine.state !== "open") {
      throw new WebSocketClosedError("Cannot ping: the WebSocket is closed");
    }
    engine.ping(data);
  }

  /**
   * Starts the close handshake. Mirrors `close`.
   *
   * @param code The close code; omit for none (1000 when a reason is given).
   * @param reason The reason.
   * @throws {RangeError} An invalid code or a reason too long.
   */
  close(code?: number, reason?: string): void {
    this.#engine?.close(code, reason);
  }

  /**
   * Turns Nagle's algorithm off (`true`) or on. Mirrors `set_nodelay`.
   *
   * @param value Whether to turn it off.
   */
  setNodelay(value: boolean): void {
    const transport = this.#engine?.transport as
      | Partial<ITCPTransport>
      | undefined;
    transport?.setTcpNoDelay?.(value);
  }

  #received(data: Uint8Array): void {
    if (this.#pending !== null) this.#pending.push(data.slice());
    else this.#engine?.dataReceived(data);
  }

  #lost(reason: Failure): void {
    this.#pending = null;
    this.#engine?.connectionLost(reason);
  }

  #deliver(message: string | Uint8Array): void {
    // A throw reaches the engine, which logs it and fails the connection with 1011.
    const result = this.onMessage(message);
    if (!isThenable(result)) return;
    // As Tornado, no frame is read (a close neither) until the Promise settles.
    const engine = this.#engine as WebSocketEngine;
    engine.pauseReading();
    this.#busy = true;
    const transport = engine.transport as Partial<ITCPTransport>;
    transport.pauseProducing?.();
    Promise.resolve(result).catch((error) => {
      logger.error("Uncaught exception in onMessage: {error}", { error });
      engine.close(CloseCode.INTERNAL_ERROR);
    }).finally(() => {
      this.#busy = false;
      // The frames held meanwhile may start the next wait.
      engine.resumeReading();
      // Closing included: the peer's close frame is still to be read.
      if (!this.#busy && engine.state !== "closed") {
        transport.resumeProducing?.();
      }
    });
  }

  #onEngineClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const hasCode = code !== CloseCode.NO_STATUS && code !== CloseCode.ABNORMAL;
    this.#closeCode = hasCode ? code : null;
    this.#closeReason = hasCode ? reason : null;
    this.#call("onClose", () => this.onClose());
  }

  #call(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      logger.error(`Uncaught exception in ${what}: {error}`, { error });
    }
  }
}
