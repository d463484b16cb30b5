/**
 * `Request`: one HTTP request as a resource sees it and answers it, as
 * `twisted.web.server.Request` (with the `twisted.web.http.Request` it
 * extends).
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import { statusHasBody } from "../http/_framing.ts";
import { reasonPhrase } from "../http/_responses.ts";
import {
  addCheckedField,
  getByKey,
  hasKey,
  Headers,
  setFieldValue,
} from "../http/headers.ts";
import { versionText } from "../http/_message_parser.ts";
import { encodeUtf8 } from "../_util/utf8.ts";
import type { HTTPServerRequestChannel } from "../http/server_interfaces.ts";
import type { IAddress, IProducer } from "../reactor/interfaces.ts";
import {
  BodyArgumentsError,
  emptyArguments,
  type FileMap,
  isFormContentType,
  parseBodyArguments,
  parseQsBytes,
  unquoteToBytes,
} from "./_body_arguments.ts";
import { formatSetCookie, isSafeCookieText, parseCookie } from "./_cookies.ts";
import { escapeHTML } from "./_html.ts";
import { formatHTTPDate, parseHTTPDate } from "./_static.ts";
import { CACHED } from "./cached.ts";
import type { IRequest, IRequestEncoder } from "./interfaces.ts";
import type { Session } from "./session.ts";
import type { SetCookieAttributes } from "./set_cookie_attributes.ts";
import { UnsupportedMethod } from "./errors.ts";
import { NOT_DONE_YET } from "./not_done_yet.ts";
import { ErrorPage, type IResource, type RenderBody } from "./resource.ts";

const logger = getLogger(["torsion", "web"]);
/** The body of a request without one; it has no byte to change. */
const NO_CONTENT = new Uint8Array(0);
const encoder = new TextEncoder();
const utf8 = new TextDecoder();

/**
 * The methods HTTP defines: an unknown one without a renderer is answered
 * 501, a known one 405. Twisted's `twisted.web.server.supportedMethods`.
 */
const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "TRACE",
  "CONNECT",
  "PATCH",
]);

/**
 * What a `Request` needs from its site: where to find the resource for a
 * request, and whether failures show their traceback. `Site` provides it.
 */
export interface RequestSite {
  /** Whether a 500 page shows the error and its stack. */
  readonly displayTracebacks: boolean;
  /** The resource that renders `request` (Twisted's `Site.getResourceFor`). */
  getResourceFor(request: Request): IResource;
  /** A new session (Twisted's `Site.makeSession`). */
  makeSession(): Session;
  /** The live session with id `uid` (Twisted's `Site.getSession`). */
  getSession(uid: string): Session | undefined;
}

/**
 * The cookie attributes of {@linkcode Request.addCookie}, Twisted's keyword
 * arguments (`max_age` is `maxAge`, `path` ...). Every field defaults to
 * absent.
 */
export type AddCookieOptions = SetCookieAttributes;

/**
 * One HTTP request, as a resource reads it and answers it. Mirrors
 * Twisted's `twisted.web.server.Request`: the request line and headers,
 * the query and form arguments, the body, the traversal state, and the
 * methods that write the response. The `Site` makes one per request and
 * renders it with the resource its path leads to.
 *
 * Names are Twisted's; text is strings: header names and values are
 * latin-1 strings (the client's `Headers`), path segments are
 * percent-decoded UTF-8, and `args` values stay bytes, as in Twisted.
 *
 * @example Answering later with write and finish
 * ```ts
 * import assert from "node:assert/strict";
 * import { NOT_DONE_YET, Request, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * class Echo extends Resource {
 *   override isLeaf = true;
 *   render_POST(request: Request): typeof NOT_DONE_YET {
 *     request.setHeader("Content-Type", "text/plain");
 *     request.write(request.content);
 *     queueMicrotask(() => request.finish());
 *     return NOT_DONE_YET;
 *   }
 * }
 * const channel = new DummyChannel({ method: "POST", target: "/", body: "ping" });
 * channel.serve(new Site(new Echo()));
 * await channel.notifyFinish();
 * assert.equal(channel.text(), "ping");
 * ```
 */
