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
 * @example Accepting gzip and deflate
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   Agent,
 *   ContentDecoderAgent,
 *   DeflateDecoder,
 *   GzipDecoder,
 *   HTTPConnectionPool,
 *   readBody,
 * } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () =>
 *     new Response(
 *       new Blob(["hello deflate"]).stream().pipeThrough(new CompressionStream("deflate")),
 *       { headers: { "Content-Encoding": "deflate" } },
 *     ),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const agent = new ContentDecoderAgent(new Agent(reactor, { pool }), [
 *   ["gzip", GzipDecoder],
 *   ["deflate", DeflateDecoder],
 * ]);
 * const response = await agent.request("GET", `http://127.0.0.1:${server.addr.port}/`);
 * assert.equal(new TextDecoder().decode(await readBody(response)), "hello deflate");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class DeflateDecoder extends GzipDecoder {
  /** The coding undone: `"deflate"`. */
  protected override readonly coding: "gzip" | "deflate" = "deflate";
}
