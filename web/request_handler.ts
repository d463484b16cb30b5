/**
 * `RequestHandler`: the base class of Tornado-style handlers, as
 * `tornado.web.RequestHandler`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  addCheckedField,
  getByKey,
  hasKey,
  Headers,
  setFieldValue,
} from "../http/headers.ts";
import { statusHasBody } from "../http/_framing.ts";
import { reasonPhrase } from "../http/_responses.ts";
import { asciiText } from "../http/_latin1.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { CheckedStrings } from "../_util/checked_strings.ts";
import { encodeUtf8 } from "../_util/utf8.ts";
import type { IProtocol, ITransport } from "../reactor/interfaces.ts";
import { BodyArgumentsError, unquoteToBytes } from "./_body_arguments.ts";
import { escapeHTML } from "./_html.ts";
import { SETTLED } from "./_settled.ts";
import { etagListMatches } from "./_static.ts";
import { bodyEtag } from "./_etag.ts";
import {
  decodeXsrfToken,
  encodeXsrfToken,
  newXsrfToken,
  type RawXsrfToken,
  sameToken,
} from "./_xsrf.ts";
import {
  formatSetCookie,
  isSafeCookieText,
  quoteCookieValue,
} from "./_cookies.ts";
import type {
  RequestHandlerApplication,
  RequestHandlerSettings,
  SetCookieOptions,
} from "./interfaces.ts";
import { Finish, HTTPError, MissingArgumentError } from "./http_error.ts";
import type { HTTPServerRequest } from "./http_server_request.ts";
import type { OutputTransform } from "./output_transform.ts";
import { createSignedValue, decodeSignedValue } from "./secure_cookie.ts";

const logger = getLogger(["torsion", "web"]);
const EMPTY = new Uint8Array(0);
/** The transforms of a handler not run by an application: none. */
const NO_TRANSFORMS: readonly OutputTransform[] = Object.freeze([]);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/**
 * Arguments up to this length are read as ASCII when they are: most are,
 * and decoding them costs less than a call into the runtime.
 */
const MAX_ASCII_FAST = 256;
/** `%`, which starts an escape in a path group. */
const PERCENT = 0x25;
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\x00-\x08\x0e-\x1f]/g;
/** The handler method of each method, without a new string per request. */
const HANDLER_NAMES: ReadonlyMap<string, string> = new Map(
  ["GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS"].map((
    method,
  ) => [method, method.toLowerCase()]),
);
const REPRESENTATION_HEADERS = [
  "Content-Encoding",
  "Content-Language",
  "Content-Type",
];

/**
 * What a handler method returns: nothing, or a Promise or Deferred the
 * request waits for before it is finished automatically.
 */
export type HandlerResult = void | PromiseLike<unknown>;

/** What `write` accepts: text, bytes, or an object sent as JSON. */
export type WriteChunk = string | Uint8Array | Record<string, unknown>;

/** A header value: text, a number, or a date (written as an HTTP date). */
export type HeaderValue = string | number | Date;

/**
 * A handler class as an `Application` route names it: constructed with
 * the application and the request, then given its init arguments by
 * `initialize`.
 */
export type RequestHandlerClass = new (
  application: RequestHandlerApplication,
  request: HTTPServerRequest,
) => RequestHandler;

/** Options of {@linkcode RequestHandler.getSecureCookie}. */
export interface GetSecureCookieOptions {
  /**
   * A cookie signed longer ago than this many days reads as missing.
   * @default 31
   */
  maxAgeDays?: number;
  /**
   * The oldest signed-value format accepted.
   * @default 1
   */
  minVersion?: number;
}

/** What {@linkcode RequestHandler.writeError} is given. */
export interface WriteErrorOptions {
  /** The thrown value that caused the error, if one did (Tornado's `exc_info`). */
  excInfo?: unknown;
  /** The reason phrase, when not the standard one. */
  reason?: string;
}

/** The state of a streamed request body (`streamRequestBody`). */
interface BodyStream {
  /** Resolved once `prepare` is done: body pieces are delivered after it. */
  prepared: PromiseWithResolvers<void>;
  /** Each piece's delivery, after the one before. */
  chain: Promise<void>;
  /** Resolved once the whole body has arrived. */
  ended: PromiseWithResolvers<void>;
}

function newBodyStream(): BodyStream {
  const prepared = Promise.withResolvers<void>();
  return { prepared, chain: prepared.promise, ended: Promise.withResolvers() };
}

/**
 * Whether `text` holds a control character (U+0000 to U+001F), which
 * Tornado refuses in a header value (`_INVALID_HEADER_CHAR_RE`): a loop
 * costs less than a regular expression on values this short.
 */
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 0x20) return true;
  }
  return false;
}

/** The path arguments of a route without groups. */
const NO_ARGS = Object.freeze([]) as unknown as (string | undefined)[];
/**
 * The write buffer of a response nothing was written to: `write` replaces
 * it with an array of its own rather than adding to it, so most requests
 * make one array rather than two.
 */
const NO_PIECES = Object.freeze([]) as unknown as (Uint8Array | string)[];

