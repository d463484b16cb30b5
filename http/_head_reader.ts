/**
 * Reading the head of an HTTP/1.1 message (its start line and header block)
 * or the trailer block of a chunked body, line by line as the bytes arrive,
 * validating every field: the part of parsing that requests and responses
 * share (RFC 9112 sections 2.2 and 5).
 *
 * Both directions reject a field line without a colon, whitespace before the
 * colon, a name that is not a token, and control bytes other than HTAB (NUL,
 * CR, `\x01`, DEL, ...) in a value; a continuation line (obs-fold) is never
 * accepted inside `Content-Length` or `Transfer-Encoding`. A strict reader
 * (the request side) also rejects line ends other than CRLF and obs-fold
 * everywhere, as llhttp does; a lenient one (the response side, as Twisted
 * and Tornado) accepts a bare LF and joins obs-fold lines with a space.
 *
 * @module
 */
import {
  COLON,
  CR,
  FIELD_VALUE,
  HTAB,
  isOWS,
  LF,
  SP,
  TOKEN,
  trimOWS,
} from "./_chars.ts";
import {
  type FieldName,
  fieldName,
  KIND_CONNECTION,
  KIND_CONTENT_LENGTH,
  KIND_OTHER,
  KIND_TRANSFER_ENCODING,
} from "./_field_names.ts";
import { byteName, latin1, quote, sharedLatin1 } from "./_latin1.ts";
import { malformed, type WireError } from "./_wire_error.ts";
import { addCheckedField, Headers } from "./headers.ts";

/**
 * Fields whose values repeat from message to message and hold nothing
 * secret: decoded through `sharedLatin1`.
 */
const SHARED_VALUES: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "accept",
  "accept-encoding",
  "accept-language",
  "user-agent",
  "cache-control",
  "pragma",
  "upgrade",
  "origin",
  "server",
  "vary",
]);

const NO_LINE = new Uint8Array(0);
const FIRST_LINE_SIZE = 256;

/** What parses the first line of a head: a request line or a status line. */
export interface StartLineParser {
  /**
   * Parses the start line in bytes `[s, e)` of `b` (line end removed).
   *
   * @throws {WireError} The line is malformed.
   */
  startLine(b: Uint8Array, s: number, e: number): void;
}

/** Options of a {@linkcode HeadReader}. */
export interface HeadReaderOptions {
  /** `"Request"` or `"Response"`, for error messages. */
  readonly what: string;
  /** The largest head (and, separately, trailer block), line ends included. */
  readonly maxSize: number;
  /** Reject bare LF line ends and obs-fold (the request side). */
  readonly strict: boolean;
  /** The status for a start line over `maxSize` (414 for a request line). */
  readonly startLineStatus: number;
}

/**
 * Reads one head or trailer block at a time into `headers`, remembering the
 * fields that frame the message. Reused from message to message.
 */
export class HeadReader {
  /**
   * The fields read so far (a new collection for each block, made when
   * first asked for: a reader waiting for the next head holds none).
   */
  get headers(): Headers {
    return this.#headers ??= new Headers();
  }
  /** The `Content-Length` values, or `null` when absent. */
  contentLength: string[] | null = null;
  /** The `Transfer-Encoding` values, or `null` when absent. */
  transferEncoding: string[] | null = null;
  /** Whether `Connection` holds `close`. */
  connectionClose = false;
  /** Whether `Connection` holds `keep-alive`. */
  connectionKeepAlive = false;
  /** Whether `Connection` holds `upgrade`. */
  connectionUpgrade = false;
  /** How many fields the block holds. */
  fieldCount = 0;
  /** Whether the block ended (its empty line was read). */
  complete = false;
  /** How many bytes of the current block were read. */
  size = 0;

  #headers: Headers | null = null;
  #owner: StartLineParser;
  #what: string;
  #limit: number;
  #strict: boolean;
  #startLineStatus: number;
  #inStartLine = true;
  #trailers = false;
  /** A line split across reads; made for the first one, most heads never split. */
  #line = NO_LINE;
  #lineLength = 0;
  #pendingName: FieldName | null = null;
  #pendingValue = "";

