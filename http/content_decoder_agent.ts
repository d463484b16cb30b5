/**
 * `ContentDecoderAgent`: asks for compressed responses and decompresses
 * them, as `twisted.web.client.ContentDecoderAgent`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { Headers } from "./headers.ts";
import type { IAgent, IBodyProducer, IResponse } from "./interfaces.ts";

/**
 * Makes a decoding response out of a response, as `GzipDecoder` does: the
 * decoder classes of Twisted's `ContentDecoderAgent(agent, decoders)`.
 *
 * @example The decoders Torsion ships
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeflateDecoder, GzipDecoder, type ResponseDecoder } from "@torsion/torsion/http";
 * const decoders: [string, ResponseDecoder][] = [
 *   ["gzip", GzipDecoder],
 *   ["deflate", DeflateDecoder],
 * ];
 * assert.equal(decoders.length, 2);
 * ```
 */
export type ResponseDecoder = new (response: IResponse) => IResponse;

/**
 * An agent wrapper that declares the content codings it can undo in
 * `Accept-Encoding` and wraps each response whose `Content-Encoding` uses
 * them in the matching decoder. Mirrors Twisted's
 * `twisted.web.client.ContentDecoderAgent`: codings are undone from the
 * last applied, the `Content-Encoding` header is left with those that could
 * not be undone (or removed), and the decoded body's length is unknown.
 *
 * @example Accepting gzip
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   Agent,
 *   ContentDecoderAgent,
 *   GzipDecoder,
 *   HTTPConnectionPool,
 *   readBody,
 * } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) => {
 *     const gzip = new Blob(["hello gzip"]).stream()
 *       .pipeThrough(new CompressionStream("gzip"));
 *     return new Response(gzip, {
 *       headers: {
 *         "Content-Encoding": "gzip",
 *         "X-Asked": request.headers.get("accept-encoding") ?? "",
 *       },
 *     });
 *   },
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const agent = new ContentDecoderAgent(new Agent(reactor, { pool }), [["gzip", GzipDecoder]]);
 * const response = await agent.request("GET", `http://127.0.0.1:${server.addr.port}/`);
 * assert.equal(response.headers.get("x-asked"), "gzip");
 * assert.equal(new TextDecoder().decode(await readBody(response)), "hello gzip");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class ContentDecoderAgent implements IAgent {
  readonly #agent: IAgent;
  readonly #decoders: Map<string, ResponseDecoder>;
  readonly #supported: string;

  /**
   * Wraps `agent`.
   *
   * @param agent The agent that sends the requests.
   * @param decoders `[coding, decoder]` pairs, in the order they are
   * advertised, such as `[["gzip", GzipDecoder]]`.
   * @throws {TypeError} `decoders` is empty.
   */
  constructor(
    agent: IAgent,
    decoders: Iterable<readonly [string, ResponseDecoder]>,
  ) {
    this.#agent = agent;
    this.#decoders = new Map();
    for (const [name, decoder] of decoders) {
      this.#decoders.set(name.toLowerCase(), decoder);
    }
    if (this.#decoders.size === 0) {
      throw new TypeError("ContentDecoderAgent needs at least one decoder");
    }
    this.#supported = [...this.#decoders.keys()].join(",");
  }

  /**
   * Sends a request with `Accept-Encoding` added. Mirrors
   * `ContentDecoderAgent.request`.
   *
   * @param method The method.
   * @param uri The URI.
   * @param headers The header fields (copied, not changed).
   * @param bodyProducer The body.
   * @returns A Deferred of the response, decoding if it was encoded.
   *
   * @example Asking for deflate as well
   * ```ts
   * import assert from "node:assert/strict";
   * import { Agent, ContentDecoderAgent, DeflateDecoder, GzipDecoder, HTTPConnectionPool, readBody } from "@torsion/torsion/http";
   * import { reactor } from "@torsion/torsion/reactor";
   * const server = Deno.serve(
   *   { hostname: "127.0.0.1", port: 0, onListen() {} },
   *   (request) => new Response(request.headers.get("accept-encoding")),
   * );
   * const pool = new HTTPConnectionPool(reactor);
   * const agent = new ContentDecoderAgent(new Agent(reactor, { pool }), [
   *   ["gzip", GzipDecoder],
   *   ["deflate", DeflateDecoder],
   * ]);
   * const response = await agent.request("GET", `http://127.0.0.1:${server.addr.port}/`);
   * assert.equal(new TextDecoder().decode(await readBody(response)), "gzip,deflate");
   * await pool.closeCachedConnections();
   * await server.shutdown();
   * ```
   */
  request(
    method: string,
    uri: string | Uint8Array,
    headers?: Headers | null,
    bodyProducer?: IBodyProducer | null,
  ): Deferred<IResponse> {
    const sent = headers ? headers.copy() : new Headers();
    sent.addRawHeader("Accept-Encoding", this.#supported);
    return this.#agent.request(method, uri, sent, bodyProducer).addCallback(
      (response) => this.#handleResponse(response),
    );
  }

  #handleResponse(response: IResponse): IResponse {
    const raw = response.headers.getRawHeaders("content-encoding");
    if (raw === undefined) return response;
    const codings = raw.join(",").split(",").map((c) => c.trim()).filter((c) =>
      c !== ""
    );
    let decoded = response;
    while (codings.length > 0) {
      const decoder = this.#decoders.get(
        (codings[codings.length - 1] as string).toLowerCase(),
      );
      if (decoder === undefined) break;
      codings.pop();
      decoded = new decoder(decoded);
    }
    if (codings.length > 0) {
      response.headers.setRawHeaders("Content-Encoding", [codings.join(",")]);
    } else {
      response.headers.removeHeader("content-encoding");
    }
    return decoded;
  }
}
