/**
 * The core both HTTP/1.1 parsers share: the request parser and the response
 * parser are this state machine with their own start line and their own
 * framing decisions. It reads the head with a {@linkcode HeadReader}, then
 * the body by `Content-Length`, by the {@linkcode ChunkedDecoder}, or to the
 * close of the connection, reporting each piece as a view of the input.
 *
 * @module
 */
import { type BodySink, ChunkedDecoder } from "./_chunked_decoder.ts";
import { HeadReader, type StartLineParser } from "./_head_reader.ts";
import { WireError } from "./_wire_error.ts";
import { BodyTooLargeError } from "./errors.ts";
import type { Headers } from "./headers.ts";
import type { HTTPVersion } from "./interfaces.ts";

/** `HTTP/1.0`, shared by every message of that version. */
export const HTTP_1_0: HTTPVersion = Object.freeze(["HTTP", 1, 0] as const);
/** `HTTP/1.1`, shared by every message of that version. */
export const HTTP_1_1: HTTPVersion = Object.freeze(["HTTP", 1, 1] as const);

/**
 * `"HTTP/1.1"` for `HTTP_1_1`: the version as a request or status line
 * writes it, the same string for every message of a common version.
 *
 * @param version The version.
 * @returns Its text.
 */
export function versionText(version: HTTPVersion): string {
  if (version === HTTP_1_1) return "HTTP/1.1";
  if (version === HTTP_1_0) return "HTTP/1.0";
  return `${version[0]}/${version[1]}.${version[2]}`;
}

/** The default `maxHeaderSize`: 64 KiB, as Tornado's `max_header_size`. */
export const DEFAULT_MAX_HEADER_SIZE = 65536;

/** What a parser reports a message's body and end to. */
export interface MessageHandler extends BodySink {
  /**
   * The message is complete; `trailers` holds the trailer fields of a
   * chunked body, or is `null`.
   */
  onComplete(trailers: Headers | null): void;
}

/** The message has no body (or its length is 0). */
export const BODY_NONE = 0;
/** The body is framed by `Content-Length` (`declaredLength`). */
export const BODY_LENGTH = 1;
/** The body is chunked. */
export const BODY_CHUNKED = 2;
/** The body runs to the close of the connection. */
export const BODY_CLOSE = 3;
/** The head was interim (1xx): another head follows. */
export const BODY_NEXT_HEAD = 4;

const ST_HEAD = 0;
const ST_LENGTH = 1;
const ST_CHUNKED = 2;
const ST_CLOSE = 3;
const ST_DONE = 4;
const ST_FAILED = 5;

/** The limits and the line-end strictness of a parser. */
export interface MessageParserOptions {
  /** `"Request"` or `"Response"`, for error messages. */
  readonly what: string;
  /** The largest head, and separately trailer block, in bytes. */
  readonly maxHeaderSize: number;
  /** The largest body, in bytes. */
  readonly maxBodySize: number;
  /** Reject bare LF line ends and obs-fold. */
  readonly strict: boolean;
  /** The status for a start line longer than `maxHeaderSize`. */
  readonly startLineStatus: number;
}

/**
 * Checks a parser's limits as its constructor does, for a caller that
 * makes the parser later (when the response's first byte arrives).
 *
 * @param maxHeaderSize The head's byte limit.
 * @param maxBodySize The body's byte limit.
 * @throws {RangeError} A limit is not a positive number.
 */
export function checkParserLimits(
  maxHeaderSize: number,
  maxBodySize: number,
): void {
  if (!(maxHeaderSize > 0)) {
    throw new RangeError(
      `maxHeaderSize must be a positive number: current value is ${maxHeaderSize}`,
    );
  }
  if (!(maxBodySize >= 0)) {
    throw new RangeError(
      `maxBodySize must be a non-negative number: current value is ${maxBodySize}`,
    );
  }
}

/**
 * Parses one message at a time; a subclass parses the start line (through
 * `startLine`, called by the head reader), decides the framing
 * (`endHead`), announces the head to its handler (`announceHead`) and turns
 * a {@linkcode WireError} into what its callers catch (`wrap`).
 */
