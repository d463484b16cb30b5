/**
 * `Agent`: the Twisted-style HTTP client, as `twisted.web.client.Agent`.
 *
 * @module
 */
import { type Deferred, fail } from "../deferred/deferred.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import { SchemeNotSupported } from "./client_errors.ts";
import { HTTPConnectionPool } from "./connection_pool.ts";
import { Headers } from "./headers.ts";
import type { IAgent, IBodyProducer, IResponse } from "./interfaces.ts";
import { PROXY } from "./_agent_base.ts";
import { isToken } from "./_chars.ts";
import { DEFAULT_MAX_BODY_SIZE } from "./_engine.ts";
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
 * The options of an {@linkcode Agent}: the keyword arguments of Twisted's
 * `Agent(reactor, pool=..., connectTimeout=...)`, with Deno's TLS options in
 * place of a context factory, and size limits.
 *
 * @example A keep-alive agent that trusts a private CA
 * ```ts
 * import { Agent, type AgentOptions, HTTPConnectionPool } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const options: AgentOptions = {
 *   pool: new HTTPConnectionPool(reactor),
 *   connectTimeout: 5,
 *   caCerts: [],
 *   maxHeaderSize: 16 * 1024,
 * };
 * const agent = new Agent(reactor, options); // agent.request(...) as usual
 * ```
 */
export interface AgentOptions {
  /**
   * The connection pool. Without one, each request gets its own connection
   * and asks the server to close it (`Connection: close`), as in Twisted.
   *
   * @default {a new non-persistent HTTPConnectionPool}
   */
  pool?: HTTPConnectionPool;
  /**
   * Seconds allowed to connect (DNS, TCP and TLS together) before failing
   * with `TimeoutError`.
   *
   * @default {30}
   */
  connectTimeout?: number;
  /**
   * Extra PEM CA certificates to trust for https (for self-signed servers).
   *
   * @default {the system's trust store}
   */
  caCerts?: readonly string[];
  /**
   * Whether https certificates are checked. Deno checks them unless the
   * process runs with `--unsafely-ignore-certificate-errors`; `false` only
   * turns a handshake failure into an error that says so.
   *
   * @default {true}
   */
  validateCert?: boolean;
  /**
   * The `User-Agent` sent when the request's headers have none; `null` for
   * none.
   *
   * @default {"Torsion/0.2.0"}
   */
  userAgent?: string | null;
  /**
   * The largest response head accepted, in bytes; a larger one fails the
   * request with `ResponseFailed` (reason: `ParseError`).
   *
   * @default {65536}
   */
  maxHeaderSize?: number;
  /**
   * The largest response body accepted, in bytes, declared or received,
   * and counted again after decompression by `ContentDecoderAgent`; a
   * larger one fails with `ResponseFailed` (reason: `BodyTooLargeError`)
   * and its connection is aborted, so an endless body or a gzip bomb cannot
   * exhaust memory. `Infinity` for no limit (Twisted has none).
   *
   * @default {104857600 (100 MiB, as AsyncHTTPClient)}
   */
  maxBodySize?: number;
  /**
   * Reject a response head whose lines end in a bare LF, or that folds a
   * field value over lines (obs-fold), with `ResponseFailed` (reason:
   * `ParseError`), as llhttp does. By default both are accepted, as
   * Twisted, Tornado, curl and Python's `http.client` accept them.
   *
   * @default {false}
   */
  strictLineEnds?: boolean;
}

