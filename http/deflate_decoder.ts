/**
 * `DeflateDecoder`: a response whose `deflate`-coded body is decompressed
 * as it is delivered, the `deflate` counterpart of `GzipDecoder`.
 *
 * @module
 */
import { GzipDecoder } from "./gzip_decoder.ts";

/**
 * A response whose body is decompressed from the `deflate` coding (zlib
 * format, or the raw DEFLATE some servers send under that name). Twisted has
 * only `GzipDecoder`; use this one with `ContentDecoderAgent` to accept
 * `deflate` too.
 *
 * @example
 * ```ts ignore
 * import { Agent, ContentDecoderAgent, DeflateDecoder, GzipDecoder } from "@torsion/torsion/http";
 * const agent = new ContentDecoderAgent(new Agent(), [["gzip", GzipDecoder], ["deflate", DeflateDecoder]]);
 * ```
 */
export class DeflateDecoder extends GzipDecoder {
  /** The coding undone: `"deflate"`. */
  protected override readonly coding: "gzip" | "deflate" = "deflate";
}
