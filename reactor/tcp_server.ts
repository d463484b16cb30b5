/**
 * `TCPServer`: Tornado's `tcpserver.TCPServer` on the reactor, handing each
 * accepted connection to `handleStream` as an `IOStream`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { DeferredList } from "../deferred/deferred_list.ts";
import type {
  IAddress,
  IListeningPort,
  IProtocol,
  IReactorSSL,
  IReactorTCP,
  TLSServerOptions,
} from "./interfaces.ts";
import { IOStream, SSLIOStream } from "./iostream.ts";
import { ServerFactory } from "./protocol.ts";
import { reactor as globalReactor } from "./reactor.ts";
import { callGuarded, streamProtocol } from "./_stream_protocol.ts";

/**
 * Options of {@linkcode TCPServer}, as the keyword arguments of Tornado's
 * `TCPServer`.
 *
 * @example A TLS server
 * ```ts
 * import type { TCPServerOptions } from "@torsion/torsion/reactor";
 * const options: TCPServerOptions = { sslOptions: { cert: "...", key: "..." } };
 * ```
 */
export interface TCPServerOptions {
  /**
   * A PEM certificate and key: the server speaks TLS and hands out
   * `SSLIOStream`s.
   * @default undefined (plain TCP)
   */
  sslOptions?: TLSServerOptions;
  /**
   * Each stream's `maxBufferSize`.
   * @default 104857600 (100 MiB)
   */
  maxBufferSize?: number;
  /**
   * Each stream's `readChunkSize`.
   * @default 65536
   */
  readChunkSize?: number;
  /**
   * The reactor to listen on.
   * @default the global reactor
   */
  reactor?: IReactorTCP & IReactorSSL;
}

/** Options of `listen` and `bind`. */
export interface TCPServerListenOptions {
  /**
   * The listen queue length.
   * @default the reactor's (Twisted's 50)
   */
  backlog?: number;
}

/**
 * A non-blocking TCP server. Mirrors Tornado's `TCPServer`: subclass it and
 * override `handleStream(stream, address)`, which may return a Promise;
 * what it throws or rejects with is logged and its stream closed.
 * `listen` accepts at once; `bind` followed by `start` accepts from
 * `start` on. `stop` closes the listening sockets, not the connections.
 *
 * @example An echo server on a free port
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IAddress, IOStream, TCPClient, TCPServer } from "@torsion/torsion/reactor";
 * class EchoServer extends TCPServer {
 *   override async handleStream(stream: IOStream, _address: IAddress): Promise<void> {
 *     const line = await stream.readUntil("\n");
 *     await stream.write(line);
 *     stream.close();
 *   }
 * }
 * const server = new EchoServer();
 * const port = server.listen(0, "127.0.0.1").getHost().port;
 * const stream = await new TCPClient().connect("127.0.0.1", port);
 * await stream.write("ping\n");
 * assert.equal(new TextDecoder().decode(await stream.readUntilClose()), "ping\n");
 * await server.stop();
 * ```
 */
export class TCPServer {
  readonly #options: TCPServerOptions;
  readonly #reactor: IReactorTCP & IReactorSSL;
  #ports: IListeningPort[] = [];
  #started = false;
  #waiting: [IOStream, IAddress][] = [];

  /**
   * Creates a server; it accepts nothing until `listen` or `start`.
   *
   * @param options TLS, buffer limits and the reactor.
   */
  constructor(options: TCPServerOptions = {}) {
    this.#options = options;
    this.#reactor = options.reactor ?? globalReactor;
  }

  /** The listening ports, as Tornado's `_sockets`. */
  get ports(): readonly IListeningPort[] {
    return this.#ports;
  }

  /**
   * Called with the stream of each accepted connection. Mirrors
   * `TCPServer.handle_stream`; override it.
   *
   * @param stream The connection's stream.
   * @param address The client's address.
   * @returns Nothing, or a Promise (its rejection is logged).
   * @throws {Error} Always, unless overridden.
   */
  handleStream(
    stream: IOStream,
    address: IAddress,
  ): void | PromiseLike<void> {
    throw new Error(
      `TCPServer.handleStream is not overridden: closing the connection from ${address.host}:${address.port} (${
        stream.closed() ? "closed" : "open"
      })`,
    );
  }

