/**
 * The transport of one TCP (or TLS) connection on a `Deno.Conn`, as
 * Twisted's `tcp.Connection` on `abstract.FileDescriptor`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { describeError, logError } from "../_util/log_error.ts";
import { encodeUtf8 } from "../_util/utf8.ts";
import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type { IReactorTime } from "../deferred/interfaces.ts";
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  TLSError,
} from "./errors.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  IPushProducer,
  ITLSTransport,
  TLSClientOptions,
} from "./interfaces.ts";
import { callApplication, logApplicationError } from "./_application_calls.ts";
import { closeQuietly, detach, toAddress } from "./_deno_socket.ts";
import { connectionLostFor, errorMessage } from "./_socket_errors.ts";
import { type Disconnectable, track, untrack } from "./_tcp_tracker.ts";

const CATEGORY = ["torsion", "reactor"] as const;

/**
 * The write-buffer high-water mark: a streaming producer is paused when
 * more than this many bytes wait to be written. Twisted's `bufferSize`.
 */
const BUFFER_SIZE = 65536;
/** The most bytes one `read()` asks for; Twisted reads `bufferSize` too. */
const READ_SIZE = 65536;
/**
 * The smallest read buffer, and the first one. It grows fourfold each time
 * a read fills it, up to `READ_SIZE` (a 1 KiB response arriving at once
 * then takes two reads, not three), and shrinks back once reads come in at
 * a quarter of it: every idle connection holds its buffer in a pending
 * read, so 10,000 idle connections, or 2,000 requests waiting for a short
 * response, hold 256 bytes each rather than what their largest read took.
 */
const MIN_READ_SIZE = 256;
/** The smallest rest of a read buffer that the next read goes into (see #takeRead). */
const MIN_TAIL = 64;
/** Small writes queued together are joined into one `write()` up to this size. */
const COALESCE_SIZE = 65536;

// The bits of a transport's #flags: thirteen booleans held in one field, as
// every idle connection holds them.
const NO_DELAY = 1;
const KEEP_ALIVE = 2;
const CONNECTED = 4;
const DISCONNECTING = 8;
const LOST_SCHEDULED = 16;
const READING = 32;
const READ_PAUSED = 64;
const HELD_END = 128;
const READ_FILLED = 256;
const WRITING = 512;
const STREAMING = 1024;
const PRODUCER_PAUSED = 2048;
const SWITCHING = 4096;

/**
 * The Failures a connection ends with when it closes cleanly or is aborted:
 * one each, shared, as Twisted shares `connectionDone`. An Error costs about
 * a kilobyte even without its stack trace, and making one per closed
 * connection was the largest allocation of a client with thousands of
 * connections. Failures are immutable.
 */
const CONNECTION_DONE = new Failure(new ConnectionDone());
const CONNECTION_ABORTED = new Failure(new ConnectionAborted());

/** What the creator of a transport tells it. */
export interface TCPTransportOptions {
  /** The reactor whose `disconnectAll` must close the connection while it is up. */
  reactor: IReactorTime;
  /**
   * The address of the other end, as already given to `buildProtocol`;
   * without it, made from the socket when first asked for, so that an
   * accepted connection whose protocol keeps no address keeps none either.
   */
  peer?: IAddress;
  /** The host name `startTLS` verifies by default: the host connected to. */
  tlsHostname: string;
  /** Whether `conn` already speaks TLS (accepted by a TLS port or connected with TLS). */
  tls: boolean;
  /** Whether Nagle's algorithm is off on the socket, for `getTcpNoDelay`. */
  noDelay: boolean;
  /** The ALPN protocol a completed TLS handshake settled on. */
  negotiatedProtocol: string | null;
  /** Runs once after the protocol's `connectionLost`, for bookkeeping. */
  onLost?(reason: Failure): void;
}

interface TLSRequest {
  readonly options: TLSClientOptions;
  readonly deferred: Deferred<void>;
}

/**
 * One connection: reads into a buffer sized to the recent reads and hands
 * each piece to the protocol as a view no later read writes over (the
 * next read goes into the rest of the buffer), or lent in place to a
 * protocol that `readsInPlace`; queues writes and writes
 * them in order, joining small ones; pauses and resumes producers at
 * `BUFFER_SIZE`.
 *
 * Closing is asynchronous: `connectionLost` runs once every pending read,
 * write and TLS operation on the socket has settled, so a test that awaits
 * `connectionLost` leaves no operation behind.
 */
