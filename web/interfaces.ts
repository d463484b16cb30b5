/**
 * The interfaces the web faces' implementation files know each other by,
 * as Twisted's `twisted.web.iweb`: a resource renders an {@linkcode IRequest}
 * (which `Request` implements), and a request writes through an
 * {@linkcode IRequestEncoder}. On the Tornado face, a `RequestHandler`
 * sees its `Application` as a {@linkcode RequestHandlerApplication}.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { Headers } from "../http/headers.ts";
import type { IAddress, IConsumer } from "../reactor/interfaces.ts";
import type { CACHED } from "./cached.ts";
import type { HTTPServerRequest } from "./http_server_request.ts";
import type { CookieSecret } from "./secure_cookie.ts";
import type { Session } from "./session.ts";
import type { SetCookieAttributes } from "./set_cookie_attributes.ts";

/**
 * Encodes one response body as it is written. Mirrors Twisted's
 * `twisted.web.iweb._IRequestEncoder`.
 *
 * @example An encoder that leaves bytes alone
 * ```ts
 * import type { IRequestEncoder } from "@torsion/torsion/web";
 * const identity: IRequestEncoder = {
 *   encode: (data) => data,
 *   finish: () => new Uint8Array(0),
 * };
 * ```
 */
export interface IRequestEncoder {
  /** Encodes a piece of body; the result may be empty. */
  encode(data: Uint8Array): Uint8Array;
  /** Ends the encoding: what is left to send. */
  finish(): Uint8Array;
}

/**
 * One HTTP request as a resource reads and answers it. Mirrors Twisted's
 * `twisted.web.iweb.IRequest`; `Request` implements it, and each member
 * is documented there.
 *
 * @example A resource written against the interface
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IRequest, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: IRequest): string {
 *     request.setHeader("Content-Type", "text/plain");
 *     return `Hello, ${request.postpath.join("/")}!`;
 *   }
 * }
 * const channel = new DummyChannel({ target: "/world" });
 * channel.serve(new Site(new Hello()));
 * assert.equal(channel.text(), "Hello, world!");
 * ```
 */
export interface IRequest extends IConsumer {
  /** The method, as sent (`GET`, `POST`, ...). */
  method: string;
  /** The request-target, as sent: path and query. */
  readonly uri: string;
  /** The path part of `uri`, still percent-encoded. */
  readonly path: string;
  /** The protocol version of the request line, `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly clientproto: string;
  /** The query and form arguments: name to values in order, as bytes. */
  args: Record<string, Uint8Array[]>;
  /** The request body. */
  content: Uint8Array;
  /** The path segments traversed so far (percent-decoded). */
  prepath: string[];
  /** The path segments not traversed yet (percent-decoded). */
  postpath: string[];
  /** The `prepath` when the site was reached. */
  sitepath: string[];
  /** The request's header fields. */
  readonly requestHeaders: Headers;
  /** The response's header fields, sent with the first write. */
  readonly responseHeaders: Headers;
  /** The response status code. */
  code: number;
  /** The response reason phrase. */
  codeMessage: string;
  /** The `Set-Cookie` values added with `addCookie`, in order. */
  readonly cookies: string[];
  /** The cookies the client sent. */
  readonly receivedCookies: Record<string, string>;
  /** Body bytes written so far. */
  sentLength: number;
  /** Whether the response head has been written. */
  startedWriting: boolean;
  /** Whether `finish` has been called. */
  finished: boolean;
  /** What encodes the body as it is written, set by an `EncodingResourceWrapper`. */
  encoder: IRequestEncoder | null;
  /** Answers 500 after a render failed, and logs the failure. */
  processingFailed(reason: Failure): void;
  /** The last value of a request header, or `undefined`. */
  getHeader(name: string): string | undefined;
  /** Every request header with its last value, names in lower case. */
  getAllHeaders(): Record<string, string>;
  /** The user name of a Basic `Authorization` header, `""` without one. */
  getUser(): string;
  /** The password of a Basic `Authorization` header, `""` without one. */
  getPassword(): string;
  /** Sets a response header, replacing its values. */
  setHeader(name: string, value: string): void;
  /** Sets the response status (and reason phrase). */
  setResponseCode(code: number, message?: string): void;
  /** Ends the response. */
  finish(): void;
  /** A Deferred that fires once the response is finished, or fails when the client goes away first. */
  notifyFinish(): Deferred<void>;
  /** Sets `ETag`; `CACHED` when the client's copy is current. */
  setETag(etag: string): typeof CACHED | null;
  /** Sets `Last-Modified`; `CACHED` when the client's copy is current. */
  setLastModified(when: number | Date): typeof CACHED | null;
  /** Answers with a 302 to `url` (call `finish` after). */
  redirect(url: string): void;
  /** Adds a `Set-Cookie` to the response. */
  addCookie(name: string, value: string, options?: SetCookieAttributes): void;
  /** The value of a cookie the client sent, or `undefined`. */
  getCookie(name: string): string | undefined;
  /** The client's session, made when it has none. */
  getSession(forceNotSecure?: boolean): Session;
  /** The client's address. */
  getClientAddress(): IAddress;
  /** The server's address for this connection. */
  getHost(): IAddress;
  /** Whether the request came over TLS. */
  isSecure(): boolean;
  /** The host name the client asked for. */
  getRequestHostname(): string;
  /** The absolute URL of the resource traversed so far. */
  prePathURL(): string;
  /** A relative URL to a sibling of the requested resource. */
  sibLink(name: string): string;
  /** A relative URL to a child of the requested resource. */
  childLink(name: string): string;
}

