/**
 * `HTTPServer`: a Tornado-style HTTP server, as
 * `tornado.httpserver.HTTPServer`, on the reactor's HTTP/1.1 engine.
 *
 * @module
 */
import { DEFAULT_DRAIN_TIMEOUT, HTTPFactory } from "../http/http_factory.ts";
import type {
  AccessLogEntry,
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
  HTTPServerRequestChannel,
} from "../http/server_interfaces.ts";
import type {
  IListeningPort,
  IReactor,
  TLSServerOptions,
} from "../reactor/interfaces.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { CallableDelegate } from "./_handler_delegate.ts";
import type { HTTPServerRequest } from "./http_server_request.ts";

/** Options of {@linkcode HTTPServer}: the engine's limits and these. */
export interface HTTPServerConstructorOptions extends HTTPServerOptions {
  /**
   * Serve TLS with this certificate and key. Tornado's `ssl_options`.
   * @default undefined (plain HTTP)
   */
  sslOptions?: TLSServerOptions;
  /**
   * The reactor the server runs on (the same one `IOLoop.current()` uses).
   * @default the global reactor
   */
  reactor?: IReactor;
}

/** Options of `Application.listen`: the server's options and the address. */
export interface HTTPServerListenOptions extends HTTPServerConstructorOptions {
  /**
   * The address to bind. Tornado's `address`.
   * @default "" (every IPv4 interface)
   */
  address?: string;
}