export abstract class MessageParser<H extends MessageHandler>
  implements StartLineParser {
  /** What the message's parts are reported to. */
  protected handler: H;
  /** Reads heads and trailer blocks. */
  protected readonly reader: HeadReader;
  /** The largest body accepted, in bytes. */
  protected readonly maxBodySize: number;
  /** The `Content-Length` to read when `endHead` answers `BODY_LENGTH`. */
  protected declaredLength = 0;
  /** Whether any byte of the current message was fed. */
  protected received = false;

  /** Made for the first chunked body: most connections never see one. */
  #chunked: ChunkedDecoder | null = null;
  #state = ST_HEAD;
  #error: unknown = undefined;
  #remaining = 0;
  #bodySize = 0;

  /**
   * @param handler What to report to.
   * @param options The limits and the strictness.
   * @throws {RangeError} A limit is not a positive number.
   */
  constructor(handler: H, options: MessageParserOptions) {
    const { maxHeaderSize, maxBodySize } = options;
    checkParserLimits(maxHeaderSize, maxBodySize);
    this.handler = handler;
    this.maxBodySize = maxBodySize;
    this.reader = new HeadReader(this, {
      what: options.what,
      maxSize: maxHeaderSize,
      strict: options.strict,
      startLineStatus: options.startLineStatus,
    });
  }

  /**
   * Reports to `handler` from now on: a parser kept between messages can
   * serve another connection.
   */
  rebind(handler: H): void {
    this.handler = handler;
    // The chunked decoder reports to the handler it was made with.
    this.#chunked = null;
  }

  /** Whether the message is complete (the rest of the input is not its). */
  get done(): boolean {
    return this.#state === ST_DONE;
  }

  /** Whether the parser failed; `feed` then throws the same error again. */
  get failed(): boolean {
    return this.#state === ST_FAILED;
  }

  /** How many body bytes have been delivered to `onBody`. */
  get bodySize(): number {
    return this.#bodySize + (this.#chunked?.received ?? 0);
  }

  /** Whether the head is still being read. */
  protected get inHead(): boolean {
    return this.#state === ST_HEAD;
  }

  /** Whether the body runs to the close of the connection. */
  protected get inCloseDelimitedBody(): boolean {
    return this.#state === ST_CLOSE;
  }

  /**
   * Parses the start line in bytes `[s, e)` of `b`.
   *
   * @throws {WireError} The line is malformed.
   */
  abstract startLine(b: Uint8Array, s: number, e: number): void;

  /**
   * Decides the framing once the head is read (the reader holds its fields).
   *
   * @returns One of the `BODY_*` constants.
   * @throws {WireError} The framing fields are invalid.
   */
  protected abstract endHead(): number;

  /** Reports the head to the handler, after the parser's state is set. */
  protected abstract announceHead(): void;

  /** What `feed` throws for malformed input. */
  protected abstract wrap(error: WireError): unknown;

  /** Readies the parser for the next message. */
  protected resetMessage(): void {
    this.#state = ST_HEAD;
    this.#error = undefined;
    this.#bodySize = 0;
    this.#remaining = 0;
    this.received = false;
    this.reader.beginHead();
    this.#chunked?.begin();
  }

  /**
   * Parses bytes of the connection. Stops at the end of the message: bytes
   * after it are not consumed.
   *
   * @param data The bytes read, in any split.
   * @returns How many bytes of `data` belong to the message; fewer than
   * `data.length` only once `done` is true.
   * @throws {unknown} What `wrap` makes of malformed input, or what a
   * handler threw. Later calls throw it again.
   */
  feed(data: Uint8Array): number {
    const state = this.#state;
    if (state === ST_FAILED) throw this.#error;
    if (state === ST_DONE || data.length === 0) return 0;
    this.received = true;
    try {
      return this.#run(data);
    } catch (error) {
      this.#state = ST_FAILED;
      this.#error = error instanceof WireError ? this.wrap(error) : error;
      throw this.#error;
    }
  }

  /** Marks the parser failed with `error` (for a lost connection). */
  protected fail(error: unknown): never {
    this.#state = ST_FAILED;
    this.#error = error;
    throw error;
  }

  /** Completes the message. */
  protected complete(trailers: Headers | null): void {
    this.#state = ST_DONE;
    this.handler.onComplete(trailers);
  }

  #run(data: Uint8Array): number {
    const end = data.length;
    let pos = 0;
    while (pos < end) {
      switch (this.#state) {
        case ST_HEAD:
          pos = this.reader.read(data, pos);
          if (this.reader.complete) this.#headComplete();
          break;
        case ST_LENGTH: {
          const take = Math.min(end - pos, this.#remaining);
          this.#remaining -= take;
          this.#bodySize += take;
          this.handler.onBody(
            pos === 0 && take === end ? data : data.subarray(pos, pos + take),
          );
          pos += take;
          if (this.#remaining > 0) return pos;
          this.complete(null);
          return pos;
        }
        case ST_CHUNKED: {
          const chunked = this.#chunked as ChunkedDecoder;
          pos = chunked.feed(data, pos);
          if (chunked.done) {
            this.complete(chunked.trailers);
            return pos;
          }
          break;
        }
        case ST_CLOSE: {
          const size = this.#bodySize + end - pos;
          if (size > this.maxBodySize) {
            throw new WireError(
              new BodyTooLargeError(this.maxBodySize, size),
              413,
            );
          }
          this.#bodySize = size;
          this.handler.onBody(pos === 0 ? data : data.subarray(pos));
          return end;
        }
        default: // ST_DONE
          return pos;
      }
    }
    return pos;
  }

  #headComplete(): void {
    const body = this.endHead();
    switch (body) {
      case BODY_NEXT_HEAD:
        return;
      case BODY_LENGTH:
        if (this.declaredLength > 0) {
          this.#remaining = this.declaredLength;
          this.#state = ST_LENGTH;
          this.announceHead();
          return;
        }
        break;
      case BODY_CHUNKED:
        this.#chunked ??= new ChunkedDecoder(
          this.handler,
          this.reader,
          this.maxBodySize,
        );
        this.#state = ST_CHUNKED;
        this.announceHead();
        return;
      case BODY_CLOSE:
        this.#state = ST_CLOSE;
        this.announceHead();
        return;
    }
    this.#state = ST_DONE;
    this.announceHead();
    this.handler.onComplete(null);
  }
}
