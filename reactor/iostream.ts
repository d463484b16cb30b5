/**
 * `IOStream` and `SSLIOStream`: Tornado's stream API (`tornado.iostream`)
 * over a reactor transport, so that Tornado-style code reading
 * `readUntil(b"\r\n")` and `readBytes(n)` runs on the same connections as
 * Twisted protocols.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import { ByteBuffer } from "./_byte_buffer.ts";
import { callGuarded } from "./_stream_protocol.ts";
import { FlushWatcher } from "./_flush_watcher.ts";
import { ConnectionDone } from "./errors.ts";
import type {
  IAddress,
  IProtocol,
  ITCPTransport,
  ITransport,
} from "./interfaces.ts";
import {
  StreamBufferFullError,
  StreamClosedError,
  UnsatisfiableReadError,
} from "./stream_errors.ts";

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** Tornado's default `max_buffer_size`: 100 MiB. */
const DEFAULT_MAX_BUFFER_SIZE = 104857600;
/** Tornado's default `read_chunk_size`. */
const DEFAULT_READ_CHUNK_SIZE = 65536;

/**
 * Options of {@linkcode IOStream}, as the keyword arguments of Tornado's
 * `BaseIOStream`.
 *
 * @example A stream that buffers at most 1 MiB
 * ```ts
 * import type { IOStreamOptions } from "@torsion/torsion/reactor";
 * const options: IOStreamOptions = { maxBufferSize: 1 << 20 };
 * ```
 */
export interface IOStreamOptions {
  /**
   * The most bytes the read buffer may hold while a read waits for more:
   * past it the read fails with `StreamBufferFullError` and the stream
   * closes.
   * @default 104857600 (100 MiB)
   */
  maxBufferSize?: number;
  /**
   * With no read pending, the transport is paused once this many bytes are
   * buffered, so a peer cannot fill memory faster than the application
   * reads.
   * @default 65536
   */
  readChunkSize?: number;
  /**
   * The most bytes that may wait to be flushed: a `write` past it fails
   * with `StreamBufferFullError` and the stream closes.
   * @default undefined (no limit)
   */
  maxWriteBufferSize?: number;
}

/** Options of `readBytes` and `readInto`. */
export interface PartialReadOptions {
  /**
   * Settle as soon as at least one byte is available, with up to the
   * asked-for number of bytes.
   * @default false
   */
  partial?: boolean;
}

/** Options of `readUntil` and `readUntilRegex`. */
export interface MaxBytesOptions {
  /**
   * The most bytes (delimiter included) the read may return: past it the
   * read fails with `UnsatisfiableReadError` and the stream closes.
   * @default undefined (only `maxBufferSize` limits it)
   */
  maxBytes?: number;
}

type PendingRead =
  | { kind: "bytes"; n: number; partial: boolean; d: Deferred<Uint8Array> }
  | { kind: "into"; into: Uint8Array; partial: boolean; d: Deferred<number> }
  | {
    kind: "until";
    delimiter: Uint8Array;
    maxBytes: number | undefined;
    from: number;
    d: Deferred<Uint8Array>;
  }
  | {
    kind: "regex";
    regex: RegExp;
    maxBytes: number | undefined;
    d: Deferred<Uint8Array>;
  }
  | { kind: "close"; d: Deferred<Uint8Array> };

function requireCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(
      `${what} must be a non-negative integer: current value is ${n}`,
    );
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new TypeError(
    `Cannot write ${typeof data}: expected a Uint8Array or a string`,
  );
}

/**
 * A stream of bytes over one connection, read with Deferreds instead of
 * callbacks. Mirrors Tornado's `iostream.IOStream`: one read may be pending
 * at a time, each read settles with exactly the bytes it asked for (a
 * delimiter included), and `write` settles once the bytes are flushed to
 * the socket.
 *
 * An `IOStream` is the protocol of its connection: `TCPServer` and
 * `TCPClient` build one per connection, and `makeConnection(transport)`
 * puts one on any reactor transport (a `StringTransport` in tests). Reads
 * and writes return Deferreds, which `await` settles like Tornado's
 * Futures; a read on a closed stream fails with `StreamClosedError`, except
 * that bytes already buffered still satisfy it, as in Tornado.
 *
 * Flow control: with no read pending the transport is paused once
 * `readChunkSize` bytes are buffered, and a pending read that needs more
 * than `maxBufferSize` fails with `StreamBufferFullError`.
 *
 * @example Reading a line from a test transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { IOStream } from "@torsion/torsion/reactor";
 * import { StringTransport } from "@torsion/torsion/testing";
 * const stream = new IOStream();
 * stream.makeConnection(new StringTransport());
 * const line = stream.readUntil("\r\n");
 * stream.dataReceived(new TextEncoder().encode("hello\r\nrest"));
 * assert.equal(new TextDecoder().decode(await line), "hello\r\n");
 * ```
 */
