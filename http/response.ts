/**
 * `Response`: the head of an HTTP response and a way to receive its body,
 * as `twisted.web._newclient.Response`.
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  ITransport,
} from "../reactor/interfaces.ts";
import { ResponseDone } from "./client_errors.ts";
import type { Headers } from "./headers.ts";
import type {
  HTTPVersion,
  IClientRequest,
  IResponse,
  IResponseBodyTransport,
} from "./interfaces.ts";
import { UNKNOWN_LENGTH } from "./unknown_length.ts";

/** Body bytes buffered before `deliverBody` past which the connection is paused. */
const BUFFER_HIGH_WATER = 65536;

const NO_ADDRESS: IAddress = { type: "TCP", host: "", port: 0 };

// Shared: building an Error and a Failure per response costs a stack trace
// each, which showed as the most expensive step of a keep-alive request.
const RESPONSE_DONE = new Failure(new ResponseDone());

/**
 * The connection a response arrives on, as far as the body needs it: it can
 * be paused, resumed and aborted. A TCP transport is one. What Twisted's
 * `Response` reaches through its `_transport`.
 *
 * @example A TCP transport serves as one
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers, Response, type ResponseConnection } from "@torsion/torsion/http";
 * import { StringTransport } from "@torsion/torsion/testing";
 * const connection: ResponseConnection = new StringTransport();
 * const response = new Response({
 *   version: ["HTTP", 1, 1],
 *   code: 200,
 *   phrase: "OK",
 *   headers: new Headers(),
 *   connection,
 * });
 * assert.equal(response.code, 200);
 * ```
 */
export interface ResponseConnection {
  /** Stops reading from the connection. */
  pauseProducing(): void;
  /** Reads from the connection again. */
  resumeProducing(): void;
  /** Closes the connection at once. */
  abortConnection(): void;
  /** The address of the server. */
  getPeer(): IAddress;
  /** The local address. */
  getHost(): IAddress;
}

/**
 * What a {@linkcode Response} is made of: the arguments of Twisted's
 * `Response._construct(version, code, phrase, headers, transport, request)`.
 *
 * @example A response without a connection, for a test
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers, Response, type ResponseInit } from "@torsion/torsion/http";
 * const init: ResponseInit = {
 *   version: ["HTTP", 1, 1],
 *   code: 404,
 *   phrase: "Not Found",
 *   headers: new Headers({ "Content-Length": "0" }),
 *   length: 0,
 * };
 * assert.equal(new Response(init).length, 0);
 * ```
 */
export interface ResponseInit {
  /** The HTTP version of the status line. */
  version: HTTPVersion;
  /** The status code. */
  code: number;
  /** The reason phrase. */
  phrase: string;
  /** The header fields. */
  headers: Headers;
  /**
   * The body length, when known before the body arrives.
   *
   * @default {UNKNOWN_LENGTH}
   */
  length?: number | "UNKNOWN_LENGTH";
  /**
   * The request this response answers.
   *
   * @default {null}
   */
  request?: IClientRequest | null;
  /**
   * The connection the body arrives on, which the body protocol's transport
   * pauses, resumes and stops.
   *
   * @default {null}
   */
  connection?: ResponseConnection | null;
}

// Set by the class's static block: only the connection that feeds a
// response (and nothing outside the package) may deliver its body.
let received: (response: Response, data: Uint8Array) => void;
let finished: (response: Response, reason?: Failure) => void;

/**
 * Delivers a piece of body to `response` (a view: it is copied if
 * buffered). For the client protocol only; not part of the public API.
 */
export function bodyDataReceived(response: Response, data: Uint8Array): void {
  received(response, data);
}

/**
 * Ends the body of `response`: `ResponseDone` when `reason` is undefined.
 * For the client protocol only; not part of the public API.
 */
export function bodyDataFinished(response: Response, reason?: Failure): void {
  finished(response, reason);
}

const INITIAL = 0;
const CONNECTED = 1;
const DEFERRED_CLOSE = 2;
const FINISHED = 3;

