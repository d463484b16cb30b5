/**
 * Serialising HTTP/1.1 requests, as `twisted.web._newclient.Request.writeTo`
 * and the client side of Tornado's `HTTP1Connection.write_headers`: the
 * request line, `Host`, the caller's headers in order, a default
 * `User-Agent`, the body framing (`Content-Length` or
 * `Transfer-Encoding: chunked`), `Expect: 100-continue`, and the chunked
 * encoder for bodies of unknown length.
 *
 * The writer owns the framing headers: when it writes one, a
 * `Content-Length` or `Transfer-Encoding` among the caller's headers must
 * agree with it (it is then written once) or the call throws. When the
 * request has no body and the method is not POST, PUT or PATCH, the caller's
 * framing headers are written as given.
 *
 * @module
 */
import { allocate } from "../_util/slab.ts";
import { writeLatin1 } from "./_latin1.ts";
import { isFieldValue, isToken } from "./_chars.ts";
import { type Headers, rawFields } from "./headers.ts";
import manifest from "../deno.json" with { type: "json" };

/** The `User-Agent` sent when the caller sets none: `Torsion/` and the package's version. */
export const DEFAULT_USER_AGENT: string = `Torsion/${manifest.version}`;

// Methods whose requests carry a body: an empty one still gets
// "Content-Length: 0", which some servers require (411 otherwise). Twisted
// does it for PUT and POST, Python's http.client for PATCH too.
const METHODS_EXPECTING_BODY = new Set(["POST", "PUT", "PATCH"]);

const DEFAULT_PORTS: Record<string, string> = {
  "http:": "80",
  "https:": "443",
  "ws:": "80",
  "wss:": "443",
};

const encoder = new TextEncoder();

/** Options of {@linkcode encodeRequestHead}. */
export interface RequestHeadOptions {
  /** The method: an HTTP token, case-sensitive (`"GET"`, `"POST"`, ...). */
  method: string;
  /** The absolute URL requested; its host goes to `Host`, its path and query to the target. */
  url: URL | string;
  /**
   * The header fields to send, written in their order after `Host`. A
   * `Host` here replaces the one from `url`; a `User-Agent` the default.
   *
   * @default {undefined}
   */
  headers?: Headers;
  /**
   * The body that will follow the head: its length in bytes (sent as
   * `Content-Length`), `"chunked"` for a body of unknown length (sent as
   * `Transfer-Encoding: chunked`; write it with {@linkcode ChunkedEncoder}),
   * or `null` for none (POST, PUT and PATCH then get `Content-Length: 0`).
   *
   * @default {null}
   */
  bodyLength?: number | "chunked" | null;
  /**
   * Whether the request goes to a forward proxy: the target is then the
   * absolute URL (absolute-form), as proxies require.
   *
   * @default {false}
   */
  proxy?: boolean;
  /**
   * A request target to use as is instead of the one derived from `url`
   * and `method` (for example `"*"` for `OPTIONS *`). It must be visible
   * ASCII.
   *
   * @default {undefined}
   */
  target?: string;
  /**
   * Whether to send `Expect: 100-continue` and let the caller wait for the
   * interim response before the body. Only sent when there is a body, as
   * RFC 9110 section 10.1.1 requires. Tornado's `expect_100_continue`.
   *
   * @default {false}
   */
  expectContinue?: boolean;
  /**
   * The `User-Agent` to send when `headers` has none; `null` sends none.
   * Tornado's `user_agent`.
   *
   * @default {"Torsion/0.2.0"}
   */
  userAgent?: string | null;
  /**
   * Whether the connection is to be kept for further requests; `false`
   * sends `Connection: close` (unless `headers` has a `Connection`), as
   * Twisted's `Request(persistent=False)`.
   *
   * @default {true}
   */
  persistent?: boolean;
}

/** Options of {@linkcode encodeRequest}: a head and a body known in full. */
export interface RequestOptions
  extends Omit<RequestHeadOptions, "bodyLength" | "expectContinue"> {
  /**
   * The body: bytes as they are, a string encoded as UTF-8, or `null` for
   * none.
   *
   * @default {null}
   */
  body?: Uint8Array | string | null;
}

