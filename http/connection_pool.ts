/**
 * `HTTPConnectionPool`: persistent connections kept between requests, as
 * `twisted.web.client.HTTPConnectionPool`.
 *
 * @module
 */
import { Deferred, succeed } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall } from "../deferred/interfaces.ts";
import { getLogger } from "@logtape/logtape";
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import {
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseNeverReceived,
  WrapperException,
} from "./client_errors.ts";
import { HTTP11ClientProtocol } from "./_client_protocol.ts";
import type { HTTPEndpoint, ProtocolBuilder } from "./_endpoint.ts";
import type { ClientRequest } from "./_request.ts";
import type { Response } from "./response.ts";

const logger = getLogger(["torsion", "http"]);

/**
 * A connection that carries exactly one request. For the agents and the
 * engine; not part of the public API.
 */
export interface PooledConnection {
  /** The connection's state, as Twisted's `HTTP11ClientProtocol.state`. */
  readonly state: string;
  /** Sends one request on the connection. */
  request(request: ClientRequest): Deferred<Response>;
}

// Set by the class's static block: the way in for the agents and the
// engine, whose types (endpoints, internal requests) stay the package's own.
let getPooled: (
  pool: HTTPConnectionPool,
  key: string,
  endpoint: HTTPEndpoint,
) => Deferred<PooledConnection>;
let whenPoolClosed: (pool: HTTPConnectionPool) => Deferred<void>;

/**
 * A connection for one request: an idle one kept under `key`, or a new one
 * from `endpoint`. Mirrors `HTTPConnectionPool.getConnection`. Not part of
 * the public API.
 */
export function getConnection(
  pool: HTTPConnectionPool,
  key: string,
  endpoint: HTTPEndpoint,
): Deferred<PooledConnection> {
  return getPooled(pool, key, endpoint);
}

/**
 * Fires once every connection `pool` opened is closed: a fetch on a
 * non-persistent pool waits for it, as Twisted's `getPage` waited for its
 * connection to close before firing. Not part of the public API.
 */
export function whenClosed(pool: HTTPConnectionPool): Deferred<void> {
  return whenPoolClosed(pool);
}

/** One `closeCachedConnections()` call: the closes it waits for, and its Deferred. */
interface PoolClose {
  left: number;
  readonly done: Deferred<void>;
}

/** Methods a request may be repeated with safely (RFC 9110 section 9.2.2, less PUT, as Twisted). */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "DELETE", "TRACE"]);