export class TCPTransport implements ITLSTransport, Disconnectable {
  #conn: Deno.Conn;
  /**
   * The plain socket, while there is one: Deno offers socket options only
   * on it. `null` also means the connection speaks TLS.
   */
  #tcp: Deno.TcpConn | null;
  readonly #reactor: IReactorTime;
  readonly #protocol: IProtocol;
  /** This end's address, made when first asked for. */
  #host: IAddress | null = null;
  #peer: IAddress | null;
  readonly #tlsHostname: string;
  readonly #onLost: ((reason: Failure) => void) | undefined;
  #negotiatedProtocol: string | null;
  /** The connection's yes/no states (see the accessors below), in one number. */
  #flags = 0;

  /** Set once, when the connection starts closing: what `connectionLost` gets. */
  #reason: Failure | null = null;
  /** Created by the first `disconnect()` that has to wait for `connectionLost`. */
  #lostSignal: PromiseWithResolvers<void> | null = null;

  #held: Uint8Array | null = null;
  #readBuffer: Uint8Array | null = null;
  /** The size of the next read buffer. */
  #readSize = MIN_READ_SIZE;

  /** The writes waiting, from `#queueHead` on; `null` when none does, as on an idle connection. */
  #queue: Uint8Array[] | null = null;
  #queueHead = 0;
  #queued = 0;
  /** The piece being written, `#offset` bytes of it done; `null` between pieces. */
  #chunk: Uint8Array | null = null;
  #offset = 0;
  #producer: IProducer | null = null;

  /**
   * The write loop's callback (see #writeNext), made when it starts and
   * dropped when it stops: an idle connection keeps none.
   */
  #onWrite: ((settled?: unknown) => void) | null = null;

  #tlsRequest: TLSRequest | null = null;
  /** Writes made while `startTLS` waits, made for the first one. */
  #tlsHeld: Uint8Array[] | null = null;

