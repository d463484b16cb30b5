/**
 * `WebSocketProtocol`: what Autobahn's server and client protocols share
 * once the opening handshake is done (sending, closing, the callbacks),
 * over the shared frame engine.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import { describeError, logError } from "../_util/log_error.ts";
import type {
  IProducer,
  IProtocolFactory,
  ITransport,
} from "../reactor/interfaces.ts";
import { Protocol } from "../reactor/protocol.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { CloseCode } from "./close_codes.ts";
import { WebSocketClosedError } from "./errors.ts";
import type { CompressionOptions, PerMessageDeflate } from "./_deflate.ts";
import {
  abortTransport,
  CATEGORY,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_MESSAGE_SIZE,
  WebSocketEngine,
} from "./_engine.ts";

/**
 * The protocol options of both factories, as Autobahn's
 * `setProtocolOptions` keyword arguments.
 *
 * @example Limits and a heartbeat
 * ```ts
 * import type { WebSocketProtocolOptions } from "@torsion/torsion/websocket";
 * const options: WebSocketProtocolOptions = {
 *   maxMessagePayloadSize: 1 << 20,
 *   autoPingInterval: 20,
 *   autoPingTimeout: 10,
 * };
 * ```
 */
export interface WebSocketProtocolOptions {
  /**
   * The largest message accepted, in bytes, counted after inflation: a
   * larger one fails the connection with 1009.
   * @default 10485760 (10 MiB, Tornado's websocket_max_message_size)
   */
  maxMessagePayloadSize?: number;
  /**
   * The most bytes that may wait for a peer that does not read before the
   * connection is aborted with `WebSocketWriteBufferFullError`.
   * @default 16777216 (16 MiB)
   */
  maxWriteBufferSize?: number;
  /**
   * Seconds between pings sent to the peer; 0 for none.
   * @default 0
   */
  autoPingInterval?: number;
  /**
   * Seconds without a pong after which the connection is closed (1001).
   * @default the larger of autoPingInterval and 30
   */
  autoPingTimeout?: number;
  /**
   * Seconds the opening handshake may take.
   * @default 5
   */
  openHandshakeTimeout?: number;
  /**
   * Seconds to wait for the peer's side of the close handshake before
   * dropping the connection.
   * @default 5
   */
  closeHandshakeTimeout?: number;
  /**
   * Enables permessage-deflate with these options; `null` disables it.
   * @default null
   */
  compressionOptions?: CompressionOptions | null;
  /**
   * Where the timers run.
   * @default the global reactor
   */
  reactor?: IReactorTime;
}

/** The states of a connection, as Autobahn's `STATE_*`. */
export type WebSocketProtocolState =
  | "connecting"
  | "open"
  | "closing"
  | "closed";

/** How a face starts the engine once its handshake succeeded. */
interface EngineStart {
  isServer: boolean;
  deflate: PerMessageDeflate | null;
  buffered: Uint8Array;
}

/**
 * The base of {@linkcode WebSocketServerProtocol} and
 * {@linkcode WebSocketClientProtocol}. Mirrors Autobahn's
 * `WebSocketProtocol`: override `onOpen`, `onMessage`, `onClose` (and
 * `onPing`/`onPong`), send with `sendMessage`, end with `sendClose`.
 *
 * Text messages arrive as strings (Autobahn hands over their UTF-8 bytes);
 * binary messages as `Uint8Array`s.
 *
 * @typeParam F The factory type.
 *
 * @example An echo protocol
 * ```ts
 * import { WebSocketServerProtocol } from "@torsion/torsion/websocket";
 * class Echo extends WebSocketServerProtocol {
 *   override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
 *     this.sendMessage(payload, isBinary);
 *   }
 * }
 * ```
 */