/**
 * Keeps idle HTTP/1.1 connections open so that later requests to the same
 * server reuse them. Mirrors Twisted's `HTTPConnectionPool`: connections
 * are kept per key (scheme, host, port, and TLS and proxy settings), at most
 * `maxPersistentPerHost` idle ones per key (the oldest is closed to make
 * room), each for at most `cachedConnectionTimeout` seconds. A request sent
 * on a kept connection that the server had closed in the meantime (no byte
 * of response came back) is sent again once on a new connection when its
 * method is idempotent and its body is not streamed, unless
 * `retryAutomatically` is false.
 *
 * With `persistent` false, requests ask the server to close
 * (`Connection: close`) and nothing is kept, which is what an `Agent`
 * without a pool does, as in Twisted.
 *
 * Close the pool with `closeCachedConnections()` when done: kept
 * connections are sockets, and Deno's test sanitizers count them.
 *
 * @example Three requests on one kept connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { Agent, HTTPConnectionPool, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const peers = new Set<number>();
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (_request, info) => {
 *     peers.add(info.remoteAddr.port);
 *     return new Response("ok");
 *   },
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * pool.maxPersistentPerHost = 10;
 * const agent = new Agent(reactor, { pool });
 * for (let i = 0; i < 3; i++) {
 *   const response = await agent.request("GET", `http://127.0.0.1:${server.addr.port}/`);
 *   await readBody(response); // the connection goes back to the pool
 * }
 * assert.equal(peers.size, 1); // three requests, one connection
 * assert.equal(pool.cachedConnectionCount(), 1);
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class HTTPConnectionPool {
  /**
   * Whether connections are kept (and requests sent without
   * `Connection: close`). Twisted's `persistent`.
   *
   * @default {true}
   */
  persistent: boolean;
  /**
   * Most idle connections kept per key (scheme, host and port); when one
   * more comes back, the oldest is closed. Twisted's `maxPersistentPerHost`.
   *
   * @default {2}
   */
  maxPersistentPerHost = 2;
  /**
   * Seconds an idle connection is kept before it is closed. Twisted's
   * `cachedConnectionTimeout`.
   *
   * @default {240}
   */
  cachedConnectionTimeout = 240;
  /**
   * Whether a request that fails on a kept connection before any byte of
   * response came back is sent again, once, on a new connection (only for
   * GET, HEAD, OPTIONS, DELETE and TRACE without a body producer). Twisted's
   * `retryAutomatically`.
   *
   * @default {true}
   */
  retryAutomatically = true;

  readonly #reactor: IReactor;
  #connections = new Map<string, HTTP11ClientProtocol[]>();
  // When each idle connection was put back, oldest first (a Map keeps
  // insertion order); one sweeper timer closes those idle for too long,
  // instead of a timer set and cancelled for every request.
  #idleSince = new Map<HTTP11ClientProtocol, number>();
  #sweeper: IDelayedCall | null = null;
  #keys = new Map<HTTP11ClientProtocol, string>();
  /** Every connection the pool opened and not yet lost, with its key. */
  #open = new Map<HTTP11ClientProtocol, string>();
  #closedWaiters: Deferred<void>[] = [];
  /** The connections `closeCachedConnections()` aborted and waits for. */
  #closing = new Map<HTTP11ClientProtocol, PoolClose>();
  // Made once per pool, not per connection: thousands of connections may
  // be open at once, and each would otherwise hold closures of its own.
  readonly #builder: ProtocolBuilder = {
    build: (key) => {
      const connection = new HTTP11ClientProtocol(this.#idle, this.#lost);
      this.#open.set(connection, key);
      return connection;
    },
  };
  readonly #idle = (connection: HTTP11ClientProtocol): void => {
    this.#putConnection(this.#open.get(connection) as string, connection);
  };
  readonly #lost = (connection: HTTP11ClientProtocol): void => {
    this.#removeConnection(connection);
  };

  static {
    getPooled = (pool, key, endpoint) => pool.#getConnection(key, endpoint);
    whenPoolClosed = (pool) => pool.#whenClosed();
  }

  /**
   * Creates an empty pool.
   *
   * @param reactor Connects and schedules the idle timeouts.
   * @param persistent Whether to keep connections.
   */
  constructor(reactor: IReactor = defaultReactor, persistent = true) {
    this.#reactor = reactor;
    this.persistent = persistent;
  }

  /** The reactor the pool connects with. */
  get reactor(): IReactor {
    return this.#reactor;
  }

  /**
   * How many idle connections are kept, for `key` or in all.
   *
   * @param key A pool key; all keys when omitted.
   * @returns The count.
   *
   * @example An empty pool
   * ```ts
   * import assert from "node:assert/strict";
   * import { HTTPConnectionPool } from "@torsion/torsion/http";
   * const pool = new HTTPConnectionPool();
   * assert.equal(pool.cachedConnectionCount(), 0);
   * ```
   */
  cachedConnectionCount(key?: string): number {
    if (key !== undefined) return this.#connections.get(key)?.length ?? 0;
    let count = 0;
    for (const list of this.#connections.values()) count += list.length;
    return count;
  }

  /** Twisted's `getConnection`: a kept connection, or a new one. */
  #getConnection(
    key: string,
    endpoint: HTTPEndpoint,
  ): Deferred<PooledConnection> {
    const connections = this.#connections.get(key);
    while (connections !== undefined && connections.length > 0) {
      const connection = connections.shift() as HTTP11ClientProtocol;
      this.#forget(connection);
      if (connections.length === 0) this.#connections.delete(key);
      if (connection.state === "QUIESCENT") {
        if (endpoint.init.tracker !== null) {
          endpoint.init.tracker.phase = "request";
        }
        return succeed<PooledConnection>(
          this.retryAutomatically
            ? new RetryingConnection(
              connection,
              () => this.#newConnection(key, endpoint),
            )
            : connection,
        );
      }
    }
    return this.#newConnection(key, endpoint);
  }

  /** Opens a connection that comes back to the pool under `key` once idle. */
  #newConnection(
    key: string,
    endpoint: HTTPEndpoint,
  ): Deferred<PooledConnection> {
    return endpoint.connect(this.#builder, key);
  }

  /**
   * Closes every idle connection and empties the pool. Mirrors
   * `HTTPConnectionPool.closeCachedConnections`. Connections carrying a
   * request are not touched; they close or come back when it is done.
   * Connections already closing (a response that ended the exchange before
   * its request was sent whole) are aborted too, so no socket of the pool
   * outlives the call for long.
   *
   * @returns A Deferred that fires once the closed connections are gone.
   *
   * @example Closing a pool when done
   * ```ts
   * import { HTTPConnectionPool } from "@torsion/torsion/http";
   * await new HTTPConnectionPool().closeCachedConnections();
   * ```
   */
  closeCachedConnections(): Deferred<void> {
    // One count for the call itself, settled last, so that connections
    // that close at once do not fire the Deferred before all are aborted.
    const close: PoolClose = { left: 1, done: new Deferred<void>() };
    const idle = this.#connections;
    this.#connections = new Map();
    for (const connections of idle.values()) {
      for (const connection of connections) {
        this.#forget(connection);
        this.#abortFor(close, connection);
      }
    }
    for (const connection of this.#open.keys()) {
      const state = connection.state;
      if (state === "ABORTING" || state === "GENERATION_FAILED") {
        this.#abortFor(close, connection);
      }
    }
    this.#settle(close);
    return close.done;
  }

  /**
   * Aborts `connection` for `close`, which then waits for its loss: one
   * map entry rather than a Deferred and a callback per connection, as a
   * pool may hold thousands.
   */
  #abortFor(close: PoolClose, connection: HTTP11ClientProtocol): void {
    const waiting = this.#closing.get(connection);
    if (waiting === close) return;
    close.left++;
    if (waiting !== undefined) {
      // Aborted by an earlier call still waiting for it: wait through abort().
      connection.abort().addBoth(() => this.#settle(close));
      return;
    }
    this.#closing.set(connection, close);
    if (!connection.abortNow()) {
      this.#closing.delete(connection);
      this.#settle(close);
    }
  }

  #settle(close: PoolClose): void {
    if (--close.left === 0) close.done.callback(undefined);
  }

  #putConnection(key: string, connection: HTTP11ClientProtocol): void {
    // With no room per host, the room-making below would pop from an empty
    // list: nothing is kept, as when the pool is not persistent.
    if (!this.persistent || this.maxPersistentPerHost <= 0) {
      connection.transport?.loseConnection();
      return;
    }
    let connections = this.#connections.get(key);
    if (connections === undefined) {
      connections = [];
      this.#connections.set(key, connections);
    }
    if (connections.length >= this.maxPersistentPerHost) {
      const dropped = connections.shift() as HTTP11ClientProtocol;
      this.#forget(dropped);
      dropped.transport?.loseConnection();
    }
    connections.push(connection);
    this.#keys.set(connection, key);
    this.#idleSince.set(connection, this.#reactor.seconds());
    if (this.#sweeper === null) this.#armSweeper(this.cachedConnectionTimeout);
  }

  #armSweeper(delay: number): void {
    this.#sweeper = this.#reactor.callLater(Math.max(0, delay), () => {
      this.#sweeper = null;
      this.#sweep();
    });
  }

  /** Closes the connections idle for `cachedConnectionTimeout` or longer. */
  #sweep(): void {
    const now = this.#reactor.seconds();
    const timeout = this.cachedConnectionTimeout;
    for (const [connection, since] of this.#idleSince) {
      const left = since + timeout - now;
      if (left > 0) {
        this.#armSweeper(left);
        return;
      }
      this.#drop(connection);
      logger.debug("Closed a connection idle for {seconds} seconds", {
        seconds: timeout,
      });
      connection.transport?.loseConnection();
    }
  }

  /** A connection was lost: forget it. */
  #removeConnection(connection: HTTP11ClientProtocol): void {
    if (this.#keys.has(connection)) this.#drop(connection);
    this.#open.delete(connection);
    const close = this.#closing.get(connection);
    if (close !== undefined) {
      this.#closing.delete(connection);
      this.#settle(close);
    }
    if (this.#open.size > 0) return;
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const d of waiters) d.callback(undefined);
  }

  /** Fires once no connection of this pool is open. */
  #whenClosed(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#open.size === 0) d.callback(undefined);
    else this.#closedWaiters.push(d);
    return d;
  }

  #drop(connection: HTTP11ClientProtocol): void {
    const key = this.#keys.get(connection);
    this.#forget(connection);
    if (key === undefined) return;
    const connections = this.#connections.get(key);
    if (connections === undefined) return;
    const index = connections.indexOf(connection);
    if (index >= 0) connections.splice(index, 1);
    if (connections.length === 0) this.#connections.delete(key);
  }

  #forget(connection: HTTP11ClientProtocol): void {
    this.#keys.delete(connection);
    if (!this.#idleSince.delete(connection) || this.#idleSince.size > 0) return;
    const sweeper = this.#sweeper;
    this.#sweeper = null;
    if (sweeper !== null && sweeper.active()) sweeper.cancel();
  }
}

