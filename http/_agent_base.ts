/**
 * What `Agent` and `ProxyAgent` share, as Twisted's `_AgentBase`: checking
 * a request's arguments, routing it and sending it on a pooled connection.
 *
 * @module
 */
import { type Deferred, fail } from "../deferred/deferred.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import type { AgentOptions } from "./agent.ts";
import { SchemeNotSupported } from "./client_errors.ts";
import { HTTPConnectionPool } from "./connection_pool.ts";
import { Headers } from "./headers.ts";
import type { IBodyProducer, IResponse } from "./interfaces.ts";
import { isToken } from "./_chars.ts";
import { ClientRequest, PhaseTracker } from "./_request.ts";
import {
  type ConnectionSettings,
  type ProxySettings,
  type Route,
  routeFor,
  sendRequest,
} from "./_route.ts";
import { parseURI } from "./_url.ts";
import { StringProducer } from "./string_producer.ts";

/**
 * Where `ProxyAgent` hands its proxy to the `Agent` constructor it extends:
 * a key no caller can write, so `Agent`'s options stay as documented.
 */
export const PROXY: unique symbol = Symbol("proxy");

/** An `Agent`'s options with the proxy `ProxyAgent` adds. */
export interface ProxiedOptions extends AgentOptions {
  /** The proxy every request goes through. */
  readonly [PROXY]?: ProxySettings;
}

/** The agent's settings, shared with `ProxyAgent`. */
export interface AgentSettings {
  /** The reactor. */
  readonly reactor: IReactor;
  /** The pool. */
  readonly pool: HTTPConnectionPool;
  /** How connections are opened. */
  readonly connection: ConnectionSettings;
  /** The default `User-Agent`. */
  readonly userAgent: string | null | undefined;
  /** The head size limit. */
  readonly maxHeaderSize: number | undefined;
  /** The body size limit. */
  readonly maxBodySize: number | undefined;
}

/**
 * Checks the arguments of `request` and resolves the settings; shared by
 * `Agent` and `ProxyAgent`.
 *
 * @throws {TypeError} The method is not a token or the URI is invalid.
 */
export function agentRequest(
  settings: AgentSettings,
  method: string,
  uri: string | Uint8Array,
  headers: Headers | null | undefined,
  bodyProducer: IBodyProducer | null | undefined,
): Deferred<IResponse> {
  if (typeof method !== "string" || !isToken(method)) {
    throw new TypeError(
      `Method must be an HTTP token: current value is ${
        JSON.stringify(method)
      }`,
    );
  }
  const parsed = parseURI(uri);
  if (parsed.scheme !== "http" && parsed.scheme !== "https") {
    return fail(new SchemeNotSupported(parsed.scheme));
  }
  const tracker = new PhaseTracker();
  const route: Route = routeFor(
    settings.reactor,
    parsed,
    settings.connection,
    tracker,
  );
  let sent = headers ?? EMPTY;
  if (
    route.proxyAuthorization !== null && !sent.hasHeader("proxy-authorization")
  ) {
    sent = sent.copy();
    sent.addRawHeader("Proxy-Authorization", route.proxyAuthorization);
  }
  // A body held in memory is written with the head in one write and, being
  // replayable, keeps the request retryable on a fresh connection.
  const inMemory = bodyProducer instanceof StringProducer;
  const request = new ClientRequest({
    method,
    uri: parsed,
    headers: sent,
    body: inMemory ? bodyProducer.body : null,
    bodyProducer: inMemory ? null : bodyProducer ?? null,
    persistent: settings.pool.persistent,
    proxy: route.proxied,
    userAgent: settings.userAgent,
    maxHeaderSize: settings.maxHeaderSize,
    maxBodySize: settings.maxBodySize,
    tracker,
  });
  return sendRequest(settings.pool, route, request);
}

const EMPTY = new Headers();

/**
 * Resolves an {@linkcode AgentOptions} (and the proxy of a `ProxyAgent`)
 * into settings.
 *
 * @throws {RangeError} `connectTimeout` is negative or not a number.
 */
export function agentSettings(
  reactor: IReactor,
  options: ProxiedOptions,
): AgentSettings {
  const timeout = options.connectTimeout;
  if (timeout !== undefined && !(timeout >= 0)) {
    throw new RangeError(
      `connectTimeout must be a non-negative number of seconds: current value is ${timeout}`,
    );
  }
  return {
    reactor,
    pool: options.pool ?? new HTTPConnectionPool(reactor, false),
    connection: {
      connectTimeout: timeout ?? null,
      caCerts: options.caCerts,
      validateCert: options.validateCert ?? true,
      proxy: options[PROXY] ?? null,
    },
    userAgent: options.userAgent,
    maxHeaderSize: options.maxHeaderSize,
    maxBodySize: options.maxBodySize,
  };
}