function toURL(url: URL | string): URL {
  return typeof url === "string" ? new URL(url) : url;
}

function checkTarget(target: string): void {
  let valid = target.length > 0;
  for (let i = 0; valid && i < target.length; i++) {
    const c = target.charCodeAt(i);
    valid = c > 0x20 && c < 0x7f;
  }
  if (!valid) {
    throw new TypeError(
      `Request target must be non-empty visible ASCII: current value is ${
        JSON.stringify(target)
      }`,
    );
  }
}

/**
 * The request target for `method` on `url`: origin-form (`/path?query`),
 * absolute-form (the whole URL, for a proxy) or authority-form
 * (`host:port`, for CONNECT). The fragment and the credentials are never
 * sent.
 *
 * @param method The request method.
 * @param url The absolute URL requested.
 * @param proxy Whether the request goes to a forward proxy.
 * @returns The request target.
 * @throws {TypeError} `url` is not a valid URL, or CONNECT is asked for a
 * URL with no port and no known default port.
 */
export function requestTarget(
  method: string,
  url: URL | string,
  proxy = false,
): string {
  const u = toURL(url);
  if (method === "CONNECT") {
    const port = u.port || DEFAULT_PORTS[u.protocol];
    if (port === undefined) {
      throw new TypeError(
        `CONNECT needs a port: current URL is ${JSON.stringify(u.href)}`,
      );
    }
    return `${u.hostname}:${port}`;
  }
  const path = u.pathname === "" ? "/" : u.pathname;
  if (proxy) return `${u.protocol}//${u.host}${path}${u.search}`;
  return `${path}${u.search}`;
}

/**
 * The `Host` header value for `url`: the host, with the port when it is
 * not the scheme's default, IPv6 addresses in brackets. Twisted's
 * `Agent._computeHostValue`.
 *
 * @param url The absolute URL requested.
 * @returns The `Host` value.
 * @throws {TypeError} `url` is not a valid URL.
 */
export function hostHeader(url: URL | string): string {
  return toURL(url).host;
}

function sameLength(values: readonly string[], length: number): boolean {
  const expected = String(length);
  return values.every((value) =>
    value.split(",").every((element) => element.trim() === expected)
  );
}

function isChunked(values: readonly string[]): boolean {
  return values.join(",").trim().toLowerCase() === "chunked";
}

/** Builds the head as a string whose characters are bytes. */
function headText(options: RequestHeadOptions): string {
  const { method, headers } = options;
  if (!isToken(method)) {
    throw new TypeError(
      `Method must be an HTTP token: current value is ${
        JSON.stringify(method)
      }`,
    );
  }
  const url = toURL(options.url);
  const target = options.target ?? requestTarget(method, url, options.proxy);
  checkTarget(target);
  const bodyLength = options.bodyLength ?? null;
  let framing: string | null = null;
  if (bodyLength === "chunked") {
    framing = "Transfer-Encoding: chunked\r\n";
  } else if (bodyLength !== null) {
    if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) {
      throw new RangeError(
        `bodyLength must be a non-negative integer or "chunked": current value is ${bodyLength}`,
      );
    }
    framing = `Content-Length: ${bodyLength}\r\n`;
  } else if (
    METHODS_EXPECTING_BODY.has(method) &&
    !headers?.hasHeader("content-length") &&
    !headers?.hasHeader("transfer-encoding")
  ) {
    framing = "Content-Length: 0\r\n";
  }

  let text = `${method} ${target} HTTP/1.1\r\n`;
  if (method === "CONNECT" && options.target === undefined) {
    if (!headers?.hasHeader("host")) text += `Host: ${target}\r\n`;
  } else if (!headers?.hasHeader("host")) {
    text += `Host: ${url.host}\r\n`;
  }
  if (headers !== undefined) {
    for (const { name, values } of rawFields(headers)) {
      if (framing !== null && (name.length === 14 || name.length === 17)) {
        const lower = name.toLowerCase();
        if (lower === "content-length") {
          if (
            typeof bodyLength === "number" && sameLength(values, bodyLength)
          ) {
            continue;
          }
          throw new TypeError(
            `Content-Length header conflicts with the body: header is ${
              JSON.stringify(values.join(", "))
            }, body is ${
              bodyLength === "chunked" ? "chunked" : `${bodyLength ?? 0} bytes`
            }`,
          );
        }
        if (lower === "transfer-encoding") {
          if (bodyLength === "chunked" && isChunked(values)) continue;
          throw new TypeError(
            `Transfer-Encoding header conflicts with the body: header is ${
              JSON.stringify(values.join(", "))
            }, body is ${bodyLength ?? 0} bytes`,
          );
        }
      }
      for (const value of values) text += `${name}: ${value}\r\n`;
    }
  }
  const userAgent = options.userAgent === undefined
    ? DEFAULT_USER_AGENT
    : options.userAgent;
  if (userAgent !== null && !headers?.hasHeader("user-agent")) {
    if (!isFieldValue(userAgent)) {
      throw new TypeError(
        `userAgent must be latin-1 without CR, LF or NUL: current value is ${
          JSON.stringify(userAgent)
        }`,
      );
    }
    text += `User-Agent: ${userAgent}\r\n`;
  }
  if (framing !== null) text += framing;
  if (
    options.expectContinue && !headers?.hasHeader("expect") &&
    (bodyLength === "chunked" || (bodyLength !== null && bodyLength > 0))
  ) {
    text += "Expect: 100-continue\r\n";
  }
  if (options.persistent === false && !headers?.hasHeader("connection")) {
    text += "Connection: close\r\n";
  }
  return `${text}\r\n`;
}