export class Request implements IRequest {
  /** The method, as sent (`GET`, `POST`, ...). */
  method: string;
  /** The request-target, as sent: path and query. */
  readonly uri: string;
  /** The path part of `uri`, still percent-encoded. */
  readonly path: string;
  /** The protocol version of the request line, `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly clientproto: string;
  /**
   * The query and form arguments: name to values in order, values as bytes
   * (Twisted's `request.args`, whose values are bytes too). Urlencoded and
   * `multipart/form-data` bodies of a `POST` are included, uploaded files
   * as their content.
   */
  get args(): Record<string, Uint8Array[]> {
    return this.#args ??= emptyArguments<Uint8Array>();
  }
  set args(value: Record<string, Uint8Array[]>) {
    this.#args = value;
  }
  /** The request body. Mirrors `request.content` (a file there). */
  content: Uint8Array = NO_CONTENT;
  /** The path segments traversed so far (percent-decoded). */
  get prepath(): string[] {
    return this.#prepath ??= [];
  }
  set prepath(value: string[]) {
    this.#prepath = value;
  }
  /** The path segments not traversed yet (percent-decoded). */
  get postpath(): string[] {
    return this.#postpath ??= [];
  }
  set postpath(value: string[]) {
    this.#postpath = value;
  }
  /** The `prepath` when the site was reached, as Twisted's `sitepath`. */
  get sitepath(): string[] {
    return this.#sitepath ??= [];
  }
  set sitepath(value: string[]) {
    this.#sitepath = value;
  }
  /** The request's header fields. */
  readonly requestHeaders: Headers;
  /** The response's header fields, sent with the first write. */
  readonly responseHeaders: Headers = new Headers();
  /** The response status code. @default 200 */
  code = 200;
  /** The response reason phrase. @default "OK" */
  codeMessage = "OK";
  /** The `Set-Cookie` values added with `addCookie`, in order. */
  get cookies(): string[] {
    return this.#cookies ??= [];
  }
  /** Body bytes written so far. */
  sentLength = 0;
  /** Whether the response head has been written. */
  startedWriting = false;
  /** Whether `finish` has been called. */
  finished = false;
  /** The site serving the request, once it is being processed. */
  site: RequestSite | null = null;
  /** The connection side this request is answered on. */
  readonly channel: HTTPServerRequestChannel;
  /**
   * What encodes the body as it is written (gzip), set by an
   * `EncodingResourceWrapper`. Twisted's `Request._encoder`.
   */
  encoder: IRequestEncoder | null = null;

  #disconnected = false;
  #lostReason: Failure | null = null;
  #lastModified: number | null = null;
  #secureSession: Session | null = null;
  #insecureSession: Session | null = null;
  #notifications: Deferred<void>[] | null = null;
  #producer: IProducer | null = null;
  #receivedCookies: Record<string, string> | null = null;
  // Made when first read: most requests have neither query nor form, and
  // the map is a dictionary-mode object.
  #args: Record<string, Uint8Array[]> | undefined;
  // The path arrays and the cookies are made when first read too: `process`
  // replaces two of them, the site the third, and most responses set no
  // cookie.
  #prepath: string[] | null = null;
  #postpath: string[] | null = null;
  #sitepath: string[] | null = null;
  #cookies: string[] | null = null;

  /**
   * Makes the request for the head `channel` answers. The site's delegate
   * calls this; a test builds one over a `DummyChannel`.
   *
   * @param channel The channel of the request.
   * @param site The site that processes it.
   */
  constructor(
    channel: HTTPServerRequestChannel,
    site: RequestSite | null = null,
  ) {
    this.channel = channel;
    this.site = site;
    const head = channel.head;
    this.method = head.method;
    this.uri = head.target;
    this.clientproto = versionText(head.version);
    this.requestHeaders = head.headers;
    const target = originForm(head.target);
    const query = target.indexOf("?");
    this.path = query < 0 ? target : target.slice(0, query);
  }

