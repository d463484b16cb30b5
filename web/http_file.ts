/**
 * `HTTPFile`: one file uploaded in a `multipart/form-data` body, as
 * Tornado's `tornado.httputil.HTTPFile`.
 *
 * @module
 */

/**
 * One uploaded file of a `multipart/form-data` request body, as Tornado's
 * `tornado.httputil.HTTPFile`. Files are collected by field name in
 * `HTTPServerRequest.files` (Twisted's `Request.args` keeps only their
 * content).
 *
 * @example Reading an upload
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HTTPFile } from "@torsion/torsion/web";
 * const file: HTTPFile = {
 *   filename: "a.txt",
 *   body: new TextEncoder().encode("hello"),
 *   contentType: "text/plain",
 * };
 * assert.equal(new TextDecoder().decode(file.body), "hello");
 * ```
 */
export interface HTTPFile {
  /** The file name the client gave (`filename` or `filename*`). */
  readonly filename: string;
  /** The file's content. */
  readonly body: Uint8Array;
  /** The part's `Content-Type`, `"application/unknown"` when absent. */
  readonly contentType: string;
}