  #flag(bit: number, on: boolean): void {
    this.#flags = on ? this.#flags | bit : this.#flags & ~bit;
  }

  get #noDelay(): boolean {
    return (this.#flags & NO_DELAY) !== 0;
  }

  get #keepAlive(): boolean {
    return (this.#flags & KEEP_ALIVE) !== 0;
  }

  get #connected(): boolean {
    return (this.#flags & CONNECTED) !== 0;
  }

  get #disconnecting(): boolean {
    return (this.#flags & DISCONNECTING) !== 0;
  }

  get #lostScheduled(): boolean {
    return (this.#flags & LOST_SCHEDULED) !== 0;
  }

  get #reading(): boolean {
    return (this.#flags & READING) !== 0;
  }

  get #readPaused(): boolean {
    return (this.#flags & READ_PAUSED) !== 0;
  }

  get #heldEnd(): boolean {
    return (this.#flags & HELD_END) !== 0;
  }

  /** Whether the last read filled its buffer: what follows may be its tail. */
  get #readFilled(): boolean {
    return (this.#flags & READ_FILLED) !== 0;
  }

  get #writing(): boolean {
    return (this.#flags & WRITING) !== 0;
  }

  get #streaming(): boolean {
    return (this.#flags & STREAMING) !== 0;
  }

  get #producerPaused(): boolean {
    return (this.#flags & PRODUCER_PAUSED) !== 0;
  }

  get #switching(): boolean {
    return (this.#flags & SWITCHING) !== 0;
  }

  /**
   * Wraps a connected socket. Nothing happens until `start()`.
   *
   * @param conn The socket (plain TCP or TLS).
   * @param protocol The protocol to drive.
   * @param options See `TCPTransportOptions`.
   */
  constructor(
    conn: Deno.Conn,
    protocol: IProtocol,
    options: TCPTransportOptions,
  ) {
    this.#conn = conn;
    this.#tcp = options.tls ? null : conn as Deno.TcpConn;
    this.#reactor = options.reactor;
    this.#protocol = protocol;
    this.#peer = options.peer ?? null;
    this.#tlsHostname = options.tlsHostname;
    this.#flag(NO_DELAY, options.noDelay);
    this.#negotiatedProtocol = options.negotiatedProtocol;
    this.#onLost = options.onLost;
  }

  /** The ALPN protocol the TLS handshake settled on, or `null`. */
  get negotiatedProtocol(): string | null {
    return this.#negotiatedProtocol;
  }

  /**
   * Whether the connection speaks TLS (accepted by a TLS port, connected
   * with TLS, or switched by `startTLS`): what Twisted asks with
   * `ISSLTransport.providedBy(transport)`.
   */
  get tls(): boolean {
    return this.#tcp === null;
  }

  /**
   * Whether the connection is still up: `connectionLost` has not run.
   * Mirrors Twisted's `connected` attribute.
   */
  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Whether the connection is closing: `loseConnection` was called (as
   * Twisted's `disconnecting`), or it was aborted or lost. Line protocols
   * stop delivering the lines that follow one that closed the connection.
   */
  get disconnecting(): boolean {
    return this.#disconnecting || this.#closing;
  }

  /**
   * Registers the connection with the reactor for `disconnectAll`, calls
   * `makeConnection` on the protocol, then starts reading.
   */
  start(): void {
    track(this.#reactor, this);
    this.#flag(CONNECTED, true);
    try {
      this.#protocol.makeConnection(this);
    } catch (error) {
      this.#applicationFailed("connectionMade", error);
      return;
    }
    this.#startReading();
  }

  /**
   * Queues bytes for writing. Strings are UTF-8 encoded. The array is
   * written as it is, not copied: do not modify it afterwards. Writes
   * after `connectionLost` (or after `abortConnection`) are ignored, as
   * in Twisted; writes after `loseConnection` are still flushed.
   *
   * @param data The bytes.
   * @throws {TypeError} `data` is neither a Uint8Array nor a string.
   */
  write(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? encodeUtf8(data) : data;
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot write data: expected a Uint8Array or a string, got ${typeof data}`,
      );
    }
    if (!this.#connected || this.#closing || bytes.byteLength === 0) return;
    if (this.#tlsRequest !== null) (this.#tlsHeld ??= []).push(bytes);
    // An array of one: `[]` grows to 17 slots at its first push, and most
    // runs of the write loop write one piece.
    else if (this.#queue === null) this.#queue = [bytes];
    else this.#queue.push(bytes);
    this.#queued += bytes.byteLength;
    if (
      this.#producer !== null && this.#streaming && this.#queued > BUFFER_SIZE
    ) {
      this.#flag(PRODUCER_PAUSED, true);
      (this.#producer as IPushProducer).pauseProducing();
    }
    this.#startWriting();
  }

  /**
   * Queues each piece in order.
   *
   * @param data The pieces.
   */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const piece of data) this.write(piece);
  }

  /**
   * Closes once the queued writes are flushed and a registered producer,
   * pull or push, has unregistered; stops reading at once.
   * `connectionLost` then receives `ConnectionDone`.
   */
  loseConnection(): void {
    if (!this.#connected || this.#disconnecting || this.#closing) return;
    this.#flag(DISCONNECTING, true);
    this.#startWriting();
  }

  /** Closes at once, dropping queued writes; `connectionLost` receives `ConnectionAborted`. */
  abortConnection(): void {
    if (!this.#connected) return;
    this.#closeWith(CONNECTION_ABORTED);
  }

  /**
   * The address of the other end.
   *
   * @returns The peer's address.
   */
  getPeer(): IAddress {
    return this.#peer ??= toAddress(this.#conn.remoteAddr);
  }

  /**
   * The address of this end.
   *
   * @returns The local address.
   */
  getHost(): IAddress {
    return this.#host ??= toAddress(this.#conn.localAddr);
  }

  /**
   * Turns Nagle's algorithm off (`true`) or on. Deno exposes no socket
   * options on a TLS connection, so there the call is ignored.
   *
   * @param enabled Whether to turn Nagle's algorithm off.
   */
  setTcpNoDelay(enabled: boolean): void {
    const tcp = this.#socket("setTcpNoDelay");
    if (tcp === null) return;
    tcp.setNoDelay(enabled);
    this.#flag(NO_DELAY, enabled);
  }

  /**
   * Whether Nagle's algorithm is off.
   *
   * @returns The last value set on the socket.
   */
  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  /**
   * Turns TCP keep-alive probes on or off; ignored on TLS connections as
   * `setTcpNoDelay` is.
   *
   * @param enabled Whether to send keep-alive probes.
   */
  setTcpKeepAlive(enabled: boolean): void {
    const tcp = this.#socket("setTcpKeepAlive");
    if (tcp === null) return;
    tcp.setKeepAlive(enabled);
    this.#flag(KEEP_ALIVE, enabled);
  }

  /**
   * Whether keep-alive probes are on.
   *
   * @returns The last value set on the socket.
   */
  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  /**
   * Attaches a producer, as Twisted's `registerProducer`: a pull producer
   * is asked for data at once and whenever the queue drains; a push
   * producer is paused past `BUFFER_SIZE` and resumed once drained. On a
   * lost connection the producer is stopped at once.
   *
   * @param producer The producer.
   * @param streaming `true` for a push producer, `false` for a pull producer.
   * @throws {TypeError} A producer is already registered.
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new TypeError(
        "Cannot register a producer: another producer is registered and was never unregistered",
      );
    }
    if (this.#lost) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#flag(STREAMING, streaming);
    this.#flag(PRODUCER_PAUSED, false);
    if (!streaming) producer.resumeProducing();
  }

  /** Detaches the producer; a pending `loseConnection` may now complete. */
  unregisterProducer(): void {
    this.#producer = null;
    if (this.#connected && this.#disconnecting) this.#startWriting();
  }

  /** Stops reading from the socket: the peer's writes back up in the kernel. */
  pauseProducing(): void {
    this.#flag(READ_PAUSED, true);
  }

  /** Reads again after `pauseProducing`. */
  resumeProducing(): void {
    if (!this.#connected || this.#disconnecting) return;
    this.#flag(READ_PAUSED, false);
    this.#startReading();
  }

  /** Same as `loseConnection`, as in Twisted. */
  stopProducing(): void {
    this.loseConnection();
  }

  /**
   * Starts a client TLS handshake over this connection, as Twisted's
   * `startTLS`. Bytes written before the call are sent in plain text
   * first; bytes written after it wait and are sent encrypted.
   *
   * Deno cannot take over a socket with a read pending, so the switch
   * waits for the current read to return. Call it from `connectionMade`
   * or `dataReceived` (no read is pending then), and make sure the peer
   * sends nothing more in plain text: the next bytes must be its side of
   * the handshake.
   *
   * @param options The name to verify, extra CA certificates, ALPN.
   * @returns A Deferred that fires once the handshake is done, or fails
   *   with `TLSError` (and the connection is closed).
   * @throws {TypeError} The connection already uses TLS or is switching.
   */
  startTLS(options: TLSClientOptions = {}): Deferred<void> {
    if (this.#tcp === null || this.#tlsRequest !== null) {
      throw new TypeError("Cannot start TLS: the connection already uses TLS");
    }
    const deferred = new Deferred<void>();
    if (!this.#connected || this.#closing || this.#disconnecting) {
      deferred.errback(
        new ConnectionLost("Cannot start TLS: the connection is closing"),
      );
      return deferred;
    }
    this.#tlsRequest = { options, deferred };
    this.#maybeSwitch();
    return deferred;
  }

  /**
   * Closes with `reason` (for `disconnectAll`).
   *
   * @param reason What `connectionLost` receives.
   * @returns A Promise that resolves after `connectionLost`.
   */
  disconnect(reason: Failure): Promise<void> {
    this.#closeWith(reason);
    if (this.#lost) return Promise.resolve();
    return (this.#lostSignal ??= Promise.withResolvers<void>()).promise;
  }

  /** Whether the connection has started closing. */
  get #closing(): boolean {
    return this.#reason !== null;
  }

  /**
   * Whether `connectionLost` has run: `connected` is false before `start()`
   * too, and only a closing connection has a reason.
   */
  get #lost(): boolean {
    return !this.#connected && this.#reason !== null;
  }

  /** The plain socket to set an option on, or `null` (logged) when there is none. */
  #socket(what: string): Deno.TcpConn | null {
    if (this.#tcp === null || this.#closing) {
      getLogger([...CATEGORY]).debug(
        "{what} ignored: Deno exposes no socket options on this connection",
        { what },
      );
      return null;
    }
    return this.#tcp;
  }

  #wantsToRead(): boolean {
    return !this.#closing && !this.#disconnecting && !this.#readPaused &&
      this.#tlsRequest === null && !this.#switching;
  }

  #startReading(): void {
    if (this.#reading || !this.#wantsToRead()) return;
    this.#flag(READING, true);
    // Data held while paused is delivered after resumeProducing returns,
    // never inside it: a producer chain must not re-enter its caller.
    if (this.#held !== null || this.#heldEnd) {
      queueMicrotask(() => this.#readNext());
    } else {
      this.#readNext();
    }
  }

  /**
   * Delivers held data, then starts the next read. A chain of callbacks
   * (`#onRead`) bound once per connection rather than an
   * async loop: every idle connection keeps its read pending, and a
   * suspended async function holds a generator, its Promise and its frame
   * besides.
   */
  #readNext(): void {
    try {
      while (this.#wantsToRead()) {
        const held = this.#held;
        if (held !== null) {
          this.#held = null;
          this.#deliver(held);
          continue;
        }
        if (this.#heldEnd) {
          this.#closeWith(CONNECTION_DONE);
          break;
        }
        const buffer = this.#readBuffer ??= new Uint8Array(this.#readSize);
        // #onRead catches everything: the Promise that then() returns
        // never rejects.
        this.#conn.read(buffer).then(this.#onRead, this.#onRead);
        return;
      }
    } catch (error) {
      this.#readFailed(error);
      return;
    }
    this.#readStopped();
  }

  /**
   * Settles a read, fulfilled (a count, or `null` at the end of the
   * stream) or rejected (an error: Deno's reads reject with nothing
   * else). One closure for both, as every idle connection keeps its
   * read pending and so its callbacks.
   */
  readonly #onRead = (n: unknown): void => {
    if (n !== null && typeof n !== "number") {
      this.#readFailed(n);
      return;
    }
    try {
      // After loseConnection Twisted reads no more: a late piece, or the
      // end of file of a peer that half-closed, must not cut the flush.
      if (this.#closing || this.#disconnecting) {
        this.#readStopped();
        return;
      }
      if (n === null) {
        if (this.#readPaused) this.#flag(HELD_END, true);
        else this.#closeWith(CONNECTION_DONE);
        this.#readStopped();
        return;
      }
      if (n > 0) {
        const data = this.#takeRead(n);
        if (this.#readPaused) {
          this.#held = data;
          this.#readStopped();
          return;
        }
        this.#deliver(data);
      }
    } catch (error) {
      this.#readFailed(error);
      return;
    }
    this.#readNext();
  };

  /**
   * The `n` bytes just read, as an array of their own: no later read
   * writes over them. A full buffer is handed over as it is, and the next
   * read gets one four times as large; a read that used a quarter of the
   * read size or less makes the next buffer smaller, so that a connection
   * going idle after a large transfer does not keep a large buffer in its
   * pending read. The tail of a message that filled a buffer does not
   * count as small: messages a little larger than a buffer would otherwise
   * make it grow and shrink in turn, and take three reads each.
   *
   * A short read is handed over as a view of the buffer, uncopied, and the
   * next read goes into the rest of it while the rest holds as much again:
   * a copy made an ArrayBuffer per read, which cost more than the rest of
   * the read. The pending read still holds no more than the read size.
   */
  #takeRead(n: number): Uint8Array {
    const buffer = this.#readBuffer as Uint8Array;
    const size = buffer.byteLength;
    const readSize = this.#readSize;
    const afterFull = this.#readFilled;
    this.#flag(READ_FILLED, n === size);
    if (n === size) {
      // Only a whole buffer filled says the reads outgrow it; a tail is smaller.
      if (size === readSize) this.#readSize = Math.min(size * 4, READ_SIZE);
      this.#readBuffer = null;
      return buffer;
    }
    if (!afterFull && readSize > MIN_READ_SIZE && n * 4 <= readSize) {
      let smaller = MIN_READ_SIZE;
      while (smaller < n * 2) smaller *= 2;
      this.#readSize = smaller;
      this.#readBuffer = null;
    }
    if (this.#protocol.readsInPlace === true && !this.#readPaused) {
      // The protocol copies what it keeps: it is lent a view of the
      // buffer, which the next read reuses. Made by the constructor:
      // subarray looks up a species constructor first, at every read.
      return new Uint8Array(buffer.buffer, buffer.byteOffset, n);
    }
    if (this.#readBuffer !== null) {
      const rest = size - n;
      // A rest smaller than this read would likely split the next one.
      this.#readBuffer = rest >= n && rest >= MIN_TAIL
        ? buffer.subarray(n)
        : null;
    }
    return buffer.subarray(0, n);
  }

  #readFailed(error: unknown): void {
    if (!this.#closing) {
      this.#closeWith(new Failure(connectionLostFor(error)));
    }
    this.#readStopped();
  }

  #readStopped(): void {
    this.#flag(READING, false);
    this.#settled();
  }

  #deliver(data: Uint8Array): void {
    try {
      this.#protocol.dataReceived(data);
    } catch (error) {
      this.#applicationFailed("dataReceived", error);
    }
  }

  #startWriting(): void {
    if (this.#writing || this.#switching || this.#closing) return;
    this.#flag(WRITING, true);
    // A microtask calls it with nothing: the first step writes. A write
    // settles it with a count, or rejects with an error (Deno's writes
    // reject with nothing else): one closure for the three.
    const onWrite = this.#onWrite = (settled?: unknown): void => {
      if (settled === undefined) this.#writeNext();
      else if (typeof settled === "number") this.#wrote(settled);
      else this.#writeFailed(settled);
    };
    // Writes made in the same turn are joined into one socket write.
    queueMicrotask(onWrite);
  }

  /**
   * Writes the piece in progress or the next queued one; with the queue
   * empty, asks a producer for more (`#afterDrain`) or stops. A chain of
   * callbacks rather than an async loop: an async call per write costs
   * about a kilobyte of objects, and thousands of connections write at once.
   * The callback is made once per run of the loop, so a write makes no
   * closure either, and is dropped when it stops, as thousands of idle
   * connections would keep it.
   */
  #writeNext(): void {
    try {
      if (this.#closing) {
        this.#writeStopped();
        return;
      }
      let chunk = this.#chunk;
      while (chunk === null) {
        if (this.#queue !== null) {
          chunk = this.#chunk = this.#takeChunk();
          this.#offset = 0;
        } else if (!this.#afterDrain()) {
          this.#writeStopped();
          return;
        }
      }
      const offset = this.#offset;
      // #onWrite catches everything: the Promise that then() returns never
      // rejects, so no catch() handler is chained per write.
      this.#conn.write(offset === 0 ? chunk : chunk.subarray(offset)).then(
        this.#onWrite,
        this.#onWrite,
      );
    } catch (error) {
      this.#writeFailed(error);
    }
  }

  #wrote(n: number): void {
    if (this.#closing) {
      this.#writeStopped();
      return;
    }
    const chunk = this.#chunk as Uint8Array;
    this.#offset += n;
    if (this.#offset >= chunk.byteLength) {
      this.#chunk = null;
      this.#queued -= chunk.byteLength;
    }
    // #writeNext catches everything it calls.
    this.#writeNext();
  }

  #writeFailed(error: unknown): void {
    try {
      if (!this.#closing) {
        this.#closeWith(new Failure(connectionLostFor(error)));
      }
      this.#writeStopped();
    } catch (internal) {
      logError(
        CATEGORY,
        `Internal error in the write loop: ${describeError(internal)}`,
        internal,
      );
    }
  }

  #writeStopped(): void {
    this.#onWrite = null;
    this.#chunk = null;
    this.#flag(WRITING, false);
    this.#settled();
  }

  /**
   * The next queued piece, joined with the pieces behind it that keep the
   * join within `COALESCE_SIZE`: a large piece goes on its own, uncopied.
   */
  #takeChunk(): Uint8Array {
    const queue = this.#queue as Uint8Array[];
    let end = this.#queueHead;
    let size = queue[end++].byteLength;
    while (
      end < queue.length && size + queue[end].byteLength <= COALESCE_SIZE
    ) {
      size += queue[end++].byteLength;
    }
    let chunk: Uint8Array;
    if (end - this.#queueHead === 1) {
      chunk = queue[this.#queueHead];
    } else {
      chunk = new Uint8Array(size);
      let offset = 0;
      for (let i = this.#queueHead; i < end; i++) {
        chunk.set(queue[i], offset);
        offset += queue[i].byteLength;
      }
    }
    if (end === queue.length) {
      this.#queue = null;
      this.#queueHead = 0;
    } else {
      this.#queueHead = end;
    }
    return chunk;
  }

  /**
   * Twisted's end of `doWrite`: with the queue empty, ask a pull (or
   * paused push) producer for more, or else finish a `loseConnection`
   * unless a producer is still registered.
   *
   * @returns Whether the loop should go on.
   */
  #afterDrain(): boolean {
    if (this.#closing || this.#tlsRequest !== null) return false;
    const producer = this.#producer;
    if (producer !== null && (!this.#streaming || this.#producerPaused)) {
      this.#flag(PRODUCER_PAUSED, false);
      try {
        producer.resumeProducing();
      } catch (error) {
        this.#applicationFailed("resumeProducing", error);
        return false;
      }
      // Go on if it wrote, or unregistered so that loseConnection may finish.
      return this.#queue !== null || this.#producer !== producer;
    }
    // A streaming producer still registered holds the close until it
    // unregisters, as Twisted documents (its code closes at once: #6461).
    if (this.#disconnecting && producer === null) {
      this.#closeWith(CONNECTION_DONE);
    }
    return false;
  }

  #maybeSwitch(): void {
    const request = this.#tlsRequest;
    if (
      request === null || this.#switching || this.#reading || this.#writing ||
      this.#closing
    ) {
      return;
    }
    this.#flag(SWITCHING, true);
    detach(this.#switchToTLS(request), "startTLS");
  }

  async #switchToTLS(request: TLSRequest): Promise<void> {
    const hostname = request.options.hostname ?? this.#tlsHostname;
    let failure: unknown = null;
    try {
      const tls = await Deno.startTls(this.#conn as Deno.TcpConn, {
        hostname,
        caCerts: request.options.caCerts,
        alpnProtocols: request.options.alpnProtocols,
      });
      this.#conn = tls;
      this.#tcp = null;
      // A close during startTls hit the consumed TCP socket and did nothing.
      if (this.#closing) closeQuietly(tls);
      else this.#negotiatedProtocol = (await tls.handshake()).alpnProtocol;
    } catch (error) {
      failure = error;
    }
    this.#flag(SWITCHING, false);
    this.#tlsRequest = null;
    if (this.#closing) {
      request.deferred.errback(this.#reason);
      this.#maybeLost();
      return;
    }
    if (failure !== null) {
      const error = new TLSError(
        `TLS handshake with ${hostname} failed: ${errorMessage(failure)}`,
        { cause: failure },
      );
      this.#closeWith(
        new Failure(new ConnectionLost(error.message, { cause: error })),
      );
      request.deferred.errback(error);
      return;
    }
    for (const held of this.#tlsHeld ?? []) (this.#queue ??= []).push(held);
    this.#tlsHeld = null;
    request.deferred.callback(undefined);
    this.#startReading();
    this.#startWriting();
  }

  /** A read, write or TLS switch has finished: close or switch if waiting on it. */
  #settled(): void {
    if (this.#closing) this.#maybeLost();
    else this.#maybeSwitch();
  }

  /** Logs a throw from the protocol or producer and drops the connection, as Twisted does. */
  #applicationFailed(what: string, error: unknown): void {
    logApplicationError(what, error);
    this.#closeWith(
      new Failure(
        new ConnectionLost(
          `Connection closed after ${what} threw: ${errorMessage(error)}`,
          { cause: error },
        ),
      ),
    );
  }

  #closeWith(reason: Failure): void {
    if (this.#closing) return;
    this.#reason = reason;
    this.#queue = null;
    this.#queueHead = 0;
    this.#queued = 0;
    this.#tlsHeld = null;
    this.#held = null;
    closeQuietly(this.#conn);
    this.#maybeLost();
  }

  #maybeLost(): void {
    if (
      !this.#closing || this.#lostScheduled || this.#reading || this.#writing ||
      this.#switching
    ) {
      return;
    }
    this.#flag(LOST_SCHEDULED, true);
    // Never synchronously inside loseConnection or abortConnection, as in Twisted.
    queueMicrotask(() => this.#connectionLost());
  }

  #connectionLost(): void {
    const reason = this.#reason as Failure;
    this.#flag(CONNECTED, false);
    const producer = this.#producer;
    this.#producer = null;
    if (producer !== null) {
      callApplication("stopProducing", () => producer.stopProducing());
    }
    const request = this.#tlsRequest;
    this.#tlsRequest = null;
    if (request !== null && !request.deferred.called) {
      request.deferred.errback(reason);
    }
    callApplication(
      "connectionLost",
      () => this.#protocol.connectionLost(reason),
    );
    untrack(this.#reactor, this);
    const onLost = this.#onLost;
    if (onLost !== undefined) {
      callApplication("connection bookkeeping", () => onLost(reason));
    }
    this.#lostSignal?.resolve();
  }
}
