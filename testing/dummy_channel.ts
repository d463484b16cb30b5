/**
 * `DummyChannel`: one request's side of a server connection, in memory, as
 * `twisted.web.test.requesthelper.DummyChannel` (under `DummyRequest`).
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import { Headers, type HeadersInit } from "../http/headers.ts";
import type { HTTPVersion } from "../http/interfaces.ts";
import type {
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerRequestChannel,
  RequestHead,
} from "../http/server_interfaces.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { ConnectionLost } from "../reactor/errors.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  ITransport,
} from "../reactor/interfaces.ts";
import { StringTransport } from "./string_transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The request a {@linkcode DummyChannel} carries and the connection it
 * pretends to be.
 *
 * @example A form post over TLS
 * ```ts
 * import type { DummyChannelOptions } from "@torsion/torsion/testing";
 * const options: DummyChannelOptions = {
 *   method: "POST",
 *   target: "/login",
 *   headers: { "Content-Type": "application/x-www-form-urlencoded" },
 *   body: "user=alice",
 *   secure: true,
 * };
 * ```
 */
export interface DummyChannelOptions {
  /** The method. @default "GET" */
  method?: string;
  /** The request-target. @default "/" */
  target?: string;
  /** The version. @default ["HTTP", 1, 1] */
  version?: HTTPVersion;
  /** The request headers. @default { Host: "example.com" } */
  headers?: HeadersInit;
  /** The request body (`serve` delivers it in one piece). @default empty */
  body?: Uint8Array | string;
  /** What `getPeer()` returns. @default 192.168.1.1:54321 */
  peer?: IAddress;
  /** What `getHost()` returns. @default 10.0.0.1:80 */
  host?: IAddress;
  /** What `isSecure()` returns. @default false */
  secure?: boolean;
}

/**
 * An in-memory `HTTPServerRequestChannel` that records the response
 * written on it, for testing resources, sites and handlers without a
 * socket. Mirrors the `DummyChannel` under Twisted's `DummyRequest`
 * (`twisted.web.test.requesthelper`). Like the real engine, it sends no
 * body for `HEAD` or for 1xx, 204 and 304 responses, ignores writes after
 * the client went away, and throws on a write after `finish`.
 *
 * `serve(delegate)` plays the request through a connection delegate (a
 * `Site`, an `HTTPServer`); `loseConnection()` makes the client go away.
 *
 * @example Serving one request and reading the response
 * ```ts
 * import assert from "node:assert/strict";
 * import { Data, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const root = new Resource();
 * root.putChild("", new Data("hi", "text/plain"));
 * const channel = new DummyChannel({ target: "/" });
 * channel.serve(new Site(root));
 * assert.equal(channel.code, 200);
 * assert.equal(channel.responseHeaders?.get("content-type"), "text/plain");
 * assert.equal(channel.text(), "hi");
 * assert.equal(channel.finished, true);
 * ```
 */
export class DummyChannel implements HTTPServerRequestChannel {
  /** The request head. */
  readonly head: RequestHead;
  /** The status code written, once the head is. */
  code: number | undefined;
  /** The reason phrase written, once the head is. */
  phrase: string | undefined;
  /** A copy of the headers written, once the head is. */
  responseHeaders: Headers | undefined;
  /** The body pieces written, in order. */
  readonly written: Uint8Array[] = [];
  /** The registered producer, if any. */
  producer: IProducer | null = null;
  /** Whether the registered producer is a push producer. */
  streaming = false;
  /** Whether `abort` was called. */
  aborted = false;
  /** Whether the client went away (`loseConnection`). */
  lost = false;
  /** The transport handed over by `detach`, once it was called. */
  detachedTransport: StringTransport | null = null;

  readonly #body: Uint8Array;
  readonly #peer: IAddress;
  readonly #host: IAddress;
  readonly #secure: boolean;
  #finished = false;
  #delegate: HTTPRequestDelegate | null = null;
  #waiters: (() => void)[] = [];

  /**
   * Makes a channel carrying the request `options` describe.
   *
   * @param options The request and the connection.
   */
  constructor(options: DummyChannelOptions = {}) {
    const body = options.body ?? new Uint8Array(0);
    this.#body = typeof body === "string" ? encoder.encode(body) : body;
    this.head = {
      method: options.method ?? "GET",
      target: options.target ?? "/",
      version: options.version ?? ["HTTP", 1, 1],
      headers: new Headers(options.headers ?? { Host: "example.com" }),
      length: this.#body.length,
    };
    this.#peer = options.peer ??
      { type: "TCP", host: "192.168.1.1", port: 54321 };
    this.#host = options.host ?? { type: "TCP", host: "10.0.0.1", port: 80 };
    this.#secure = options.secure ?? false;
  }

