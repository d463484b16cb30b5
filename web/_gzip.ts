/**
 * The `compressResponse` output transform, as Tornado's
 * `tornado.web.GZipContentEncoding`: gzip for compressible types when the
 * client accepts it, with `Vary: Accept-Encoding` either way.
 *
 * @module
 */
import type { Headers } from "../http/headers.ts";
import { GzipStream } from "./_gzip_stream.ts";
import type { OutputTransform } from "./output_transform.ts";

/** Types compressed besides every `text/*`, as Tornado's list. */
const COMPRESSIBLE = new Set([
  "application/javascript",
  "application/x-javascript",
  "application/xml",
  "application/atom+xml",
  "application/json",
  "application/xhtml+xml",
  "image/svg+xml",
]);

/** Responses shorter than this are sent as they are (Tornado's `MIN_LENGTH`). */
const MIN_LENGTH = 1024;
const GZIP_LEVEL = 6;

/** Whether a content type (without parameters) is worth compressing. */
function isCompressibleType(contentType: string): boolean {
  return contentType.startsWith("text/") || COMPRESSIBLE.has(contentType);
}

/** Gzip-encodes one response, as Tornado's `GZipContentEncoding`. */
export class GZipContentEncoding implements OutputTransform {
  #gzipping: boolean;
  readonly #gzip = new GzipStream(GZIP_LEVEL);

  /**
   * @param acceptEncoding The request's `Accept-Encoding`, `""` when absent.
   */
  constructor(acceptEncoding: string) {
    this.#gzipping = acceptEncoding.includes("gzip");
  }

  /**
   * Adds `Vary`, decides whether to compress from the content type, the
   * size (when `finishing`) and any existing `Content-Encoding`, and
   * compresses the first piece.
   *
   * @returns The piece to send.
   */
  transformFirstChunk(
    status: number,
    headers: Headers,
    chunk: Uint8Array,
    finishing: boolean,
  ): Uint8Array {
    const vary = headers.get("vary");
    headers.setRawHeaders("Vary", [
      vary === undefined ? "Accept-Encoding" : `${vary}, Accept-Encoding`,
    ]);
    if (this.#gzipping) {
      const type = (headers.get("content-type") ?? "").split(";")[0].trim();
      this.#gzipping = status !== 204 && status !== 304 &&
        isCompressibleType(type) &&
        (!finishing || chunk.length >= MIN_LENGTH) &&
        !headers.hasHeader("content-encoding");
    }
    if (!this.#gzipping) return chunk;
    headers.setRawHeaders("Content-Encoding", ["gzip"]);
    const body = this.#gzip.write(chunk, finishing);
    if (headers.hasHeader("content-length")) {
      if (finishing) {
        headers.setRawHeaders("Content-Length", [String(body.length)]);
      } else headers.removeHeader("content-length");
    }
    return body;
  }

  /**
   * Compresses a later piece; the last one (`finishing`) ends the stream.
   *
   * @returns The piece to send.
   */
  transformChunk(chunk: Uint8Array, finishing: boolean): Uint8Array {
    return this.#gzipping ? this.#gzip.write(chunk, finishing) : chunk;
  }
}