  /**
   * @param owner Parses the start line of each head.
   * @param options The limits and the strictness.
   */
  constructor(owner: StartLineParser, options: HeadReaderOptions) {
    this.#owner = owner;
    this.#what = options.what;
    this.#limit = options.maxSize;
    this.#strict = options.strict;
    this.#startLineStatus = options.startLineStatus;
  }

  /** Starts a new head: a start line, then fields, into a new `headers`. */
  beginHead(): void {
    this.#begin();
    this.#inStartLine = true;
    this.#trailers = false;
  }

  /** Starts a trailer block: fields only, into a new `headers`. */
  beginTrailers(): void {
    this.#begin();
    this.#inStartLine = false;
    this.#trailers = true;
  }

  #begin(): void {
    this.#headers = null;
    this.contentLength = null;
    this.transferEncoding = null;
    this.connectionClose = false;
    this.connectionKeepAlive = false;
    this.connectionUpgrade = false;
    this.fieldCount = 0;
    this.complete = false;
    this.size = 0;
    this.#lineLength = 0;
    this.#pendingName = null;
    this.#pendingValue = "";
  }

  /**
   * Reads lines from `data` at `pos` until the block is `complete` or the
   * data ends.
   *
   * @returns Where it stopped: just after the block's empty line, or
   * `data.length`.
   * @throws {WireError} A line is malformed or the block is too large.
   */
  read(data: Uint8Array, pos: number): number {
    const end = data.length;
    const limit = this.#limit;
    while (pos < end) {
      const nl = lineEnd(data, pos, end);
      if (nl === -1) {
        this.size += end - pos;
        if (this.size > limit) throw this.#tooLarge();
        this.#appendLine(data, pos, end);
        return end;
      }
      this.size += nl + 1 - pos;
      if (this.size > limit) throw this.#tooLarge();
      let line = data;
      let start = pos;
      let stop = nl;
      if (this.#lineLength > 0) {
        this.#appendLine(data, pos, nl);
        line = this.#line;
        start = 0;
        stop = this.#lineLength;
        this.#lineLength = 0;
      }
      if (stop > start && line[stop - 1] === CR) {
        stop--;
      } else if (this.#strict) {
        throw malformed(
          `${this.#what} line ends with a bare LF: current value is ${
            quote(line, start, stop)
          }`,
          latin1(line, start, stop),
        );
      }
      pos = nl + 1;
      if (this.#inStartLine) {
        // Empty lines before a start line are skipped (RFC 9112 section 2.2).
        if (stop > start) {
          this.#owner.startLine(line, start, stop);
          this.#inStartLine = false;
        }
      } else if (stop === start) {
        this.#flushField();
        this.complete = true;
        return pos;
      } else {
        this.#fieldLine(line, start, stop);
      }
    }
    return pos;
  }

  #appendLine(data: Uint8Array, start: number, end: number): void {
    const length = this.#lineLength + end - start;
    if (length > this.#line.length) {
      const grown = new Uint8Array(
        Math.max(length, this.#line.length * 2, FIRST_LINE_SIZE),
      );
      grown.set(this.#line.subarray(0, this.#lineLength));
      this.#line = grown;
    }
    this.#line.set(data.subarray(start, end), this.#lineLength);
    this.#lineLength = length;
  }

  #tooLarge(): WireError {
    const what = this.#trailers ? "trailer block" : "head";
    return malformed(
      `${this.#what} ${what} exceeds maxHeaderSize: limit is ${this.#limit} bytes`,
      undefined,
      this.#inStartLine ? this.#startLineStatus : 431,
    );
  }

  #fieldLine(b: Uint8Array, s: number, e: number): void {
    const first = b[s];
    if (first === SP || first === HTAB) {
      this.#continuation(b, s, e);
      return;
    }
    this.#flushField();
    let i = s;
    let hash = 0;
    while (i < e) {
      const c = b[i];
      if (TOKEN[c] !== 1) break;
      hash = (hash * 31 + c) | 0;
      i++;
    }
    if (i === e || b[i] !== COLON || i === s) {
      let message: string;
      if (i < e && b[i] === COLON) {
        message = "Empty header field name";
      } else if (i < e && isOWS(b[i]) && colonAfterOWS(b, i, e)) {
        message = "Whitespace between header field name and colon";
      } else if (b.subarray(s, e).includes(COLON)) {
        message = "Invalid header field name";
      } else {
        message = "Header field line without a colon";
      }
      throw malformed(
        `${message}: current value is ${quote(b, s, e)}`,
        latin1(b, s, e),
      );
    }
    let vs = i + 1;
    let ve = e;
    while (vs < ve && isOWS(b[vs])) vs++;
    while (ve > vs && isOWS(b[ve - 1])) ve--;
    checkValue(b, vs, ve, s, e);
    const name = fieldName(b, s, i, hash);
    this.#pendingName = name;
    this.#pendingValue = SHARED_VALUES.has(name.key)
      ? sharedLatin1(b, vs, ve)
      : latin1(b, vs, ve);
  }

  #continuation(b: Uint8Array, s: number, e: number): void {
    const pending = this.#pendingName;
    if (pending === null) {
      throw malformed(
        `Continuation line without a field to continue: current value is ${
          quote(b, s, e)
        }`,
        latin1(b, s, e),
      );
    }
    if (this.#strict) {
      throw malformed(
        `Obsolete line folding in ${pending.name}: current value is ${
          quote(b, s, e)
        }`,
        latin1(b, s, e),
      );
    }
    if (
      pending.kind === KIND_CONTENT_LENGTH ||
      pending.kind === KIND_TRANSFER_ENCODING
    ) {
      throw malformed(
        `Obsolete line folding in ${pending.name} is not allowed: current value is ${
          quote(b, s, e)
        }`,
        latin1(b, s, e),
      );
    }
    let vs = s;
    let ve = e;
    while (vs < ve && isOWS(b[vs])) vs++;
    while (ve > vs && isOWS(b[ve - 1])) ve--;
    checkValue(b, vs, ve, s, e);
    if (ve > vs) {
      const more = latin1(b, vs, ve);
      this.#pendingValue = this.#pendingValue === ""
        ? more
        : `${this.#pendingValue} ${more}`;
    }
  }

  #flushField(): void {
    const field = this.#pendingName;
    if (field === null) return;
    this.#pendingName = null;
    const value = this.#pendingValue;
    addCheckedField(this.headers, field.key, field.name, value);
    this.fieldCount++;
    if (this.#trailers || field.kind === KIND_OTHER) return;
    switch (field.kind) {
      case KIND_CONNECTION:
        this.#connectionTokens(value);
        break;
      case KIND_CONTENT_LENGTH:
        (this.contentLength ??= []).push(value);
        break;
      case KIND_TRANSFER_ENCODING:
        (this.transferEncoding ??= []).push(value);
        break;
    }
  }

  #connectionTokens(value: string): void {
    for (const token of value.split(",")) {
      const option = trimOWS(token).toLowerCase();
      if (option === "close") this.connectionClose = true;
      else if (option === "keep-alive") this.connectionKeepAlive = true;
      else if (option === "upgrade") this.connectionUpgrade = true;
    }
  }
}

/** How far `lineEnd` looks byte by byte before it calls `indexOf`. */
const SHORT_LINE = 64;

/**
 * Where the next LF is from `pos`, or -1. Most lines of a head are short,
 * and a loop finds their end in a third of the time of a call to
 * `indexOf`, which is faster only over longer lines.
 */
function lineEnd(data: Uint8Array, pos: number, end: number): number {
  const stop = Math.min(end, pos + SHORT_LINE);
  for (let i = pos; i < stop; i++) {
    if (data[i] === LF) return i;
  }
  return stop === end ? -1 : data.indexOf(LF, stop);
}

function colonAfterOWS(b: Uint8Array, i: number, e: number): boolean {
  while (i < e && isOWS(b[i])) i++;
  return i < e && b[i] === COLON;
}

function checkValue(
  b: Uint8Array,
  vs: number,
  ve: number,
  s: number,
  e: number,
): void {
  for (let k = vs; k < ve; k++) {
    const c = b[k];
    if (FIELD_VALUE[c] === 0) {
      throw malformed(
        `Invalid header field value: byte ${byteName(c)} in ${quote(b, s, e)}`,
        latin1(b, s, e),
      );
    }
  }
}
