/**
 * The `compressResponse` output transform, as Tornado's
 * `tornado.web.GZipContentEncoding`: gzip for compressible types when the
 * client accepts it, with `Vary: Accept-Encoding` either way.
 *
 * Each flushed piece is deflated on its own and ended with a sync flush,
 * so pieces concatenate into one valid gzip member without keeping a
 * streaming compressor (which the runtime only offers asynchronously);
 * the CRC-32 and length trailer is written when the response finishes.
 *
 * @module
 */
import zlib from "node:zlib";
import type { Headers } from "../http/headers.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
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
const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** Whether a content type (without parameters) is worth compressing. */
export function isCompressibleType(contentType: string): boolean {
  return contentType.startsWith("text/") || COMPRESSIBLE.has(contentType);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return joinChunks(parts, parts.reduce((sum, part) => sum + part.length, 0));
}

/** Gzip-encodes one response, as Tornado's `GZipContentEncoding`. */
export class GZipContentEncoding implements OutputTransform {
  #gzipping: boolean;
  #crc = 0;
  #size = 0;

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
    const body = concat([GZIP_HEADER, this.transformChunk(chunk, finishing)]);
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
    if (!this.#gzipping) return chunk;
    this.#crc = zlib.crc32(chunk, this.#crc);
    this.#size = (this.#size + chunk.length) >>> 0;
    const deflated = zlib.deflateRawSync(chunk, {
      level: GZIP_LEVEL,
      finishFlush: finishing
        ? zlib.constants.Z_FINISH
        : zlib.constants.Z_SYNC_FLUSH,
    });
    if (!finishing) return deflated;
    const trailer = new Uint8Array(8);
    const view = new DataView(trailer.buffer);
    view.setUint32(0, this.#crc >>> 0, true);
    view.setUint32(4, this.#size, true);
    return concat([deflated, trailer]);
  }
}