  /** The cookies the client sent. Twisted's `received_cookies`. */
  get receivedCookies(): Record<string, string> {
    // Parsed when first read: most requests never look.
    return this.#receivedCookies ??= parseCookie(
      this.requestHeaders.getRawHeaders("cookie", []).join(";"),
    );
  }

  /**
   * Takes the complete body, parses the arguments and processes the
   * request. Mirrors Twisted's `Request.requestReceived`; a malformed form
   * is answered with 400, as Twisted does.
   *
   * @param content The request body.
   */
  requestReceived(content: Uint8Array): void {
    this.content = content;
    const query = this.uri.indexOf("?");
    try {
      if (query >= 0) {
        this.args = parseQsBytes(this.uri.slice(query + 1), true);
      }
      const contentType = getByKey(this.requestHeaders, "content-type") ?? "";
      if (
        this.method === "POST" && content.length > 0 &&
        isFormContentType(contentType)
      ) {
        const files: FileMap = emptyArguments();
        parseBodyArguments(
          contentType,
          content,
          this.args,
          files,
          this.requestHeaders,
        );
        for (const name in files) {
          for (const file of files[name]) {
            (this.args[name] ??= []).push(file.body);
          }
        }
      }
    } catch (error) {
      if (!(error instanceof BodyArgumentsError)) {
        this.processingFailed(Failure.from(error));
        return;
      }
      this.setResponseCode(400);
      this.setHeader("Content-Type", "text/plain; charset=utf-8");
      this.setHeader("Connection", "close");
      this.write("Bad Request: malformed form body");
      this.finish();
      return;
    }
    this.process();
  }

  /**
   * Finds the resource for the path and renders it; an error thrown on
   * the way becomes a 500 through `processingFailed`. Mirrors Twisted's
   * `Request.process`.
   */
  process(): void {
    try {
      // A new empty prepath, as Twisted's `self.prepath = []`, made when
      // first read.
      this.#prepath = null;
      this.postpath = pathSegments(this.path);
      const site = this.site;
      if (site === null) {
        throw new TypeError("Cannot process a Request without a site");
      }
      this.render(site.getResourceFor(this));
    } catch (error) {
      this.processingFailed(Failure.from(error));
    }
  }

  /**
   * Renders `resource` and sends what it returns, or leaves the request to
   * it on `NOT_DONE_YET`. A missing renderer is answered 405 with `Allow`
   * (501 for a method HTTP does not define); `HEAD` sends the headers of
   * the `GET` without its body. Mirrors Twisted's `Request.render`.
   *
   * @param resource The resource found for the request.
   */
  render(resource: IResource): void {
    let result;
    try {
      result = resource.render(this);
    } catch (error) {
      if (!(error instanceof UnsupportedMethod)) throw error;
      result = this.#unsupported(error.allowedMethods);
    }
    if (isPromiseLike(result)) {
      Promise.resolve(result).then((body) => {
        if (!this.#disconnected && !this.finished) this.#send(body);
      }).catch((error: unknown) => {
        this.processingFailed(Failure.from(error));
      });
      return;
    }
    this.#send(result);
  }

  #send(body: RenderBody | typeof NOT_DONE_YET): void {
    if (body === NOT_DONE_YET) return;
    if (typeof body !== "string" && !(body instanceof Uint8Array)) {
      throw new TypeError(
        `A render must return a string, bytes or NOT_DONE_YET: current value is ${
          String(body)
        }`,
      );
    }
    const bytes = typeof body === "string" ? this.#encode(body) : body;
    // A HEAD renderer that returns nothing has set the length it means.
    if (this.method !== "HEAD" || bytes.length > 0) {
      this.#setKnownHeader(
        "content-length",
        "Content-Length",
        String(bytes.length),
      );
    }
    this.write(bytes);
    this.finish();
  }

  #unsupported(allowedMethods: readonly string[]): RenderBody {
    const method = this.method;
    if (KNOWN_METHODS.has(method)) {
      this.setHeader("Allow", allowedMethods.join(", "));
      const plural = allowedMethods.length > 1 ? "s" : "";
      return new ErrorPage(
        405,
        "Method Not Allowed",
        `Your browser approached me (at ${this.uri}) with the method "${method}". ` +
          `I only allow the method${plural} ${allowedMethods.join(", ")} here.`,
      ).render(this);
    }
    return new ErrorPage(
      501,
      "Huh?",
      `I don't know how to treat a ${method} request.`,
    ).render(this);
  }

  /**
   * Answers 500 after a render threw or its Deferred failed, and logs the
   * failure once under `["torsion", "web"]`. The page shows the error and
   * its stack only when the site's `displayTracebacks` is set. When the
   * response head is already out, the connection is aborted instead, so
   * the client sees a truncated response rather than a wrong one. Mirrors
   * Twisted's `Request.processingFailed`, except that it returns nothing
   * rather than `reason`: `d.addErrback((f) => request.processingFailed(f))`
   * then ends the Deferred's failure, so it is not logged a second time as
   * an unhandled error.
   *
   * @param reason The failure.
   */
  processingFailed(reason: Failure): void {
    logger.error("Processing of {method} {uri} failed: {traceback}", {
      method: this.method,
      uri: this.uri,
      traceback: reason.getTraceback(),
      failure: reason,
    });
    if (this.#disconnected || this.finished) return;
    if (this.startedWriting) {
      this.channel.abort();
      return;
    }
    const body = this.site?.displayTracebacks
      ? "<html><head><title>web.Server Traceback (most recent call last)</title></head>" +
        "<body><b>web.Server Traceback (most recent call last):</b>\n\n<pre>" +
        escapeHTML(reason.getTraceback()) + "</pre>\n\n</body></html>\n"
      : "<html><head><title>Processing Failed</title></head><body>" +
        "<b>Processing Failed</b></body></html>";
    const bytes = encoder.encode(body);
    this.setResponseCode(500);
    this.setHeader("Content-Type", "text/html");
    this.setHeader("Content-Length", String(bytes.length));
    this.write(bytes);
    this.finish();
  }

  /**
   * The last value of a request header, or `undefined`. Mirrors Twisted's
   * `Request.getHeader`.
   *
   * @param name The field name, in any case.
   * @returns The value.
   */
  getHeader(name: string): string | undefined {
    return this.requestHeaders.getRawHeaders(name)?.at(-1);
  }

  /**
   * Every request header with its last value, names in lower case.
   * Mirrors Twisted's `Request.getAllHeaders`.
   *
   * @returns A record with no prototype.
   */
  getAllHeaders(): Record<string, string> {
    const all = Object.create(null) as Record<string, string>;
    for (const [name, values] of this.requestHeaders.getAllRawHeaders()) {
      if (values.length > 0) {
        all[name.toLowerCase()] = values[values.length - 1];
      }
    }
    return all;
  }

  /**
   * The user name of a Basic `Authorization` header, `""` without one.
   * Mirrors Twisted's `Request.getUser`.
   *
   * @returns The user name.
   */
  getUser(): string {
    return this.#basicCredentials()[0];
  }

  /**
   * The password of a Basic `Authorization` header, `""` without one.
   * Mirrors Twisted's `Request.getPassword`.
   *
   * @returns The password.
   */
  getPassword(): string {
    return this.#basicCredentials()[1];
  }

  #basicCredentials(): [string, string] {
    const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(
      this.getHeader("authorization") ?? "",
    );
    if (match === null) return ["", ""];
    let decoded: string;
    try {
      decoded = utf8.decode(
        Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0)),
      );
    } catch {
      return ["", ""];
    }
    const colon = decoded.indexOf(":");
    return colon < 0
      ? ["", ""]
      : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }

  /**
   * Sets a response header, replacing its values. Mirrors Twisted's
   * `Request.setHeader`.
   *
   * @param name The field name.
   * @param value The value.
   * @throws {TypeError} The name is not a token, or the value holds CR, LF
   * or NUL.
   */
  setHeader(name: string, value: string): void {
    setFieldValue(this.responseHeaders, name, value);
  }

  /**
   * Sets the response status. Mirrors Twisted's `Request.setResponseCode`.
   *
   * @param code The status code.
   * @param message The reason phrase (the standard one of `code` when
   * omitted).
   * @throws {RangeError} `code` is not an integer from 100 to 999.
   * @throws {Error} The head was already written (Twisted ignores the
   * call then; the status on the wire could not change).
   */
  setResponseCode(code: number, message?: string): void {
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw new RangeError(
        `Response code must be an integer from 100 to 999: current value is ${code}`,
      );
    }
    if (this.startedWriting) {
      throw new Error(
        `Cannot set the response code after the head was written: current value is ${this.code}`,
      );
    }
    this.code = code;
    this.codeMessage = message ?? reasonPhrase(code);
  }

  /**
   * Writes a piece of the body, the status line and headers first. Writes
   * after the client went away are dropped; a `HEAD` response sends no
   * body. Mirrors Twisted's `Request.write`.
   *
   * @param data The bytes, or text sent as UTF-8.
   * @throws {Error} `finish` was already called.
   */
  write(data: Uint8Array | string): void {
    if (this.finished) {
      throw new Error(
        "Request.write called on a request after Request.finish was called",
      );
    }
    if (this.#disconnected) return;
    const raw = typeof data === "string" ? this.#encode(data) : data;
    const bytes = this.encoder === null ? raw : this.encoder.encode(raw);
    this.#writeRaw(bytes);
  }

  /**
   * `text` as UTF-8. Without an encoder the bytes go only to the channel,
   * so they may be cut from the shared slab (see `encodeUtf8`), which costs
   * far less than a buffer of their own; an encoder, which may keep them,
   * gets a buffer of its own.
   */
  #encode(text: string): Uint8Array {
    return this.encoder === null ? encodeUtf8(text) : encoder.encode(text);
  }

  /**
   * Sets a header whose name and value are known to be valid, as
   * `setHeader` does, without checking them again.
   */
  #setKnownHeader(key: string, name: string, value: string): void {
    const headers = this.responseHeaders;
    if (hasKey(headers, key)) setFieldValue(headers, name, value);
    else addCheckedField(headers, key, name, value);
  }

  /**
   * Adds `Content-Type: text/html` before the first write when none was
   * set, as Twisted's `Request.write` does (`defaultContentType`): not to
   * a 204 or 304, nor to a body declared empty by `Content-Length: 0`.
   */
  #defaultContentType(): void {
    const headers = this.responseHeaders;
    if (
      this.code === 204 || this.code === 304 ||
      hasKey(headers, "content-type")
    ) {
      return;
    }
    if (headers.getRawHeaders("content-length")?.[0] === "0") return;
    addCheckedField(headers, "content-type", "Content-Type", "text/html");
  }

  #writeRaw(bytes: Uint8Array): void {
    const head = this.method === "HEAD";
    if (!this.startedWriting) {
      this.#defaultContentType();
      this.startedWriting = true;
      this.channel.writeHead(
        this.code,
        this.codeMessage,
        this.#headersToSend(),
        head || bytes.length === 0 ? undefined : bytes,
      );
    } else if (!head && bytes.length > 0) {
      this.channel.write(bytes);
    }
    this.sentLength += bytes.length;
  }

  #headersToSend(): Headers {
    const cookies = this.#cookies;
    if (cookies === null || cookies.length === 0) return this.responseHeaders;
    const headers = this.responseHeaders.copy();
    for (const cookie of cookies) {
      headers.addRawHeader("Set-Cookie", cookie);
    }
    return headers;
  }

  /**
   * Ends the response; a response never written is sent with an empty
   * body. Fires the Deferreds of `notifyFinish`. Mirrors Twisted's
   * `Request.finish`: a second call only logs a warning, and a call after
   * the client went away throws.
   *
   * @throws {Error} The client went away first (use `notifyFinish` to
   * know).
   */
  finish(): void {
    if (this.#disconnected) {
      throw new Error(
        "Request.finish called on a request after its connection was lost; use Request.notifyFinish to keep track of this",
      );
    }
    if (this.finished) {
      logger.warn("Request.finish called twice on {method} {uri}", {
        method: this.method,
        uri: this.uri,
      });
      return;
    }
    if (!this.startedWriting) {
      // Before the length: Twisted's finish writes a head that has none.
      this.#defaultContentType();
      if (
        !this.responseHeaders.hasHeader("content-length") &&
        this.method !== "HEAD" && statusHasBody(this.code)
      ) {
        this.setHeader("Content-Length", "0");
      }
      this.write(NO_CONTENT);
    }
    if (this.encoder !== null) {
      const rest = this.encoder.finish();
      if (rest.length > 0) this.#writeRaw(rest);
    }
    this.finished = true;
    this.channel.finish();
    const notifications = this.#notifications;
    if (notifications === null) return;
    this.#notifications = null;
    for (const d of notifications) d.callback(undefined);
  }

  /**
   * A Deferred that fires once the response is finished, or fails with the
   * reason (a `ConnectionLost`/`ConnectionDone` Failure) when the client
   * goes away first. Use it to stop work nobody will read. Mirrors
   * Twisted's `Request.notifyFinish`; unlike Twisted, asking after the end
   * gives an already-fired Deferred rather than one that never fires.
   *
   * @returns The Deferred.
   *
   * @example Cancelling a timer when the client leaves
   * ```ts
   * import assert from "node:assert/strict";
   * import { NOT_DONE_YET, Request, Resource, Site } from "@torsion/torsion/web";
   * import { DummyChannel, MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * class Slow extends Resource {
   *   override isLeaf = true;
   *   render_GET(request: Request): typeof NOT_DONE_YET {
   *     const call = reactor.callLater(10, () => request.finish());
   *     request.notifyFinish().addErrback(() => call.cancel());
   *     return NOT_DONE_YET;
   *   }
   * }
   * const channel = new DummyChannel();
   * channel.serve(new Site(new Slow()));
   * channel.loseConnection();
   * assert.equal(reactor.getDelayedCalls().length, 0);
   * ```
   */
  notifyFinish(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.finished) d.callback(undefined);
    else if (this.#disconnected) d.errback(this.#lostReason);
    else (this.#notifications ??= []).push(d);
    return d;
  }

  /**
   * The connection closed before the response was finished: later writes
   * are dropped, a registered producer is stopped, and `notifyFinish`
   * Deferreds fail with `reason`. The site's delegate calls it. Mirrors
   * Twisted's `Request.connectionLost`.
   *
   * @param reason Why the connection closed.
   */
  connectionLost(reason: Failure): void {
    if (this.#disconnected || this.finished) return;
    this.#disconnected = true;
    this.#lostReason = reason;
    const producer = this.#producer;
    this.#producer = null;
    producer?.stopProducing();
    const notifications = this.#notifications;
    if (notifications === null) return;
    this.#notifications = null;
    for (const d of notifications) d.errback(reason);
  }

  /**
   * Sets the response's `ETag` and, when the client's `If-None-Match`
   * lists it (or `*`), the code: 304 for `GET` and `HEAD`, 412 otherwise.
   * Mirrors Twisted's `Request.setETag`.
   *
   * @param etag The entity tag, quoted (`'"v1"'`).
   * @returns `CACHED` when the client's copy is current, else `null`.
   * @throws {TypeError} `etag` holds CR, LF or NUL.
   */
  setETag(etag: string): typeof CACHED | null {
    this.setHeader("ETag", etag);
    const tags = this.getHeader("if-none-match");
    if (tags === undefined) return null;
    const listed = tags.split(/[\s,]+/);
    if (!listed.includes(etag) && !listed.includes("*")) return null;
    const safe = this.method === "GET" || this.method === "HEAD";
    this.setResponseCode(safe ? 304 : 412);
    return CACHED;
  }

  /**
   * Sets the response's `Last-Modified` (keeping the latest time given)
   * and, when the client's `If-Modified-Since` is not older, the code 304.
   * Mirrors Twisted's `Request.setLastModified`, which takes seconds since
   * the epoch.
   *
   * @param when The modification time, in seconds since the epoch or as a
   * `Date`.
   * @returns `CACHED` when the client's copy is current, else `null`.
   */
  setLastModified(when: number | Date): typeof CACHED | null {
    const seconds = Math.ceil(
      typeof when === "number" ? when : when.getTime() / 1000,
    );
    if (this.#lastModified === null || seconds > this.#lastModified) {
      this.#lastModified = seconds;
    }
    this.setHeader("Last-Modified", formatHTTPDate(this.#lastModified * 1000));
    const since = this.getHeader("if-modified-since");
    if (since === undefined) return null;
    const ms = parseHTTPDate(since.split(";")[0]);
    if (ms === null || ms < this.#lastModified * 1000) return null;
    this.setResponseCode(304);
    return CACHED;
  }

  /**
   * Answers with a 302 to `url` (call `finish` after). Mirrors Twisted's
   * `Request.redirect`.
   *
   * @param url Where to send the client.
   * @throws {TypeError} `url` holds CR, LF or NUL.
   */
  redirect(url: string): void {
    this.setResponseCode(302);
    this.setHeader("Location", url);
  }

  /**
   * Adds a `Set-Cookie` to the response. Mirrors Twisted's
   * `Request.addCookie(k, v, expires, domain, path, max_age, comment,
   * secure, httpOnly, sameSite)`, with the attributes in one options object.
   *
   * @param name The cookie name.
   * @param value The cookie value, written as given.
   * @param options The cookie's attributes.
   * @throws {TypeError} The name or value holds whitespace, a control
   * character or `;`, or an attribute does.
   */
  addCookie(name: string, value: string, options: AddCookieOptions = {}): void {
    for (const text of [name, value]) {
      if (!isSafeCookieText(text) || text.includes(";")) {
        throw new TypeError(
          `Cookie names and values must not hold whitespace, control characters or ";": current value is ${
            JSON.stringify(text)
          }`,
        );
      }
    }
    this.cookies.push(formatSetCookie(name, value, options));
  }

  /**
   * The value of a cookie the client sent, or `undefined`. Mirrors
   * Twisted's `Request.getCookie`.
   *
   * @param name The cookie name.
   * @returns The value.
   */
  getCookie(name: string): string | undefined {
    return Object.hasOwn(this.receivedCookies, name)
      ? this.receivedCookies[name]
      : undefined;
  }

  /**
   * The client's session: the one its session cookie names, touched so it
   * lives on, or a new one whose cookie (`TWISTED_SESSION`, or
   * `TWISTED_SECURE_SESSION` with `Secure` over TLS, `Path=/`) is added to
   * the response. Mirrors Twisted's `Request.getSession`.
   *
   * @param forceNotSecure Over TLS, use the session of plain HTTP.
   * @returns The session.
   * @throws {TypeError} The request has no site.
   */
  getSession(forceNotSecure = false): Session {
    const site = this.site;
    if (site === null) {
      throw new TypeError("Cannot get a session for a Request without a site");
    }
    const secure = this.isSecure() && !forceNotSecure;
    let session = secure ? this.#secureSession : this.#insecureSession;
    if (session !== null && !session.expired) {
      session.touch();
      return session;
    }
    const name = [
      secure ? "TWISTED_SECURE_SESSION" : "TWISTED_SESSION",
      ...this.sitepath,
    ].join("_");
    const uid = this.getCookie(name);
    session = uid ? site.getSession(uid) ?? null : null;
    if (session !== null) {
      session.touch();
    } else {
      session = site.makeSession();
      this.addCookie(name, session.uid, { path: "/", secure });
    }
    if (secure) this.#secureSession = session;
    else this.#insecureSession = session;
    return session;
  }

  /**
   * The client's address (after `xheaders` when the server trusts them).
   * Mirrors Twisted's `Request.getClientAddress`.
   *
   * @returns The address.
   */
  getClientAddress(): IAddress {
    return this.channel.getPeer();
  }

  /**
   * The server's address for this connection. Mirrors Twisted's
   * `Request.getHost`.
   *
   * @returns The address.
   */
  getHost(): IAddress {
    return this.channel.getHost();
  }

  /**
   * Whether the request came over TLS. Mirrors Twisted's
   * `Request.isSecure`.
   *
   * @returns `true` over TLS.
   */
  isSecure(): boolean {
    return this.channel.isSecure();
  }

  /**
   * The host name the client asked for: the `Host` header without its
   * port, else the server's address. Mirrors Twisted's
   * `Request.getRequestHostname`.
   *
   * @returns The host name.
   */
  getRequestHostname(): string {
    const host = this.getHeader("host");
    if (host === undefined) return this.getHost().host;
    if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
    const colon = host.lastIndexOf(":");
    return colon < 0 ? host : host.slice(0, colon);
  }

  /**
   * The absolute URL of the resource traversed so far. Mirrors Twisted's
   * `Request.prePathURL`.
   *
   * @returns The URL, without query.
   */
  prePathURL(): string {
    const secure = this.isSecure();
    const host = this.getHeader("host") ?? (() => {
      const { host, port } = this.getHost();
      const name = host.includes(":") ? `[${host}]` : host;
      return port === (secure ? 443 : 80) ? name : `${name}:${port}`;
    })();
    const path = this.prepath.map(encodeURIComponent).join("/");
    return `${secure ? "https" : "http"}://${host}/${path}`;
  }

  /**
   * A relative URL to a sibling of the requested resource. Mirrors
   * Twisted's `Request.sibLink`.
   *
   * @param name The sibling's path segment (used as given).
   * @returns The relative URL.
   */
  sibLink(name: string): string {
    return "../".repeat(this.postpath.length) + name;
  }

  /**
   * A relative URL to a child of the requested resource. Mirrors Twisted's
   * `Request.childLink`.
   *
   * @param name The child's path segment (used as given).
   * @returns The relative URL.
   *
   * @example Links that work with and without a trailing slash
   * ```ts
   * import assert from "node:assert/strict";
   * import { Request, Resource, Site } from "@torsion/torsion/web";
   * import { DummyChannel } from "@torsion/torsion/testing";
   * class Dir extends Resource {
   *   override isLeaf = true;
   *   render_GET(request: Request): string { return request.childLink("item"); }
   * }
   * const root = new Resource();
   * root.putChild("dir", new Dir());
   * for (const [target, link] of [["/dir", "dir/item"], ["/dir/", "item"], ["/dir/a/", "../item"]]) {
   *   const channel = new DummyChannel({ target });
   *   channel.serve(new Site(root));
   *   assert.equal(channel.text(), link);
   * }
   * ```
   */
  childLink(name: string): string {
    const remaining = this.postpath.length;
    if (remaining > 1) return "../".repeat(remaining - 1) + name;
    if (remaining === 1) return name;
    const last = this.prepath.at(-1);
    return last ? `${last}/${name}` : name;
  }

  /**
   * Lets a producer stream the body: it is paused while the client reads
   * slowly. Mirrors Twisted's `Request.registerProducer`; after the client
   * went away the producer is stopped at once.
   *
   * @param producer The producer, which writes with `request.write`.
   * @param streaming Whether it is a push producer.
   * @throws {Error} A producer is already registered.
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new Error(
        "Cannot register a producer on a Request that already has one",
      );
    }
    if (this.#disconnected) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.channel.registerProducer(producer, streaming);
  }

  /**
   * Detaches the producer. Mirrors Twisted's `Request.unregisterProducer`.
   */
  unregisterProducer(): void {
    if (this.#producer === null) return;
    this.#producer = null;
    this.channel.unregisterProducer();
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** The origin-form of a target: an absolute-form target loses its scheme and authority. */
function originForm(target: string): string {
  if (target.charCodeAt(0) === 47) return target; // "/": origin-form
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (match === null) return target;
  const rest = target.slice(match[0].length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

/**
 * The path whose segments were decoded last, and its segments: most
 * requests repeat the path of the one before, and the same strings again
 * are also found faster in `children` (their hashes are kept).
 */
let lastPath = "";
let lastSegments: readonly string[] = [""];

/**
 * The percent-decoded segments of `path` after its leading `/`, as
 * Twisted's `postpath`: a new array each time, traversal consumes it.
 */
function pathSegments(path: string): string[] {
  if (path !== lastPath) {
    const segments = path.slice(1).split("/");
    for (let i = 0; i < segments.length; i++) {
      segments[i] = unquote(segments[i]);
    }
    lastPath = path;
    lastSegments = segments;
  }
  return lastSegments.slice();
}

/**
 * Percent-decodes one path segment to UTF-8 text, leaving a malformed
 * escape as it is, as Python's `unquote`.
 */
function unquote(segment: string): string {
  if (!/[%\x80-\xff]/.test(segment)) return segment;
  return utf8.decode(unquoteToBytes(segment));
}
