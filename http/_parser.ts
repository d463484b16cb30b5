/**
 * `HTTPClientParser`: an incremental, streaming HTTP/1.1 response parser, as
 * `twisted.web._newclient.HTTPClientParser` and the response side of
 * Tornado's `HTTP1Connection`.
 *
 * Feed it the bytes of a connection in any split; it calls its handler as
 * the response's parts become known: `onInformational` for each 1xx interim
 * response, `onHeaders` once the final status line and header block are
 * parsed, `onBody` for each piece of body as it arrives (views of the fed
 * bytes, never a buffered copy), and `onComplete` with the trailers, if any.
 * It parses one response; `reset()` readies it for the next on the same
 * connection.
 *
 * Framing follows RFC 9112 section 6.3: no body for HEAD requests, 1xx, 204
 * and 304 responses and for tunnels (101, 2xx to CONNECT);
 * `Transfer-Encoding: chunked` over `Content-Length` (and then the connection
 * is not reused); `Content-Length`; otherwise the body runs to the close of
 * the connection. Malformed input makes `feed` throw a `ResponseFailed`
 * whose reason is a `ParseError` or a `BodyTooLargeError`; a close that cuts a
 * response short makes `connectionLost` throw one (with a `DataLoss` reason
 * when the body was cut) or a `ResponseNeverReceived`.
 *
 * Leniencies, as Twisted and Tornado: a bare LF ends a line of the head,
 * empty lines before the status line are skipped, obs-fold continuation lines
 * are joined with a space (RFC 9112 section 5.2 asks that of user agents).
 * Chunked framing itself is strict: chunk-size lines and chunk data end with
 * CRLF exactly.
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import { TOKEN } from "./_chars.ts";
import {
  BodyTooLargeError,
  DataLoss,
  ParseError,
  ResponseFailed,
  ResponseNeverReceived,
} from "./errors.ts";
import { addCheckedField } from "./_headers_internal.ts";
import { Headers } from "./headers.ts";

/**
 * How a response body is delimited: not at all (`"none"`: HEAD, 1xx, 204,
 * 304, tunnels), by `Content-Length` (`"length"`), by chunked encoding
 * (`"chunked"`), or by the close of the connection (`"close"`). A
 * close-delimited body cannot be told from a truncated one: Twisted reports
 * it as `PotentialDataLoss`.
 */
export type BodyFraming = "none" | "length" | "chunked" | "close";

/**
 * The HTTP version of a response, as Twisted's `(b"HTTP", 1, 1)` tuple
 * (`IResponse.version`).
 *
 * @example Telling HTTP/1.0 apart
 * ```ts
 * import type { HTTPVersion } from "@torsion/torsion/http";
 * const version: HTTPVersion = ["HTTP", 1, 0];
 * const [, major, minor] = version;
 * console.assert(`HTTP/${major}.${minor}` === "HTTP/1.0");
 * ```
 */
export type HTTPVersion = readonly [protocol: "HTTP", major: 1, minor: number];

/** The status line and header block of a response. */
export interface ResponseHead {
  /** The version of the status line: `["HTTP", 1, 1]` or `["HTTP", 1, 0]`. */
  readonly version: HTTPVersion;
  /** The status code, 100 to 999. */
  readonly code: number;
  /** The reason phrase, possibly empty. Twisted's `phrase`, Tornado's `reason`. */
  readonly phrase: string;
  /**
   * Every header field, connection-control fields included (Twisted moves
   * those to a separate `connHeaders`; the client may strip them).
   */
  readonly headers: Headers;
  /**
   * The body length when known before it arrives: the `Content-Length`, or
   * 0 for bodiless responses; `null` for chunked and close-delimited bodies
   * (Twisted's `UNKNOWN_LENGTH`).
   */
  readonly length: number | null;
  /** How the body is delimited. */
  readonly framing: BodyFraming;
  /**
   * Whether the connection may carry another request once this response is
   * complete: HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
   * `Connection: keep-alive`; never for close-delimited bodies, tunnels, or
   * responses with both `Transfer-Encoding` and `Content-Length`.
   */
  readonly keepAlive: boolean;
  /**
   * Whether the connection now carries another protocol (101 Switching
   * Protocols, or a 2xx answer to CONNECT): the bytes after the head are not
   * HTTP and are left unconsumed.
   */
  readonly upgraded: boolean;
}

