/**
 * The chunked transfer coding, decoded as it arrives (RFC 9112 section 7.1):
 * chunk-size lines, chunk data delivered as views of the input, and the
 * trailer block read by the same {@linkcode HeadReader} as heads.
 *
 * Strict in both directions, as llhttp: the size is hex digits with nothing
 * after them but a chunk extension or CRLF (no whitespace), an extension is
 * `;name` or `;name=token` or `;name="quoted"` (balanced), and chunk data
 * ends with CRLF exactly.
 *
 * @module
 */
import { CR, FIELD_VALUE, HEX, LF, SEMICOLON, TOKEN } from "./_chars.ts";
import type { HeadReader } from "./_head_reader.ts";
import { byteName } from "./_latin1.ts";
import { malformed, WireError } from "./_wire_error.ts";
import { BodyTooLargeError } from "./errors.ts";
import type { Headers } from "./headers.ts";

/** The longest chunk-size line accepted (size and extensions), in bytes. */
export const MAX_CHUNK_SIZE_LINE = 4096;

/** What receives the decoded body. */
export interface BodySink {
  /** A piece of body: a view of the input, valid during the call. */
  onBody(chunk: Uint8Array): void;
}

const SIZE = 0;
const EXT_NAME_START = 1;
const EXT_NAME = 2;
const EXT_VALUE_START = 3;
const EXT_TOKEN_VALUE = 4;
const EXT_QUOTED = 5;
const EXT_QUOTED_ESCAPE = 6;
const EXT_QUOTED_END = 7;
const SIZE_LF = 8;
const DATA = 9;
const DATA_CR = 10;
const DATA_LF = 11;
const TRAILERS = 12;
const DONE = 13;

const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;

// A chunk size above this overflows Number.MAX_SAFE_INTEGER on its next digit.
const MAX_CHUNK_PREFIX = Math.floor((Number.MAX_SAFE_INTEGER - 15) / 16);

/** Decodes one chunked body at a time; reused from message to message. */
export class ChunkedDecoder {
  /** How many body bytes were delivered. */
  received = 0;
  /** The trailer fields, once `done`, or `null` when there were none. */
  trailers: Headers | null = null;

  #sink: BodySink;
  #reader: HeadReader;
  #maxBodySize: number;
  #state = SIZE;
  #size = 0;
  #lineLength = 0;
  #remaining = 0;

  /**
   * @param sink Receives the decoded body.
   * @param reader Reads the trailer block (the parser's head reader, idle
   * once the head is parsed).
   * @param maxBodySize The largest body accepted, in bytes.
   */
  constructor(sink: BodySink, reader: HeadReader, maxBodySize: number) {
    this.#sink = sink;
    this.#reader = reader;
    this.#maxBodySize = maxBodySize;
  }

  /** Whether the last chunk and the trailer block were read. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** Whether the decoder is inside the trailer block. */
  get inTrailers(): boolean {
    return this.#state === TRAILERS;
  }

  /** Starts a new body. */
  begin(): void {
    this.received = 0;
    this.trailers = null;
    this.#state = SIZE;
    this.#size = 0;
    this.#lineLength = 0;
    this.#remaining = 0;
  }

