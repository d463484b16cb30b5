/**
 * The WebSocket frame engine that every face shares (Autobahn's
 * `WebSocketProtocol`, Tornado's `WebSocketProtocol13`): once the opening
 * handshake is done, it reads frames from a reactor transport and writes
 * them to it, for a server or a client, and enforces RFC 6455 and 7692.
 *
 * It is not a protocol itself: the face that ran the handshake forwards
 * `dataReceived` and `connectionLost` to it and receives messages and the
 * close through a {@linkcode WebSocketEngineHandler}.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import { describeError, logError } from "../_util/log_error.ts";
import { ConnectionDone } from "../reactor/errors.ts";
import type {
  IProducer,
  IPushProducer,
  IReactorCore,
  ITCPTransport,
  ITransport,
} from "../reactor/interfaces.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { ByteBuffer, joinChunks } from "../reactor/_byte_buffer.ts";
import { FlushWatcher } from "../reactor/_flush_watcher.ts";
import { CloseCode, isValidCloseCode } from "./close_codes.ts";
import {
  WebSocketClosedError,
  WebSocketProtocolError,
  WebSocketWriteBufferFullError,
} from "./errors.ts";
import {
  decodeUtf8,
  FrameReader,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  writeFrame,
  writeTextFrame,
} from "./_frames.ts";
import type { PerMessageDeflate } from "./_deflate.ts";

/** The logging category of the WebSocket layer. */
export const CATEGORY: readonly string[] = ["torsion", "websocket"];

/** Tornado's `websocket_max_message_size` default: 10 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;
/** The default write buffer limit: 16 MiB waiting for a peer that does not read. */
export const DEFAULT_MAX_WRITE_BUFFER_SIZE = 16 * 1024 * 1024;
/** Seconds to wait for the peer's side of the close handshake, as Tornado's 5. */
export const DEFAULT_CLOSE_TIMEOUT = 5;
/** Fragments kept as views; past this many they are gathered into one growing buffer. */
const MAX_FRAGMENT_VIEWS = 256;
/** Past this many unflushed bytes a registered push producer is paused (Twisted's bufferSize). */
const HIGH_WATER = 65536;

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** What the engine reports to the face that owns it. */
export interface WebSocketEngineHandler {
  /** A whole message: a string for text, bytes for binary. */
  onMessage(payload: string | Uint8Array, isBinary: boolean): void;
  /** A ping arrived (the engine has already answered it). */
  onPing?(payload: Uint8Array): void;
  /** A pong arrived. */
  onPong?(payload: Uint8Array): void;
  /**
   * The connection is closed (called once, after the transport is gone):
   * clean with the peer's code (1005 when it gave none) and reason, or not
   * clean with 1006 and what happened.
   */
  onClose(wasClean: boolean, code: number, reason: string): void;
}

/** How the engine runs. */
export interface WebSocketEngineOptions {
  /** Whether this end is the server (expects masked frames, sends unmasked). */
  isServer: boolean;
  /** The largest message accepted, counted after inflation (1009 past it). */
  maxMessageSize?: number;
  /** The most bytes that may wait for a peer that does not read. */
  maxWriteBufferSize?: number;
  /** The negotiated permessage-deflate, or `null`. */
  deflate?: PerMessageDeflate | null;
  /** Seconds to wait for the peer's close frame or close of the socket. */
  closeTimeout?: number;
  /** Seconds between pings; 0 or undefined for none (Tornado's `websocket_ping_interval`). */
  pingInterval?: number;
  /** Seconds without a pong before closing (Tornado's `websocket_ping_timeout`). */
  pingTimeout?: number;
  /** Where timers run. */
  reactor?: IReactorTime;
  /**
   * Whether the reactor's shutdown first closes the connection with 1001
   * (a server's "going away"), within `closeTimeout`.
   */
  goingAwayOnShutdown?: boolean;
}

/** The states of the connection, as Autobahn's `STATE_OPEN`/`STATE_CLOSING`/`STATE_CLOSED`. */
export type WebSocketState = "open" | "closing" | "closed";