/**
 * A non-blocking HTTP/1.1 server, as Tornado's
 * `tornado.httpserver.HTTPServer`: it serves an `Application` (or any
 * `HTTPServerConnectionDelegate`) with the HTTP/1.1 engine, with Tornado's
 * options (`maxHeaderSize`, `maxBodySize`, `idleConnectionTimeout`,
 * `bodyTimeout`, `headerTimeout`, `noKeepAlive`, `xheaders`,
 * `decompressRequest`). Start it with `listen(port)`, or `bind` then
 * `start`; stop it with `stop()` then `closeAllConnections()`.
 *
 * Only one process: `start(numProcesses)` accepts only 1 (Deno cannot
 * fork).
 *
 * @example Starting and stopping
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, HTTPServer, RequestHandler } from "@torsion/torsion/web";
 * class Main extends RequestHandler {
 *   override get(): void {
 *     this.write("Hello, world");
 *   }
 * }
 * const server = new HTTPServer(new Application([["/", Main]]), { xheaders: true });
 * server.listen(0, "127.0.0.1");
 * const response = await fetch(`http://127.0.0.1:${server.port}/`);
 * assert.equal(await response.text(), "Hello, world");
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export class HTTPServer implements HTTPServerConnectionDelegate {
  readonly #delegate: HTTPServerConnectionDelegate;
  readonly #factory: HTTPFactory;
  readonly #reactor: IReactor;
  readonly #sslOptions: TLSServerOptions | undefined;
  readonly #ports: IListeningPort[] = [];
  #pending: [port: number, address: string][] = [];
  #started = false;
  /**
   * Records a finished request in place of the engine's default access
   * line: present when the request callback has one (an `Application`
   * logs from its handlers, as Tornado's `log_request`).
   */
  readonly logAccess?: (entry: AccessLogEntry) => void;
  /** Whether `logAccess` wants requests now: the request callback's answer. */
  readonly logsAccess?: () => boolean;

  /**
   * Creates a server for an application; it serves once `listen` or
   * `start` is called.
   *
   * @param requestCallback What answers the requests: an `Application`
   *   (any `HTTPServerConnectionDelegate`), or a function given each
   *   complete `HTTPServerRequest`, which answers on `request.connection`
   *   (`writeHead`, `write`, `finish`), as Tornado's plain callbacks.
   * @param options The engine's limits, TLS and the reactor.
   *
   * @example A plain request callback
   * ```ts
   * import assert from "node:assert/strict";
   * import { Headers } from "@torsion/torsion/http";
   * import { HTTPServer } from "@torsion/torsion/web";
   * const server = new HTTPServer((request) => {
   *   const message = `You requested ${request.uri}\n`;
   *   request.connection!.writeHead(200, "OK", new Headers({ "Content-Type": "text/plain" }));
   *   request.connection!.write(message);
   *   request.connection!.finish();
   * });
   * server.listen(0, "127.0.0.1");
   * const response = await fetch(`http://127.0.0.1:${server.port}/a?b=1`);
   * assert.equal(await response.text(), "You requested /a?b=1\n");
   * await server.stop();
   * await server.closeAllConnections();
   * ```
   */
  constructor(
    requestCallback:
      | HTTPServerConnectionDelegate
      | ((request: HTTPServerRequest) => void),
    options: HTTPServerConstructorOptions = {},
  ) {
    const { sslOptions, reactor, ...engineOptions } = options;
    if (typeof requestCallback === "function") {
      this.#delegate = {
        startRequest: (channel) =>
          new CallableDelegate(requestCallback, channel),
      };
    } else {
      this.#delegate = requestCallback;
      if (requestCallback.logAccess !== undefined) {
        this.logAccess = (entry) => requestCallback.logAccess?.(entry);
        if (requestCallback.logsAccess !== undefined) {
          this.logsAccess = () => requestCallback.logsAccess?.() ?? true;
        }
      }
    }
    this.#reactor = reactor ?? globalReactor;
    this.#sslOptions = sslOptions;
    this.#factory = new HTTPFactory(this, engineOptions, this.#reactor);
  }

  /**
   * Listens on `port` at once. Tornado's `TCPServer.listen`.
   *
   * @param port The port, 0 for any free one (then read `port`).
   * @param address The address to bind, `""` for every IPv4 interface.
   * @returns The listening port.
   * @throws {CannotListenError} The port cannot be bound.
   */
  listen(port: number, address = ""): IListeningPort {
    const options = { interface: address };
    const listening = this.#sslOptions === undefined
      ? this.#reactor.listenTCP(port, this.#factory, options)
      : this.#reactor.listenSSL(port, this.#factory, this.#sslOptions, options);
    this.#ports.push(listening);
    return listening;
  }

  /**
   * Records a port to listen on when `start` is called. Tornado's
   * `TCPServer.bind`.
   *
   * @param port The port.
   * @param address The address to bind.
   */
  bind(port: number, address = ""): void {
    this.#pending.push([port, address]);
  }

  /**
   * Listens on every port given to `bind`. Tornado's `TCPServer.start`.
   *
   * @param numProcesses Must be 1 (or undefined): Deno cannot fork.
   * @throws {RangeError} `numProcesses` is not 1, or `start` was called twice.
   * @throws {CannotListenError} A port cannot be bound.
   */
  start(numProcesses: number | null = 1): void {
    if (numProcesses !== 1 && numProcesses !== null) {
      throw new RangeError(
        `HTTPServer.start supports one process only: current value is ${numProcesses}`,
      );
    }
    if (this.#started) {
      throw new RangeError(
        "HTTPServer.start called twice: current state is started",
      );
    }
    this.#started = true;
    const pending = this.#pending;
    this.#pending = [];
    for (const [port, address] of pending) this.listen(port, address);
  }

  /**
   * The first listening port's number (useful after listening on 0).
   *
   * @throws {RangeError} The server is not listening.
   */
  get port(): number {
    const first = this.#ports[0];
    if (first === undefined) {
      throw new RangeError("HTTPServer is not listening: current ports are []");
    }
    return first.getHost().port;
  }

  /** The ports the server listens on. */
  get listeningPorts(): readonly IListeningPort[] {
    return this.#ports;
  }

  /**
   * Stops accepting connections; requests in progress go on. Tornado's
   * `TCPServer.stop`.
   *
   * @returns A Promise that settles once every port is closed.
   */
  async stop(): Promise<void> {
    const ports = this.#ports.splice(0);
    await Promise.all(ports.map((port) => port.stopListening()));
  }

  /**
   * Closes every connection: idle ones at once, those with a request in
   * progress once their response is sent (it says `Connection: close`),
   * and any still open after `timeout` seconds are aborted. Tornado's
   * `close_all_connections`, which closes at once; call `stop()` first so
   * that no new connection arrives.
   *
   * @param timeout Seconds to let requests in progress finish.
   * @returns A Promise that settles once every connection is closed.
   *
   * @example A clean shutdown
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, RequestHandler } from "@torsion/torsion/web";
   * const started = Promise.withResolvers<void>();
   * class Slow extends RequestHandler {
   *   override async get(): Promise<void> {
   *     started.resolve();
   *     await new Promise((resolve) => setTimeout(resolve, 20));
   *     this.write("done");
   *   }
   * }
   * const server = new Application([["/", Slow]]).listen(0, { address: "127.0.0.1" });
   * const pending = fetch(`http://127.0.0.1:${server.port}/`);
   * await started.promise;
   * await server.stop();
   * await server.closeAllConnections(5);
   * assert.equal(await (await pending).text(), "done");
   * ```
   */
  async closeAllConnections(
    timeout: number = DEFAULT_DRAIN_TIMEOUT,
  ): Promise<void> {
    await this.#factory.drain(timeout);
  }

  /**
   * Starts a request: handed to the application. Tornado's
   * `HTTPServer.start_request`.
   *
   * @param channel The request's side of the connection.
   * @returns The application's delegate for the request.
   */
  startRequest(channel: HTTPServerRequestChannel): HTTPRequestDelegate {
    return this.#delegate.startRequest(channel);
  }
}