/**
 * Serialises a request's head: request line, header fields, blank line.
 * The caller writes the body after it: `bodyLength` bytes as they are, or
 * through a {@linkcode ChunkedEncoder} when `bodyLength` is `"chunked"`.
 * Mirrors `Request._writeHeaders` in Twisted's `_newclient`.
 *
 * @param options The request.
 * @returns The head's bytes (header values are written as latin-1).
 * @throws {TypeError} The method is not a token, the target is not visible
 * ASCII, the URL is invalid, `userAgent` is invalid, or a `Content-Length`
 * or `Transfer-Encoding` header conflicts with `bodyLength`.
 * @throws {RangeError} `bodyLength` is negative or not an integer.
 *
 * @example A streamed upload of unknown length
 * ```ts ignore
 * const head = encodeRequestHead({
 *   method: "PUT",
 *   url: "http://example.com:8080/upload",
 *   bodyLength: "chunked",
 * });
 * // PUT /upload HTTP/1.1, Host: example.com:8080, User-Agent: Torsion/0.2.0,
 * // Transfer-Encoding: chunked
 * ```
 */
export function encodeRequestHead(options: RequestHeadOptions): Uint8Array {
  const text = headText(options);
  // Bytes only a transport reads: cut from the shared slab.
  const out = allocate(text.length);
  writeLatin1(text, out);
  return out;
}

/**
 * Serialises a whole request whose body is known in full, head and body in
 * one buffer (one write, one copy of the body). `Content-Length` is the
 * body's byte length. For a large body, `encodeRequestHead` and a separate
 * write of the body avoid the copy.
 *
 * @param options The request and its body.
 * @returns The request's bytes.
 * @throws {TypeError} As {@linkcode encodeRequestHead}.
 *
 * @example A small POST
 * ```ts ignore
 * const bytes = encodeRequest({
 *   method: "POST",
 *   url: "http://example.com/items",
 *   body: '{"name":"x"}',
 * });
 * // ...Content-Length: 12\r\n\r\n{"name":"x"}
 * ```
 */
export function encodeRequest(options: RequestOptions): Uint8Array {
  const body = options.body ?? null;
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const text = headText({
    ...options,
    bodyLength: bytes === null ? null : bytes.length,
  });
  // Bytes only a transport reads: a small request is cut from the shared
  // slab rather than given a buffer of its own.
  if (bytes === null || bytes.length === 0) {
    const out = allocate(text.length);
    writeLatin1(text, out);
    return out;
  }
  const out = allocate(text.length + bytes.length);
  writeLatin1(text, out.subarray(0, text.length));
  out.set(bytes, text.length);
  return out;
}

