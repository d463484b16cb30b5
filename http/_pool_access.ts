/**
 * A way into `HTTPConnectionPool` for the agents and the engine: getting a
 * connection for a request. Kept out of the public API because its types
 * (endpoints, internal requests) are the package's own. Not part of the
 * public API.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { HTTPConnectionPool } from "./connection_pool.ts";
import type { HTTPEndpoint } from "./_endpoint.ts";
import type { ClientRequest } from "./_request.ts";
import type { Response } from "./response.ts";

/** A connection that carries exactly one request. */
export interface PooledConnection {
  /** The connection's state, as Twisted's `HTTP11ClientProtocol.state`. */
  readonly state: string;
  /** Sends one request on the connection. */
  request(request: ClientRequest): Deferred<Response>;
}

/** What `connection_pool.ts` registers. */
export interface PoolAccess {
  /** Gets a kept or new connection (Twisted's `getConnection`). */
  getConnection(
    pool: HTTPConnectionPool,
    key: string,
    endpoint: HTTPEndpoint,
  ): Deferred<PooledConnection>;
  /** Fires once no connection of the pool is open. */
  whenClosed(pool: HTTPConnectionPool): Deferred<void>;
}

let access: PoolAccess | undefined;

/** Called once by `connection_pool.ts` when its class is defined. */
export function registerPoolAccess(fns: PoolAccess): void {
  access = fns;
}

/**
 * Fires once every connection `pool` opened is closed: a fetch on a
 * non-persistent pool waits for it, as Twisted's `getPage` waited for its
 * connection to close before firing.
 */
export function whenClosed(pool: HTTPConnectionPool): Deferred<void> {
  return (access as PoolAccess).whenClosed(pool);
}

/**
 * A connection for one request: an idle one kept under `key`, or a new one
 * from `endpoint`. Mirrors `HTTPConnectionPool.getConnection`.
 */
export function getConnection(
  pool: HTTPConnectionPool,
  key: string,
  endpoint: HTTPEndpoint,
): Deferred<PooledConnection> {
  return (access as PoolAccess).getConnection(pool, key, endpoint);
}
