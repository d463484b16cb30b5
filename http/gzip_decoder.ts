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
import { PotentialDataLoss, ResponseDone } from "./client_errors.ts";
import { ResponseFailed } from "./errors.ts";
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
 * @example Decoding by hand
 * ```ts ignore
 * import { Agent, GzipDecoder, readBody } from "@torsion/torsion/http";
 * const response = await new Agent().request("GET", "http://127.0.0.1:8080/gzip");
 * const body = await readBody(new GzipDecoder(response));
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
   * @example
   * ```ts ignore
   * new GzipDecoder(response).deliverBody(new MyProtocol());
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
   * @example
   * ```ts ignore
   * new GzipDecoder(response).setPreviousResponse(redirect);
   * ```
   */
  setPreviousResponse(response: IResponse): void {
    this.original.setPreviousResponse(response);
  }
}
