/**
 * HTTP servers with the two faces their users know, on one HTTP/1.1 engine
 * (`HTTPChannel`/`HTTPFactory` in `@torsion/torsion/http`):
 *
 * - Twisted's `twisted.web`: `Site`, `Resource` trees rendered with
 *   `render_GET`/`render_POST`/..., `Request`, `NOT_DONE_YET`,
 *   `static.File`, `static.Data`, `resource.NoResource`/`ErrorPage`,
 *   `util.Redirect`.
 * - Tornado's `tornado.web`, `tornado.httpserver` and `tornado.httputil`:
 *   `Application`, `RequestHandler`, `HTTPServer`, `HTTPServerRequest`,
 *   `HTTPError`, `StaticFileHandler`, secure cookies.
 *
 * @module
 */
export type { HTTPFile } from "./http_file.ts";
export { CACHED } from "./cached.ts";
export { Data } from "./data.ts";
export { UnsupportedMethod } from "./errors.ts";
export { File, type FileOptions } from "./file.ts";
export { NOT_DONE_YET } from "./not_done_yet.ts";
export { Redirect, redirectTo } from "./redirect.ts";
export { type AddCookieOptions, Request, type RequestSite } from "./request.ts";
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
export { type RequestFactory, Site, type SiteOptions } from "./site.ts";