/** Options of {@linkcode RequestHandler.setCookie}, Tornado's keyword arguments. */
export interface SetCookieOptions extends SetCookieAttributes {
  /**
   * Days from now until the cookie expires (sets `expires`).
   * @default undefined (a session cookie)
   */
  expiresDays?: number;
}

/**
 * The settings a `RequestHandler` reads: every `ApplicationSettings` key
 * but the routing ones (`defaultHandlerClass`, `staticHandlerClass`,
 * their arguments and `logFunction`), Tornado's `settings` keywords
 * camelCased. Other keys are kept for the application's own use.
 */
export interface RequestHandlerSettings {
  /**
   * Debug mode: error pages show the stack of the error (`serveTraceback`).
   * @default false
   */
  debug?: boolean;
  /**
   * Whether error pages show the stack of the error.
   * @default the value of `debug`
   */
  serveTraceback?: boolean;
  /**
   * Gzip responses of compressible types (`text/*`, JSON, JavaScript, XML,
   * SVG) of 1 KiB or more when the client accepts gzip, with `Vary:
   * Accept-Encoding`. Tornado's `compress_response`.
   * @default false
   */
  compressResponse?: boolean;
  /**
   * The old name of `compressResponse`, still read by Tornado.
   * @default false
   */
  gzip?: boolean;
  /**
   * A directory served under `staticUrlPrefix` (and `/favicon.ico`,
   * `/robots.txt`) by `StaticFileHandler`.
   * @default undefined (no static route)
   */
  staticPath?: string;
  /**
   * The URL prefix of `staticPath`.
   * @default "/static/"
   */
  staticUrlPrefix?: string;
  /**
   * The key that signs secure cookies, or keys by version.
   * @default undefined (secure cookies throw)
   */
  cookieSecret?: CookieSecret;
  /**
   * Which key of a versioned `cookieSecret` signs new cookies.
   * @default undefined
   */
  keyVersion?: number;
  /**
   * Check an XSRF token (`checkXsrfCookie`) on every request but `GET`,
   * `HEAD` and `OPTIONS`. Tornado's `xsrf_cookies`.
   * @default false
   */
  xsrfCookies?: boolean;
  /**
   * The name of the XSRF cookie.
   * @default "_xsrf"
   */
  xsrfCookieName?: string;
  /**
   * Options of the XSRF cookie (`secure`, `sameSite`, `expiresDays`...).
   * Tornado's `xsrf_cookie_kwargs`.
   * @default {}
   */
  xsrfCookieKwargs?: SetCookieOptions;
  /**
   * Where `authenticated` redirects users who are not logged in.
   * Tornado's `login_url`.
   * @default undefined (`authenticated` throws on GET)
   */
  loginUrl?: string;
  /**
   * The largest WebSocket message a `WebSocketHandler` accepts, in bytes.
   * @default 10485760
   */
  websocketMaxMessageSize?: number;
  /** Any other setting, for the application's own use. */
  [key: string]: unknown;
}

/**
 * What a `RequestHandler` sees of its `Application`, which provides it:
 * the settings, named routes, the access log and the static file class.
 * Mirrors what Tornado's `RequestHandler.application` is used for.
 *
 * @example A handler given a stand-in application
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   HTTPServerRequest,
 *   RequestHandler,
 *   type RequestHandlerApplication,
 *   StaticFileHandler,
 * } from "@torsion/torsion/web";
 * const application: RequestHandlerApplication = {
 *   settings: { loginUrl: "/login" },
 *   staticHandlerClass: StaticFileHandler,
 *   reverseUrl: (name) => `/${name}`,
 *   logRequest: () => {},
 * };
 * const handler = new RequestHandler(application, new HTTPServerRequest({ uri: "/" }));
 * assert.equal(handler.settings.loginUrl, "/login");
 * assert.equal(handler.reverseUrl("home"), "/home");
 * ```
 */
export interface RequestHandlerApplication {
  /** The settings. */
  readonly settings: RequestHandlerSettings;
  /** The class making `staticUrl`s (its static `makeStaticUrl`). */
  readonly staticHandlerClass: {
    makeStaticUrl(
      settings: RequestHandlerSettings,
      path: string,
      includeVersion?: boolean,
    ): string;
  };
  /** The path of a named route with `args` in its groups. Tornado's `reverse_url`. */
  reverseUrl(name: string, ...args: (string | number)[]): string;
  /** Logs a finished request. Tornado's `log_request`. */
  logRequest(handler: {
    getStatus(): number;
    requestSummary(): string;
    readonly request: HTTPServerRequest;
  }): void;
}
