/**
 * Routing a request to a connection: which pool key it may share
 * connections under and which endpoint opens a new one, directly, through a
 * plain HTTP proxy (absolute-form requests) or through a CONNECT tunnel
 * (https via a proxy). Shared by `Agent`, `ProxyAgent` and the engine.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import { getConnection, type HTTPConnectionPool } from "./connection_pool.ts";
import { HTTPEndpoint, type TLSSettings } from "./_endpoint.ts";
import type { ClientRequest, PhaseTracker } from "./_request.ts";
import type { ParsedURI } from "./_url.ts";
import type { Response } from "./response.ts";

/** An HTTP proxy and its credentials. */
export interface ProxySettings {
  /** The proxy's host. */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
  /** The `Proxy-Authorization` value (`Basic ...`), or `null`. */
  readonly authorization: string | null;
}

/** How connections are opened, beyond the URI. */
export interface ConnectionSettings {
  /** Seconds for TCP, CONNECT and TLS together; `null` for the reactor's default. */
  readonly connectTimeout: number | null;
  /** Extra PEM CA certificates for https. */
  readonly caCerts?: readonly string[];
  /** Whether certificates are checked (Deno always checks; see `_endpoint.ts`). */
  readonly validateCert: boolean;
  /** The proxy to go through, or `null`. */
  readonly proxy: ProxySettings | null;
}

/** Where one request goes. */
export interface Route {
  /** Connections under the same key are interchangeable. */
  readonly key: string;
  /** Opens a new connection. */
  readonly endpoint: HTTPEndpoint;
  /** Whether the request target is absolute-form (plain HTTP through a proxy). */
  readonly proxied: boolean;
  /** The `Proxy-Authorization` to add to a proxied request, or `null`. */
  readonly proxyAuthorization: string | null;
}

const caIds = new WeakMap<readonly string[], string>();
const caIdsByContent = new Map<string, string>();

/** A short id for a set of CA certificates, so pool keys stay small. */
function caId(caCerts: readonly string[] | undefined): string {
  if (caCerts === undefined || caCerts.length === 0) return "system";
  let id = caIds.get(caCerts);
  if (id !== undefined) return id;
  const content = caCerts.join("\n");
  id = caIdsByContent.get(content);
  if (id === undefined) {
    id = `ca${caIdsByContent.size + 1}`;
    caIdsByContent.set(content, id);
  }
  caIds.set(caCerts, id);
  return id;
}

/** Basic credentials as a header value: `Basic base64(user:password)`. */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Works out the route of a request to `uri`.
 *
 * @param reactor Connects.
 * @param uri The URI requested.
 * @param settings Timeouts, TLS and proxy.
 * @param tracker Follows the request's phases, or `null`.
 */
export function routeFor(
  reactor: IReactor,
  uri: ParsedURI,
  settings: ConnectionSettings,
  tracker: PhaseTracker | null,
): Route {
  const https = uri.scheme === "https";
  const tls: TLSSettings | null = https
    ? {
      hostname: uri.host,
      caCerts: settings.caCerts,
      validateCert: settings.validateCert,
    }
    : null;
  const tlsKey = https
    ? `|${caId(settings.caCerts)}${settings.validateCert ? "" : "|novalidate"}`
    : "";
  const proxy = settings.proxy;
  // Plain HTTP through a proxy connects to the proxy and sends absolute-form
  // requests; https through one tunnels to the origin with CONNECT.
  const proxied = proxy !== null && !https;
  let key = `${uri.origin}${tlsKey}`;
  if (proxy !== null) {
    const proxyKey = `${proxy.host}:${proxy.port}|${proxy.authorization ?? ""}`;
    key = proxied ? `proxy|${proxyKey}` : `tunnel|${proxyKey}|${key}`;
  }
  return {
    key,
    endpoint: new HTTPEndpoint(reactor, {
      host: proxied ? proxy.host : uri.host,
      port: proxied ? proxy.port : uri.port,
      tls,
      tunnel: proxied ? null : proxy,
      connectTimeout: settings.connectTimeout,
      tracker,
    }),
    proxied,
    proxyAuthorization: proxied ? proxy.authorization : null,
  };
}

/**
 * Sends `request` on a connection of `pool` along `route`: Twisted's
 * `_requestWithEndpoint` after the headers are settled. Cancelling the
 * result stops the connection attempt, or aborts the connection.
 */
export function sendRequest(
  pool: HTTPConnectionPool,
  route: Route,
  request: ClientRequest,
): Deferred<Response> {
  return getConnection(pool, route.key, route.endpoint).addCallback(
    (connection) => connection.request(request),
  );
}
