/**
 * HTTP servers with the two faces their users know, on one HTTP/1.1 engine
 * (`HTTPChannel`/`HTTPFactory` in `@torsion/torsion/http`):
 *
 * - Tornado's `tornado.web`, `tornado.httpserver` and `tornado.httputil`:
 *   `Application`, `RequestHandler`, `HTTPServer`, `HTTPServerRequest`,
 *   `HTTPError`, `StaticFileHandler`, secure cookies.
 *
 * @module
 */
export type { HTTPFile } from "./http_file.ts";
