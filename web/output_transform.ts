/**
 * `OutputTransform`: a change applied to every response of an application
 * on its way out, as Tornado's `tornado.web.OutputTransform`.
 *
 * @module
 */
import type { Headers } from "../http/headers.ts";

/**
 * Changes a response as it is sent, as Tornado's
 * `tornado.web.OutputTransform`: `compressResponse` adds the gzip one. The
 * first piece comes with the status and headers, which it may change; the
 * last comes with `finishing` set.
 *
 * @example A transform that upper-cases text
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers } from "@torsion/torsion/http";
 * import type { OutputTransform } from "@torsion/torsion/web";
 * const upper = (chunk: Uint8Array): Uint8Array =>
 *   new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase());
 * const transform: OutputTransform = {
 *   transformFirstChunk: (_status, _headers, chunk) => upper(chunk),
 *   transformChunk: (chunk) => upper(chunk),
 * };
 * const out = transform.transformFirstChunk(200, new Headers(), new TextEncoder().encode("hi"), true);
 * assert.equal(new TextDecoder().decode(out), "HI");
 * ```
 */
export interface OutputTransform {
  /**
   * Transforms the first piece of the body, with the status and the
   * headers (which it may change, such as `Content-Length`).
   *
   * @returns The piece to send.
   */
  transformFirstChunk(
    status: number,
    headers: Headers,
    chunk: Uint8Array,
    finishing: boolean,
  ): Uint8Array;
  /**
   * Transforms a later piece; `finishing` marks the last.
   *
   * @returns The piece to send.
   */
  transformChunk(chunk: Uint8Array, finishing: boolean): Uint8Array;
}
