/**
 * `ContentDecodingError`: a compressed response body that cannot be
 * decompressed.
 *
 * @module
 */

/**
 * A body sent with `Content-Encoding: gzip` or `deflate` whose bytes are not
 * a valid stream of that coding (corrupt, or cut short). It arrives among
 * the `reasons` of a `ResponseFailed`, from `GzipDecoder`, `DeflateDecoder`
 * (through `ContentDecoderAgent`) and from `AsyncHTTPClient` with
 * `decompressResponse`. Twisted lets `zlib.error` through here and Tornado
 * raises `zlib.error` too; a named class lets callers tell a bad body from a
 * broken connection.
 *
 * @example Telling a corrupt body apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContentDecodingError } from "@torsion/torsion/http";
 * const error = new ContentDecodingError("gzip", new TypeError("corrupt deflate stream"));
 * assert.equal(error.coding, "gzip");
 * assert.equal(error.message, "Cannot decode a gzip body: corrupt deflate stream");
 * ```
 */
export class ContentDecodingError extends Error {
  /** The content coding that could not be undone: `"gzip"` or `"deflate"`. */
  readonly coding: string;

  /**
   * Creates the error.
   *
   * @param coding The content coding.
   * @param cause What the decompressor reported.
   */
  constructor(coding: string, cause: unknown) {
    super(
      `Cannot decode a ${coding} body: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "ContentDecodingError";
    this.coding = coding;
  }
}