/**
 * What an {@linkcode HTTPClientParser} reports to. The parser calls these
 * synchronously from `feed` and `connectionLost`; an exception thrown by one
 * leaves the parser failed and propagates out of `feed` unchanged. Do not call
 * `feed` or `reset` from inside them.
 */
export interface ResponseParserHandler {
  /**
   * An interim 1xx response other than 101 (`100 Continue`, `103 Early
   * Hints`) was received; the parser goes on to the next head. Twisted and
   * Tornado swallow these; a client sending `Expect: 100-continue` waits for
   * one before sending the body.
   */
  onInformational?(head: ResponseHead): void;
  /** The final response's status line and headers were received. */
  onHeaders(head: ResponseHead): void;
  /**
   * A piece of the body (chunked framing removed). It is a view of the
   * bytes passed to `feed`: copy it before `feed` returns if the caller
   * reuses its read buffer.
   */
  onBody(chunk: Uint8Array): void;
  /**
   * The response is complete; `trailers` holds the trailer fields of a
   * chunked body, or is `null`.
   */
  onComplete(trailers: Headers | null): void;
}

/** Options of an {@linkcode HTTPClientParser}. */
export interface HTTPClientParserOptions {
  /**
   * The method of the request this response answers: HEAD responses have no
   * body, 2xx answers to CONNECT open a tunnel.
   *
   * @default {"GET"}
   */
  method?: string;
  /**
   * The largest response head accepted, in bytes: the status line, the
   * header lines and their line ends, the blank line included (each 1xx head
   * and the trailer block are counted the same way, separately). Tornado's
   * `max_header_size`.
   *
   * @default {65536}
   */
  maxHeaderSize?: number;
  /**
   * The largest body accepted, in bytes, declared or streamed. Tornado's
   * `max_body_size`.
   *
   * @default {Infinity}
   */
  maxBodySize?: number;
}

/** The default `maxHeaderSize`: 64 KiB, as Tornado's `max_header_size`. */
export const DEFAULT_MAX_HEADER_SIZE = 65536;

/** The longest chunk-size line accepted (size and extensions), in bytes. */
export const MAX_CHUNK_SIZE_LINE = 4096;

const ST_STATUS = 0;
const ST_HEADERS = 1;
const ST_LENGTH = 2;
const ST_CHUNK_SIZE = 3;
const ST_CHUNK_SIZE_WS = 4;
const ST_CHUNK_EXT = 5;
const ST_CHUNK_SIZE_LF = 6;
const ST_CHUNK_DATA = 7;
const ST_CHUNK_DATA_CR = 8;
const ST_CHUNK_DATA_LF = 9;
const ST_TRAILERS = 10;
const ST_CLOSE = 11;
const ST_DONE = 12;
const ST_FAILED = 13;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;

// A chunk size above this overflows Number.MAX_SAFE_INTEGER on its next digit.
const MAX_CHUNK_PREFIX = Math.floor((Number.MAX_SAFE_INTEGER - 15) / 16);

const KIND_OTHER = 0;
const KIND_CONNECTION = 1;
const KIND_CONTENT_LENGTH = 2;
const KIND_TRANSFER_ENCODING = 3;

/** A field name as received, its lower-cased key, and whether it frames. */
interface FieldName {
  bytes: Uint8Array;
  name: string;
  key: string;
  kind: number;
}

// Field names recur from response to response: decoding and lower-casing
// each once, then finding it by a hash of its bytes, saves most of the work
// of a header line. Bounded, so that a server inventing names cannot grow it.
const FIELD_NAMES = new Map<number, FieldName>();
const MAX_FIELD_NAMES = 512;

function fieldName(
  b: Uint8Array,
  start: number,
  end: number,
  hash: number,
): FieldName {
  const cached = FIELD_NAMES.get(hash);
  if (cached !== undefined && cached.bytes.length === end - start) {
    const bytes = cached.bytes;
    let same = true;
    for (let i = 0; same && i < bytes.length; i++) {
      same = bytes[i] === b[start + i];
    }
    if (same) return cached;
  }
  const name = latin1(b, start, end);
  const key = name.toLowerCase();
  const kind = key === "connection"
    ? KIND_CONNECTION
    : key === "content-length"
    ? KIND_CONTENT_LENGTH
    : key === "transfer-encoding"
    ? KIND_TRANSFER_ENCODING
    : KIND_OTHER;
  const field = { bytes: b.slice(start, end), name, key, kind };
  if (FIELD_NAMES.size >= MAX_FIELD_NAMES) FIELD_NAMES.clear();
  FIELD_NAMES.set(hash, field);
  return field;
}