/**
 * An HTTP response: its status, its header fields, and its body, which is
 * delivered to a protocol on demand. Mirrors Twisted's
 * `twisted.web._newclient.Response`.
 *
 * The body is buffered until `deliverBody` is called (the connection is
 * paused once 64 KiB are waiting), then streamed: the protocol's
 * `dataReceived` gets each piece as it arrives and its `connectionLost` gets
 * `ResponseDone` when the body is complete, `PotentialDataLoss` when it ran
 * to the close of the connection without a declared length, or a
 * `ResponseFailed` when it was cut short or malformed. `readBody` does all
 * of that for you.
 *
 * @example Streaming a body to a protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@torsion/torsion/deferred";
 * import { Agent, HTTPConnectionPool, ResponseDone } from "@torsion/torsion/http";
 * import { Protocol, reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new globalThis.Response("streamed body"),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const response = await new Agent(reactor, { pool })
 *   .request("GET", `http://127.0.0.1:${server.addr.port}/`);
 * let text = "";
 * const { promise, resolve } = Promise.withResolvers<Failure>();
 * class Printer extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     text += new TextDecoder().decode(data);
 *   }
 *   override connectionLost(reason: Failure): void {
 *     resolve(reason);
 *   }
 * }
 * response.deliverBody(new Printer());
 * assert.equal((await promise).check(ResponseDone), ResponseDone);
 * assert.equal(text, "streamed body");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class Response implements IResponse {
  /** The HTTP version of the status line. */
  readonly version: HTTPVersion;
  /** The status code. */
  readonly code: number;
  /** The reason phrase. */
  readonly phrase: string;
  /** The header fields. */
  readonly headers: Headers;
  /** The body length, or `UNKNOWN_LENGTH`. */
  readonly length: number | "UNKNOWN_LENGTH";
  /** The request this response answers. */
  readonly request: IClientRequest | null;
  /** The response that redirected to this one, or `null`. */
  previousResponse: IResponse | null = null;

  #state = INITIAL;
  #buffer: Uint8Array[] = [];
  #buffered = 0;
  #paused = false;
  #protocol: IProtocol | null = null;
  #reason: Failure | null = null;
  #connection: ResponseConnection | null;
  #bodyTransport: BodyTransport | null = null;

  static {
    received = (response, data) => response.#received(data);
    finished = (response, reason) => response.#finished(reason);
  }

  /**
   * Creates a response whose body will be fed by its connection. The client
   * creates responses; tests of body protocols may create one too.
   *
   * @param init The status line, the header fields, and where the body comes from.
   */
  constructor(init: ResponseInit) {
    this.version = init.version;
    this.code = init.code;
    this.phrase = init.phrase;
    this.headers = init.headers;
    this.length = init.length ?? UNKNOWN_LENGTH;
    this.request = init.request ?? null;
    this.#connection = init.connection ?? null;
  }

  /**
   * Delivers the body to `protocol`. Mirrors `Response.deliverBody`: the
   * protocol's `makeConnection` gets a transport that can pause, resume and
   * stop the body, then bytes already buffered and those still to come
   * arrive through `dataReceived`, and `connectionLost` ends it.
   *
   * @param protocol The protocol to receive the body.
   * @throws {TypeError} The body was already delivered to a protocol.
   *
   * @example Collecting a body by hand
   * ```ts
   * import { Failure } from "@torsion/torsion/deferred";
   * import { Protocol } from "@torsion/torsion/reactor";
   * import { Headers, Response } from "@torsion/torsion/http";
   * const response = new Response({ version: ["HTTP", 1, 1], code: 200, phrase: "OK", headers: new Headers() });
   * const parts: Uint8Array[] = [];
   * class Collector extends Protocol {
   *   override dataReceived(data: Uint8Array): void { parts.push(data); }
   *   override connectionLost(reason: Failure): void { console.log(reason.getErrorMessage()); }
   * }
   * response.deliverBody(new Collector());
   * ```
   */
  deliverBody(protocol: IProtocol): void {
    if (this.#state === CONNECTED || this.#state === FINISHED) {
      throw new TypeError(
        `Cannot deliver the body of a response twice: it was already delivered to ${
          describe(this.#protocol)
        }`,
      );
    }
    const wasDeferredClose = this.#state === DEFERRED_CLOSE;
    this.#state = CONNECTED;
    this.#protocol = protocol;
    const transport = new BodyTransport(this.#connection);
    this.#bodyTransport = transport;
    protocol.makeConnection(transport);
    const buffer = this.#buffer;
    this.#buffer = [];
    this.#buffered = 0;
    for (const data of buffer) protocol.dataReceived(data);
    if (wasDeferredClose) {
      this.#state = FINISHED;
      this.#protocol = null;
      protocol.connectionLost(this.#reason as Failure);
      this.#reason = null;
    } else if (this.#paused) {
      this.#paused = false;
      this.#connection?.resumeProducing();
    }
  }

  /**
   * Records the response that redirected to this one. Mirrors
   * `Response.setPreviousResponse`.
   *
   * @param response The earlier response.
   *
   * @example Chaining a redirect
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers, Response } from "@torsion/torsion/http";
   * const init = { version: ["HTTP", 1, 1] as const, phrase: "", headers: new Headers() };
   * const first = new Response({ ...init, code: 302 });
   * const second = new Response({ ...init, code: 200 });
   * second.setPreviousResponse(first);
   * assert.equal(second.previousResponse, first);
   * ```
   */
  setPreviousResponse(response: IResponse): void {
    this.previousResponse = response;
  }

  #received(data: Uint8Array): void {
    switch (this.#state) {
      case CONNECTED:
        (this.#protocol as IProtocol).dataReceived(data);
        return;
      case INITIAL:
        // The pieces a transport hands over are never written over, so one
        // that is most of its buffer is kept as it is; a small view of a
        // large read buffer is copied, so that a body nobody reads yet
        // does not keep whole read buffers alive.
        this.#buffer.push(
          data.byteLength * 4 < data.buffer.byteLength ? data.slice() : data,
        );
        this.#buffered += data.length;
        if (
          this.#buffered > BUFFER_HIGH_WATER && !this.#paused &&
          this.#connection !== null
        ) {
          this.#paused = true;
          this.#connection.pauseProducing();
        }
        return;
      default:
        // Bytes after the end: the connection misbehaved; nothing to deliver to.
        return;
    }
  }

  #finished(reason?: Failure): void {
    const failure = reason ?? RESPONSE_DONE;
    // The connection may go back to the pool: the body protocol must not
    // be able to pause or abort it any more.
    this.#connection = null;
    this.#bodyTransport?.detach();
    this.#bodyTransport = null;
    switch (this.#state) {
      case CONNECTED: {
        const protocol = this.#protocol as IProtocol;
        this.#state = FINISHED;
        this.#protocol = null;
        protocol.connectionLost(failure);
        return;
      }
      case INITIAL:
        this.#state = DEFERRED_CLOSE;
        this.#reason = failure;
        return;
      default:
        return;
    }
  }
}