export class IOStream implements IProtocol {
  /**
   * The most bytes the read buffer may hold while a read waits. Mirrors
   * `max_buffer_size`.
   */
  readonly maxBufferSize: number;
  /** The pause threshold with no read pending. Mirrors `read_chunk_size`. */
  readonly readChunkSize: number;
  /** The most unflushed bytes, or `undefined`. Mirrors `max_write_buffer_size`. */
  readonly maxWriteBufferSize: number | undefined;
  /**
   * What closed the stream, when it was not a clean close, as Tornado's
   * `IOStream.error`.
   */
  error: Error | null = null;

  #transport: ITransport | null = null;
  readonly #buffer = new ByteBuffer();
  #pending: PendingRead | null = null;
  #paused = false;
  #closed = false;
  #lost = false;
  #closeCallback: (() => unknown) | null = null;
  #connected = new Deferred<void>();

  #writeWaiters: Deferred<void>[] = [];
  #unflushed = 0;
  #flush: FlushWatcher | null = null;

  /**
   * Creates a stream; it reads and writes once `makeConnection` gives it
   * a transport.
   *
   * @param options Buffer limits, as Tornado's keyword arguments.
   * @throws {RangeError} A limit is not a positive integer.
   */
  constructor(options: IOStreamOptions = {}) {
    this.maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE;
    this.readChunkSize = options.readChunkSize ?? DEFAULT_READ_CHUNK_SIZE;
    this.maxWriteBufferSize = options.maxWriteBufferSize;
    for (
      const [name, value] of [
        ["maxBufferSize", this.maxBufferSize],
        ["readChunkSize", this.readChunkSize],
        ["maxWriteBufferSize", this.maxWriteBufferSize ?? 1],
      ] as const
    ) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new RangeError(
          `${name} must be a positive integer: current value is ${value}`,
        );
      }
    }
  }

  /** The transport, once connected; `null` before. */
  get transport(): ITransport | null {
    return this.#transport;
  }

  /**
   * Attaches the transport. Called by the reactor (or a test).
   *
   * @param transport The connection's transport.
   */
  makeConnection(transport: ITransport): void {
    this.#transport = transport;
    this.#flush = new FlushWatcher(
      transport,
      () => this.#flushed(),
      () => this.#flushStopped(),
    );
    this.connectionMade();
  }

  /** The connection is up: `whenConnected()` fires. */
  connectionMade(): void {
    this.#connected.callback(undefined);
  }

  /**
   * Buffers bytes from the transport and settles the pending read when
   * they satisfy it.
   *
   * @param data The bytes received.
   */
  dataReceived(data: Uint8Array): void {
    if (this.#closed) return;
    this.#buffer.append(data);
    this.#tryRead();
    if (this.#closed) return;
    if (this.#pending !== null) {
      if (this.#buffer.length > this.maxBufferSize) this.#bufferFull();
    } else if (this.#buffer.length >= this.readChunkSize) {
      this.#pause();
    }
  }

  /**
   * The connection is gone: the pending read and unflushed writes settle
   * (a read with enough bytes buffered still succeeds), then the close
   * callback runs.
   *
   * @param reason `ConnectionDone` for a clean close, otherwise the error.
   */
  connectionLost(reason: Failure): void {
    this.#lost = true;
    if (!this.#closed) {
      this.#closed = true;
      const value = reason.value;
      if (!(value instanceof ConnectionDone) && this.error === null) {
        this.error = value instanceof Error ? value : new Error(String(value));
      }
      this.#settleClosed();
    }
    if (!this.#connected.called) {
      this.#connected.errback(new StreamClosedError(this.error));
    }
    this.#runCloseCallback();
  }

  /**
   * A Deferred that fires once the connection is up, or fails with
   * `StreamClosedError` if it closes first.
   *
   * @returns The Deferred; each call returns a new one.
   */
  whenConnected(): Deferred<void> {
    const d = new Deferred<void>();
    this.#connected.addBoth((result: unknown) => {
      d.callback(result as void);
      return result;
    });
    return d;
  }

  /**
   * Reads `n` bytes. Mirrors `IOStream.read_bytes`.
   *
   * @param n How many bytes.
   * @param options `partial`: settle with whatever is available (at least
   *   one byte, at most `n`).
   * @returns A Deferred of the bytes.
   * @throws {RangeError} `n` is not a non-negative integer.
   * @throws {Error} Another read is pending.
   *
   * @example Reading a fixed-size header
   * ```ts
   * import assert from "node:assert/strict";
   * import { IOStream } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const stream = new IOStream();
   * stream.makeConnection(new StringTransport());
   * stream.dataReceived(new Uint8Array([1, 2, 3, 4, 5]));
   * assert.deepEqual([...await stream.readBytes(4)], [1, 2, 3, 4]);
   * ```
   */
  readBytes(n: number, options: PartialReadOptions = {}): Deferred<Uint8Array> {
    requireCount("readBytes's n", n);
    const d = new Deferred<Uint8Array>();
    this.#startRead({ kind: "bytes", n, partial: options.partial ?? false, d });
    return d;
  }

  /**
   * Reads into `buffer` until it is full. Mirrors `IOStream.read_into`.
   *
   * @param buffer Where to put the bytes.
   * @param options `partial`: settle once at least one byte was copied.
   * @returns A Deferred of how many bytes were copied.
   * @throws {Error} Another read is pending.
   */
  readInto(
    buffer: Uint8Array,
    options: PartialReadOptions = {},
  ): Deferred<number> {
    const d = new Deferred<number>();
    this.#startRead({
      kind: "into",
      into: buffer,
      partial: options.partial ?? false,
      d,
    });
    return d;
  }

  /**
   * Reads up to and including `delimiter`. Mirrors `IOStream.read_until`.
   *
   * @param delimiter The bytes (or UTF-8 text) that end the read.
   * @param options `maxBytes`: fail with `UnsatisfiableReadError` (and close)
   *   when the delimiter is not within that many bytes.
   * @returns A Deferred of the bytes, delimiter included.
   * @throws {TypeError} The delimiter is empty.
   * @throws {Error} Another read is pending.
   */
  readUntil(
    delimiter: Uint8Array | string,
    options: MaxBytesOptions = {},
  ): Deferred<Uint8Array> {
    const bytes = toBytes(delimiter);
    if (bytes.length === 0) {
      throw new TypeError("Cannot read until an empty delimiter");
    }
    const d = new Deferred<Uint8Array>();
    this.#startRead({
      kind: "until",
      delimiter: bytes,
      maxBytes: options.maxBytes,
      from: 0,
      d,
    });
    return d;
  }

  /**
   * Reads up to the end of the first match of `regex`, which is matched
   * against the buffered bytes read as Latin-1 (one character per byte).
   * Mirrors `IOStream.read_until_regex`.
   *
   * @param regex The pattern that ends the read (its flags are kept, but
   *   `g` and `y` are ignored).
   * @param options `maxBytes`, as for `readUntil`.
   * @returns A Deferred of the bytes up to the end of the match.
   * @throws {Error} Another read is pending.
   */
  readUntilRegex(
    regex: RegExp | string,
    options: MaxBytesOptions = {},
  ): Deferred<Uint8Array> {
    const source = typeof regex === "string" ? new RegExp(regex) : regex;
    const d = new Deferred<Uint8Array>();
    this.#startRead({
      kind: "regex",
      regex: new RegExp(source.source, source.flags.replace(/[gy]/g, "")),
      maxBytes: options.maxBytes,
      d,
    });
    return d;
  }

  /**
   * Reads everything until the peer closes. Mirrors
   * `IOStream.read_until_close`.
   *
   * @returns A Deferred of every byte left, once the stream is closed.
   * @throws {Error} Another read is pending.
   */
  readUntilClose(): Deferred<Uint8Array> {
    const d = new Deferred<Uint8Array>();
    this.#startRead({ kind: "close", d });
    return d;
  }

  /**
   * Writes bytes (strings are UTF-8 encoded). Mirrors `IOStream.write`.
   *
   * @param data The bytes; not copied, so do not modify them afterwards.
   * @returns A Deferred that fires once every byte written so far is
   *   flushed to the socket, or fails with `StreamClosedError`.
   * @throws {TypeError} `data` is neither a Uint8Array nor a string.
   */
  write(data: Uint8Array | string): Deferred<void> {
    const bytes = toBytes(data);
    const d = new Deferred<void>();
    const transport = this.#transport;
    if (this.#closed || transport === null) {
      d.errback(new StreamClosedError(this.error));
      return d;
    }
    this.#unflushed += bytes.length;
    if (
      this.maxWriteBufferSize !== undefined &&
      this.#unflushed > this.maxWriteBufferSize
    ) {
      const error = new StreamBufferFullError(this.maxWriteBufferSize);
      this.close(error);
      d.errback(error);
      return d;
    }
    transport.write(bytes);
    this.#writeWaiters.push(d);
    this.#flush?.watch();
    return d;
  }

  /**
   * Closes the stream: pending writes are still flushed (unless `error` is
   * given, which aborts the connection), the pending read settles, and the
   * close callback runs once the socket is closed. Mirrors `IOStream.close`.
   *
   * @param error What closed it, kept as `error` and given to the pending
   *   read's `StreamClosedError`.
   */
  close(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    if (error !== undefined) this.error = error;
    this.#settleClosed();
    const transport = this.#transport;
    if (transport === null) return;
    if (error !== undefined && "abortConnection" in transport) {
      (transport as ITCPTransport).abortConnection();
    } else {
      transport.loseConnection();
    }
  }

  /**
   * Whether the stream is closed (or closing). Mirrors `IOStream.closed`.
   *
   * @returns `true` once `close` was called or the connection was lost.
   */
  closed(): boolean {
    return this.#closed;
  }

  /** Whether a read is pending. Mirrors `IOStream.reading`. */
  reading(): boolean {
    return this.#pending !== null;
  }

  /** Whether written bytes wait to be flushed. Mirrors `IOStream.writing`. */
  writing(): boolean {
    return this.#writeWaiters.length > 0;
  }

  /**
   * Calls `callback` once the connection is closed (at once, on the next
   * microtask, if it already is). Mirrors `IOStream.set_close_callback`.
   *
   * @param callback The callback, or `null` to remove it.
   */
  setCloseCallback(callback: (() => unknown) | null): void {
    this.#closeCallback = callback;
    if (callback !== null && this.#lost) {
      queueMicrotask(() => this.#runCloseCallback());
    }
  }

  /**
   * Turns Nagle's algorithm off (`true`) or on. Mirrors
   * `IOStream.set_nodelay`.
   *
   * @param value Whether to turn it off.
   */
  setNodelay(value: boolean): void {
    const transport = this.#transport;
    if (transport !== null && "setTcpNoDelay" in transport) {
      (transport as ITCPTransport).setTcpNoDelay(value);
    }
  }

  /**
   * The address of the other end. Tornado reads it from `stream.socket`.
   *
   * @returns The peer's address.
   * @throws {TypeError} The stream is not connected.
   */
  getPeer(): IAddress {
    if (this.#transport === null) {
      throw new TypeError("Cannot get the peer of a stream never connected");
    }
    return this.#transport.getPeer();
  }

  #startRead(read: PendingRead): void {
    if (this.#pending !== null) {
      throw new Error(
        `Cannot start a ${read.kind} read: another read is already pending`,
      );
    }
    this.#pending = read;
    this.#tryRead();
    if (this.#pending === null) return;
    if (this.#closed) {
      this.#settleClosed();
    } else if (this.#buffer.length > this.maxBufferSize) {
      this.#bufferFull();
    } else {
      this.#resume();
    }
  }

  /** The pending read fails with `StreamBufferFullError`, which closes the stream. */
  #bufferFull(): void {
    const read = this.#pending as PendingRead;
    this.#pending = null;
    const error = new StreamBufferFullError(this.maxBufferSize);
    this.close(error);
    read.d.errback(error);
  }

  /** Settles the pending read if the buffer satisfies it. */
  #tryRead(): void {
    const read = this.#pending;
    if (read === null) return;
    let end: number;
    try {
      end = this.#readEnd(read);
    } catch (error) {
      this.#pending = null;
      this.close(error as Error);
      read.d.errback(error);
      return;
    }
    if (end < 0) return;
    this.#pending = null;
    if (read.kind === "into") {
      read.into.set(this.#buffer.view().subarray(0, end));
      this.#buffer.skip(end);
      read.d.callback(end);
    } else {
      read.d.callback(this.#buffer.take(end));
    }
  }

  /** How many buffered bytes satisfy `read`, or -1 when more are needed. */
  #readEnd(read: PendingRead): number {
    const length = this.#buffer.length;
    switch (read.kind) {
      case "bytes":
      case "into": {
        const n = read.kind === "bytes" ? read.n : read.into.length;
        if (length >= n) return n;
        return read.partial && length > 0 ? length : -1;
      }
      case "until": {
        const index = this.#buffer.indexOf(read.delimiter, read.from);
        const end = index < 0 ? -1 : index + read.delimiter.length;
        const seen = index < 0 ? length : end;
        if (read.maxBytes !== undefined && seen > read.maxBytes) {
          throw new UnsatisfiableReadError(
            `Delimiter not found within maxBytes: the limit is ${read.maxBytes} bytes`,
          );
        }
        if (index < 0) {
          read.from = Math.max(0, length - read.delimiter.length + 1);
        }
        return end;
      }
      case "regex": {
        const match = read.regex.exec(latin1.decode(this.#buffer.view()));
        const end = match === null ? -1 : match.index + match[0].length;
        const seen = match === null ? length : end;
        if (read.maxBytes !== undefined && seen > read.maxBytes) {
          throw new UnsatisfiableReadError(
            `Pattern not matched within maxBytes: the limit is ${read.maxBytes} bytes`,
          );
        }
        return end;
      }
      case "close":
        return -1;
    }
  }

  /** The stream is closed: settle the pending read and the write waiters. */
  #settleClosed(): void {
    const read = this.#pending;
    if (read !== null) {
      if (read.kind === "close") {
        this.#pending = null;
        read.d.callback(this.#buffer.takeAll());
      } else {
        this.#tryRead();
        if (this.#pending !== null) {
          this.#pending = null;
          read.d.errback(new StreamClosedError(this.error));
        }
      }
    }
    const waiters = this.#writeWaiters;
    if (waiters.length > 0 && this.#lost) {
      this.#writeWaiters = [];
      for (const d of waiters) d.errback(new StreamClosedError(this.error));
    }
  }

  #pause(): void {
    const transport = this.#transport;
    if (
      this.#paused || transport === null || !("pauseProducing" in transport)
    ) {
      return;
    }
    this.#paused = true;
    (transport as ITCPTransport).pauseProducing();
  }

  #resume(): void {
    const transport = this.#transport;
    if (!this.#paused || transport === null) return;
    this.#paused = false;
    (transport as ITCPTransport).resumeProducing();
  }

  #flushed(): void {
    this.#unflushed = 0;
    const waiters = this.#writeWaiters;
    this.#writeWaiters = [];
    for (const d of waiters) d.callback(undefined);
  }

  #flushStopped(): void {
    const waiters = this.#writeWaiters;
    this.#writeWaiters = [];
    for (const d of waiters) d.errback(new StreamClosedError(this.error));
  }

  #runCloseCallback(): void {
    const callback = this.#closeCallback;
    if (callback === null) return;
    this.#closeCallback = null;
    callGuarded("an IOStream close callback", callback);
  }
}

/**
 * An `IOStream` over a TLS connection. Mirrors Tornado's
 * `iostream.SSLIOStream`: `TCPServer` with `sslOptions` and `TCPClient`
 * with `sslOptions` hand these out; the TLS itself is the transport's.
 *
 * @example The stream class of TLS connections
 * ```ts
 * import assert from "node:assert/strict";
 * import { IOStream, SSLIOStream } from "@torsion/torsion/reactor";
 * assert.ok(new SSLIOStream() instanceof IOStream);
 * ```
 */
export class SSLIOStream extends IOStream {
  /**
   * Waits for the TLS handshake. Mirrors `SSLIOStream.wait_for_handshake`.
   *
   * @returns A Deferred that fires once the connection is up (the
   *   handshake done), or fails with `StreamClosedError`.
   */
  waitForHandshake(): Deferred<void> {
    return this.whenConnected();
  }
}