  /**
   * Listens on `port` and accepts at once. Mirrors `TCPServer.listen`.
   *
   * @param port The port, 0 for a free one.
   * @param address The interface to bind, `""` for all IPv4 interfaces.
   * @param options `backlog`.
   * @returns The listening port (its `getHost()` tells a free port's number).
   * @throws {CannotListenError} The address cannot be bound.
   */
  listen(
    port: number,
    address = "",
    options: TCPServerListenOptions = {},
  ): IListeningPort {
    const listening = this.bind(port, address, options);
    this.start();
    return listening;
  }

  /**
   * Binds `port`; connections are accepted but handled only from `start()`
   * on. Mirrors `TCPServer.bind`.
   *
   * @param port The port, 0 for a free one.
   * @param address The interface to bind, `""` for all IPv4 interfaces.
   * @param options `backlog`.
   * @returns The listening port.
   * @throws {CannotListenError} The address cannot be bound.
   */
  bind(
    port: number,
    address = "",
    options: TCPServerListenOptions = {},
  ): IListeningPort {
    const factory = new StreamServerFactory(
      this.#options,
      (stream, peer) => this.#accepted(stream, peer),
    );
    const listenOptions = { interface: address, backlog: options.backlog };
    const tls = this.#options.sslOptions;
    const listening = tls === undefined
      ? this.#reactor.listenTCP(port, factory, listenOptions)
      : this.#reactor.listenSSL(port, factory, tls, listenOptions);
    this.#ports.push(listening);
    return listening;
  }

  /**
   * Starts handling the connections of the bound ports. Mirrors
   * `TCPServer.start`; Deno cannot fork, so only one process is supported.
   *
   * @param numProcesses Must be 1.
   * @throws {RangeError} `numProcesses` is not 1.
   */
  start(numProcesses = 1): void {
    if (numProcesses !== 1) {
      throw new RangeError(
        `Cannot start more than one process: current value is ${numProcesses}`,
      );
    }
    this.#started = true;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const [stream, peer] of waiting) this.#handle(stream, peer);
  }

  /**
   * Stops listening; connections already accepted stay open. Mirrors
   * `TCPServer.stop`.
   *
   * @returns A Deferred that fires once every listening socket is closed.
   */
  stop(): Deferred<void> {
    const ports = this.#ports;
    this.#ports = [];
    const done = new Deferred<void>();
    new DeferredList(ports.map((port) => port.stopListening()), {
      consumeErrors: true,
    }).addCallback(() => done.callback(undefined));
    return done;
  }

  #accepted(stream: IOStream, peer: IAddress): void {
    if (this.#started) this.#handle(stream, peer);
    else this.#waiting.push([stream, peer]);
  }

  #handle(stream: IOStream, peer: IAddress): void {
    if (stream.closed()) return;
    callGuarded("TCPServer.handleStream", () => {
      try {
        const result = this.handleStream(stream, peer);
        return result === undefined
          ? result
          : Promise.resolve(result).catch((error) => {
            stream.close(error instanceof Error ? error : undefined);
            throw error;
          });
      } catch (error) {
        stream.close(error instanceof Error ? error : undefined);
        throw error;
      }
    });
  }
}

/** Builds an `IOStream` (or `SSLIOStream`) per accepted connection. */
class StreamServerFactory extends ServerFactory {
  readonly #options: TCPServerOptions;
  readonly #onStream: (stream: IOStream, peer: IAddress) => void;

  constructor(
    options: TCPServerOptions,
    onStream: (stream: IOStream, peer: IAddress) => void,
  ) {
    super();
    this.#options = options;
    this.#onStream = onStream;
  }

  override buildProtocol(addr: IAddress): IProtocol {
    const { sslOptions, maxBufferSize, readChunkSize } = this.#options;
    const options = { maxBufferSize, readChunkSize };
    const stream = sslOptions === undefined
      ? new IOStream(options)
      : new SSLIOStream(options);
    return streamProtocol(stream, (made) => this.#onStream(made, addr));
  }
}
