/**
 * `HTTPRequestParser`: an incremental, streaming HTTP/1.1 request parser on
 * the same core as the response parser, as the request side of Tornado's
 * `HTTP1Connection` and of Twisted's `HTTPChannel`, and as strict as llhttp
 * (Node's parser) in its default mode.
 *
 * It rejects, with the status a server answers: a malformed request line,
 * method token or request target (400), an HTTP version other than 1.0 and
 * 1.1 (505, or 400 when it is not a version at all), a request line longer
 * than `maxHeaderSize` (414), a head larger than it (431), line ends other
 * than CRLF, obs-fold, a field line without a colon or with whitespace
 * before it, control bytes other than HTAB in a value, both
 * `Content-Length` and `Transfer-Encoding`, differing `Content-Length`s, a
 * `Transfer-Encoding` whose last coding is not `chunked` (400; 501 for a
 * coding it does not implement), a malformed chunked body (400), a missing
 * or repeated `Host` in HTTP/1.1 (400, RFC 9112 section 3.2) and a body
 * larger than `maxBodySize` (413).
 *
 * @module
 */
import { isDigit, SP, TOKEN } from "./_chars.ts";
import { contentLength, isChunked, transferCodings } from "./_framing.ts";
import { latin1, quote, sharedLatin1 } from "./_latin1.ts";
import {
  BODY_CHUNKED,
  BODY_LENGTH,
  BODY_NONE,
  DEFAULT_MAX_HEADER_SIZE,
  HTTP_1_0,
  HTTP_1_1,
  type MessageHandler,
  MessageParser,
} from "./_message_parser.ts";
import { malformed, WireError } from "./_wire_error.ts";
import { valueCount } from "./headers.ts";
import { BodyTooLargeError } from "./errors.ts";
import type { HTTPVersion } from "./interfaces.ts";
import type { RequestHead } from "./server_interfaces.ts";

/** What an {@linkcode HTTPRequestParser} reports to. */
export interface RequestParserHandler extends MessageHandler {
  /** The request line and headers were parsed. */
  onRequest(head: RequestHead): void;
}

/** Options of an {@linkcode HTTPRequestParser}. */
export interface HTTPRequestParserOptions {
  /**
   * The largest request head, in bytes (request line, fields, line ends);
   * the trailer block of a chunked body is counted separately.
   *
   * @default {65536}
   */
  maxHeaderSize?: number;
  /**
   * The largest body, in bytes, declared or streamed.
   *
   * @default {Infinity}
   */
  maxBodySize?: number;
}

// The methods of RFC 9110, returned as constants rather than decoded anew.
const METHODS = [
  "GET",
  "PUT",
  "HEAD",
  "POST",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "CONNECT",
  "TRACE",
];

function method(b: Uint8Array, s: number, e: number): string {
  for (const known of METHODS) {
    if (known.length !== e - s) continue;
    let same = true;
    for (let i = 0; same && i < known.length; i++) {
      same = b[s + i] === known.charCodeAt(i);
    }
    if (same) return known;
  }
  return latin1(b, s, e);
}

const QUESTION = 0x3f;

const CODINGS = new Set(["gzip", "x-gzip", "deflate", "compress", "identity"]);

/**
 * Parses the requests of one connection, one at a time. After `done`, read
 * `keepAlive` and call `reset()` for the next request; bytes after the
 * request are not consumed by `feed`.
 *
 * When `feed` throws, `errorStatus` holds the status to answer with.
 */
export class HTTPRequestParser extends MessageParser<RequestParserHandler> {
  #method = "GET";
  #target = "";
  #version: HTTPVersion = HTTP_1_1;
  #head: RequestHead | null = null;
  #keepAlive = false;
  #errorStatus = 0;

  /**
   * Creates a parser for the requests of a connection.
   *
   * @param handler What to report each request's parts to.
   * @param options The size limits.
   * @throws {RangeError} A limit is not a positive number.
   */
  constructor(
    handler: RequestParserHandler,
    options: HTTPRequestParserOptions = {},
  ) {
    super(handler, {
      what: "Request",
      maxHeaderSize: options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
      maxBodySize: options.maxBodySize ?? Infinity,
      strict: true,
      startLineStatus: 414,
    });
  }

  /** The current request's head, once parsed; `null` before. */
  get head(): RequestHead | null {
    return this.#head;
  }

  /**
   * Whether the connection may carry another request after this one:
   * HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with
   * `Connection: keep-alive`, never after a `Transfer-Encoding` in HTTP/1.0.
   */
  get keepAlive(): boolean {
    return this.#keepAlive;
  }

  /** Whether the request asks to switch protocols (`Connection: upgrade`). */
  get upgrade(): boolean {
    return this.reader.connectionUpgrade;
  }

  /** Whether part of a request has arrived and it is not complete. */
  get inProgress(): boolean {
    return this.received && !this.done && !this.failed;
  }

  /** Whether the head is complete (the body may still be arriving). */
  get headComplete(): boolean {
    return this.#head !== null;
  }

  /** The status to answer a failed request with (400, 413, ...); 0 before. */
  get errorStatus(): number {
    return this.#errorStatus;
  }

  /** Readies the parser for the next request on the connection. */
  reset(): void {
    this.#head = null;
    this.#keepAlive = false;
    this.resetMessage();
  }

