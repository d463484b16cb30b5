/**
 * `TCPClient`: Tornado's `tcpclient.TCPClient` on the reactor, connecting
 * and handing back an `IOStream`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IConnector,
  IProtocol,
  IReactorSSL,
  IReactorTCP,
  TLSClientOptions,
} from "./interfaces.ts";
import { IOStream, SSLIOStream } from "./iostream.ts";
import { ClientFactory } from "./protocol.ts";
import { reactor as globalReactor } from "./reactor.ts";
import { streamProtocol } from "./_stream_protocol.ts";

/**
 * Options of {@linkcode TCPClient.connect}, as the keyword arguments of
 * Tornado's `TCPClient.connect`.
 *
 * @example A TLS connection with a five-second limit
 * ```ts
 * import type { TCPClientConnectOptions } from "@torsion/torsion/reactor";
 * const options: TCPClientConnectOptions = { timeout: 5, sslOptions: { hostname: "example.com" } };
 * ```
 */
export interface TCPClientConnectOptions {
  /**
   * Seconds before the attempt fails with `TimeoutError`.
   * @default the reactor's connect timeout (30 s)
   */
  timeout?: number;
  /**
   * Connect with TLS, verifying the certificate as these options say; the
   * stream is then an `SSLIOStream`.
   * @default undefined (plain TCP)
   */
  sslOptions?: TLSClientOptions;
  /**
   * The stream's `maxBufferSize`.
   * @default 104857600 (100 MiB)
   */
  maxBufferSize?: number;
}

/**
 * Options of the {@linkcode TCPClient} constructor.
 *
 * @example The default reactor
 * ```ts
 * import type { TCPClientOptions } from "@torsion/torsion/reactor";
 * const options: TCPClientOptions = {};
 * ```
 */
export interface TCPClientOptions {
  /**
   * The reactor to connect with.
   * @default the global reactor
   */
  reactor?: IReactorTCP & IReactorSSL;
}

/**
 * A non-blocking TCP connection factory. Mirrors Tornado's `TCPClient`.
 *
 * @example Connecting to a port nobody listens on
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionRefusedError, TCPClient } from "@torsion/torsion/reactor";
 * await assert.rejects(
 *   async () => await new TCPClient().connect("127.0.0.1", 1),
 *   ConnectionRefusedError,
 * );
 * ```
 */
export class TCPClient {
  readonly #reactor: IReactorTCP & IReactorSSL;

  /**
   * Creates a client.
   *
   * @param options The reactor.
   */
  constructor(options: TCPClientOptions = {}) {
    this.#reactor = options.reactor ?? globalReactor;
  }

  /**
   * Connects to `host`:`port`. Mirrors `TCPClient.connect`.
   *
   * @param host A host name or IP address.
   * @param port The port.
   * @param options `timeout`, `sslOptions`, `maxBufferSize`.
   * @returns A Deferred of the connected stream; it fails with
   *   `ConnectionRefusedError`, `DNSLookupError`, `TimeoutError` or
   *   `TLSError`, and cancelling it stops the attempt.
   */
  connect(
    host: string,
    port: number,
    options: TCPClientConnectOptions = {},
  ): Deferred<IOStream> {
    let connector: IConnector | null = null;
    const result = new Deferred<IOStream>(() => connector?.stopConnecting());
    const factory = new StreamClientFactory(options, result);
    const connectOptions = options.timeout === undefined
      ? {}
      : { timeout: options.timeout };
    connector = options.sslOptions === undefined
      ? this.#reactor.connectTCP(host, port, factory, connectOptions)
      : this.#reactor.connectSSL(
        host,
        port,
        factory,
        options.sslOptions,
        connectOptions,
      );
    return result;
  }

  /**
   * Nothing to release: connections belong to their streams. Mirrors
   * `TCPClient.close`.
   */
  close(): void {}
}

/** Settles `result` with the stream of the connection, or the failure. */
class StreamClientFactory extends ClientFactory {
  readonly #options: TCPClientConnectOptions;
  readonly #result: Deferred<IOStream>;

  constructor(options: TCPClientConnectOptions, result: Deferred<IOStream>) {
    super();
    this.#options = options;
    this.#result = result;
  }

  override buildProtocol(_addr: IAddress): IProtocol {
    const options = { maxBufferSize: this.#options.maxBufferSize };
    const stream = this.#options.sslOptions === undefined
      ? new IOStream(options)
      : new SSLIOStream(options);
    return streamProtocol(stream, (made) => {
      if (this.#result.called) made.close();
      else this.#result.callback(made);
    });
  }

  override clientConnectionFailed(
    _connector: IConnector,
    reason: Failure,
  ): void {
    if (!this.#result.called) this.#result.errback(reason);
  }
}
