/**
 * HTTP servers with the two faces their users know, on one HTTP/1.1 engine
 * (`HTTPChannel`/`HTTPFactory` in `@torsion/torsion/http`):
 *
 * - Twisted's `twisted.web`: `Site`, `Resource` trees rendered with
 *   `render_GET`/`render_POST`/..., `Request`, `NOT_DONE_YET`,
 *   `static.File`, `static.Data`, `resource.NoResource`/`ErrorPage`,
 *   `util.Redirect`, sessions, `EncodingResourceWrapper` (gzip),
 *   `ReverseProxyResource`, `NameVirtualHost`, `DeferredResource`.
 * - Tornado's `tornado.web`, `tornado.httpserver` and `tornado.httputil`:
 *   `Application` (routes and settings), `RequestHandler`, `HTTPServer`,
 *   `HTTPServerRequest`, `HTTPError`, `StaticFileHandler`,
 *   `RedirectHandler`, `ErrorHandler`, secure cookies.
 *
 * @example A Tornado-style application
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, RequestHandler } from "@torsion/torsion/web";
 * class Main extends RequestHandler {
 *   override get(): void {
 *     this.write("Hello, world");
 *   }
 * }
 * const server = new Application([["/", Main]]).listen(0, { address: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${server.port}/`);
 * assert.equal(await response.text(), "Hello, world");
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 *
 * @example A Twisted-style resource tree
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactor } from "@torsion/torsion/reactor";
 * import { Request, Resource, Site } from "@torsion/torsion/web";
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: Request): string {
 *     return `Hello, ${request.postpath.join("/")}!`;
 *   }
 * }
 * const root = new Resource();
 * root.putChild("hello", new Hello());
 * const site = new Site(root);
 * const port = reactor.listenTCP(0, site, { interface: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${port.getHost().port}/hello/world`);
 * assert.equal(await response.text(), "Hello, world!");
 * await port.stopListening();
 * await site.closeAllConnections();
 * ```
 *
 * @module
 */
export {
  Application,
  type ApplicationSettings,
  type Rule,
} from "./application.ts";
export { authenticated } from "./authenticated.ts";
export { CACHED } from "./cached.ts";
export {
  combinedLogFormatter,
  datetimeToLogString,
} from "./combined_log_formatter.ts";
export { Data } from "./data.ts";
export { DeferredResource } from "./deferred_resource.ts";
export {
  EncodingResourceWrapper,
  GzipEncoderFactory,
  type GzipEncoderFactoryOptions,
  type IEncoderFactory,
} from "./encoding_resource_wrapper.ts";
export { ErrorHandler } from "./error_handler.ts";
export { UnsupportedMethod } from "./errors.ts";
export { File, type FileOptions } from "./file.ts";
export type {
  IRequest,
  IRequestEncoder,
  RequestHandlerApplication,
  RequestHandlerSettings,
  SetCookieOptions,
} from "./interfaces.ts";
export {
  Finish,
  HTTPError,
  type HTTPErrorOptions,
  MissingArgumentError,
} from "./http_error.ts";
export type {
  ArgumentMap,
  BodyArgumentsLimits,
  FileMap,
  HTTPFile,
} from "./http_file.ts";
export {
  HTTPServer,
  type HTTPServerConstructorOptions,
  type HTTPServerListenOptions,
} from "./http_server.ts";
export {
  HTTPServerRequest,
  type HTTPServerRequestInit,
} from "./http_server_request.ts";
export { NameVirtualHost } from "./name_virtual_host.ts";
export { NOT_DONE_YET } from "./not_done_yet.ts";
export type { OutputTransform } from "./output_transform.ts";
export { Redirect, redirectTo } from "./redirect.ts";
export {
  RedirectHandler,
  type RedirectHandlerArgs,
} from "./redirect_handler.ts";
export { type AddCookieOptions, Request, type RequestSite } from "./request.ts";
export {
  type GetSecureCookieOptions,
  type HandlerResult,
  type HeaderValue,
  RequestHandler,
  type RequestHandlerClass,
  type WriteChunk,
  type WriteErrorOptions,
} from "./request_handler.ts";
export {
  ErrorPage,
  ForbiddenResource,
  getChildForRequest,
  type IResource,
  NoResource,
  type RenderBody,
  type RenderResult,
  Resource,
} from "./resource.ts";
export {
  type CookieSecret,
  createSignedValue,
  type CreateSignedValueOptions,
  decodeSignedValue,
  type DecodeSignedValueOptions,
} from "./secure_cookie.ts";
export { ReverseProxyResource } from "./reverse_proxy_resource.ts";
export { Session, type SessionStore } from "./session.ts";
export type { SetCookieAttributes } from "./set_cookie_attributes.ts";
export {
  type LogFormatter,
  type RequestFactory,
  type SessionFactory,
  Site,
  type SiteOptions,
} from "./site.ts";
export {
  StaticFileHandler,
  type StaticFileHandlerArgs,
} from "./static_file_handler.ts";
export type { StaticCacheSettings } from "./_static_cache.ts";
export { streamRequestBody } from "./stream_request_body.ts";
export {
  type EncodedRouteMatch,
  type FoundHandler,
  type RouteMatch,
  url,
  URLSpec,
} from "./url_spec.ts";
export { WebSocketHandler } from "./websocket_handler.ts";
export { WebSocketResource } from "./websocket_resource.ts";