/**
 * Frames one chunk of a chunked body: hex size, CRLF, the data, CRLF, in
 * one buffer. An empty `data` gives an empty buffer, since an empty chunk
 * would end the body: use {@linkcode encodeLastChunk} for that.
 *
 * @param data The chunk's bytes.
 * @returns The framed chunk.
 *
 * @example Framing one chunk
 * ```ts ignore
 * encodeChunk(new TextEncoder().encode("hello")); // "5\r\nhello\r\n"
 * ```
 */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  const prefix = `${data.length.toString(16)}\r\n`;
  const out = new Uint8Array(prefix.length + data.length + 2);
  encoder.encodeInto(prefix, out);
  out.set(data, prefix.length);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

/**
 * The end of a chunked body: the zero-size chunk, the trailer fields if
 * any, and the final CRLF.
 *
 * @param trailers Trailer fields to send after the body.
 * @returns `"0\r\n\r\n"`, or with trailer lines before the final CRLF.
 *
 * @example Ending a chunked body
 * ```ts ignore
 * encodeLastChunk(); // "0\r\n\r\n"
 * ```
 */
export function encodeLastChunk(trailers?: Headers): Uint8Array {
  let text = "0\r\n";
  if (trailers !== undefined) {
    for (const [name, value] of trailers) text += `${name}: ${value}\r\n`;
  }
  text += "\r\n";
  const out = new Uint8Array(text.length);
  writeLatin1(text, out);
  return out;
}

/** Where a {@linkcode ChunkedEncoder} writes: the part of a transport it needs. */
export interface ChunkSink {
  /** Writes bytes. */
  write(data: Uint8Array): void;
  /** Writes several byte strings in order, in one go if it can (Twisted's `writeSequence`). */
  writeSequence?(data: Uint8Array[]): void;
}

const CRLF = new Uint8Array([13, 10]);

/**
 * Writes a body of unknown length with chunked transfer coding. Mirrors
 * `twisted.web._newclient.ChunkedEncoder`: each `write` becomes one chunk,
 * `finish` writes the last chunk. A sink with `writeSequence` gets the size
 * line, the data and the CRLF without the data being copied.
 *
 * @example Streaming a body through a transport
 * ```ts ignore
 * const parts: Uint8Array[] = [];
 * const encoder = new ChunkedEncoder({ write: (b) => parts.push(b) });
 * encoder.write(new TextEncoder().encode("hello"));
 * encoder.finish(); // parts: "5\r\nhello\r\n", "0\r\n\r\n"
 * ```
 */
export class ChunkedEncoder {
  #sink: ChunkSink;
  #finished = false;

  /**
   * Creates an encoder writing to `sink`.
   *
   * @param sink The transport, or anything with `write`.
   */
  constructor(sink: ChunkSink) {
    this.#sink = sink;
  }

  /** Whether `finish` has been called. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Writes `data` as one chunk; empty data writes nothing.
   *
   * @param data The bytes.
   * @throws {TypeError} `finish` was called.
   */
  write(data: Uint8Array): void {
    if (this.#finished) {
      throw new TypeError("Cannot write to a ChunkedEncoder after finish");
    }
    if (data.length === 0) return;
    const sink = this.#sink;
    if (sink.writeSequence !== undefined) {
      const prefix = encoder.encode(`${data.length.toString(16)}\r\n`);
      sink.writeSequence([prefix, data, CRLF.slice()]);
    } else {
      sink.write(encodeChunk(data));
    }
  }

  /**
   * Writes the last chunk (and trailers), ending the body.
   *
   * @param trailers Trailer fields to send.
   * @throws {TypeError} `finish` was already called.
   */
  finish(trailers?: Headers): void {
    if (this.#finished) {
      throw new TypeError("Cannot finish a ChunkedEncoder twice");
    }
    this.#finished = true;
    this.#sink.write(encodeLastChunk(trailers));
  }
}
