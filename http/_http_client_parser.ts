/**
 * `HTTPClientParser`: an incremental, streaming HTTP/1.1 response parser, as
 * `twisted.web._newclient.HTTPClientParser` and the response side of
 * Tornado's `HTTP1Connection`, on the parser core the request parser shares.
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
 * A `Transfer-Encoding` whose final coding is not `chunked` makes the body
 * run to the close of the connection (RFC 9112 section 6.3), as llhttp
 * does. Only HTTP/1.0 and HTTP/1.1 status lines are accepted. Interim (1xx)
 * heads count against the same `maxHeaderSize` as the final head.
 *
 * Leniencies, as Twisted and Tornado: a bare LF ends a line of the head,
 * empty lines before the status line are skipped, obs-fold continuation lines
 * are joined with a space (RFC 9112 section 5.2 asks that of user agents),
 * except inside `Content-Length` and `Transfer-Encoding`; `strictLineEnds`
 * rejects both, as llhttp does. Field values and chunked framing are as
 * strict as for requests.
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import { HTAB, isDigit, SP } from "./_chars.ts";
import { contentLength, isChunked, transferCodings } from "./_framing.ts";
import { byteName, latin1, quote } from "./_latin1.ts";
import {
  BODY_CHUNKED,
  BODY_CLOSE,
  BODY_LENGTH,
  BODY_NEXT_HEAD,
  BODY_NONE,
  DEFAULT_MAX_HEADER_SIZE,
  HTTP_1_0,
  HTTP_1_1,
  MessageParser,
} from "./_message_parser.ts";
import { malformed, WireError } from "./_wire_error.ts";
import { ResponseFailed, ResponseNeverReceived } from "./client_errors.ts";
import { BodyTooLargeError, DataLoss } from "./errors.ts";
import type { Headers } from "./headers.ts";
import type { BodyFraming, HTTPVersion, ResponseHead } from "./interfaces.ts";

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
   * header lines and their line ends, the blank line included, with every
   * interim (1xx) head before it counted in the same budget (the trailer
   * block is counted separately). Tornado's `max_header_size`.
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
  /**
   * Reject a head whose lines end in a bare LF (or that folds a field value
   * over lines), as llhttp does. By default both are accepted, as Twisted,
   * Tornado, curl and Python's `http.client` accept them.
   *
   * @default {false}
   */
  strictLineEnds?: boolean;
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
 * import assert from "node:assert/strict";
 * const chunks: Uint8Array[] = [];
 * const parser = new HTTPClientParser({
 *   onHeaders(head) { assert.equal(head.code, 200); },
 *   onBody(chunk) { chunks.push(chunk.slice()); },
 *   onComplete() {},
 * });
 * const bytes = new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
 * );
 * parser.feed(bytes.subarray(0, 20));
 * parser.feed(bytes.subarray(20));
 * assert.ok(parser.done && parser.keepAlive);
 * ```
 */
export class HTTPClientParser extends MessageParser<ResponseParserHandler> {
  #isHead = false;
  #isConnect = false;
  #version: HTTPVersion = HTTP_1_1;
  #code = 0;
  #phrase = "";
  #head: ResponseHead | null = null;

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
    super(handler, {
      what: "Response",
      maxHeaderSize: options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
      maxBodySize: options.maxBodySize ?? Infinity,
      strict: options.strictLineEnds ?? false,
      startLineStatus: 431,
    });
    this.#setMethod(options.method ?? "GET");
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

  /**
   * Readies the parser for the next response on the same connection.
   *
   * @param method The method of the next request.
   */
  reset(method = "GET"): void {
    this.#setMethod(method);
    this.#head = null;
    this.resetMessage();
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
    if (this.done || this.failed) return;
    if (this.inCloseDelimitedBody) {
      this.complete(null);
      return;
    }
    const failure = Failure.from(reason);
    if (this.inHead) {
      this.fail(
        this.received
          ? new ResponseFailed([failure])
          : new ResponseNeverReceived([failure]),
      );
    }
    const head = this.#head as ResponseHead;
    const loss = new DataLoss(
      this.bodySize,
      head.framing === "length" ? head.length : null,
    );
    this.fail(new ResponseFailed([failure, new Failure(loss)], head));
  }

  #setMethod(method: string): void {
    this.#isHead = method === "HEAD";
    this.#isConnect = method === "CONNECT";
  }

  protected wrap(error: WireError): ResponseFailed {
    return new ResponseFailed(
      [new Failure(error.reason)],
      this.#head ?? undefined,
    );
  }

  /** Parses a status line; throws on anything but `HTTP/1.x NNN phrase`. */
  startLine(b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (
      n < 9 || b[s] !== 72 || b[s + 1] !== 84 || b[s + 2] !== 84 ||
      b[s + 3] !== 80 || b[s + 4] !== 47 || !isDigit(b[s + 5]) ||
      b[s + 6] !== 46 || !isDigit(b[s + 7]) || b[s + 8] !== SP
    ) {
      throw malformed(
        `Invalid status line: current value is ${quote(b, s, e)}`,
        latin1(b, s, e),
      );
    }
    const major = b[s + 5] - 48;
    const minor = b[s + 7] - 48;
    // Only the versions that exist: an unknown one (HTTP/1.9) cannot be
    // trusted to frame its body as HTTP/1.1 does (llhttp rejects it too).
    if (major !== 1 || minor > 1) {
      throw malformed(
        `Unsupported HTTP version: current value is "HTTP/${major}.${minor}"`,
        latin1(b, s, e),
      );
    }
    if (
      n < 12 || !isDigit(b[s + 9]) || b[s + 9] === 48 || !isDigit(b[s + 10]) ||
      !isDigit(b[s + 11]) || (n > 12 && b[s + 12] !== SP)
    ) {
      throw malformed(
        `Invalid status code: current value is ${
          quote(b, s + 9, Math.min(e, s + 13))
        }`,
        latin1(b, s, e),
      );
    }
    for (let i = s + 13; i < e; i++) {
      const c = b[i];
      if ((c < SP && c !== HTAB) || c === 127) {
        throw malformed(
          `Invalid reason phrase: byte ${byteName(c)} in ${
            quote(b, s + 13, e)
          }`,
          latin1(b, s, e),
        );
      }
    }
    this.#version = minor === 0 ? HTTP_1_0 : HTTP_1_1;
    this.#code = (b[s + 9] - 48) * 100 + (b[s + 10] - 48) * 10 + b[s + 11] - 48;
    this.#phrase = n > 13 ? latin1(b, s + 13, e) : "";
  }

  protected endHead(): number {
    const reader = this.reader;
    const code = this.#code;
    const version = this.#version;
    const headers = reader.headers;
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
      // Interim heads share the final head's budget: a server sending
      // endless 100 Continue heads is stopped at maxHeaderSize, not only by
      // a timeout.
      const used = reader.size;
      reader.beginHead();
      reader.size = used;
      this.handler.onInformational?.(interim);
      return BODY_NEXT_HEAD;
    }
    let framing: BodyFraming;
    let body: number;
    let length: number | null = null;
    let upgraded = false;
    let keepAlive = version[2] >= 1
      ? !reader.connectionClose
      : reader.connectionKeepAlive && !reader.connectionClose;
    if (code === 101 || (this.#isConnect && code < 300)) {
      framing = "none";
      body = BODY_NONE;
      length = 0;
      upgraded = true;
      keepAlive = false;
    } else if (this.#isHead || code === 204 || code === 304) {
      framing = "none";
      body = BODY_NONE;
      length = 0;
    } else if (reader.transferEncoding !== null) {
      const chunked = this.#transferEncoding(reader.transferEncoding);
      framing = chunked ? "chunked" : "close";
      body = chunked ? BODY_CHUNKED : BODY_CLOSE;
      if (
        !chunked || reader.contentLength !== null || version[2] === 0
      ) {
        keepAlive = false;
      }
    } else if (reader.contentLength !== null) {
      framing = "length";
      body = BODY_LENGTH;
      length = contentLength(reader.contentLength);
      if (length > this.maxBodySize) {
        throw new WireError(
          new BodyTooLargeError(this.maxBodySize, length),
          413,
        );
      }
      this.declaredLength = length;
    } else {
      framing = "close";
      body = BODY_CLOSE;
      keepAlive = false;
    }
    this.#head = {
      version,
      code,
      phrase: this.#phrase,
      headers,
      length,
      framing,
      keepAlive,
      upgraded,
    };
    return body;
  }

  protected announceHead(): void {
    this.handler.onHeaders(this.#head as ResponseHead);
  }

  /**
   * Whether chunked is the final transfer coding. Any other final coding
   * means the body runs to the close of the connection (RFC 9112 section
   * 6.3), whatever the codings are; only `chunked` applied twice is
   * malformed.
   */
  #transferEncoding(values: string[]): boolean {
    const codings = transferCodings(values);
    const last = codings.length - 1;
    if (last < 0 || codings[last] !== "chunked") return false;
    return isChunked(codings, values.join(","));
  }
}
