/**
 * `HTTPFactory`: builds an {@linkcode HTTPChannel} for each connection of an
 * HTTP/1.1 server and tracks them, as Twisted's
 * `twisted.web.http.HTTPFactory` and the connection side of Tornado's
 * `HTTPServer`.
 *
 * @module
 */
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import type {
  IAddress,
  IProtocolFactory,
  IReactorCore,
} from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import {
  type ChannelTracker,
  resolveServerOptions,
} from "./_server_settings.ts";
import { HTTPChannel, trackChannel } from "./http_channel.ts";
import type {
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
} from "./server_interfaces.ts";

/** How long `drain` lets requests in progress run, by default, in seconds. */
export const DEFAULT_DRAIN_TIMEOUT = 10;

/**
 * Serves HTTP/1.1 on any listening port: give it to `listenTCP`,
 * `listenSSL` or a server endpoint. Each connection gets an
 * {@linkcode HTTPChannel} that asks `delegate` (Twisted's `Site`, Tornado's
 * `HTTPServer` over an `Application`) for a request delegate per request.
 * Mirrors Twisted's `HTTPFactory`, with Tornado's `HTTPServer` options.
 *
 * It tracks its connections (`connections`), closes them all at once
 * (`closeAllConnections`, Tornado's `close_all_connections`) or gracefully
 * (`drain`: requests in progress finish within a bound, idle connections
 * close at once). While a port uses it, the reactor's shutdown drains it
 * first (a "before shutdown" system event trigger), so `reactor.stop()`
 * lets requests in progress finish.
 *
 * @example Serving on a loopback port
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers, HTTPFactory } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const factory = new HTTPFactory({
 *   startRequest(request) {
 *     return {
 *       headersReceived() {},
 *       dataReceived() {},
 *       finish() {
 *         request.writeHead(200, "OK", new Headers(), "Hello, World!");
 *         request.finish();
 *       },
 *       onConnectionClose() {},
 *     };
 *   },
 * });
 * const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${port.getHost().port}/`);
 * assert.equal(await response.text(), "Hello, World!");
 * await port.stopListening();
 * await factory.closeAllConnections();
 * ```
 */
export class HTTPFactory implements IProtocolFactory {
  /** Makes the delegate of each request. */
  readonly delegate: HTTPServerConnectionDelegate;
  /** The options every channel is built with. */
  readonly options: Readonly<HTTPServerOptions>;
  /** How many ports use this factory. Twisted's `numPorts`. */
  numPorts = 0;

  readonly #reactor: IReactorTime;
  readonly #channels = new Set<HTTPChannel>();
  readonly #tracker: { draining: boolean } & ChannelTracker;
  #trigger: number | undefined = undefined;
  #waiters: (() => void)[] = [];

  /**
   * Creates the factory.
   *
   * @param delegate Makes the delegate of each request.
   * @param options Limits, timeouts and headers, as Tornado's `HTTPServer`.
   * @param reactor The reactor whose clock runs the timeouts and whose
   * shutdown drains the server.
   * @throws {RangeError} An option is out of range.
   * @throws {TypeError} `serverHeader` is not a valid field value.
   */
  constructor(
    delegate: HTTPServerConnectionDelegate,
    options: HTTPServerOptions = {},
    reactor: IReactorTime = defaultReactor,
  ) {
    resolveServerOptions(options);
    this.delegate = delegate;
    this.options = { ...options };
    this.#reactor = reactor;
    this.#tracker = {
      draining: false,
      channelOpened: (channel: HTTPChannel): void => {
        this.#channels.add(channel);
      },
      channelClosed: (channel: HTTPChannel): void => {
        this.#channels.delete(channel);
        if (this.#channels.size === 0) this.#wake();
      },
      channelIdle: (channel: HTTPChannel): void => {
        if (this.#tracker.draining) channel.closeWhenIdle();
      },
    };
  }

  /** The channels of the open connections. */
  get connections(): ReadonlySet<HTTPChannel> {
    return this.#channels;
  }

  /** Whether `drain` was called: no connection is kept alive any more. */
  get draining(): boolean {
    return this.#tracker.draining;
  }

  /**
   * Builds the channel of a new connection. Mirrors
   * `HTTPFactory.buildProtocol`.
   *
   * @param _addr The client's address.
   * @returns The channel.
   */
  buildProtocol(_addr: IAddress): HTTPChannel {
    const channel = new HTTPChannel(this.delegate, this.options, this.#reactor);
    trackChannel(channel, this.#tracker);
    return channel;
  }

  /**
   * Counts a port using the factory; the first registers the reactor's
   * "before shutdown" drain. Mirrors `Factory.doStart`.
   */
  doStart(): void {
    if (this.numPorts === 0) {
      this.#tracker.draining = false;
      const core = this.#reactor as Partial<IReactorCore>;
      if (typeof core.addSystemEventTrigger === "function") {
        this.#trigger = core.addSystemEventTrigger(
          "before",
          "shutdown",
          () => this.drain(),
        );
      }
    }
    this.numPorts++;
  }

  /**
   * Uncounts a port; after the last, the shutdown trigger is removed.
   * Connections already open are left to finish (see `drain`). Mirrors
   * `Factory.doStop`.
   */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0 && this.#trigger !== undefined) {
      (this.#reactor as Partial<IReactorCore>).removeSystemEventTrigger?.(
        this.#trigger,
      );
      this.#trigger = undefined;
    }
  }

  /**
   * Shuts the server's connections down gracefully: idle connections close
   * at once, requests in progress finish (their responses say
   * `Connection: close`) and then their connections close; whatever is still
   * open after `timeout` seconds is aborted. Stop listening first
   * (`port.stopListening()`), or new connections keep arriving. Tornado's
   * `HTTPServer.stop()` followed by `close_all_connections()`, bounded.
   *
   * @param timeout Seconds to let requests in progress finish.
   * @returns A Promise that resolves once every connection is closed.
   *
   * @example Draining after the port is closed
   * ```ts
   * import assert from "node:assert/strict";
   * import { HTTPFactory } from "@torsion/torsion/http";
   * const factory = new HTTPFactory({
   *   startRequest() { throw new Error("no request expected"); },
   * });
   * await factory.drain(1);
   * assert.equal(factory.connections.size, 0);
   * ```
   */
  drain(timeout: number = DEFAULT_DRAIN_TIMEOUT): Promise<void> {
    this.#tracker.draining = true;
    for (const channel of this.#channels) channel.closeWhenIdle();
    if (this.#channels.size === 0) return Promise.resolve();
    let timer: IDelayedCall | null = this.#reactor.callLater(
      Math.max(0, timeout),
      () => {
        timer = null;
        for (const channel of this.#channels) channel.abort();
      },
    );
    return this.#closed().then(() => {
      if (timer !== null) timer.cancel();
    });
  }

  /**
   * Aborts every open connection at once. Mirrors Tornado's
   * `HTTPServer.close_all_connections`.
   *
   * @returns A Promise that resolves once every connection is closed.
   */
  closeAllConnections(): Promise<void> {
    for (const channel of this.#channels) channel.abort();
    return this.#closed();
  }

  #closed(): Promise<void> {
    if (this.#channels.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