export class WebSocketProtocol<F extends IProtocolFactory = IProtocolFactory>
  extends Protocol<F> {
  #engine: WebSocketEngine | null = null;
  #state: WebSocketProtocolState = "connecting";
  #openTimer: IDelayedCall | null = null;
  #failure: Error | null = null;
  /**
   * The subprotocol agreed in the handshake, or `null`. Mirrors Autobahn's
   * `websocket_protocol_in_use`.
   */
  websocketProtocolInUse: string | null = null;
  /**
   * The extensions agreed in the handshake (`["permessage-deflate"]` or
   * `[]`). Mirrors Autobahn's `websocket_extensions_in_use`.
   */
  websocketExtensionsInUse: string[] = [];
  /**
   * The handshake and the frame engine copy what they keep of the bytes
   * received, so a transport may lend a view of its read buffer: a
   * subclass overriding `dataReceived` must copy what it keeps too.
   */
  readonly readsInPlace: boolean = true;

  /** The connection's state. Mirrors Autobahn's `state`. */
  get state(): WebSocketProtocolState {
    if (this.#engine === null) return this.#state;
    return this.#engine.state;
  }

  /**
   * The peer's close code once its close frame arrived, or `null`. Mirrors
   * Autobahn's `remoteCloseCode`.
   */
  get remoteCloseCode(): number | null {
    return this.#engine?.remoteCloseCode ?? null;
  }

  /** The peer's close reason, or `null`. Mirrors Autobahn's `remoteCloseReason`. */
  get remoteCloseReason(): string | null {
    return this.#engine?.remoteCloseReason ?? null;
  }

  /**
   * What failed the connection: a handshake error, a protocol violation
   * by the peer, a full write buffer; `null` otherwise.
   */
  get failure(): Error | null {
    return this.#engine?.error ?? this.#failure;
  }

  /** Bytes written and not yet flushed to the socket. */
  get bufferedAmount(): number {
    return this.#engine?.bufferedAmount ?? 0;
  }

  /**
   * The connection is open: the handshake is done. Mirrors Autobahn's
   * `onOpen`; override it.
   */
  onOpen(): void {}

  /**
   * A message arrived. Mirrors Autobahn's `onMessage`; override it. A
   * throw is logged and fails the connection with 1011. A binary payload is
   * the protocol's to keep; a small one's view may share its `buffer` with
   * other small payloads of the connection, so keep the view, not its
   * `buffer`.
   *
   * @param _payload The text, or the bytes of a binary message.
   * @param _isBinary Whether it is a binary message.
   */
  onMessage(_payload: string | Uint8Array, _isBinary: boolean): void {}

  /**
   * The connection is closed. Mirrors Autobahn's `onClose`; override it.
   *
   * @param _wasClean Whether the close handshake completed.
   * @param _code The peer's close code (`null` when it sent none), or 1006
   *   when the close was not clean.
   * @param _reason The peer's reason, or what went wrong.
   */
  onClose(
    _wasClean: boolean,
    _code: number | null,
    _reason: string | null,
  ): void {}

  /**
   * A ping arrived; the pong is already sent. Mirrors Autobahn's `onPing`.
   *
   * @param _payload The ping's payload.
   */
  onPing(_payload: Uint8Array): void {}

  /**
   * A pong arrived. Mirrors Autobahn's `onPong`.
   *
   * @param _payload The pong's payload.
   */
  onPong(_payload: Uint8Array): void {}

  /**
   * Sends a message in one frame. Mirrors Autobahn's `sendMessage`. A
   * binary payload received and sent back from `onMessage` is written as
   * it is, not copied: do not modify it afterwards.
   *
   * @param payload Text, or bytes (sent as text unless `isBinary`).
   * @param isBinary Whether to send a binary frame.
   * @throws {WebSocketClosedError} The connection is not open.
   */
  sendMessage(payload: string | Uint8Array, isBinary = false): void {
    const engine = this.#engine;
    if (engine === null || !engine.sendMessage(payload, isBinary)) {
      throw new WebSocketClosedError(
        `Cannot send a message: the connection is ${this.state}`,
      );
    }
  }

  /**
   * Starts the close handshake. Mirrors Autobahn's `sendClose`; before the
   * connection is open it drops the connection.
   *
   * @param code 1000, or 3000-4999 for the application (other codes of
   *   RFC 6455 7.4.1 are accepted too); omit to send none.
   * @param reason At most 123 bytes of UTF-8.
   * @throws {RangeError} An invalid code or a reason too long.
   */
  sendClose(code?: number, reason?: string): void {
    const engine = this.#engine;
    if (engine === null) {
      this.dropConnection();
      return;
    }
    engine.close(code, reason);
  }

  /**
   * Sends a ping. Mirrors Autobahn's `sendPing`.
   *
   * @param payload At most 125 bytes.
   * @throws {RangeError} The payload is longer than 125 bytes.
   */
  sendPing(payload?: Uint8Array | string): void {
    this.#engine?.ping(payload);
  }

  /**
   * Sends an unsolicited pong. Mirrors Autobahn's `sendPong`.
   *
   * @param payload At most 125 bytes.
   * @throws {RangeError} The payload is longer than 125 bytes.
   */
  sendPong(payload?: Uint8Array | string): void {
    this.#engine?.pong(payload);
  }

  /**
   * Drops the TCP connection without a close handshake. Mirrors Autobahn's
   * `dropConnection(abort=True)`.
   */
  dropConnection(): void {
    if (this.#engine !== null) this.#engine.abort();
    else if (this.transport !== null) abortTransport(this.transport);
  }

  /**
   * A Deferred that fires once every message sent so far is flushed to the
   * socket, so a writer can wait for a slow reader.
   *
   * @returns The Deferred; it fails with `WebSocketClosedError` if the
   *   connection closes first.
   */
  whenFlushed(): Deferred<void> {
    if (this.#engine === null) {
      const d = new Deferred<void>();
      d.errback(
        new WebSocketClosedError(
          `Cannot flush: the connection is ${this.state}`,
        ),
      );
      return d;
    }
    return this.#engine.whenFlushed();
  }

  /**
   * Attaches a producer of messages: a push producer is paused while more
   * than 64 KiB wait to be flushed, so a slow reader slows the writer.
   * Mirrors Autobahn's `registerProducer`.
   *
   * @param producer The producer.
   * @param streaming Whether it is a push producer.
   * @throws {TypeError} The connection is not open, or a producer is
   *   already registered.
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.#engine === null) {
      throw new TypeError(
        "Cannot register a producer before the connection is open",
      );
    }
    this.#engine.registerProducer(producer, streaming);
  }

  /** Detaches the producer. Mirrors Autobahn's `unregisterProducer`. */
  unregisterProducer(): void {
    this.#engine?.unregisterProducer();
  }

  /**
   * Bytes from the transport: the handshake's until it is done, then
   * frames.
   *
   * @param data The bytes.
   */
  override dataReceived(data: Uint8Array): void {
    if (this.#engine !== null) this.#engine.dataReceived(data);
    else if (this.#state === "connecting") this.handshakeDataReceived(data);
  }

  /**
   * The connection is gone: reports `onClose` once.
   *
   * @param reason Why.
   */
  override connectionLost(reason: Failure): void {
    this.connected = false;
    this.#openTimer?.cancel();
    this.#openTimer = null;
    if (this.#engine !== null) {
      this.#engine.connectionLost(reason);
      return;
    }
    if (this.#state === "closed") return;
    this.#state = "closed";
    const why = this.#failure?.message ??
      "The connection closed during the opening handshake";
    this.handshakeFailed(this.#failure ?? new WebSocketClosedError(why));
    this.#callback(
      "onClose",
      () => this.onClose(false, CloseCode.ABNORMAL, why),
    );
  }

  /** The options in force: the factory's. */
  protected get protocolOptions(): WebSocketProtocolOptions {
    return (this.factory as { options?: WebSocketProtocolOptions } | null)
      ?.options ?? {};
  }

  /** The reactor the timers run on. */
  protected get clock(): IReactorTime {
    return this.protocolOptions.reactor ?? globalReactor;
  }

  /** Bytes of the opening handshake; the faces override it. */
  protected handshakeDataReceived(_data: Uint8Array): void {}

  /** The handshake failed or the connection closed during it; the faces override it. */
  protected handshakeFailed(_error: Error): void {}

  /** Starts the opening handshake's timer. */
  protected startOpenTimer(): void {
    const timeout = this.protocolOptions.openHandshakeTimeout ?? 5;
    if (timeout <= 0) return;
    this.#openTimer = this.clock.callLater(timeout, () => {
      this.#openTimer = null;
      this.failHandshake(
        new WebSocketClosedError(
          `The opening handshake took more than ${timeout} seconds`,
        ),
      );
    });
  }

  /**
   * Ends the handshake with `error`: the connection is dropped and
   * `onClose` reports it.
   */
  protected failHandshake(error: Error, response?: Uint8Array): void {
    if (this.#state !== "connecting") return;
    this.#failure = error;
    const transport = this.transport as ITransport | null;
    if (transport === null) return;
    if (response !== undefined) {
      transport.write(response);
      transport.loseConnection();
    } else {
      abortTransport(transport);
    }
  }

  /**
   * The handshake succeeded: the engine takes over, then `onOpen` runs.
   *
   * @ignore
   */
  protected openEngine({ isServer, deflate, buffered }: EngineStart): void {
    this.#openTimer?.cancel();
    this.#openTimer = null;
    const options = this.protocolOptions;
    const engine = new WebSocketEngine(this.transport as ITransport, {
      onMessage: (payload, isBinary) => this.onMessage(payload, isBinary),
      onPing: (payload) => this.onPing(payload),
      onPong: (payload) => this.onPong(payload),
      onClose: (wasClean, code, reason) =>
        this.onClose(
          wasClean,
          code === CloseCode.NO_STATUS ? null : code,
          code === CloseCode.NO_STATUS && reason === "" ? null : reason,
        ),
    }, {
      isServer,
      deflate,
      maxMessageSize: options.maxMessagePayloadSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      maxWriteBufferSize: options.maxWriteBufferSize,
      closeTimeout: options.closeHandshakeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      pingInterval: options.autoPingInterval,
      pingTimeout: options.autoPingTimeout,
      reactor: this.clock,
      goingAwayOnShutdown: isServer,
    });
    this.#engine = engine;
    this.#state = "open";
    this.websocketExtensionsInUse = deflate === null
      ? []
      : ["permessage-deflate"];
    this.#callback("onOpen", () => this.onOpen());
    engine.start(buffered);
  }

  #callback(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      logError(CATEGORY, `Unhandled error in ${what}: ${describeError(error)}`);
    }
  }
}