  /**
   * Decodes bytes of `data` from `pos`.
   *
   * @returns Where it stopped: after the trailer block once `done`, or
   * `data.length`.
   * @throws {WireError} The coding is malformed or the body too large.
   */
  feed(data: Uint8Array, pos: number): number {
    const end = data.length;
    while (pos < end) {
      switch (this.#state) {
        case DATA: {
          const take = Math.min(end - pos, this.#remaining);
          this.#remaining -= take;
          this.received += take;
          this.#sink.onBody(
            pos === 0 && take === end ? data : data.subarray(pos, pos + take),
          );
          pos += take;
          if (this.#remaining === 0) this.#state = DATA_CR;
          break;
        }
        case DATA_CR:
        case DATA_LF: {
          const expected = this.#state === DATA_CR ? CR : LF;
          if (data[pos] !== expected) {
            throw malformed(
              `Chunk data must end with CRLF: found byte ${
                byteName(data[pos])
              }`,
            );
          }
          pos++;
          if (expected === CR) {
            this.#state = DATA_LF;
          } else {
            this.#state = SIZE;
            this.#size = 0;
            this.#lineLength = 0;
          }
          break;
        }
        case TRAILERS:
          pos = this.#reader.read(data, pos);
          if (this.#reader.complete) {
            this.trailers = this.#reader.fieldCount > 0
              ? this.#reader.headers
              : null;
            this.#state = DONE;
          }
          break;
        case DONE:
          return pos;
        default:
          pos = this.#sizeLine(data, pos);
      }
    }
    return pos;
  }

  /** Parses a chunk-size line byte by byte; returns where it stopped. */
  #sizeLine(data: Uint8Array, pos: number): number {
    const end = data.length;
    let state = this.#state;
    let size = this.#size;
    let lineLength = this.#lineLength;
    while (pos < end) {
      const c = data[pos++];
      if (++lineLength > MAX_CHUNK_SIZE_LINE) {
        throw malformed(`Chunk size line exceeds ${MAX_CHUNK_SIZE_LINE} bytes`);
      }
      switch (state) {
        case SIZE: {
          const digit = HEX[c];
          if (digit >= 0) {
            if (size > MAX_CHUNK_PREFIX) {
              throw malformed(
                `Chunk size overflows: more than ${Number.MAX_SAFE_INTEGER} bytes`,
              );
            }
            size = size * 16 + digit;
          } else if (lineLength === 1) {
            throw malformed(
              `Invalid chunk size: byte ${
                byteName(c)
              } where a hex digit was expected`,
            );
          } else if (c === CR) {
            state = SIZE_LF;
          } else if (c === SEMICOLON) {
            state = EXT_NAME_START;
          } else {
            throw malformed(
              `Invalid chunk size: unexpected byte ${byteName(c)}`,
            );
          }
          break;
        }
        case EXT_NAME_START:
          if (TOKEN[c] !== 1) throw badExtension(c);
          state = EXT_NAME;
          break;
        case EXT_NAME:
          if (c === EQUALS) state = EXT_VALUE_START;
          else state = afterExtension(c, TOKEN[c] === 1 ? EXT_NAME : -1);
          break;
        case EXT_VALUE_START:
          if (c === QUOTE) state = EXT_QUOTED;
          else if (TOKEN[c] === 1) state = EXT_TOKEN_VALUE;
          else throw badExtension(c);
          break;
        case EXT_TOKEN_VALUE:
          state = afterExtension(c, TOKEN[c] === 1 ? EXT_TOKEN_VALUE : -1);
          break;
        case EXT_QUOTED:
          if (c === QUOTE) state = EXT_QUOTED_END;
          else if (c === BACKSLASH) state = EXT_QUOTED_ESCAPE;
          else if (FIELD_VALUE[c] === 0) throw badExtension(c);
          break;
        case EXT_QUOTED_ESCAPE:
          if (FIELD_VALUE[c] === 0) throw badExtension(c);
          state = EXT_QUOTED;
          break;
        case EXT_QUOTED_END:
          state = afterExtension(c, -1);
          break;
        default: // SIZE_LF
          if (c !== LF) {
            throw malformed(
              `Chunk size line must end with CRLF: found byte ${
                byteName(c)
              } after CR`,
            );
          }
          return this.#startChunk(size, pos);
      }
    }
    this.#state = state;
    this.#size = size;
    this.#lineLength = lineLength;
    return pos;
  }

  #startChunk(size: number, pos: number): number {
    this.#size = 0;
    this.#lineLength = 0;
    if (size === 0) {
      this.#state = TRAILERS;
      this.#reader.beginTrailers();
      return pos;
    }
    if (this.received + size > this.#maxBodySize) {
      throw new WireError(
        new BodyTooLargeError(this.#maxBodySize, this.received + size),
        413,
      );
    }
    this.#remaining = size;
    this.#state = DATA;
    return pos;
  }
}

/**
 * The state after byte `c` ends an extension's name or value: `;` starts
 * another, CR ends the line, and a byte that continues it gives `same`
 * (-1 when nothing may continue it).
 */
function afterExtension(c: number, same: number): number {
  if (same !== -1) return same;
  if (c === SEMICOLON) return EXT_NAME_START;
  if (c === CR) return SIZE_LF;
  throw badExtension(c);
}

function badExtension(c: number): WireError {
  return malformed(`Invalid chunk extension: byte ${byteName(c)}`);
}