/**
 * A kept connection that sends its request again on a new connection when
 * the kept one turns out to be dead. Mirrors Twisted's
 * `_RetryingHTTP11ClientProtocol`.
 */
class RetryingConnection implements PooledConnection {
  readonly #connection: HTTP11ClientProtocol;
  readonly #newConnection: () => Deferred<PooledConnection>;

  constructor(
    connection: HTTP11ClientProtocol,
    newConnection: () => Deferred<PooledConnection>,
  ) {
    this.#connection = connection;
    this.#newConnection = newConnection;
  }

  get state(): string {
    return this.#connection.state;
  }

  request(request: ClientRequest): Deferred<Response> {
    return this.#connection.request(request).addErrback(
      (failure: Failure): Deferred<Response> | Failure => {
        if (!shouldRetry(request, failure.value)) return failure;
        logger.debug(
          "Retrying {method} {uri} on a new connection: {reason}",
          {
            method: request.method,
            uri: request.absoluteURI,
            reason: failure.getErrorMessage(),
          },
        );
        return this.#newConnection().addCallback(
          (connection) => connection.request(request),
        );
      },
    ) as Deferred<Response>;
  }
}

/** Twisted's `_shouldRetry`: idempotent, nothing received, not cancelled, no producer. */
function shouldRetry(request: ClientRequest, error: unknown): boolean {
  if (!IDEMPOTENT.has(request.method)) return false;
  if (request.bodyProducer !== null) return false;
  if (
    !(error instanceof RequestNotSent) &&
    !(error instanceof RequestTransmissionFailed) &&
    !(error instanceof ResponseNeverReceived)
  ) {
    return false;
  }
  const reasons = error instanceof WrapperException ? error.reasons : [];
  return !reasons.some((reason) => reason.check(CancelledError) !== null);
}