  protected wrap(error: WireError): Error {
    this.#errorStatus = error.status;
    return error.reason;
  }

  /** Parses `method SP request-target SP HTTP-version`. */
  startLine(b: Uint8Array, s: number, e: number): void {
    let i = s;
    while (i < e && TOKEN[b[i]] === 1) i++;
    if (i === s || i === e || b[i] !== SP) {
      throw malformed(
        `Invalid request method: current value is ${quote(b, s, e)}`,
        latin1(b, s, e),
      );
    }
    const methodEnd = i++;
    const targetStart = i;
    let query = false;
    while (i < e && b[i] > SP && b[i] < 127) {
      if (b[i] === QUESTION) query = true;
      i++;
    }
    if (i === targetStart || i === e || b[i] !== SP) {
      throw malformed(
        `Invalid request target: current value is ${quote(b, s, e)}`,
        latin1(b, s, e),
      );
    }
    const targetEnd = i++;
    this.#version = version(b, i, e);
    this.#method = method(b, s, methodEnd);
    // A path repeats from request to request; a query may hold a token.
    this.#target = query
      ? latin1(b, targetStart, targetEnd)
      : sharedLatin1(b, targetStart, targetEnd);
    checkTarget(this.#method, this.#target);
  }

  protected endHead(): number {
    const reader = this.reader;
    const headers = reader.headers;
    const v11 = this.#version === HTTP_1_1;
    let keepAlive = v11
      ? !reader.connectionClose
      : reader.connectionKeepAlive && !reader.connectionClose;
    if (v11 && valueCount(headers, "host") !== 1) {
      const hosts = headers.getRawHeaders("host");
      throw malformed(
        hosts === undefined
          ? "Missing Host header in an HTTP/1.1 request"
          : `Repeated Host header: current values are ${
            JSON.stringify(hosts.join(", "))
          }`,
      );
    }
    let body = BODY_NONE;
    let length: number | null = 0;
    if (reader.transferEncoding !== null) {
      if (reader.contentLength !== null) {
        throw malformed(
          "Request has both Content-Length and Transfer-Encoding",
        );
      }
      this.#transferEncoding(reader.transferEncoding);
      body = BODY_CHUNKED;
      length = null;
      if (!v11) keepAlive = false;
    } else if (reader.contentLength !== null) {
      length = contentLength(reader.contentLength);
      if (length > this.maxBodySize) {
        throw new WireError(
          new BodyTooLargeError(this.maxBodySize, length),
          413,
        );
      }
      body = BODY_LENGTH;
      this.declaredLength = length;
    }
    this.#keepAlive = keepAlive;
    this.#head = {
      method: this.#method,
      target: this.#target,
      version: this.#version,
      headers,
      length,
    };
    return body;
  }

  protected announceHead(): void {
    this.handler.onRequest(this.#head as RequestHead);
  }

  /** Checks that chunked is the last and only coding. */
  #transferEncoding(values: string[]): void {
    const raw = values.join(",");
    const codings = transferCodings(values);
    for (const coding of codings) {
      if (coding !== "chunked" && !CODINGS.has(coding)) {
        throw malformed(
          `Unknown transfer coding: current value is ${JSON.stringify(raw)}`,
          raw,
          501,
        );
      }
    }
    if (!isChunked(codings, raw)) {
      throw malformed(
        `Invalid Transfer-Encoding: the final coding must be chunked, current value is ${
          JSON.stringify(raw)
        }`,
        raw,
      );
    }
    if (codings.length > 1) {
      throw malformed(
        `Unsupported transfer coding: current value is ${JSON.stringify(raw)}`,
        raw,
        501,
      );
    }
  }
}

/** Reads `HTTP/1.0` or `HTTP/1.1` from bytes `[s, e)`. */
function version(b: Uint8Array, s: number, e: number): HTTPVersion {
  if (
    e - s !== 8 || b[s] !== 72 || b[s + 1] !== 84 || b[s + 2] !== 84 ||
    b[s + 3] !== 80 || b[s + 4] !== 47 || !isDigit(b[s + 5]) ||
    b[s + 6] !== 46 || !isDigit(b[s + 7])
  ) {
    throw malformed(
      `Invalid HTTP version: current value is ${quote(b, s, e)}`,
      latin1(b, s, e),
    );
  }
  if (b[s + 5] === 49 && b[s + 7] === 49) return HTTP_1_1;
  if (b[s + 5] === 49 && b[s + 7] === 48) return HTTP_1_0;
  throw malformed(
    `Unsupported HTTP version: current value is ${quote(b, s, e)}`,
    latin1(b, s, e),
    505,
  );
}

/**
 * Checks the form of the request target (RFC 9112 section 3.2): a path for
 * most methods, an authority for CONNECT, `*` for OPTIONS, or an absolute
 * URI.
 */
function checkTarget(method: string, target: string): void {
  const first = target.charCodeAt(0);
  if (first === 47) return; // origin-form
  if (target === "*" && method === "OPTIONS") return;
  if (method === "CONNECT") {
    if (/^[^/?#@]+:\d+$/.test(target)) return;
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]+/.test(target)) {
    return; // absolute-form
  }
  throw malformed(
    `Invalid request target for ${method}: current value is ${
      JSON.stringify(target)
    }`,
    target,
  );
}
