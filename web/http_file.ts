/**
 * The shapes of parsed form data: `HTTPFile`, one file uploaded in a
 * `multipart/form-data` body (Tornado's `tornado.httputil.HTTPFile`), the
 * argument and file maps, and the parser's limits.
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

/**
 * Arguments by name, each with its values in order, as bytes: Tornado's
 * `Dict[str, List[bytes]]` of `request.arguments`.
 *
 * @example Reading a value
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ArgumentMap } from "@torsion/torsion/web";
 * const args: ArgumentMap = { q: [new TextEncoder().encode("deno")] };
 * assert.equal(new TextDecoder().decode(args.q[0]), "deno");
 * ```
 */
export type ArgumentMap = Record<string, Uint8Array[]>;

/** Uploaded files by field name: Tornado's `request.files`. */
export type FileMap = Record<string, HTTPFile[]>;

/**
 * Limits on what a query string or form body may hold, so a hostile
 * request cannot exhaust memory (Tornado has none beyond the body size).
 */
export interface BodyArgumentsLimits {
  /**
   * The most fields (name-value pairs or multipart parts) one query string
   * or body may hold.
   * @default 10000
   */
  maxFields?: number;
  /**
   * The most bytes the header block of one multipart part may hold.
   * @default 16384
   */
  maxPartHeaderSize?: number;
}
