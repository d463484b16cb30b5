/**
 * `readBody`: collects a response's body, as `twisted.web.client.readBody`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IPushProducer, ITransport } from "../reactor/interfaces.ts";
import { Protocol } from "../reactor/protocol.ts";
import {
  PartialDownloadError,
  PotentialDataLoss,
  ResponseDone,
} from "./client_errors.ts";
import type { IResponse } from "./interfaces.ts";
import { dataLossOf } from "./_bytes.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";

/** Twisted's `_ReadBodyProtocol`: gathers the body and fires a Deferred. */
class ReadBodyProtocol extends Protocol {
  readonly #response: IResponse;
  readonly #deferred: Deferred<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #length = 0;

  constructor(response: IResponse, deferred: Deferred<Uint8Array>) {
    super();
    this.#response = response;
    this.#deferred = deferred;
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#deferred.called) return;
    this.#chunks.push(data);
    this.#length += data.length;
  }

  override connectionLost(reason: Failure): void {
    const deferred = this.#deferred;
    if (deferred.called) return;
    const body = joinChunks(this.#chunks, this.#length);
    this.#chunks = [];
    const { code, phrase } = this.#response;
    if (reason.check(ResponseDone) !== null) {
      deferred.callback(body);
    } else if (reason.check(PotentialDataLoss) !== null) {
      deferred.errback(new PartialDownloadError(code, phrase, body));
    } else {
      const loss = dataLossOf(reason);
      deferred.errback(
        loss === undefined
          ? reason
          : new PartialDownloadError(code, loss.getErrorMessage(), body),
      );
    }
  }

  /** Stops the body: the connection it arrives on is aborted. */
  abort(): void {
    const transport = this.transport as (ITransport & IPushProducer) | null;
    transport?.stopProducing();
  }
}

/**
 * Reads the whole body of a response. Mirrors Twisted's
 * `twisted.web.client.readBody`.
 *
 * When the body ends with the connection and had no length to check it
 * against (a close-delimited body), the Deferred fails with a
 * `PartialDownloadError` whose `response` holds the body, as in Twisted:
 * trap it to accept such bodies. A body cut short (fewer bytes than its
 * `Content-Length`, or a chunked body without its last chunk) fails the same
 * way, with the bytes that did arrive; Twisted reports that case as
 * `ResponseFailed`. Other failures (a malformed chunk, a reset connection
 * before any body byte) arrive as the `ResponseFailed` they are.
 *
 * Cancelling the Deferred aborts the connection and fails it with
 * `CancelledError`.
 *
 * @param response The response whose body to read.
 * @returns A Deferred of the body's bytes.
 * @throws {TypeError} The body was already delivered to a protocol.
 *
 * @example Reading a page
 * ```ts
 * import { Agent, HTTPConnectionPool, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("a page"),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const response = await new Agent(reactor, { pool })
 *   .request("GET", `http://127.0.0.1:${server.addr.port}/`);
 * const body = await readBody(response);
 * console.assert(new TextDecoder().decode(body) === "a page");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 *
 * @example Accepting a close-delimited body
 * ```ts
 * import { Failure } from "@torsion/torsion/deferred";
 * import { Headers, type IResponse, PartialDownloadError, PotentialDataLoss, readBody } from "@torsion/torsion/http";
 * import { StringTransport } from "@torsion/torsion/testing";
 * // A body that ended with the connection, as an HTTP/1.0 server sends it.
 * const response: IResponse = {
 *   version: ["HTTP", 1, 0],
 *   code: 200,
 *   phrase: "OK",
 *   headers: new Headers(),
 *   length: "UNKNOWN_LENGTH",
 *   request: null,
 *   previousResponse: null,
 *   deliverBody(protocol) {
 *     protocol.makeConnection(new StringTransport());
 *     protocol.dataReceived(new TextEncoder().encode("until close"));
 *     protocol.connectionLost(new Failure(new PotentialDataLoss()));
 *   },
 *   setPreviousResponse() {},
 * };
 * const body = await readBody(response).addErrback((failure: Failure) => {
 *   failure.trap(PartialDownloadError);
 *   return (failure.value as PartialDownloadError).response;
 * });
 * console.assert(new TextDecoder().decode(body as Uint8Array) === "until close");
 * ```
 */
export function readBody(response: IResponse): Deferred<Uint8Array> {
  let protocol: ReadBodyProtocol | null = null;
  const deferred = new Deferred<Uint8Array>((d) => {
    protocol?.abort();
    if (!d.called) d.errback(new CancelledError("readBody was cancelled"));
  });
  protocol = new ReadBodyProtocol(response, deferred);
  response.deliverBody(protocol);
  return deferred;
}
