/**
 * `GzipDecoder`: a response whose body is decompressed as it is
 * delivered, as `twisted.web.client.GzipDecoder`.
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import type {
  IProtocol,
  IPushProducer,
  ITransport,
} from "../reactor/interfaces.ts";
import {
  PotentialDataLoss,
  ResponseDone,
  ResponseFailed,
} from "./client_errors.ts";
import type { Headers } from "./headers.ts";
import type { HTTPVersion, IClientRequest, IResponse } from "./interfaces.ts";
import { type ContentCoding, StreamDecoder } from "./_decoder.ts";
import { UNKNOWN_LENGTH } from "./unknown_length.ts";

/**
 * Wraps a body protocol: compressed bytes in, decompressed bytes out.
 * Mirrors Twisted's `_GzipProtocol`.
 */
class DecodingProtocol implements IProtocol {
  readonly #original: IProtocol;
  readonly #response: IResponse;
  readonly #decoder: StreamDecoder;
  #transport: (ITransport & IPushProducer) | null = null;
  #ended = false;
  #reason: Failure | null = null;

  constructor(original: IProtocol, response: IResponse, coding: ContentCoding) {
    this.#original = original;
    this.#response = response;
    this.#decoder = new StreamDecoder(coding, {
      onData: (chunk) => {
        if (!this.#ended) this.#original.dataReceived(chunk);
      },
      onEnd: (error) => this.#decoded(error),
    });
  }

  makeConnection(transport: ITransport): void {
    this.#transport = transport as ITransport & IPushProducer;
    this.#original.makeConnection(transport);
  }

  connectionMade(): void {}

  dataReceived(data: Uint8Array): void {
    if (!this.#ended) this.#decoder.write(data);
  }

  connectionLost(reason: Failure): void {
    if (this.#ended) return;
    if (reason.check(ResponseDone, PotentialDataLoss) !== null) {
      this.#reason = reason;
      this.#decoder.end();
      return;
    }
    this.#ended = true;
    this.#decoder.abort();
    this.#original.connectionLost(reason);
  }

  #decoded(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const reason = this.#reason;
    if (error === undefined && reason !== null) {
      this.#original.connectionLost(reason);
      return;
    }
    const failures = reason === null ? [] : [reason];
    failures.push(new Failure(error));
    if (reason === null) this.#transport?.stopProducing();
    this.#original.connectionLost(
      new Failure(new ResponseFailed(failures, this.#response)),
    );
  }
}

/**
 * A response whose body is decompressed with gzip as it is delivered.
 * Mirrors Twisted's `twisted.web.client.GzipDecoder`: `ContentDecoderAgent`
 * wraps responses with it when the server sent `Content-Encoding: gzip`.
 * Its `length` is `UNKNOWN_LENGTH`; invalid compressed data ends the body
 * with a `ResponseFailed`.
 *
 * @example Decoding by hand, without ContentDecoderAgent
 * ```ts
 * import { Agent, GzipDecoder, HTTPConnectionPool, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () =>
 *     new Response(
 *       new Blob(["hello gzip"]).stream().pipeThrough(new CompressionStream("gzip")),
 *       { headers: { "Content-Encoding": "gzip" } },
 *     ),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const response = await new Agent(reactor, { pool })
 *   .request("GET", `http://127.0.0.1:${server.addr.port}/`);
 * const body = await readBody(new GzipDecoder(response));
 * console.assert(new TextDecoder().decode(body) === "hello gzip");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class GzipDecoder implements IResponse {
  /** The response as received. */
  readonly original: IResponse;
  /** `UNKNOWN_LENGTH`: the decompressed length is not known in advance. */
  readonly length: "UNKNOWN_LENGTH" = UNKNOWN_LENGTH;
  /** The coding undone: `"gzip"` here. */
  protected readonly coding: "gzip" | "deflate" = "gzip";

  /**
   * Wraps `response`.
   *
   * @param response The compressed response.
   */
  constructor(response: IResponse) {
    this.original = response;
  }

  /** The original's version. */
  get version(): HTTPVersion {
    return this.original.version;
  }

  /** The original's status code. */
  get code(): number {
    return this.original.code;
  }

  /** The original's reason phrase. */
  get phrase(): string {
    return this.original.phrase;
  }

  /** The original's header fields. */
  get headers(): Headers {
    return this.original.headers;
  }

  /** The request the original answers. */
  get request(): IClientRequest | null {
    return this.original.request;
  }

  /** The response that redirected to the original. */
  get previousResponse(): IResponse | null {
    return this.original.previousResponse;
  }

  /**
   * Delivers the decompressed body to `protocol`. Mirrors
   * `GzipDecoder.deliverBody`.
   *
   * @param protocol The protocol to receive the body.
   * @throws {TypeError} The body was already delivered.
   *
   * @example Decoding a response held in memory
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * import { GzipDecoder, Headers, type IResponse, readBody, ResponseDone } from "@torsion/torsion/http";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const gzipped = new Uint8Array(
   *   await new Response(
   *     new Blob(["hello"]).stream().pipeThrough(new CompressionStream("gzip")),
   *   ).arrayBuffer(),
   * );
   * const original: IResponse = {
   *   version: ["HTTP", 1, 1],
   *   code: 200,
   *   phrase: "OK",
   *   headers: new Headers({ "Content-Encoding": "gzip" }),
   *   length: gzipped.length,
   *   request: null,
   *   previousResponse: null,
   *   deliverBody(protocol) {
   *     protocol.makeConnection(new StringTransport());
   *     protocol.dataReceived(gzipped);
   *     protocol.connectionLost(new Failure(new ResponseDone()));
   *   },
   *   setPreviousResponse() {},
   * };
   * const body = await readBody(new GzipDecoder(original));
   * console.assert(new TextDecoder().decode(body) === "hello");
   * ```
   */
  deliverBody(protocol: IProtocol): void {
    this.original.deliverBody(
      new DecodingProtocol(protocol, this.original, this.coding),
    );
  }

  /**
   * Records the response that redirected to this one, on the original.
   *
   * @param response The earlier response.
   *
   * @example Chaining a redirect to a decoded response
   * ```ts
   * import { GzipDecoder, Headers, Response } from "@torsion/torsion/http";
   * const init = { version: ["HTTP", 1, 1] as const, phrase: "", headers: new Headers() };
   * const redirect = new Response({ ...init, code: 302 });
   * const decoded = new GzipDecoder(new Response({ ...init, code: 200 }));
   * decoded.setPreviousResponse(redirect);
   * console.assert(decoded.previousResponse === redirect);
   * ```
   */
  setPreviousResponse(response: IResponse): void {
    this.original.setPreviousResponse(response);
  }
}