/**
 * A basic HTTP client for `http` and `https` URIs. Mirrors Twisted's
 * `twisted.web.client.Agent`: `request()` returns a Deferred that fires
 * with the `Response` as soon as its head has arrived; read the body with
 * `readBody(response)` or `response.deliverBody(protocol)`. Redirects,
 * decompression and cookies are left to wrappers (`RedirectAgent`,
 * `ContentDecoderAgent`), as in Twisted.
 *
 * Requests fail with the connect errors of the reactor
 * (`ConnectionRefusedError`, `DNSLookupError`, `TimeoutError` naming the
 * phase, `TLSError`), `SchemeNotSupported`, or the response errors
 * (`ResponseNeverReceived`, `ResponseFailed` with its reasons,
 * `RequestTransmissionFailed`). Cancelling the returned Deferred stops the
 * connection attempt or aborts the connection at once.
 *
 * @example Fetching a page with a keep-alive pool
 * ```ts
 * import assert from "node:assert/strict";
 * import { Agent, HTTPConnectionPool, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("hello"),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const agent = new Agent(reactor, { pool, connectTimeout: 5 });
 * const response = await agent.request("GET", `http://127.0.0.1:${server.addr.port}/`);
 * assert.equal(response.code, 200);
 * assert.equal(new TextDecoder().decode(await readBody(response)), "hello");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class Agent implements IAgent {
  readonly #settings: AgentSettings;

  /**
   * Creates an agent.
   *
   * @param reactor Connects and keeps time.
   * @param options The pool, the connect timeout, TLS and limits.
   * @throws {RangeError} `connectTimeout` is negative.
   */
  constructor(reactor: IReactor = defaultReactor, options: AgentOptions = {}) {
    this.#settings = agentSettings(reactor, options);
  }

  /**
   * Issues a request. Mirrors `Agent.request`: the `Host` header is added
   * unless `headers` has one, a body producer of known `length` is sent
   * with `Content-Length`, one of `UNKNOWN_LENGTH` with chunked coding.
   *
   * @param method The method, such as `"GET"`.
   * @param uri The URI, as a string or bytes (UTF-8).
   * @param headers The header fields to send.
   * @param bodyProducer The body, or `null` for none.
   * @returns A Deferred of the response, fired once its head has arrived.
   * @throws {TypeError} The method is not a token or the URI is not absolute.
   *
   * @example A POST with a body
   * ```ts
   * import assert from "node:assert/strict";
   * import { Agent, Headers, HTTPConnectionPool, readBody, StringProducer } from "@torsion/torsion/http";
   * import { reactor } from "@torsion/torsion/reactor";
   * const server = Deno.serve(
   *   { hostname: "127.0.0.1", port: 0, onListen() {} },
   *   async (request) => new Response(`${request.method} ${await request.text()}`),
   * );
   * const pool = new HTTPConnectionPool(reactor);
   * const response = await new Agent(reactor, { pool }).request(
   *   "POST",
   *   `http://127.0.0.1:${server.addr.port}/items`,
   *   new Headers({ "Content-Type": "application/x-www-form-urlencoded" }),
   *   new StringProducer("name=x"),
   * );
   * assert.equal(new TextDecoder().decode(await readBody(response)), "POST name=x");
   * await pool.closeCachedConnections();
   * await server.shutdown();
   * ```
   */
  request(
    method: string,
    uri: string | Uint8Array,
    headers?: Headers | null,
    bodyProducer?: IBodyProducer | null,
  ): Deferred<IResponse> {
    return agentRequest(this.#settings, method, uri, headers, bodyProducer);
  }
}

/**
 * An `Agent`'s options with the proxy `ProxyAgent` adds. Not part of the
 * public API.
 */
export interface ProxiedOptions extends AgentOptions {
  /** The proxy every request goes through. */
  readonly [PROXY]?: ProxySettings;
}

/** An agent's options, resolved once when it is constructed. */
interface AgentSettings {
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
  readonly maxBodySize: number;
  /** Whether bare LF and obs-fold are rejected. */
  readonly strictLineEnds: boolean;
}

/**
 * Checks the arguments of `request` and sends it as `settings` say.
 *
 * @throws {TypeError} The method is not a token or the URI is invalid.
 */
function agentRequest(
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
    strictLineEnds: settings.strictLineEnds,
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
function agentSettings(
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
    maxBodySize: options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE,
    strictLineEnds: options.strictLineEnds ?? false,
  };
}