/** One WebSocket connection's frames, after the opening handshake. */
export class WebSocketEngine {
  /** The transport the frames travel on. */
  readonly transport: ITransport;
  /** Whether this end is the server. */
  readonly isServer: boolean;
  /** The negotiated permessage-deflate, or `null`. */
  readonly deflate: PerMessageDeflate | null;
  /** The largest message accepted. */
  readonly maxMessageSize: number;
  /** The peer's close code, `null` until its close frame (or when it gave none). */
  remoteCloseCode: number | null = null;
  /** The peer's close reason, `null` until its close frame. */
  remoteCloseReason: string | null = null;
  /** The code this end sent in its close frame, or `null`. */
  localCloseCode: number | null = null;
  /** What failed the connection (a protocol error, a full write buffer), or `null`. */
  error: Error | null = null;

  readonly #handler: WebSocketEngineHandler;
  readonly #reader: FrameReader;
  readonly #masked: boolean;
  readonly #maxWriteBufferSize: number;
  readonly #closeTimeout: number;
  readonly #pingInterval: number;
  readonly #pingTimeout: number;
  readonly #reactor: IReactorTime;

  #state: WebSocketState = "open";
  #closeSent = false;
  #closeReceived = false;

  // The frame being read.
  #fin = false;
  #opcode = 0;
  // The message being assembled.
  #messageOpcode = 0;
  #compressed = false;
  #messageSize = 0;
  #fragments: Uint8Array[] = [];
  #fragmentBytes = 0;
  // The binary message being delivered, and the free bytes before it.
  #echo: Uint8Array | null = null;
  #echoRoom = 0;
  #gathered: ByteBuffer | null = null;
  #textDecoder: TextDecoder | null = null;
  #text = "";

  // Writing.
  readonly #flush: FlushWatcher;
  #unflushed = 0;
  #flushWaiters: Deferred<void>[] = [];
  #producer: IProducer | null = null;
  #streaming = false;
  #producerPaused = false;

  readonly #goingAwayOnShutdown: boolean;
  #shutdownTrigger: number | null = null;
  #lostWaiters: (() => void)[] = [];
  #closeTimer: IDelayedCall | null = null;
  #pingTimer: IDelayedCall | null = null;
  #lastPing = 0;
  #lastPong = 0;