const HTTP_1_0: HTTPVersion = Object.freeze(["HTTP", 1, 0] as const);
const HTTP_1_1: HTTPVersion = Object.freeze(["HTTP", 1, 1] as const);

const scratch: number[] = [];

/** Decodes bytes `[start, end)` as latin-1 (not TextDecoder's windows-1252). */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n <= 1024) {
    scratch.length = n;
    for (let i = 0; i < n; i++) scratch[i] = bytes[start + i];
    return String.fromCharCode.apply(null, scratch);
  }
  let text = "";
  for (let i = start; i < end; i += 8192) {
    const piece = bytes.subarray(i, Math.min(end, i + 8192));
    text += String.fromCharCode.apply(null, piece as unknown as number[]);
  }
  return text;
}

/** The bytes, decoded and quoted for an error message (cut at 100 characters). */
function quote(bytes: Uint8Array, start: number, end: number): string {
  const cut = end - start > 100;
  const text = latin1(bytes, start, cut ? start + 100 : end);
  return JSON.stringify(cut ? `${text}...` : text);
}

function byteName(c: number): string {
  return `0x${c.toString(16).padStart(2, "0")}`;
}

function colonAfterOWS(b: Uint8Array, i: number, e: number): boolean {
  while (i < e && isOWS(b[i])) i++;
  return i < e && b[i] === 58;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function trimOWS(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOWS(text.charCodeAt(start))) start++;
  while (end > start && isOWS(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isOWS(c: number): boolean {
  return c === SP || c === HTAB;
}

/**
 * Parses the response to one request, incrementally. Mirrors Twisted's
 * `twisted.web._newclient.HTTPClientParser`, with a handler in place of the
 * `Response` object and the finisher callback.
 *
 * Usage by a connection: create it with the request's method, `feed` it
 * every read; `feed` returns how many bytes it consumed. Once `done` is true
 * the rest of the read (`data.subarray(consumed)`) was not part of the
 * response: on a keep-alive connection with no request outstanding that is
 * a protocol violation, after an upgrade it is the new protocol's. On close,
 * call `connectionLost`: it completes a close-delimited body or throws. If
 * `keepAlive` is true, `reset(method)` prepares the next response.
 *
 * @example Parsing a response fed in pieces
 * ```ts ignore
 * const chunks: Uint8Array[] = [];
 * const parser = new HTTPClientParser({
 *   onHeaders(head) { console.log(head.code, head.headers.get("content-type")); },
 *   onBody(chunk) { chunks.push(chunk.slice()); },
 *   onComplete() { console.log("complete"); },
 * });
 * const bytes = new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
 * );
 * parser.feed(bytes.subarray(0, 20));
 * parser.feed(bytes.subarray(20));
 * console.assert(parser.done && parser.keepAlive);
 * ```
 */
export class HTTPClientParser {
  #handler: ResponseParserHandler;
  #maxHeaderSize: number;
  #maxBodySize: number;
  #isHead = false;
  #isConnect = false;

  #state = ST_STATUS;
  #error: unknown = undefined;
  #received = false;
  #headSize = 0;
  #line = new Uint8Array(256);
  #lineLength = 0;

  // The head being parsed.
  #version: HTTPVersion = HTTP_1_1;
  #code = 0;
  #phrase = "";
  #headers = new Headers();
  #trailers: Headers | null = null;
  #pendingName: FieldName | null = null;
  #pendingValue = "";
  #contentLength: string[] | null = null;
  #transferEncoding: string[] | null = null;
  #connectionClose = false;
  #connectionKeepAlive = false;

  // The body.
  #head: ResponseHead | null = null;
  #remaining = 0;
  #bodySize = 0;
  #chunkSize = 0;
  #chunkLineLength = 0;

  /**
   * Creates a parser for the response to one request.
   *
   * @param handler What to report the response's parts to.
   * @param options The request's method and the size limits.
   * @throws {RangeError} A limit is not a positive number.
   */
  constructor(
    handler: ResponseParserHandler,
    options: HTTPClientParserOptions = {},
  ) {
    const maxHeaderSize = options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    const maxBodySize = options.maxBodySize ?? Infinity;
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
    this.#handler = handler;
    this.#maxHeaderSize = maxHeaderSize;
    this.#maxBodySize = maxBodySize;
    this.#setMethod(options.method ?? "GET");
  }

  /** Whether the response is complete (the rest of the input is not its). */
  get done(): boolean {
    return this.#state === ST_DONE;
  }

  /** Whether the parser failed; `feed` then throws the same error again. */
  get failed(): boolean {
    return this.#state === ST_FAILED;
  }

  /** The final response's head, once `onHeaders` has been called; `null` before. */
  get head(): ResponseHead | null {
    return this.#head;
  }

  /**
   * Whether the connection may be reused once the response is complete:
   * `head.keepAlive`, false until the head is known.
   */
  get keepAlive(): boolean {
    return this.#head !== null && this.#head.keepAlive;
  }

  /** How many body bytes have been delivered to `onBody`. */
  get bodySize(): number {
    return this.#bodySize;
  }

  /**
   * Readies the parser for the next response on the same connection.
   *
   * @param method The method of the next request.
   */
  reset(method = "GET"): void {
    this.#setMethod(method);
    this.#state = ST_STATUS;
    this.#error = undefined;
    this.#received = false;
    this.#head = null;
    this.#bodySize = 0;
    this.#startHead();
  }

  /**
   * Parses bytes of the connection. Stops at the end of the response:
   * bytes after it are not consumed.
   *
   * @param data The bytes read, in any split.
   * @returns How many bytes of `data` belong to the response; fewer than
   * `data.length` only once `done` is true (or after an upgrade).
   * @throws {ResponseFailed} The response is malformed or too large; the
   * reason is a `ParseError` or a `BodyTooLargeError`. Later calls throw it
   * again.
   */
  feed(data: Uint8Array): number {
    const state = this.#state;
    if (state === ST_FAILED) throw this.#error;
    if (state === ST_DONE || data.length === 0) return 0;
    this.#received = true;
    try {
      return this.#run(data);
    } catch (error) {
      this.#state = ST_FAILED;
      this.#error = error;
      throw error;
    }
  }

  /**
   * Tells the parser that the connection closed. Completes a
   * close-delimited body (`onComplete` is called); does nothing once the
   * response is complete or failed.
   *
   * @param reason Why the connection closed (`ConnectionDone`,
   * `ConnectionLost`, ... or their Failure).
   * @throws {ResponseNeverReceived} No byte of the response had arrived.
   * @throws {ResponseFailed} The head was incomplete (reasons: `reason`), or
   * the body was (reasons: `reason`, then a `DataLoss`).
   */
  connectionLost(reason: unknown): void {
    const state = this.#state;
    if (state === ST_DONE || state === ST_FAILED) return;
    if (state === ST_CLOSE) {
      this.#complete(null);
      return;
    }
    const failure = Failure.from(reason);
    let error: ResponseFailed;
    if (state === ST_STATUS && !this.#received) {
      error = new ResponseNeverReceived([failure]);
    } else if (state === ST_STATUS || state === ST_HEADERS) {
      error = new ResponseFailed([failure]);
    } else {
      const head = this.#head as ResponseHead;
      const loss = new DataLoss(
        this.#bodySize,
        head.framing === "length" ? head.length : null,
      );
      error = new ResponseFailed([failure, new Failure(loss)], head);
    }
    this.#state = ST_FAILED;
    this.#error = error;
    throw error;
  }

  #setMethod(method: string): void {
    this.#isHead = method === "HEAD";
    this.#isConnect = method === "CONNECT";
  }

  #startHead(): void {
    this.#state = ST_STATUS;
    this.#headSize = 0;
    this.#lineLength = 0;
    this.#headers = new Headers();
    this.#trailers = null;
    this.#pendingName = null;
    this.#pendingValue = "";
    this.#contentLength = null;
    this.#transferEncoding = null;
    this.#connectionClose = false;
    this.#connectionKeepAlive = false;
  }

  #fail(reason: Error): ResponseFailed {
    return new ResponseFailed([new Failure(reason)], this.#head ?? undefined);
  }

  #run(data: Uint8Array): number {
    const end = data.length;
    let pos = 0;
    while (pos < end) {
      switch (this.#state) {
        case ST_STATUS:
        case ST_HEADERS:
        case ST_TRAILERS:
          pos = this.#lines(data, pos);
          break;
        case ST_LENGTH:
          pos = this.#counted(data, pos);
          if (this.#remaining > 0) return pos;
          this.#complete(null);
          return pos;
        case ST_CHUNK_DATA:
          pos = this.#counted(data, pos);
          if (this.#remaining === 0) this.#state = ST_CHUNK_DATA_CR;
          break;
        case ST_CHUNK_DATA_CR:
        case ST_CHUNK_DATA_LF: {
          const expected = this.#state === ST_CHUNK_DATA_CR ? CR : LF;
          if (data[pos] !== expected) {
            throw this.#fail(
              new ParseError(
                `Chunk data must end with CRLF: found byte ${
                  byteName(data[pos])
                }`,
              ),
            );
          }
          pos++;
          if (expected === CR) {
            this.#state = ST_CHUNK_DATA_LF;
          } else {
            this.#state = ST_CHUNK_SIZE;
            this.#chunkSize = 0;
            this.#chunkLineLength = 0;
          }
          break;
        }
        case ST_CHUNK_SIZE:
        case ST_CHUNK_SIZE_WS:
        case ST_CHUNK_EXT:
        case ST_CHUNK_SIZE_LF:
          pos = this.#chunkSizeLine(data, pos);
          break;
        case ST_CLOSE: {
          const size = this.#bodySize + end - pos;
          if (size > this.#maxBodySize) {
            throw this.#fail(new BodyTooLargeError(this.#maxBodySize, size));
          }
          this.#bodySize = size;
          this.#handler.onBody(pos === 0 ? data : data.subarray(pos));
          return end;
        }
        default: // ST_DONE
          return pos;
      }
    }
    return pos;
  }

  /**
   * Delivers up to `#remaining` bytes of a Content-Length body or of a
   * chunk, as one view; returns where it stopped.
   */
  #counted(data: Uint8Array, pos: number): number {
    const end = data.length;
    const take = Math.min(end - pos, this.#remaining);
    this.#remaining -= take;
    this.#bodySize += take;
    this.#handler.onBody(
      pos === 0 && take === end ? data : data.subarray(pos, pos + take),
    );
    return pos + take;
  }

  /** Parses lines of a head or trailer block; returns where it stopped. */
  #lines(data: Uint8Array, pos: number): number {
    const end = data.length;
    const limit = this.#maxHeaderSize;
    while (pos < end) {
      const nl = data.indexOf(LF, pos);
      if (nl === -1) {
        this.#headSize += end - pos;
        if (this.#headSize > limit) throw this.#headTooLarge();
        this.#appendLine(data, pos, end);
        return end;
      }
      this.#headSize += nl + 1 - pos;
      if (this.#headSize > limit) throw this.#headTooLarge();
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
      if (stop > start && line[stop - 1] === CR) stop--;
      pos = nl + 1;
      const state = this.#state;
      if (state === ST_STATUS) {
        this.#statusLine(line, start, stop);
      } else {
        this.#fieldLine(line, start, stop);
        if (this.#state !== state && this.#state !== ST_STATUS) return pos;
      }
    }
    return pos;
  }

  #appendLine(data: Uint8Array, start: number, end: number): void {
    const length = this.#lineLength + end - start;
    if (length > this.#line.length) {
      const grown = new Uint8Array(Math.max(length, this.#line.length * 2));
      grown.set(this.#line.subarray(0, this.#lineLength));
      this.#line = grown;
    }
    this.#line.set(data.subarray(start, end), this.#lineLength);
    this.#lineLength = length;
  }

  #headTooLarge(): ResponseFailed {
    const what = this.#state === ST_TRAILERS ? "trailer block" : "head";
    return this.#fail(
      new ParseError(
        `Response ${what} exceeds maxHeaderSize: limit is ${this.#maxHeaderSize} bytes`,
      ),
    );
  }

  #statusLine(b: Uint8Array, s: number, e: number): void {
    if (s === e) return; // Empty lines before a status line are skipped.
    const n = e - s;
    if (
      n < 9 || b[s] !== 72 || b[s + 1] !== 84 || b[s + 2] !== 84 ||
      b[s + 3] !== 80 || b[s + 4] !== 47 || !isDigit(b[s + 5]) ||
      b[s + 6] !== 46 || !isDigit(b[s + 7]) || b[s + 8] !== SP
    ) {
      throw this.#fail(
        new ParseError(
          `Invalid status line: current value is ${quote(b, s, e)}`,
          latin1(b, s, e),
        ),
      );
    }
    const major = b[s + 5] - 48;
    const minor = b[s + 7] - 48;
    if (major !== 1) {
      throw this.#fail(
        new ParseError(
          `Unsupported HTTP version: current value is "HTTP/${major}.${minor}"`,
          latin1(b, s, e),
        ),
      );
    }
    if (
      n < 12 || !isDigit(b[s + 9]) || b[s + 9] === 48 || !isDigit(b[s + 10]) ||
      !isDigit(b[s + 11]) || (n > 12 && b[s + 12] !== SP)
    ) {
      throw this.#fail(
        new ParseError(
          `Invalid status code: current value is ${
            quote(b, s + 9, Math.min(e, s + 13))
          }`,
          latin1(b, s, e),
        ),
      );
    }
    for (let i = s + 13; i < e; i++) {
      const c = b[i];
      if ((c < SP && c !== HTAB) || c === 127) {
        throw this.#fail(
          new ParseError(
            `Invalid reason phrase: byte ${byteName(c)} in ${
              quote(b, s + 13, e)
            }`,
            latin1(b, s, e),
          ),
        );
      }
    }
    this.#version = minor === 0
      ? HTTP_1_0
      : minor === 1
      ? HTTP_1_1
      : Object.freeze(["HTTP", 1, minor] as const);
    this.#code = (b[s + 9] - 48) * 100 + (b[s + 10] - 48) * 10 + b[s + 11] - 48;
    this.#phrase = n > 13 ? latin1(b, s + 13, e) : "";
    this.#state = ST_HEADERS;
  }

  #fieldLine(b: Uint8Array, s: number, e: number): void {
    if (s === e) {
      this.#flushField();
      if (this.#state === ST_HEADERS) this.#endHead();
      else this.#complete(this.#trailers);
      return;
    }
    const first = b[s];
    if (first === SP || first === HTAB) {
      if (this.#pendingName === null) {
        throw this.#fail(
          new ParseError(
            `Continuation line without a field to continue: current value is ${
              quote(b, s, e)
            }`,
            latin1(b, s, e),
          ),
        );
      }
      let vs = s;
      let ve = e;
      while (vs < ve && isOWS(b[vs])) vs++;
      while (ve > vs && isOWS(b[ve - 1])) ve--;
      this.#checkValue(b, vs, ve, s, e);
      if (ve > vs) {
        const more = latin1(b, vs, ve);
        this.#pendingValue = this.#pendingValue === ""
          ? more
          : `${this.#pendingValue} ${more}`;
      }
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
    if (i === e || b[i] !== 58 || i === s) {
      let message: string;
      if (i < e && b[i] === 58) {
        message = "Empty header field name";
      } else if (i < e && isOWS(b[i]) && colonAfterOWS(b, i, e)) {
        message = "Whitespace between header field name and colon";
      } else if (b.subarray(s, e).includes(58)) {
        message = "Invalid header field name";
      } else {
        message = "Header field line without a colon";
      }
      throw this.#fail(
        new ParseError(
          `${message}: current value is ${quote(b, s, e)}`,
          latin1(b, s, e),
        ),
      );
    }
    let vs = i + 1;
    let ve = e;
    while (vs < ve && isOWS(b[vs])) vs++;
    while (ve > vs && isOWS(b[ve - 1])) ve--;
    this.#checkValue(b, vs, ve, s, e);
    this.#pendingName = fieldName(b, s, i, hash);
    this.#pendingValue = latin1(b, vs, ve);
  }

  #checkValue(
    b: Uint8Array,
    vs: number,
    ve: number,
    s: number,
    e: number,
  ): void {
    for (let k = vs; k < ve; k++) {
      const c = b[k];
      if (c === 0 || c === CR) {
        throw this.#fail(
          new ParseError(
            `Invalid header field value: byte ${byteName(c)} in ${
              quote(b, s, e)
            }`,
            latin1(b, s, e),
          ),
        );
      }
    }
  }

  #flushField(): void {
    const field = this.#pendingName;
    if (field === null) return;
    this.#pendingName = null;
    const value = this.#pendingValue;
    if (this.#state === ST_TRAILERS) {
      this.#trailers ??= new Headers();
      addCheckedField(this.#trailers, field.key, field.name, value);
      return;
    }
    addCheckedField(this.#headers, field.key, field.name, value);
    switch (field.kind) {
      case KIND_CONNECTION:
        this.#connectionTokens(value);
        break;
      case KIND_CONTENT_LENGTH:
        (this.#contentLength ??= []).push(value);
        break;
      case KIND_TRANSFER_ENCODING:
        (this.#transferEncoding ??= []).push(value);
        break;
    }
  }

  #connectionTokens(value: string): void {
    for (const token of value.split(",")) {
      const option = trimOWS(token).toLowerCase();
      if (option === "close") this.#connectionClose = true;
      else if (option === "keep-alive") this.#connectionKeepAlive = true;
    }
  }

  #endHead(): void {
    const code = this.#code;
    const version = this.#version;
    const headers = this.#headers;
    if (code < 200 && code !== 101) {
      const interim: ResponseHead = {
        version,
        code,
        phrase: this.#phrase,
        headers,
        length: 0,
        framing: "none",
        keepAlive: false,
        upgraded: false,
      };
      this.#startHead();
      this.#handler.onInformational?.(interim);
      return;
    }
    let framing: BodyFraming;
    let length: number | null = null;
    let upgraded = false;
    let keepAlive = version[2] >= 1
      ? !this.#connectionClose
      : this.#connectionKeepAlive && !this.#connectionClose;
    if (code === 101 || (this.#isConnect && code < 300)) {
      framing = "none";
      length = 0;
      upgraded = true;
      keepAlive = false;
    } else if (this.#isHead || code === 204 || code === 304) {
      framing = "none";
      length = 0;
    } else if (this.#transferEncoding !== null) {
      framing = this.#parseTransferEncoding() ? "chunked" : "close";
      if (
        framing === "close" || this.#contentLength !== null || version[2] === 0
      ) {
        keepAlive = false;
      }
    } else if (this.#contentLength !== null) {
      framing = "length";
      length = this.#parseContentLength();
      if (length > this.#maxBodySize) {
        throw this.#fail(new BodyTooLargeError(this.#maxBodySize, length));
      }
    } else {
      framing = "close";
      keepAlive = false;
    }
    const head: ResponseHead = {
      version,
      code,
      phrase: this.#phrase,
      headers,
      length,
      framing,
      keepAlive,
      upgraded,
    };
    this.#head = head;
    if (framing === "length" && length !== 0) {
      this.#remaining = length as number;
      this.#state = ST_LENGTH;
    } else if (framing === "chunked") {
      this.#chunkSize = 0;
      this.#chunkLineLength = 0;
      this.#state = ST_CHUNK_SIZE;
    } else if (framing === "close") {
      this.#state = ST_CLOSE;
    } else {
      this.#state = ST_DONE;
      this.#handler.onHeaders(head);
      this.#handler.onComplete(null);
      return;
    }
    this.#handler.onHeaders(head);
  }

  /** Whether chunked is the final transfer coding; throws on bad codings. */
  #parseTransferEncoding(): boolean {
    const raw = (this.#transferEncoding as string[]).join(",");
    const codings: string[] = [];
    for (const element of raw.split(",")) {
      const coding = trimOWS(element.split(";", 1)[0]).toLowerCase();
      if (coding !== "") codings.push(coding);
    }
    let chunked = false;
    for (let i = 0; i < codings.length; i++) {
      const coding = codings[i];
      if (coding === "chunked") {
        if (i !== codings.length - 1) {
          throw this.#fail(
            new ParseError(
              `Invalid Transfer-Encoding: chunked must be the final coding, current value is ${
                JSON.stringify(raw)
              }`,
              raw,
            ),
          );
        }
        chunked = true;
      } else if (coding !== "identity") {
        throw this.#fail(
          new ParseError(
            `Unsupported transfer coding: current value is ${
              JSON.stringify(raw)
            }`,
            raw,
          ),
        );
      }
    }
    return chunked;
  }

  /** The Content-Length; throws on invalid or conflicting values. */
  #parseContentLength(): number {
    const values = this.#contentLength as string[];
    let length = -1;
    for (const value of values) {
      for (const element of value.split(",")) {
        const digits = trimOWS(element);
        let valid = digits.length > 0;
        for (let i = 0; valid && i < digits.length; i++) {
          valid = isDigit(digits.charCodeAt(i));
        }
        const n = valid ? Number(digits) : NaN;
        if (!Number.isSafeInteger(n)) {
          throw this.#fail(
            new ParseError(
              `Invalid Content-Length: current value is ${
                JSON.stringify(value)
              }`,
              value,
            ),
          );
        }
        if (length !== -1 && n !== length) {
          const all = values.join(", ");
          throw this.#fail(
            new ParseError(
              `Conflicting Content-Length values: current values are ${
                JSON.stringify(all)
              }`,
              all,
            ),
          );
        }
        length = n;
      }
    }
    return length;
  }

  /** Parses a chunk-size line byte by byte; returns where it stopped. */
  #chunkSizeLine(data: Uint8Array, pos: number): number {
    const end = data.length;
    let state = this.#state;
    let size = this.#chunkSize;
    let lineLength = this.#chunkLineLength;
    while (pos < end) {
      const c = data[pos++];
      if (++lineLength > MAX_CHUNK_SIZE_LINE) {
        throw this.#fail(
          new ParseError(
            `Chunk size line exceeds ${MAX_CHUNK_SIZE_LINE} bytes`,
          ),
        );
      }
      if (state === ST_CHUNK_SIZE) {
        const digit = HEX[c];
        if (digit >= 0) {
          if (size > MAX_CHUNK_PREFIX) {
            throw this.#fail(
              new ParseError(
                `Chunk size overflows: more than ${Number.MAX_SAFE_INTEGER} bytes`,
              ),
            );
          }
          size = size * 16 + digit;
        } else if (lineLength === 1) {
          throw this.#fail(
            new ParseError(
              `Invalid chunk size: byte ${
                byteName(c)
              } where a hex digit was expected`,
            ),
          );
        } else if (c === CR) {
          state = ST_CHUNK_SIZE_LF;
        } else if (c === 59) {
          state = ST_CHUNK_EXT;
        } else if (isOWS(c)) {
          state = ST_CHUNK_SIZE_WS;
        } else {
          throw this.#fail(
            new ParseError(
              `Invalid chunk size: unexpected byte ${byteName(c)}`,
            ),
          );
        }
      } else if (state === ST_CHUNK_SIZE_WS) {
        if (c === CR) state = ST_CHUNK_SIZE_LF;
        else if (c === 59) state = ST_CHUNK_EXT;
        else if (!isOWS(c)) {
          throw this.#fail(
            new ParseError(
              `Invalid chunk size: unexpected byte ${
                byteName(c)
              } after the size`,
            ),
          );
        }
      } else if (state === ST_CHUNK_EXT) {
        if (c === CR) state = ST_CHUNK_SIZE_LF;
        else if ((c < SP && c !== HTAB) || c === 127) {
          throw this.#fail(
            new ParseError(`Invalid chunk extension: byte ${byteName(c)}`),
          );
        }
      } else { // ST_CHUNK_SIZE_LF
        if (c !== LF) {
          throw this.#fail(
            new ParseError(
              `Chunk size line must end with CRLF: found byte ${
                byteName(c)
              } after CR`,
            ),
          );
        }
        this.#chunkSize = 0;
        this.#chunkLineLength = 0;
        if (size === 0) {
          this.#state = ST_TRAILERS;
          this.#headSize = 0;
          this.#lineLength = 0;
          return pos;
        }
        if (this.#bodySize + size > this.#maxBodySize) {
          throw this.#fail(
            new BodyTooLargeError(this.#maxBodySize, this.#bodySize + size),
          );
        }
        this.#remaining = size;
        this.#state = ST_CHUNK_DATA;
        return pos;
      }
    }
    this.#state = state;
    this.#chunkSize = size;
    this.#chunkLineLength = lineLength;
    return pos;
  }

  #complete(trailers: Headers | null): void {
    this.#state = ST_DONE;
    this.#handler.onComplete(trailers);
  }
}
