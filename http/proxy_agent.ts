/**
 * `ProxyAgent`: sends requests through an HTTP proxy, as
 * `twisted.web.client.ProxyAgent`, tunnelling https with CONNECT.
 *
 * @module
 */
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import { Agent, type AgentOptions, type ProxiedOptions } from "./agent.ts";
import { PROXY } from "./_agent_base.ts";
import { basicAuthorization } from "./_route.ts";

/**
 * The options of a {@linkcode ProxyAgent}: the proxy (Twisted's
 * `ProxyAgent(endpoint)`) and its credentials, then an `Agent`'s.
 *
 * @example A proxy that wants credentials
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProxyAgentOptions } from "@torsion/torsion/http";
 * const options: ProxyAgentOptions = {
 *   proxyHost: "proxy.internal",
 *   proxyPort: 3128,
 *   proxyUsername: "me",
 *   proxyPassword: "secret",
 *   connectTimeout: 10,
 * };
 * assert.equal(options.proxyPort, 3128);
 * ```
 */
export interface ProxyAgentOptions extends AgentOptions {
  /** The proxy's host name or address. */
  proxyHost: string;
  /** The proxy's port. */
  proxyPort: number;
  /**
   * The user name for the proxy, sent as `Proxy-Authorization: Basic`.
   *
   * @default {undefined}
   */
  proxyUsername?: string;
  /**
   * The password for the proxy.
   *
   * @default {""}
   */
  proxyPassword?: string;
}

/**
 * An agent that sends every request through an HTTP proxy. Mirrors
 * Twisted's `twisted.web.client.ProxyAgent`: `http` requests go to the
 * proxy in absolute form over connections shared for all origins; beyond
 * Twisted, `https` requests are tunnelled with CONNECT (then TLS to the
 * origin through the tunnel), one kept connection set per origin. With
 * `proxyUsername`, each request (or CONNECT) carries
 * `Proxy-Authorization: Basic`. A proxy that refuses a tunnel (407, 403,
 * ...) fails the request with a `ConnectError` saying so.
 *
 * @example Through a local proxy
 * ```ts
 * import assert from "node:assert/strict";
 * import { HTTPConnectionPool, ProxyAgent, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * // A stand-in proxy: it answers every absolute-form request itself.
 * const proxy = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) => new Response(`proxied ${request.url}`),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const agent = new ProxyAgent(reactor, {
 *   pool,
 *   proxyHost: "127.0.0.1",
 *   proxyPort: proxy.addr.port,
 * });
 * const response = await agent.request("GET", "http://example.com/page");
 * const body = new TextDecoder().decode(await readBody(response));
 * assert.equal(body, "proxied http://example.com/page"); // the absolute-form target reached the proxy
 * await pool.closeCachedConnections();
 * await proxy.shutdown();
 * ```
 */
export class ProxyAgent extends Agent {
  /**
   * Creates an agent using the proxy at `options.proxyHost`:`options.proxyPort`.
   * Its `request()` is `Agent`'s, every request going through the proxy.
   *
   * @param reactor Connects and keeps time.
   * @param options The proxy, its credentials, and the agent options.
   * @throws {RangeError} `proxyPort` is not a port number, or `connectTimeout` is negative.
   */
  constructor(reactor: IReactor = defaultReactor, options: ProxyAgentOptions) {
    super(reactor, withProxy(options));
  }
}

/** `options` with the proxy settings where `Agent` looks for them. */
function withProxy(options: ProxyAgentOptions): ProxiedOptions {
  const { proxyHost, proxyPort } = options;
  if (!Number.isInteger(proxyPort) || proxyPort < 1 || proxyPort > 65535) {
    throw new RangeError(
      `proxyPort must be an integer from 1 to 65535: current value is ${proxyPort}`,
    );
  }
  return {
    ...options,
    [PROXY]: {
      host: proxyHost,
      port: proxyPort,
      authorization: options.proxyUsername === undefined
        ? null
        : basicAuthorization(
          options.proxyUsername,
          options.proxyPassword ?? "",
        ),
    },
  };
}