  /**
   * @param transport The connection, past its opening handshake.
   * @param handler Receives the messages and the close.
   * @param options The role, limits, deflate and timers.
   */
  constructor(
    transport: ITransport,
    handler: WebSocketEngineHandler,
    options: WebSocketEngineOptions,
  ) {
    this.transport = transport;
    this.isServer = options.isServer;
    this.#masked = !options.isServer;
    this.deflate = options.deflate ?? null;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxWriteBufferSize = options.maxWriteBufferSize ??
      DEFAULT_MAX_WRITE_BUFFER_SIZE;
    this.#closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.#pingInterval = options.pingInterval ?? 0;
    this.#pingTimeout = options.pingTimeout ?? Math.max(this.#pingInterval, 30);
    this.#reactor = options.reactor ?? globalReactor;
    this.#goingAwayOnShutdown = options.goingAwayOnShutdown ?? false;
    this.#handler = handler;
    this.#reader = new FrameReader(options.isServer, {
      onHeader: (fin, rsv, opcode, length) =>
        this.#onHeader(fin, rsv, opcode, length),
      onFrame: (payload, room, lent) => this.#onFrame(payload, room, lent),
    });
    this.#flush = new FlushWatcher(
      transport,
      () => this.#drained(),
      () => this.#flushStopped(),
    );
  }

  /** `"open"`, `"closing"` once a close frame was sent, `"closed"` once the transport is gone. */
  get state(): WebSocketState {
    return this.#state;
  }

  /** Bytes written to the transport and not yet flushed. */
  get bufferedAmount(): number {
    return this.#unflushed;
  }

  /**
   * Starts the connection: reads the bytes that came with the handshake
   * and starts the ping timer.
   *
   * @param buffered Bytes read past the handshake.
   */
  start(buffered: Uint8Array = EMPTY): void {
    const core = this.#reactor as Partial<IReactorCore>;
    if (
      this.#goingAwayOnShutdown &&
      typeof core.addSystemEventTrigger === "function"
    ) {
      this.#shutdownTrigger = core.addSystemEventTrigger(
        "before",
        "shutdown",
        () => this.#goAway(),
      );
    }
    if (this.#pingInterval > 0) {
      this.#lastPing = this.#lastPong = this.#reactor.seconds();
      this.#schedulePing();
    }
    if (buffered.length > 0) this.dataReceived(buffered);
  }

  /**
   * Bytes from the transport. They are unmasked in place, and what the
   * engine keeps of them is copied: the caller may reuse the array once the
   * call returns (a transport may lend its read buffer).
   */
  dataReceived(data: Uint8Array): void {
    if (this.#state === "closed") return;
    this.#read(data);
  }

  /**
   * Reads no frame after the one being handled until `resumeReading`; the
   * bytes that arrive meanwhile are held. Tornado reads no frame, control
   * frames included, while `on_message`'s future is pending: a close
   * that follows a message then waits for that message's answer.
   */
  pauseReading(): void {
    this.#reader.pause();
  }

  /** Reads the frames held since `pauseReading`, and goes on reading. */
  resumeReading(): void {
    if (this.#state === "closed") return;
    this.#read(null);
  }

  /** Feeds `data` to the reader, or resumes it (`null`); fails the connection on a protocol error. */
  #read(data: Uint8Array | null): void {
    try {
      if (data === null) this.#reader.resume();
      else this.#reader.feed(data);
    } catch (error) {
      if (error instanceof WebSocketProtocolError) {
        this.#fail(error);
      } else {
        throw error;
      }
    }
  }

  /** The transport is gone: reports the close once. */
  connectionLost(reason: Failure): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#reader.stop();
    this.#cancelTimers();
    if (this.#shutdownTrigger !== null) {
      (this.#reactor as Partial<IReactorCore>).removeSystemEventTrigger?.(
        this.#shutdownTrigger,
      );
      this.#shutdownTrigger = null;
    }
    const lostWaiters = this.#lostWaiters;
    this.#lostWaiters = [];
    for (const resolve of lostWaiters) resolve();
    this.deflate?.close();
    this.#failWaiters();
    const producer = this.#producer;
    this.#producer = null;
    if (producer !== null) {
      this.#callApplication("stopProducing", () => producer.stopProducing());
    }
    const wasClean = this.#closeSent && this.#closeReceived;
    let why: string;
    if (wasClean) {
      why = this.remoteCloseReason ?? "";
    } else if (this.error !== null) {
      why = this.error.message;
    } else if (reason.value instanceof ConnectionDone) {
      why = "The peer closed the connection without a close frame";
    } else {
      why = `The connection was lost: ${describeReason(reason)}`;
    }
    this.#callApplication(
      "onClose",
      () =>
        this.#handler.onClose(
          wasClean,
          wasClean
            ? this.remoteCloseCode ?? CloseCode.NO_STATUS
            : CloseCode.ABNORMAL,
          why,
        ),
    );
  }

  /**
   * Sends one message in one frame. A binary message received and sent
   * back from `onMessage` is written as it is, not copied: do not modify it
   * afterwards.
   *
   * @param payload Text (sent as a text frame unless `isBinary`) or bytes.
   * @param isBinary Whether to send a binary frame.
   * @returns Whether it was sent (false once closing).
   */
  sendMessage(
    payload: string | Uint8Array,
    isBinary: boolean = typeof payload !== "string",
  ): boolean {
    if (this.#state !== "open") return false;
    const opcode = isBinary ? OP_BINARY : OP_TEXT;
    let written: number;
    if (this.deflate !== null) {
      const bytes = typeof payload === "string"
        ? encoder.encode(payload)
        : payload;
      written = writeFrame(
        this.transport,
        0xc0 | opcode,
        this.deflate.compress(bytes),
        this.#masked,
      );
    } else if (typeof payload === "string" && !isBinary) {
      written = writeTextFrame(
        this.transport,
        0x80 | opcode,
        payload,
        this.#masked,
      );
    } else if (typeof payload === "string") {
      written = writeFrame(
        this.transport,
        0x80 | opcode,
        encoder.encode(payload),
        this.#masked,
      );
    } else {
      // The message being delivered, sent back once: its header goes in the
      // room the reader left in front of it, and the payload is not copied.
      let room = 0;
      if (payload === this.#echo) {
        room = this.#echoRoom;
        this.#echo = null;
      }
      written = writeFrame(
        this.transport,
        0x80 | opcode,
        payload,
        this.#masked,
        room,
      );
    }
    this.#wrote(written);
    return true;
  }

  /**
   * Sends a ping.
   *
   * @param payload At most 125 bytes.
   * @throws {RangeError} The payload is longer than 125 bytes.
   */
  ping(payload: Uint8Array | string = EMPTY): void {
    this.#sendControl(OP_PING, payload);
  }

  /**
   * Sends an unsolicited pong (a heartbeat).
   *
   * @param payload At most 125 bytes.
   * @throws {RangeError} The payload is longer than 125 bytes.
   */
  pong(payload: Uint8Array | string = EMPTY): void {
    this.#sendControl(OP_PONG, payload);
  }

  /**
   * Starts the close handshake. Nothing happens once a close frame was sent.
   *
   * @param code A close code a peer may send (1000, 1001, ..., 3000-4999),
   *   or `undefined` to send none.
   * @param reason At most 123 bytes of UTF-8; needs a code.
   * @throws {RangeError} An invalid code or a reason too long.
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined && !isValidCloseCode(code)) {
      throw new RangeError(
        `Cannot close with code ${code}: use 1000, 1001-1003, 1007-1014 or 3000-4999`,
      );
    }
    const reasonBytes = encoder.encode(reason ?? "");
    if (reasonBytes.length > 123) {
      throw new RangeError(
        `Cannot close with a reason of ${reasonBytes.length} bytes: the limit is 123`,
      );
    }
    if (this.#closeSent || this.#state === "closed") return;
    this.#sendClose(code ?? (reason ? CloseCode.NORMAL : null), reasonBytes);
    this.#armCloseTimer();
  }

  /** Drops the connection at once, without a close handshake. */
  abort(): void {
    if (this.#state === "closed") return;
    this.#reader.stop();
    this.#state = "closing";
    abortTransport(this.transport);
  }

  /**
   * A Deferred that fires once every byte written so far has been flushed
   * to the socket, or fails with `WebSocketClosedError`.
   */
  whenFlushed(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#state === "closed") {
      d.errback(
        new WebSocketClosedError("Cannot flush: the connection is closed"),
      );
    } else if (this.#unflushed === 0 && !this.#flush.watching) {
      d.callback(undefined);
    } else {
      this.#flushWaiters.push(d);
    }
    return d;
  }

  /**
   * Attaches a producer of messages, as Twisted's `registerProducer` on a
   * transport: a push producer is paused while more than 64 KiB wait to be
   * flushed and resumed once they are; a pull producer is asked for more
   * each time the writes drain.
   *
   * @throws {TypeError} A producer is already registered.
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new TypeError(
        "Cannot register a producer: another producer is registered",
      );
    }
    if (this.#state === "closed") {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (!streaming) producer.resumeProducing();
  }

  /** Detaches the producer. */
  unregisterProducer(): void {
    this.#producer = null;
  }

  /** Checks a frame's header; returns whether its payload is kept (binary data, uncompressed). */
  #onHeader(
    fin: boolean,
    rsv: number,
    opcode: number,
    length: number,
  ): boolean {
    if ((rsv & 3) !== 0) {
      throw protocolError(
        `Reserved bits set in a frame: 0x${(rsv << 4).toString(16)}`,
      );
    }
    const rsv1 = rsv !== 0;
    if (opcode >= 8) {
      if (opcode > OP_PONG) {
        throw protocolError(`Reserved opcode: 0x${opcode.toString(16)}`);
      }
      if (!fin) throw protocolError("Control frames must not be fragmented");
      if (length > 125) {
        throw protocolError(
          `Control frame of ${length} bytes: the limit is 125`,
        );
      }
      if (rsv1) throw protocolError("Control frames must not be compressed");
    } else {
      if (opcode > OP_BINARY) {
        throw protocolError(`Reserved opcode: 0x${opcode.toString(16)}`);
      }
      if (opcode === OP_CONTINUATION) {
        if (this.#messageOpcode === 0) {
          throw protocolError(
            "Continuation frame without a message to continue",
          );
        }
        if (rsv1) throw protocolError("RSV1 set on a continuation frame");
      } else {
        if (this.#messageOpcode !== 0) {
          throw protocolError("New data frame inside a fragmented message");
        }
        if (rsv1 && this.deflate === null) {
          throw protocolError("RSV1 set without permessage-deflate");
        }
        this.#messageOpcode = opcode;
        this.#compressed = rsv1;
        this.#messageSize = 0;
      }
      this.#messageSize += length;
      // Compressed data may be a little larger than what it inflates to.
      const limit = this.#compressed
        ? this.maxMessageSize + (this.maxMessageSize >>> 6) + 1024
        : this.maxMessageSize;
      if (this.#messageSize > limit) {
        throw new WebSocketProtocolError(
          CloseCode.MESSAGE_TOO_BIG,
          `Message of more than ${this.maxMessageSize} bytes: the limit is ${this.maxMessageSize}`,
        );
      }
    }
    this.#fin = fin;
    this.#opcode = opcode;
    // Text is decoded and compressed data inflated from the lent bytes.
    return opcode < 8 && this.#messageOpcode === OP_BINARY &&
      !this.#compressed;
  }

  /** A frame's payload; `lent` ones are copied if kept (see FrameReaderHandler). */
  #onFrame(payload: Uint8Array, room: number, lent: boolean): void {
    switch (this.#opcode) {
      case OP_CLOSE:
        this.#onClose(payload);
        return;
      case OP_PING: {
        if (!this.#closeSent) this.#sendControl(OP_PONG, payload);
        if (this.#handler.onPing !== undefined) {
          const kept = lent ? payload.slice() : payload;
          this.#callApplication("onPing", () => this.#handler.onPing!(kept));
        }
        return;
      }
      case OP_PONG: {
        this.#lastPong = this.#reactor.seconds();
        if (this.#handler.onPong !== undefined) {
          const kept = lent ? payload.slice() : payload;
          this.#callApplication("onPong", () => this.#handler.onPong!(kept));
        }
        return;
      }
    }
    const fin = this.#fin;
    const text = this.#messageOpcode === OP_TEXT;
    if (fin && this.#fragmentBytes === 0 && this.#textDecoder === null) {
      this.#complete(payload, room);
      return;
    }
    if (text && !this.#compressed) {
      // Decoding each fragment as it comes fails an invalid text fast.
      const decoder = this.#textDecoder ??= new TextDecoder("utf-8", {
        fatal: true,
      });
      // Empty fragments add nothing: a peer sending millions must not grow the list.
      // Strings are joined as ropes: a flood of tiny fragments stays linear.
      if (payload.length > 0 || fin) {
        this.#text += decodeOr1007(() =>
          decoder.decode(payload, { stream: !fin })
        );
      }
      if (fin) {
        const whole = this.#text;
        this.#resetMessage();
        this.#deliver(whole, false);
      }
      return;
    }
    if (payload.length > 0) {
      this.#fragments.push(lent ? payload.slice() : payload);
      this.#fragmentBytes += payload.length;
      // Many small fragments are gathered into one buffer as they come, so
      // a message in a million 1-byte frames costs no million views.
      if (this.#fragments.length > MAX_FRAGMENT_VIEWS) {
        const gathered = this.#gathered ??= new ByteBuffer();
        for (const fragment of this.#fragments) gathered.append(fragment);
        this.#fragments = [];
      }
    }
    if (fin) {
      const gathered = this.#gathered;
      if (gathered !== null) {
        for (const fragment of this.#fragments) gathered.append(fragment);
        this.#complete(gathered.takeAll());
      } else {
        this.#complete(joinChunks(this.#fragments, this.#fragmentBytes));
      }
    }
  }

  #complete(data: Uint8Array, room: number = 0): void {
    const text = this.#messageOpcode === OP_TEXT;
    const compressed = this.#compressed;
    this.#resetMessage();
    if (text) {
      const bytes = compressed
        ? (this.deflate as PerMessageDeflate).decompress(
          data,
          this.maxMessageSize,
        )
        : data;
      this.#deliver(decodeOr1007(() => decodeUtf8(bytes)), false);
    } else if (compressed) {
      this.#deliver(
        (this.deflate as PerMessageDeflate).decompress(
          data,
          this.maxMessageSize,
        ),
        true,
      );
    } else {
      // An echo sent from within onMessage is written in place (see sendMessage).
      this.#echo = data;
      this.#echoRoom = room;
      try {
        this.#deliver(data, true);
      } finally {
        this.#echo = null;
      }
    }
  }

  #resetMessage(): void {
    this.#messageOpcode = 0;
    this.#compressed = false;
    this.#messageSize = 0;
    if (this.#fragmentBytes > 0) {
      this.#fragments = [];
      this.#fragmentBytes = 0;
      this.#gathered = null;
    }
    if (this.#textDecoder !== null) {
      this.#textDecoder = null;
      this.#text = "";
    }
  }

  #deliver(payload: string | Uint8Array, isBinary: boolean): void {
    try {
      this.#handler.onMessage(payload, isBinary);
    } catch (error) {
      logError(
        CATEGORY,
        `Unhandled error in onMessage: ${describeError(error)}`,
      );
      this.#fail(
        new WebSocketProtocolError(
          CloseCode.INTERNAL_ERROR,
          "Internal error while handling a message",
        ),
      );
    }
  }

  #onClose(payload: Uint8Array): void {
    if (payload.length === 1) {
      throw protocolError("Close frame with a 1-byte payload");
    }
    let code: number | null = null;
    let reason = "";
    if (payload.length >= 2) {
      code = (payload[0] << 8) | payload[1];
      if (!isValidCloseCode(code)) {
        throw protocolError(`Invalid close code: ${code}`);
      }
      reason = decodeOr1007(() => decodeUtf8(payload.subarray(2)));
    }
    this.remoteCloseCode = code;
    this.remoteCloseReason = reason;
    this.#closeReceived = true;
    this.#reader.stop();
    if (!this.#closeSent) this.#sendClose(code, EMPTY);
    if (this.isServer) {
      this.transport.loseConnection();
    }
    // A client waits for the server to close the socket, but not forever.
    this.#armCloseTimer();
  }

  /** Fails the connection: a close frame with the error's code, then the socket closes. */
  #fail(error: WebSocketProtocolError): void {
    if (this.#state === "closed" || this.error !== null) return;
    this.error = error;
    this.#reader.stop();
    if (!this.#closeSent) {
      this.#sendClose(
        error.code,
        encoder.encode(truncateReason(error.message)),
      );
    }
    this.transport.loseConnection();
    this.#armCloseTimer();
  }

  #sendClose(code: number | null, reason: Uint8Array): void {
    this.#closeSent = true;
    this.#state = "closing";
    this.localCloseCode = code;
    let payload = EMPTY;
    if (code !== null) {
      payload = new Uint8Array(2 + reason.length);
      payload[0] = code >>> 8;
      payload[1] = code & 0xff;
      payload.set(reason, 2);
    }
    this.#wrote(
      writeFrame(this.transport, 0x80 | OP_CLOSE, payload, this.#masked),
    );
  }

  #sendControl(opcode: number, payload: Uint8Array | string): void {
    const bytes = typeof payload === "string"
      ? encoder.encode(payload)
      : payload;
    if (bytes.length > 125) {
      throw new RangeError(
        `Control frame payloads are limited to 125 bytes: current length is ${bytes.length}`,
      );
    }
    if (this.#state === "closed" || this.#closeSent) return;
    this.#wrote(writeFrame(this.transport, 0x80 | opcode, bytes, this.#masked));
  }

  #wrote(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#unflushed > this.#maxWriteBufferSize) {
      this.#writeBufferFull();
      return;
    }
    const producer = this.#producer;
    if (
      producer !== null && this.#streaming && !this.#producerPaused &&
      this.#unflushed > HIGH_WATER
    ) {
      this.#producerPaused = true;
      this.#callApplication(
        "pauseProducing",
        () => (producer as IPushProducer).pauseProducing(),
      );
    }
    this.#flush.watch();
  }

  #writeBufferFull(): void {
    if (this.error !== null) return;
    this.error = new WebSocketWriteBufferFullError(this.#maxWriteBufferSize);
    logError(
      CATEGORY,
      `Aborting a WebSocket connection: ${this.error.message}`,
    );
    this.abort();
  }

  #drained(): void {
    this.#unflushed = 0;
    const waiters = this.#flushWaiters;
    if (waiters.length > 0) {
      this.#flushWaiters = [];
      for (const d of waiters) d.callback(undefined);
    }
    const producer = this.#producer;
    if (producer === null || this.#state === "closed") return;
    if (!this.#streaming || this.#producerPaused) {
      this.#producerPaused = false;
      this.#callApplication(
        "resumeProducing",
        () => producer.resumeProducing(),
      );
    }
  }

  #flushStopped(): void {
    this.#failWaiters();
  }

  #failWaiters(): void {
    const waiters = this.#flushWaiters;
    this.#flushWaiters = [];
    for (const d of waiters) {
      d.errback(
        new WebSocketClosedError(
          "The connection closed before the write was flushed",
          {
            cause: this.error ?? undefined,
          },
        ),
      );
    }
  }

  #armCloseTimer(): void {
    this.#closeTimer?.cancel();
    this.#closeTimer = this.#reactor.callLater(this.#closeTimeout, () => {
      this.#closeTimer = null;
      this.abort();
    });
  }

  /** The reactor is shutting down: close with 1001 and let it wait for the close. */
  #goAway(): Promise<void> | undefined {
    this.#shutdownTrigger = null;
    if (this.#state === "closed") return undefined;
    const lost = new Promise<void>((resolve) =>
      this.#lostWaiters.push(resolve)
    );
    if (this.#state === "open") {
      this.close(CloseCode.GOING_AWAY, "Server shutting down");
    }
    return lost;
  }

  #schedulePing(): void {
    this.#pingTimer = this.#reactor.callLater(this.#pingInterval, () => {
      this.#pingTimer = null;
      if (this.#state !== "open") return;
      const now = this.#reactor.seconds();
      if (
        now - this.#lastPing < 2 * this.#pingInterval &&
        now - this.#lastPong > this.#pingTimeout
      ) {
        this.close(CloseCode.GOING_AWAY, "Ping timeout");
        return;
      }
      this.ping();
      this.#lastPing = now;
      this.#schedulePing();
    });
  }

  #cancelTimers(): void {
    this.#closeTimer?.cancel();
    this.#closeTimer = null;
    this.#pingTimer?.cancel();
    this.#pingTimer = null;
  }

  #callApplication(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      logError(CATEGORY, `Unhandled error in ${what}: ${describeError(error)}`);
    }
  }
}

function protocolError(message: string): WebSocketProtocolError {
  return new WebSocketProtocolError(CloseCode.PROTOCOL_ERROR, message);
}

function decodeOr1007(decode: () => string): string {
  try {
    return decode();
  } catch {
    throw new WebSocketProtocolError(
      CloseCode.INVALID_PAYLOAD,
      "Text is not valid UTF-8",
    );
  }
}

/** The reason of a close frame: at most 123 bytes of UTF-8, cut on a character. */
function truncateReason(text: string): string {
  let out = text;
  while (encoder.encode(out).length > 123) out = out.slice(0, -1);
  return out;
}

function describeReason(reason: Failure): string {
  const value = reason.value;
  return value instanceof Error ? value.message : String(value);
}

/** Aborts a TCP transport, or closes another kind. */
export function abortTransport(transport: ITransport): void {
  if ("abortConnection" in transport) {
    (transport as ITCPTransport).abortConnection();
  } else {
    transport.loseConnection();
  }
}