function describe(value: unknown): string {
  const name = (value as { constructor?: { name?: string } } | null)
    ?.constructor?.name;
  return name === undefined || name === "" ? "a protocol" : `a ${name}`;
}

/**
 * The transport of a body protocol: pauses, resumes and stops the
 * connection the body arrives on. Mirrors Twisted's `_TransportProxyProducer`.
 */
class BodyTransport implements ITransport, IResponseBodyTransport {
  #connection: ResponseConnection | null;

  constructor(connection: ResponseConnection | null) {
    this.#connection = connection;
  }

  detach(): void {
    this.#connection = null;
  }

  pauseProducing(): void {
    this.#connection?.pauseProducing();
  }

  resumeProducing(): void {
    this.#connection?.resumeProducing();
  }

  stopProducing(): void {
    const connection = this.#connection;
    this.#connection = null;
    connection?.abortConnection();
  }

  loseConnection(): void {
    this.stopProducing();
  }

  write(_data: Uint8Array | string): void {
    throw new TypeError("Cannot write to a response body: it is read-only");
  }

  writeSequence(_data: Iterable<Uint8Array | string>): void {
    throw new TypeError("Cannot write to a response body: it is read-only");
  }

  registerProducer(_producer: IProducer, _streaming: boolean): void {
    throw new TypeError(
      "Cannot register a producer with a response body: it is read-only",
    );
  }

  unregisterProducer(): void {}

  getPeer(): IAddress {
    return this.#connection?.getPeer() ?? NO_ADDRESS;
  }

  getHost(): IAddress {
    return this.#connection?.getHost() ?? NO_ADDRESS;
  }
}