  /** Whether the response head has been written. */
  get headWritten(): boolean {
    return this.code !== undefined;
  }

  /** Whether `finish` has been called. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Plays the request through `server`: `startRequest`, then the
   * delegate's `headersReceived`, `dataReceived` with the body, and
   * `finish`.
   *
   * @param server The connection delegate (a `Site`, an `HTTPServer`).
   * @returns The request's delegate.
   */
  serve(server: HTTPServerConnectionDelegate): HTTPRequestDelegate {
    const delegate = server.startRequest(this);
    this.#delegate = delegate;
    delegate.headersReceived(this.head);
    if (this.#body.length > 0) delegate.dataReceived(this.#body);
    delegate.finish();
    return delegate;
  }

  /**
   * Makes the client go away: unless the response is finished, the
   * delegate's `onConnectionClose` gets `reason`.
   *
   * @param reason Why.
   * @default reason a `ConnectionLost` Failure
   */
  loseConnection(reason?: Failure): void {
    if (this.lost) return;
    this.lost = true;
    if (this.#finished) return;
    this.#delegate?.onConnectionClose(
      reason ?? new Failure(new ConnectionLost("The client went away")),
    );
  }

  /**
   * Resolves once `finish` has been called.
   *
   * @returns A promise.
   */
  notifyFinish(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * The body written so far, in one piece.
   *
   * @returns The bytes.
   */
  body(): Uint8Array {
    return joinChunks(
      this.written,
      this.written.reduce((n, chunk) => n + chunk.length, 0),
    );
  }

  /**
   * The body written so far as UTF-8 text.
   *
   * @returns The text.
   */
  text(): string {
    return decoder.decode(this.body());
  }

  /**
   * Records the head, and `chunk` as the first piece of body.
   *
   * @throws {Error} The head was already written.
   */
  writeHead(
    code: number,
    phrase: string,
    headers: Headers,
    chunk?: Uint8Array | string,
  ): void {
    if (this.code !== undefined) {
      throw new Error(
        `Cannot write a response head twice: the first had status ${this.code}`,
      );
    }
    this.code = code;
    this.phrase = phrase;
    this.responseHeaders = headers.copy();
    if (chunk !== undefined) this.write(chunk);
  }

  /**
   * Records a piece of body.
   *
   * @throws {Error} `finish` was already called.
   */
  write(data: Uint8Array | string): void {
    if (this.#finished) {
      throw new Error("Cannot write on a DummyChannel after finish");
    }
    if (this.lost || !this.#sendsBody()) return;
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (bytes.length > 0) this.written.push(bytes.slice());
  }

  #sendsBody(): boolean {
    const code = this.code ?? 200;
    return this.head.method !== "HEAD" && code >= 200 && code !== 204 &&
      code !== 304;
  }

  /** Ends the response, writing `200 OK` first when no head was written. */
  finish(): void {
    if (this.#finished) return;
    if (this.code === undefined) this.writeHead(200, "OK", new Headers());
    this.#finished = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** The client's address. */
  getPeer(): IAddress {
    return this.#peer;
  }

  /** The server's address. */
  getHost(): IAddress {
    return this.#host;
  }

  /** Whether the connection pretends to be TLS. */
  isSecure(): boolean {
    return this.#secure;
  }

  /** Records the abort and makes the client go away. */
  abort(): void {
    this.aborted = true;
    this.loseConnection(
      new Failure(new ConnectionLost("The connection was aborted")),
    );
  }

  /**
   * Hands over an in-memory transport, as the engine hands over the socket
   * after a `101 Switching Protocols`; `protocol`, when given, is connected
   * to it. The transport is `detachedTransport` afterwards.
   *
   * @param protocol The protocol that takes the connection over.
   * @returns A `StringTransport` and no buffered bytes.
   * @throws {TypeError} The response is finished.
   */
  detach(
    protocol?: IProtocol,
  ): { transport: ITransport; buffered: Uint8Array } {
    if (this.#finished) {
      throw new TypeError(
        "Cannot detach the connection: the response is finished",
      );
    }
    const transport = new StringTransport();
    this.detachedTransport = transport;
    protocol?.makeConnection(transport);
    return { transport, buffered: new Uint8Array(0) };
  }

  /**
   * Records the producer.
   *
   * @throws {Error} A producer is already registered.
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new Error("Cannot register a second producer on a DummyChannel");
    }
    this.producer = producer;
    this.streaming = streaming;
  }

  /** Forgets the producer. */
  unregisterProducer(): void {
    this.producer = null;
  }
}