/** Header values that passed `hasControlChar` lately (see `CheckedStrings`). */
const CHECKED_VALUES = new CheckedStrings();

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Handles one request, as Tornado's `tornado.web.RequestHandler`: subclass
 * it and define the methods for the HTTP methods you serve (`get`, `post`,
 * `put`, `patch`, `delete`, `head`, `options`), each taking the route's
 * groups as strings and returning nothing or a Promise (or Deferred). One
 * instance serves one request. The response is buffered until `flush` or
 * `finish`; a method that returns without finishing is finished for it.
 *
 * Errors: throw `HTTPError(status)` to answer with that status (logged at
 * warning level when it has a log message); anything else thrown answers
 * 500, logged once at error level under `["torsion", "web"]`, with the
 * stack in the body only when the application has `debug` set.
 *
 * Differences from Tornado: `initialize` receives the route's init
 * arguments as one object, and runs after the subclass's field
 * initializers; a route's named groups go to `pathKwargs` (the method then
 * gets no arguments, where Tornado passes them as keywords);
 * `setSecureCookie` and `getSecureCookie` return Promises (Web Crypto is
 * asynchronous); the default `ETag` of a body up to 16 KiB is a 64-bit
 * hash rather than SHA-1; an error after the head was sent aborts the
 * connection rather than finishing a truncated response.
 *
 * @example A JSON handler on an application
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, RequestHandler } from "@torsion/torsion/web";
 * class Hello extends RequestHandler {
 *   override get(name: string): void {
 *     this.write({ hello: name });
 *   }
 * }
 * const app = new Application([[String.raw`/hello/(\w+)`, Hello]]);
 * const server = app.listen(0, { address: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${server.port}/hello/deno`);
 * assert.equal(response.headers.get("content-type"), "application/json; charset=UTF-8");
 * assert.deepEqual(await response.json(), { hello: "deno" });
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export class RequestHandler {
  /**
   * The methods this handler class accepts; others answer 405. Tornado's
   * `SUPPORTED_METHODS`.
   */
  static SUPPORTED_METHODS: readonly string[] = [
    "GET",
    "HEAD",
    "POST",
    "DELETE",
    "PATCH",
    "PUT",
    "OPTIONS",
  ];

  /** The application that routed the request here. */
  readonly application: RequestHandlerApplication;
  /** The request being handled. */
  readonly request: HTTPServerRequest;
  /**
   * The route's unnamed groups, decoded, in order (`undefined` for an
   * optional group that did not take part).
   */
  get pathArgs(): (string | undefined)[] {
    return this.#pathArgs ??= [];
  }
  set pathArgs(value: (string | undefined)[]) {
    this.#pathArgs = value;
  }
  /** The route's named groups, decoded. */
  get pathKwargs(): Record<string, string> {
    return this.#pathKwargs ??= {};
  }
  set pathKwargs(value: Record<string, string>) {
    this.#pathKwargs = value;
  }
  // Made when first read: most routes have no groups.
  #pathArgs: (string | undefined)[] | null = null;
  #pathKwargs: Record<string, string> | null = null;
  #headers!: Headers;
  #status = 200;
  #reason = "OK";
  /**
   * What was written and not yet sent: text is kept as it is and encoded
   * only when it is sent (see `#writtenBytes`).
   */
  #writeBuffer!: (Uint8Array | string)[];
  /** The bytes of the `Uint8Array` pieces of `#writeBuffer`. */
  #writeLength = 0;
  /** How many pieces of `#writeBuffer` are text. */
  #textPieces = 0;
  #headersWritten = false;
  #finished = false;
  #newCookies: Map<string, string> | null = null;
  #transforms: readonly OutputTransform[] = NO_TRANSFORMS;
  #stream: BodyStream | undefined;

  /**
   * Creates the handler of one request. The application makes one per
   * request (a test may make one with a hand-built `HTTPServerRequest`);
   * put per-route setup in `initialize`.
   *
   * @param application The application.
   * @param request The request.
   */
  constructor(
    application: RequestHandlerApplication,
    request: HTTPServerRequest,
  ) {
    this.application = application;
    this.request = request;
    this.clear();
  }

  /**
   * Called with the route's init arguments right after construction, as
   * Tornado's `initialize(**kwargs)`: store them on `this`.
   *
   * @param _initArgs The third element of the route (`{}` when absent).
   *
   * @example Receiving a dependency
   * ```ts
   * import { RequestHandler } from "@torsion/torsion/web";
   * class Items extends RequestHandler {
   *   store: Map<string, string> = new Map();
   *   override initialize(args: { store: Map<string, string> }): void {
   *     this.store = args.store;
   *   }
   * }
   * ```
   */
  initialize(_initArgs: object): void {}

  /** The application's settings. Tornado's `settings`. */
  get settings(): RequestHandlerSettings {
    return this.application.settings;
  }

  /**
   * Called before the method handler; may return a Promise. Finishing the
   * response here skips the method. Tornado's `prepare`.
   *
   * @returns Nothing, or a Promise the method waits for.
   */
  prepare(): HandlerResult {}

  /**
   * Called once the response has been sent, for cleanup and logging.
   * Tornado's `on_finish`.
   */
  onFinish(): void {}

  /**
   * Called when the client goes away before the response is finished, so
   * a long-polling handler can stop. Tornado's `on_connection_close`.
   */
  onConnectionClose(): void {}

  /**
   * Called by `clear()` at the start of each response and before an error
   * page: set headers every response of this handler should carry.
   * Tornado's `set_default_headers`.
   */
  setDefaultHeaders(): void {}

  /**
   * Handles `GET`; by default answers 405. Tornado's `get`.
   *
   * @param _args The route's groups.
   * @returns Nothing, or a Promise or Deferred.
   * @throws {HTTPError} 405 unless overridden.
   */
  get(..._args: string[]): HandlerResult {
    throw new HTTPError(405);
  }

  /**
   * Handles `HEAD`; by default answers 405 (as Tornado, HEAD is not served
   * by `get` unless you say so). Tornado's `head`.
   *
   * @param _args The route's groups.
   * @returns Nothing, or a Promise or Deferred.
   * @throws {HTTPError} 405 unless overridden.
   */
  head(..._args: string[]): HandlerResult {
    throw new HTTPError(405);
  }

  /**
   * Handles `POST`; by default answers 405. Tornado's `post`.
   *
   * @param _args The route's groups.
   * @returns Nothing, or a Promise or Deferred.
   * @throws {HTTPError} 405 unless overridden.
   */
  post(..._args: string[]): HandlerResult {
    throw new HTTPError(405);
  }

  /**
   * Handles `DELETE`; by default answers 405. Tornado's `delete`.
   *
   * @param _args The route's groups.
   * @returns Nothing, or a Promise or Deferred.
   * @throws {HTTPError} 405 unless overridden.
   */
  delete(..._args: string[]): HandlerResult {
    throw new HTTPError(405);
  }

  /**
   * Handles `PATCH`; by default answers 405. Tornado's `patch`.
   *
   * @param _args The route's groups.
   * @returns Nothing, or a Promise or Deferred.
   * @throws {HTTPError} 405 unless overridden.
   */
  patch(..._args: string[]): HandlerResult {
    throw new HTTPError(405);
  }

  /**
   * Handles `PUT`; by default answers 405. Tornado's `put`.
   *
   * @param _args The route's groups.
   * @returns Nothing, or a Promise or Deferred.
   * @throws {HTTPError} 405 unless overridden.
   */
  put(..._args: string[]): HandlerResult {
    throw new HTTPError(405);
  }

  /**
   * Handles `OPTIONS`; by default answers 405. Tornado's `options`.
   *
   * @param _args The route's groups.
   * @returns Nothing, or a Promise or Deferred.
   * @throws {HTTPError} 405 unless overridden.
   */
  options(..._args: string[]): HandlerResult {
    throw new HTTPError(405);
  }

  /**
   * Receives a piece of the request body, for a class marked with
   * `streamRequestBody`; the next piece waits for a returned Promise.
   * Tornado's `data_received`.
   *
   * @param _chunk The piece (the handler's own copy).
   * @returns Nothing, or a Promise the next piece waits for.
   */
  dataReceived(_chunk: Uint8Array): HandlerResult {}

  /**
   * Hands a piece of a streamed body to `dataReceived`, in order and after
   * `prepare`. Called by the application.
   *
   * @param chunk The piece.
   */
  receiveBodyChunk(chunk: Uint8Array): void {
    const stream = this.#stream ??= newBodyStream();
    stream.chain = stream.chain.then(() =>
      this.#finished ? undefined : this.dataReceived(chunk)
    ).then(
      () => {},
      (error: unknown) => this.#handleRequestException(error),
    );
  }

  /** Tells a streaming handler the body is complete. Called by the application. */
  receiveBodyEnd(): void {
    (this.#stream ??= newBodyStream()).ended.resolve();
  }

  /**
   * Resets the headers, status and buffered body of the response.
   * Tornado's `clear`.
   */
  clear(): void {
    this.#headers = new Headers();
    addCheckedField(
      this.#headers,
      "content-type",
      "Content-Type",
      "text/html; charset=UTF-8",
    );
    this.setDefaultHeaders();
    this.#writeBuffer = NO_PIECES;
    this.#writeLength = 0;
    this.#textPieces = 0;
    this.#status = 200;
    this.#reason = "OK";
  }

  /**
   * Sets the response status. Tornado's `set_status`.
   *
   * @param statusCode The status code.
   * @param reason The reason phrase; the standard one (or `"Unknown"`) by default.
   * @throws {RangeError} The code is not an integer from 100 to 999.
   */
  setStatus(statusCode: number, reason?: string): void {
    if (
      !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999
    ) {
      throw new RangeError(
        `Status code must be an integer from 100 to 999: current value is ${statusCode}`,
      );
    }
    this.#status = statusCode;
    this.#reason = reason ?? reasonPhrase(statusCode);
  }

  /**
   * The response status. Tornado's `get_status`.
   *
   * @returns The status code.
   */
  getStatus(): number {
    return this.#status;
  }

  #convertHeaderValue(value: HeaderValue): string {
    const text = typeof value === "string"
      ? value
      : value instanceof Date
      ? value.toUTCString()
      : typeof value === "number"
      ? String(value)
      : value;
    if (typeof text === "string" && CHECKED_VALUES.has(text)) return text;
    if (typeof text !== "string" || hasControlChar(text)) {
      throw new TypeError(
        `Unsafe header value: current value is ${JSON.stringify(text)}`,
      );
    }
    CHECKED_VALUES.add(text);
    return text;
  }

  /**
   * Sets a response header, replacing any value it had. Tornado's
   * `set_header`.
   *
   * @param name The field name.
   * @param value The value; a `Date` is written as an HTTP date.
   * @throws {TypeError} The name is not a token or the value holds a
   * control character.
   */
  setHeader(name: string, value: HeaderValue): void {
    setFieldValue(this.#headers, name, this.#convertHeaderValue(value));
  }

  /**
   * Adds a value to a response header (for fields that may repeat).
   * Tornado's `add_header`.
   *
   * @param name The field name.
   * @param value The value.
   * @throws {TypeError} The name is not a token or the value holds a
   * control character.
   */
  addHeader(name: string, value: HeaderValue): void {
    this.#headers.addRawHeader(name, this.#convertHeaderValue(value));
  }

  /**
   * Removes a response header. Tornado's `clear_header`.
   *
   * @param name The field name.
   */
  clearHeader(name: string): void {
    this.#headers.removeHeader(name);
  }

  /** The response headers set so far (read them; change them with `setHeader`). */
  get responseHeaders(): Headers {
    return this.#headers;
  }

  /**
   * The last value of an argument from the query or the form body,
   * decoded as UTF-8, control characters replaced by spaces. Tornado's
   * `get_argument`.
   *
   * @param name The argument name.
   * @returns The value.
   * @throws {MissingArgumentError} The argument is absent (answered 400).
   * @throws {HTTPError} 400 when the value is not UTF-8.
   *
   * @example Required and optional arguments
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, HTTPServerRequest, RequestHandler } from "@torsion/torsion/web";
   * const handler = new RequestHandler(
   *   new Application(),
   *   new HTTPServerRequest({ uri: "/?q=+deno+&tag=a&tag=b" }),
   * );
   * assert.equal(handler.getArgument("q"), "deno");
   * assert.equal(handler.getArgument("page", "1"), "1");
   * assert.deepEqual(handler.getArguments("tag"), ["a", "b"]);
   * assert.throws(() => handler.getArgument("page"), { statusCode: 400 });
   * ```
   */
  getArgument(name: string): string;
  /**
   * The last value of an argument, or `defaultValue` when it is absent.
   *
   * @param name The argument name.
   * @param defaultValue What to return when absent.
   * @param strip Whether to trim whitespace.
   * @returns The value or the default.
   * @throws {HTTPError} 400 when the value is not UTF-8.
   */
  getArgument<D>(name: string, defaultValue: D, strip?: boolean): string | D;
  getArgument<D>(
    name: string,
    ...rest: [D?, boolean?]
  ): string | D {
    return this.#getArgument(name, this.request.arguments, rest);
  }

  /**
   * Every value of an argument from the query and the form body.
   * Tornado's `get_arguments`.
   *
   * @param name The argument name.
   * @param strip Whether to trim whitespace.
   * @returns The values, `[]` when absent.
   * @throws {HTTPError} 400 when a value is not UTF-8.
   */
  getArguments(name: string, strip = true): string[] {
    return this.#getArguments(name, this.request.arguments, strip);
  }

  /**
   * As {@linkcode getArgument}, from the form body only. Tornado's
   * `get_body_argument`.
   *
   * @param name The argument name.
   * @returns The value.
   * @throws {MissingArgumentError} The argument is absent.
   */
  getBodyArgument(name: string): string;
  /**
   * As {@linkcode getArgument} with a default, from the form body only.
   *
   * @param name The argument name.
   * @param defaultValue What to return when absent.
   * @param strip Whether to trim whitespace.
   * @returns The value or the default.
   */
  getBodyArgument<D>(
    name: string,
    defaultValue: D,
    strip?: boolean,
  ): string | D;
  getBodyArgument<D>(name: string, ...rest: [D?, boolean?]): string | D {
    return this.#getArgument(name, this.request.bodyArguments, rest);
  }

  /**
   * As {@linkcode getArguments}, from the form body only. Tornado's
   * `get_body_arguments`.
   *
   * @param name The argument name.
   * @param strip Whether to trim whitespace.
   * @returns The values.
   */
  getBodyArguments(name: string, strip = true): string[] {
    return this.#getArguments(name, this.request.bodyArguments, strip);
  }

  /**
   * As {@linkcode getArgument}, from the query only. Tornado's
   * `get_query_argument`.
   *
   * @param name The argument name.
   * @returns The value.
   * @throws {MissingArgumentError} The argument is absent.
   */
  getQueryArgument(name: string): string;
  /**
   * As {@linkcode getArgument} with a default, from the query only.
   *
   * @param name The argument name.
   * @param defaultValue What to return when absent.
   * @param strip Whether to trim whitespace.
   * @returns The value or the default.
   */
  getQueryArgument<D>(
    name: string,
    defaultValue: D,
    strip?: boolean,
  ): string | D;
  getQueryArgument<D>(name: string, ...rest: [D?, boolean?]): string | D {
    return this.#getArgument(name, this.request.queryArguments, rest);
  }

  /**
   * As {@linkcode getArguments}, from the query only. Tornado's
   * `get_query_arguments`.
   *
   * @param name The argument name.
   * @param strip Whether to trim whitespace.
   * @returns The values.
   */
  getQueryArguments(name: string, strip = true): string[] {
    return this.#getArguments(name, this.request.queryArguments, strip);
  }

  #getArgument<D>(
    name: string,
    source: Record<string, Uint8Array[]>,
    rest: [D?, boolean?],
  ): string | D {
    const values = this.#getArguments(name, source, rest[1] ?? true);
    if (values.length === 0) {
      if (rest.length === 0) throw new MissingArgumentError(name);
      return rest[0] as D;
    }
    return values[values.length - 1];
  }

  #getArguments(
    name: string,
    source: Record<string, Uint8Array[]>,
    strip: boolean,
  ): string[] {
    const values = source[name] ?? [];
    return values.map((value) => {
      const text = this.decodeArgument(value, name).replace(
        CONTROL_CHARS,
        " ",
      );
      return strip ? text.trim() : text;
    });
  }

  /**
   * Decodes an argument or path group from bytes; override to accept
   * another encoding. Tornado's `decode_argument`.
   *
   * @param value The raw bytes.
   * @param name The argument name, absent for a path group.
   * @returns The text.
   * @throws {HTTPError} 400 when the bytes are not UTF-8.
   */
  decodeArgument(value: Uint8Array, name?: string): string {
    if (value.length <= MAX_ASCII_FAST) {
      const ascii = asciiText(value);
      if (ascii !== null) return ascii;
    }
    try {
      return strictUtf8.decode(value);
    } catch {
      throw new HTTPError(400, `Invalid unicode in ${name ?? "url"}`);
    }
  }

  /** The cookies the client sent, by name. Tornado's `cookies`. */
  get cookies(): Record<string, string> {
    return this.request.cookies;
  }

  /**
   * The value of a cookie the client sent. Tornado's `get_cookie`.
   *
   * @param name The cookie name.
   * @returns The value, or `undefined` when absent.
   */
  getCookie(name: string): string | undefined;
  /**
   * The value of a cookie, or `defaultValue` when absent.
   *
   * @param name The cookie name.
   * @param defaultValue What to return when absent.
   * @returns The value or the default.
   */
  getCookie<D>(name: string, defaultValue: D): string | D;
  getCookie<D>(name: string, defaultValue?: D): string | D | undefined {
    return name in this.request.cookies
      ? this.request.cookies[name]
      : defaultValue;
  }

  /**
   * Sets a cookie on the response (`Path=/` unless told otherwise).
   * Tornado's `set_cookie`; the value is quoted as Python's cookies quote
   * it when it holds characters outside the cookie token set.
   *
   * @param name The cookie name.
   * @param value The value.
   * @param options `domain`, `path`, `expires` or `expiresDays`, `maxAge`,
   * `secure`, `httpOnly`, `sameSite`.
   * @throws {TypeError} The name or value holds whitespace or a control
   * character, or an attribute holds `;`.
   *
   * @example A session cookie
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, HTTPServerRequest, RequestHandler } from "@torsion/torsion/web";
   * const handler = new RequestHandler(new Application(), new HTTPServerRequest());
   * handler.setCookie("sid", "abc", { httpOnly: true });
   * assert.deepEqual(handler.pendingCookies(), ["sid=abc; Path=/; HttpOnly"]);
   * ```
   */
  setCookie(name: string, value: string, options: SetCookieOptions = {}): void {
    if (!isSafeCookieText(name) || !isSafeCookieText(value)) {
      throw new TypeError(
        `Invalid cookie ${JSON.stringify(name)}: current value is ${
          JSON.stringify(value)
        }`,
      );
    }
    const { expiresDays, ...attributes } = options;
    if (expiresDays !== undefined && attributes.expires === undefined) {
      attributes.expires = new Date(Date.now() + expiresDays * 86_400_000);
    }
    attributes.path ??= "/";
    (this.#newCookies ??= new Map()).set(
      name,
      formatSetCookie(name, quoteCookieValue(value), attributes),
    );
  }

  /**
   * Tells the client to delete a cookie (an empty value that expired a
   * year ago). Tornado's `clear_cookie`.
   *
   * @param name The cookie name.
   * @param options The `path` and `domain` the cookie was set with.
   */
  clearCookie(
    name: string,
    options: Pick<SetCookieOptions, "path" | "domain"> = {},
  ): void {
    this.setCookie(name, "", {
      ...options,
      expires: new Date(Date.now() - 365 * 86_400_000),
    });
  }

  /**
   * Deletes every cookie the client sent. Tornado's `clear_all_cookies`.
   *
   * @param options The `path` and `domain` the cookies were set with.
   */
  clearAllCookies(
    options: Pick<SetCookieOptions, "path" | "domain"> = {},
  ): void {
    for (const name in this.request.cookies) this.clearCookie(name, options);
  }

  /**
   * The `Set-Cookie` values this response will carry, in order.
   *
   * @returns The formatted values.
   */
  pendingCookies(): string[] {
    return this.#newCookies === null ? [] : [...this.#newCookies.values()];
  }

  #cookieSecret(): NonNullable<RequestHandlerSettings["cookieSecret"]> {
    const secret = this.settings.cookieSecret;
    if (secret === undefined || secret === "") {
      throw new TypeError(
        "Cannot use secure cookies without the cookieSecret setting: current value is undefined",
      );
    }
    return secret;
  }

  /**
   * Signs and timestamps a value with the `cookieSecret` setting and sets
   * it as a cookie, so it cannot be forged. Tornado's `set_secure_cookie`
   * (version 2 format, readable by Tornado with the same secret); returns
   * a Promise because Web Crypto signs asynchronously, so `await` it
   * before finishing.
   *
   * @param name The cookie name.
   * @param value The value (signed, not encrypted: the client can read it).
   * @param options Cookie options; `expiresDays` defaults to 30.
   * @returns A Promise that settles once the cookie is set.
   * @throws {TypeError} No `cookieSecret` setting.
   *
   * @example Signing a user id
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, HTTPServerRequest, RequestHandler } from "@torsion/torsion/web";
   * const app = new Application([], { cookieSecret: "a long random secret" });
   * const handler = new RequestHandler(app, new HTTPServerRequest());
   * await handler.setSecureCookie("user", "alice");
   * assert.match(handler.pendingCookies()[0], /^user="2\|1:0\|10:\d+\|4:user\|8:YWxpY2U=\|[0-9a-f]{64}"; Expires=/);
   * ```
   */
  async setSecureCookie(
    name: string,
    value: string | Uint8Array,
    options: SetCookieOptions = {},
  ): Promise<void> {
    const signed = await createSignedValue(this.#cookieSecret(), name, value, {
      keyVersion: this.settings.keyVersion,
    });
    this.setCookie(name, signed, { expiresDays: 30, ...options });
  }

  /**
   * The value of a cookie set by `setSecureCookie` (here or by Tornado with
   * the same secret), or `undefined` when it is absent, tampered with,
   * signed for another name or older than `maxAgeDays`. Tornado's
   * `get_secure_cookie`, decoded as UTF-8 (Tornado returns bytes).
   *
   * @param name The cookie name.
   * @param value The signed value to read instead of the request's cookie.
   * @param options `maxAgeDays` (31) and `minVersion`.
   * @returns A Promise of the value or `undefined`.
   * @throws {TypeError} No `cookieSecret` setting.
   */
  async getSecureCookie(
    name: string,
    value?: string,
    options: GetSecureCookieOptions = {},
  ): Promise<string | undefined> {
    const decoded = await decodeSignedValue(
      this.#cookieSecret(),
      name,
      value ?? this.getCookie(name),
      options,
    );
    return decoded === null ? undefined : new TextDecoder().decode(decoded);
  }

  #currentUser: { value: unknown } | undefined;

  /**
   * The authenticated user of this request, whatever the application
   * uses for one: from `getCurrentUser()` the first time it is read, or as
   * set (typically in an async `prepare`). Tornado's `current_user`.
   *
   * @example Setting the user in prepare
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, HTTPServerRequest, RequestHandler } from "@torsion/torsion/web";
   * class Page extends RequestHandler {
   *   override getCurrentUser(): unknown {
   *     return this.getCookie("user") ?? null;
   *   }
   * }
   * const page = new Page(new Application(), new HTTPServerRequest());
   * assert.equal(page.currentUser, null);
   * page.currentUser = "ann";
   * assert.equal(page.currentUser, "ann");
   * ```
   */
  get currentUser(): unknown {
    this.#currentUser ??= { value: this.getCurrentUser() };
    return this.#currentUser.value;
  }

  set currentUser(value: unknown) {
    this.#currentUser = { value };
  }

  /**
   * Override to find the user of this request (synchronously; load it in
   * `prepare` when that needs I/O). Tornado's `get_current_user`.
   *
   * @returns The user, or `null` when nobody is logged in.
   */
  getCurrentUser(): unknown {
    return null;
  }

  /**
   * Where `authenticated` sends users who are not logged in: the
   * `loginUrl` setting. Tornado's `get_login_url`.
   *
   * @returns The login URL.
   * @throws {TypeError} The `loginUrl` setting is absent.
   */
  getLoginUrl(): string {
    const url = this.settings.loginUrl;
    if (typeof url !== "string") {
      throw new TypeError(
        `Cannot use authenticated without the loginUrl setting: current value is ${
          String(url)
        }`,
      );
    }
    return url;
  }

  /**
   * Takes the connection out of HTTP, for protocols that upgrade it
   * (WebSocket): the handler counts as finished and nothing more is
   * written by it. Call it only after writing a `101 Switching Protocols`
   * head on `request.connection`. Tornado's `detach`.
   *
   * @param protocol The protocol that takes the connection over (see
   *   `HTTPServerRequestChannel.detach`).
   * @returns The transport and any bytes already read past the request.
   * @throws {TypeError} The request has no connection.
   */
  detach(
    protocol?: IProtocol,
  ): { transport: ITransport; buffered: Uint8Array } {
    const connection = this.request.connection;
    if (connection === undefined) {
      throw new TypeError(
        "Cannot detach a request made without a connection: current connection is undefined",
      );
    }
    this.#finished = true;
    return connection.detach(protocol);
  }

  #xsrfToken: string | undefined;

  #rawXsrfToken(): { raw: RawXsrfToken; fromCookie: boolean } {
    const cookie = this.getCookie(this.settings.xsrfCookieName ?? "_xsrf");
    const decoded = cookie === undefined ? null : decodeXsrfToken(cookie);
    return decoded === null
      ? { raw: newXsrfToken(), fromCookie: false }
      : { raw: decoded, fromCookie: true };
  }

  /**
   * The XSRF token of this user, to send back with every form or
   * non-`GET` request (`xsrfFormHtml()`, or an `X-XSRFToken` header):
   * read from the `_xsrf` cookie, or made and set as that cookie. The
   * value differs on each request (masked) while the token stays the
   * same. Tornado's `xsrf_token`, in its version 2 format.
   *
   * @example A token and the form field carrying it
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, HTTPServerRequest, RequestHandler } from "@torsion/torsion/web";
   * const handler = new RequestHandler(new Application(), new HTTPServerRequest());
   * assert.match(handler.xsrfToken, /^2\|[0-9a-f]{8}\|[0-9a-f]{32}\|\d+$/);
   * assert.match(handler.pendingCookies()[0], /^_xsrf="?2\|/);
   * assert.match(handler.xsrfFormHtml(), /^<input type="hidden" name="_xsrf" value="2\|/);
   * ```
   */
  get xsrfToken(): string {
    if (this.#xsrfToken === undefined) {
      const { raw, fromCookie } = this.#rawXsrfToken();
      this.#xsrfToken = encodeXsrfToken(raw);
      if (!fromCookie) {
        const options: SetCookieOptions = {
          ...this.settings.xsrfCookieKwargs,
        };
        if (this.currentUser && options.expiresDays === undefined) {
          options.expiresDays = 30;
        }
        this.setCookie(
          this.settings.xsrfCookieName ?? "_xsrf",
          this.#xsrfToken,
          options,
        );
      }
    }
    return this.#xsrfToken;
  }

  /**
   * Checks that the request carries the user's XSRF token (the `_xsrf`
   * argument, or an `X-XSRFToken` or `X-CSRFToken` header) matching the
   * `_xsrf` cookie. Called before `prepare` for every method but `GET`,
   * `HEAD` and `OPTIONS` when the `xsrfCookies` setting is on. Tornado's
   * `check_xsrf_cookie`.
   *
   * @throws {HTTPError} 403 when the token is missing, malformed or does
   * not match.
   */
  checkXsrfCookie(): void {
    const sent = this.getArgument("_xsrf", null) ??
      this.request.headers.get("x-xsrftoken") ??
      this.request.headers.get("x-csrftoken");
    if (!sent) throw new HTTPError(403, "'_xsrf' argument missing from POST");
    const token = decodeXsrfToken(sent);
    if (token === null) {
      throw new HTTPError(403, "'_xsrf' argument has invalid format");
    }
    const expected = this.#rawXsrfToken();
    if (!expected.fromCookie || !sameToken(token.token, expected.raw.token)) {
      throw new HTTPError(403, "XSRF cookie does not match POST argument");
    }
  }

  /**
   * A hidden form field carrying `xsrfToken`, for forms posted back to an
   * application with `xsrfCookies` on. Tornado's `xsrf_form_html`.
   *
   * @returns The `<input>` element.
   */
  xsrfFormHtml(): string {
    return `<input type="hidden" name="_xsrf" value="${
      escapeHTML(this.xsrfToken)
    }"/>`;
  }

  /**
   * Adds to the response body (buffered until `flush` or `finish`): text
   * as UTF-8, bytes as they are, a plain object as JSON with `Content-Type:
   * application/json; charset=UTF-8`. Tornado's `write`; as in Tornado,
   * arrays are refused (a JSON array at the top level could be read by
   * another site). Bytes are kept, not copied, until they are sent: do
   * not change them after writing.
   *
   * @param chunk What to write.
   * @throws {TypeError} After `finish`, or `chunk` is not text, bytes or a
   * plain object.
   */
  write(chunk: WriteChunk): void {
    if (this.#finished) {
      throw new TypeError(
        "Cannot write() after finish(): the response is sent",
      );
    }
    let piece: Uint8Array | string;
    if (typeof chunk === "string") {
      piece = chunk;
    } else if (chunk instanceof Uint8Array) {
      piece = chunk;
    } else if (isPlainObject(chunk)) {
      const json = JSON.stringify(chunk);
      // Most JSON has no "</": a search that finds none costs less than a
      // replace that replaces none.
      piece = json.includes("</") ? json.replaceAll("</", "<\\/") : json;
      this.setHeader("Content-Type", "application/json; charset=UTF-8");
    } else {
      throw new TypeError(
        `write() only accepts a string, a Uint8Array or a plain object (not an array): current value is ${
          Array.isArray(chunk) ? "an array" : typeof chunk
        }`,
      );
    }
    if (piece.length === 0) return;
    const buffer = this.#writeBuffer;
    // Most responses are one write: an array of one, rather than the room
    // for seventeen that a first push makes.
    if (buffer.length === 0) this.#writeBuffer = [piece];
    else buffer.push(piece);
    if (typeof piece === "string") this.#textPieces++;
    else this.#writeLength += piece.length;
  }

  /**
   * The pieces written so far as bytes, the text among them encoded now:
   * into the shared slab (see `encodeUtf8`), as the bytes go straight to
   * the connection, which costs far less than a buffer for each piece.
   */
  #writtenBytes(): Uint8Array[] {
    const buffer = this.#writeBuffer;
    if (this.#textPieces > 0) {
      for (let i = 0; i < buffer.length; i++) {
        const piece = buffer[i];
        if (typeof piece !== "string") continue;
        const bytes = encodeUtf8(piece);
        buffer[i] = bytes;
        this.#writeLength += bytes.length;
      }
      this.#textPieces = 0;
    }
    return buffer as Uint8Array[];
  }

  /** Whether the response head has been sent. Tornado's `_headers_written`. */
  get headersWritten(): boolean {
    return this.#headersWritten;
  }

  /** Whether `finish` has been called. Tornado's `_finished`. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Sends what has been written so far (the head first, the first time).
   * Tornado's `flush`. Writes after the client went away are dropped.
   *
   * @param includeFooters Whether this is the last piece (used by `finish`).
   * @returns A Promise that settles once the data is handed to the connection.
   */
  flush(includeFooters = false): Promise<void> {
    const written = this.#writtenBytes();
    let chunk = written.length === 0
      ? EMPTY
      : joinChunks(written, this.#writeLength);
    this.#writeBuffer = NO_PIECES;
    this.#writeLength = 0;
    const connection = this.request.connection;
    const head = this.request.method === "HEAD";
    if (!this.#headersWritten) {
      this.#headersWritten = true;
      for (const transform of this.#transforms) {
        chunk = transform.transformFirstChunk(
          this.#status,
          this.#headers,
          chunk,
          includeFooters,
        );
      }
      const cookies = this.#newCookies;
      if (cookies !== null) {
        for (const cookie of cookies.values()) {
          this.#headers.addRawHeader("Set-Cookie", cookie);
        }
      }
      // A client gone before the head is dropped quietly, as Tornado's
      // write_headers on a closed stream: the handler still finishes.
      if (connection?.finished === false) {
        connection.writeHead(
          this.#status,
          this.#reason,
          this.#headers,
          head || chunk.length === 0 ? undefined : chunk,
        );
      }
    } else {
      for (const transform of this.#transforms) {
        chunk = transform.transformChunk(chunk, includeFooters);
      }
      if (!head && chunk.length > 0 && connection?.finished === false) {
        connection.write(chunk);
      }
    }
    return SETTLED;
  }

  /**
   * Ends the response, writing `chunk` first if given. Before the head is
   * sent it adds an `ETag` to a 200 answer to `GET`/`HEAD` (answering 304
   * when the client's `If-None-Match` matches) and a `Content-Length`.
   * Then it logs the request and calls `onFinish`. Tornado's `finish`.
   *
   * @param chunk What to write before finishing.
   * @returns A Promise that settles once the response is handed over.
   * @throws {TypeError} When called twice.
   */
  finish(chunk?: WriteChunk): Promise<void> {
    if (this.#finished) {
      throw new TypeError("finish() called twice: the response is sent");
    }
    if (chunk !== undefined) this.write(chunk);
    if (!this.#headersWritten) {
      const method = this.request.method;
      if (
        this.#status === 200 && (method === "GET" || method === "HEAD") &&
        !hasKey(this.#headers, "etag")
      ) {
        this.setEtagHeader();
        if (this.checkEtagHeader()) {
          this.#writeBuffer = NO_PIECES;
          this.#writeLength = 0;
          this.#textPieces = 0;
          this.setStatus(304);
        }
      }
      const status = this.#status;
      this.#writtenBytes();
      if (!statusHasBody(status)) {
        if (this.#writeLength > 0) {
          throw new TypeError(`Cannot send a body with status ${status}`);
        }
        for (const name of REPRESENTATION_HEADERS) this.clearHeader(name);
      } else if (!hasKey(this.#headers, "content-length")) {
        addCheckedField(
          this.#headers,
          "content-length",
          "Content-Length",
          String(this.#writeLength),
        );
      }
    }
    const flushed = this.flush(true);
    this.request.connection?.finish();
    this.request.markFinished();
    this.#finished = true;
    this.application.logRequest(this);
    try {
      this.onFinish();
    } catch (error) {
      logger.error("Uncaught exception in onFinish: {error}", { error });
    }
    return flushed;
  }

  /**
   * The ETag of the response body: a hash of what was written, or
   * `undefined` for none. Override to use another validator. Tornado's
   * `compute_etag`, which hashes with SHA-1; here a body up to 16 KiB gets
   * a faster 64-bit hash, a larger one SHA-1.
   *
   * @returns The ETag with its quotes, or `undefined`.
   */
  computeEtag(): string | undefined {
    const written = this.#writtenBytes();
    return bodyEtag(written, this.#writeLength);
  }

  /** Sets the `ETag` header from `computeEtag`. Tornado's `set_etag_header`. */
  setEtagHeader(): void {
    const etag = this.computeEtag();
    if (etag !== undefined) this.setHeader("Etag", etag);
  }

  /**
   * Whether the client's `If-None-Match` matches the response's `ETag`
   * (weak comparison; `*` matches anything). Tornado's `check_etag_header`.
   *
   * @returns `true` when the client's copy is current.
   */
  checkEtagHeader(): boolean {
    const etag = getByKey(this.#headers, "etag");
    const header = getByKey(this.request.headers, "if-none-match");
    if (etag === undefined || header === undefined) return false;
    return etagListMatches(header, etag);
  }

  /**
   * The URL of a file under the `staticPath` setting, with `?v=` and the
   * MD5 of its content so it can be cached for ten years and still
   * change. Tornado's `static_url`.
   *
   * @param path The file's path under `staticPath`.
   * @param includeHost Prefix `protocol://host` of this request.
   * @param includeVersion Add the version.
   * @returns The URL.
   * @throws {TypeError} The `staticPath` setting is absent.
   *
   * @example The URL of a stylesheet
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, HTTPServerRequest, RequestHandler } from "@torsion/torsion/web";
   * const root = await Deno.makeTempDir();
   * await Deno.writeTextFile(`${root}/site.css`, "body{}");
   * const app = new Application([], { staticPath: root });
   * const handler = new RequestHandler(app, new HTTPServerRequest({ host: "example.com" }));
   * assert.match(handler.staticUrl("site.css"), /^\/static\/site\.css\?v=[0-9a-f]{32}$/);
   * assert.equal(handler.staticUrl("site.css", true, false), "http://example.com/static/site.css");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  staticUrl(path: string, includeHost = false, includeVersion = true): string {
    if (this.settings.staticPath === undefined) {
      throw new TypeError(
        "Cannot make a staticUrl without the staticPath setting: current value is undefined",
      );
    }
    const url = this.application.staticHandlerClass.makeStaticUrl(
      this.settings,
      path,
      includeVersion,
    );
    return includeHost
      ? `${this.request.protocol}://${this.request.host}${url}`
      : url;
  }

  /**
   * Redirects to `url` and finishes. Tornado's `redirect`.
   *
   * @param url Where to send the client (non-ASCII characters are
   * percent-encoded).
   * @param permanent 301 instead of 302.
   * @param status Another 3xx status.
   * @throws {TypeError} The head was already sent.
   * @throws {RangeError} `status` is not a 3xx code.
   */
  redirect(url: string, permanent = false, status?: number): void {
    if (this.#headersWritten) {
      throw new TypeError(
        "Cannot redirect after headers have been written: current status is " +
          this.#status,
      );
    }
    const code = status ?? (permanent ? 301 : 302);
    if (!Number.isInteger(code) || code < 300 || code > 399) {
      throw new RangeError(
        `Redirect status must be a 3xx code: current value is ${code}`,
      );
    }
    this.setStatus(code);
    this.setHeader(
      "Location",
      url.replace(/[^\x20-\x7e]/gu, (char) => encodeURIComponent(char)),
    );
    this.finish();
  }

  /**
   * The URL of a named route, with `args` in its groups. Tornado's
   * `reverse_url`.
   *
   * @param name The route name.
   * @param args The values of its groups.
   * @returns The path.
   * @throws {RangeError} No route has that name.
   */
  reverseUrl(name: string, ...args: (string | number)[]): string {
    return this.application.reverseUrl(name, ...args);
  }

  /**
   * Answers with an error page for `statusCode` (through `writeError`),
   * dropping anything written. Once the head has been sent an error page
   * cannot be, so the connection is aborted (Tornado finishes instead,
   * which makes a truncated response look complete). Tornado's `send_error`.
   *
   * @param statusCode The status code.
   * @param options The thrown value (`excInfo`) and a `reason` phrase.
   */
  sendError(statusCode = 500, options: WriteErrorOptions = {}): void {
    if (this.#headersWritten) {
      logger.error("Cannot send error response after headers written");
      if (!this.#finished) {
        this.request.connection?.abort();
        this.#finishWithoutResponse();
      }
      return;
    }
    this.clear();
    const error = options.excInfo;
    const reason = error instanceof HTTPError && error.reason !== undefined
      ? error.reason
      : options.reason;
    this.setStatus(statusCode, reason);
    try {
      this.writeError(statusCode, options);
    } catch (writeError) {
      logger.error("Uncaught exception in writeError: {error}", {
        error: writeError,
      });
    }
    if (!this.#finished) this.finish();
  }

  #finishWithoutResponse(): void {
    this.request.markFinished();
    this.#finished = true;
    this.application.logRequest(this);
    try {
      this.onFinish();
    } catch (error) {
      logger.error("Uncaught exception in onFinish: {error}", { error });
    }
  }

  /**
   * Writes the body of an error page; override for custom pages. By
   * default a small HTML page with the status, or, when the application
   * has `debug` (or `serveTraceback`) set and an error was thrown, its
   * stack as plain text. Tornado's `write_error`.
   *
   * @param statusCode The status code.
   * @param options The thrown value (`excInfo`), if any.
   */
  writeError(statusCode: number, options: WriteErrorOptions = {}): void {
    const error = options.excInfo;
    const traceback = this.settings.serveTraceback ?? this.settings.debug;
    if (traceback && error !== undefined) {
      this.setHeader("Content-Type", "text/plain; charset=UTF-8");
      this.finish(
        error instanceof Error ? String(error.stack ?? error) : String(error),
      );
      return;
    }
    const title = `${statusCode}: ${escapeHTML(this.#reason)}`;
    this.finish(
      `<html><title>${title}</title><body>${title}</body></html>`,
    );
  }

  /**
   * Logs a thrown value once: an `HTTPError` at warning level with its log
   * message (not at all without one), anything else at error level with
   * the request. Tornado's `log_exception`.
   *
   * @param error The thrown value.
   */
  logException(error: unknown): void {
    if (error instanceof HTTPError) {
      if (error.logMessage !== undefined) {
        logger.warning("{status} {summary}: {message}", {
          status: error.statusCode,
          summary: this.requestSummary(),
          message: error.logMessage,
        });
      }
      return;
    }
    logger.error("Uncaught exception {summary}: {error}", {
      summary: this.requestSummary(),
      error,
    });
  }

  /**
   * `METHOD uri (remote ip)`, as the logs show a request. Tornado's
   * `_request_summary`.
   *
   * @returns The summary.
   */
  requestSummary(): string {
    return `${this.request.method} ${this.request.uri} (${this.request.remoteIp})`;
  }

  /**
   * Runs the request: checks the method, parses the body, decodes the
   * path groups (percent-decoded to bytes, then `decodeArgument`), then
   * `prepare`, the method handler and, unless it finished the response,
   * `finish`. Called by the application; Tornado's `_execute`.
   *
   * @param transforms The output transforms (gzip) for this response.
   * @param args The route's unnamed groups, still percent-encoded.
   * @param kwargs The route's named groups, still percent-encoded.
   * @param streaming Whether the body arrives later through
   *   `receiveBodyChunk` and `receiveBodyEnd` (`streamRequestBody`).
   * @returns A Promise that settles once the handler is done.
   */
  execute(
    transforms: OutputTransform[],
    args: (string | undefined)[],
    kwargs: Record<string, string>,
    streaming = false,
  ): Promise<void> {
    this.#transforms = transforms;
    const stream = streaming ? this.#stream ??= newBodyStream() : undefined;
    // Synchronous until a step returns a Promise: a handler that answers at
    // once costs no async frame (the most common case).
    try {
      const supported = (this.constructor as typeof RequestHandler)
        .SUPPORTED_METHODS;
      if (!supported.includes(this.request.method)) throw new HTTPError(405);
      if (stream === undefined) {
        try {
          this.request.parseBody();
        } catch (error) {
          if (error instanceof BodyArgumentsError) {
            throw new HTTPError(400, `Invalid body: ${error.message}`);
          }
          throw error;
        }
      }
      if (args.length > 0) {
        this.pathArgs = args.map((arg) =>
          arg === undefined ? undefined : this.#decodeGroup(arg)
        );
      }
      for (const name in kwargs) {
        this.pathKwargs[name] = this.#decodeGroup(kwargs[name], name);
      }
      const method = this.request.method;
      if (
        this.settings.xsrfCookies && method !== "GET" && method !== "HEAD" &&
        method !== "OPTIONS"
      ) {
        this.checkXsrfCookie();
      }
      const prepared = this.prepare();
      if (isThenable(prepared) || stream !== undefined) {
        return this.#executeAfterPrepare(prepared, stream);
      }
      if (this.#finished) return SETTLED;
      const result = this.#callMethod();
      if (isThenable(result)) return this.#finishAfter(result);
      if (!this.#finished) this.finish();
    } catch (error) {
      try {
        this.#handleRequestException(error);
      } catch (escaped) {
        // Rejects, as from the async steps, rather than throwing at the caller.
        return Promise.reject(escaped);
      }
    }
    return SETTLED;
  }

  /**
   * A path group as `decodeArgument` reads its percent-decoded bytes. A
   * group of ASCII without `%` is its own decoding, unless a subclass
   * decodes otherwise: making its bytes and reading them back cost about a
   * microsecond, a fifth of what answering a static file from memory does.
   */
  #decodeGroup(group: string, name?: string): string {
    if (
      this.decodeArgument === DEFAULT_DECODE_ARGUMENT && isPlainGroup(group)
    ) {
      return group;
    }
    return this.decodeArgument(unquoteToBytes(group), name);
  }

  /** The rest of `execute` once `prepare` returned a Promise or the body streams. */
  async #executeAfterPrepare(
    prepared: HandlerResult,
    stream: BodyStream | undefined,
  ): Promise<void> {
    try {
      if (isThenable(prepared)) await prepared;
      if (this.#finished) return;
      if (stream !== undefined) {
        stream.prepared.resolve();
        await stream.ended.promise;
        await stream.chain;
        if (this.#finished) return;
      }
      const result = this.#callMethod();
      if (isThenable(result)) await result;
      if (!this.#finished) this.finish();
    } catch (error) {
      this.#handleRequestException(error);
    }
  }

  /** Finishes the response once the method's Promise settles. */
  async #finishAfter(result: PromiseLike<unknown>): Promise<void> {
    try {
      await result;
      if (!this.#finished) this.finish();
    } catch (error) {
      this.#handleRequestException(error);
    }
  }

  /** Calls the method handler of the request's method with the path arguments. */
  #callMethod(): HandlerResult {
    const method = this.request.method;
    const handle = (this as unknown as Record<
      string,
      (...args: (string | undefined)[]) => HandlerResult
    >)[HANDLER_NAMES.get(method) ?? method.toLowerCase()];
    return handle.apply(this, this.#pathArgs ?? NO_ARGS);
  }

  #handleRequestException(error: unknown): void {
    if (error instanceof Finish) {
      if (!this.#finished) this.finish(error.chunk);
      return;
    }
    try {
      this.logException(error);
    } catch (logError) {
      logger.error("Error in exception logger: {error}", { error: logError });
    }
    if (this.#finished) return;
    if (error instanceof HTTPError) {
      this.sendError(error.statusCode, { excInfo: error });
    } else {
      this.sendError(500, { excInfo: error });
    }
  }

  /**
   * Called by the application when the client went away: runs
   * `onConnectionClose` unless the response was already finished.
   */
  connectionLost(): void {
    if (this.#finished) return;
    try {
      this.onConnectionClose();
    } catch (error) {
      logger.error("Uncaught exception in onConnectionClose: {error}", {
        error,
      });
    }
  }
}

/** The default `decodeArgument`, which a plain path group needs no bytes for. */
const DEFAULT_DECODE_ARGUMENT = RequestHandler.prototype.decodeArgument;

/** Whether a path group is ASCII without a `%` escape. */
function isPlainGroup(group: string): boolean {
  for (let i = 0; i < group.length; i++) {
    const c = group.charCodeAt(i);
    if (c > 0x7f || c === PERCENT) return false;
  }
  return true;
}
