/**
 * `ProxyAgent`: sends requests through an HTTP proxy, as
 * `twisted.web.client.ProxyAgent`, tunnelling https with CONNECT.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import type { AgentOptions } from "./agent.ts";
import type { Headers } from "./headers.ts";
import type { IAgent, IBodyProducer, IResponse } from "./interfaces.ts";
import {
  agentRequest,
  type AgentSettings,
  agentSettings,
} from "./_agent_base.ts";
import { basicAuthorization } from "./_route.ts";

/** The options of a {@linkcode ProxyAgent}: the proxy, then an agent's. */
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
 * ```ts ignore
 * import { HTTPConnectionPool, ProxyAgent, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const agent = new ProxyAgent(reactor, { proxyHost: "127.0.0.1", proxyPort: 3128 });
 * const response = await agent.request("GET", "http://example.com/");
 * await readBody(response);
 * ```
 */
export class ProxyAgent implements IAgent {
  readonly #settings: AgentSettings;

  /**
   * Creates an agent using the proxy at `options.proxyHost`:`options.proxyPort`.
   *
   * @param reactor Connects and keeps time.
   * @param options The proxy, its credentials, and the agent options.
   * @throws {RangeError} `proxyPort` is not a port number, or `connectTimeout` is negative.
   */
  constructor(reactor: IReactor = defaultReactor, options: ProxyAgentOptions) {
    const { proxyHost, proxyPort } = options;
    if (!Number.isInteger(proxyPort) || proxyPort < 1 || proxyPort > 65535) {
      throw new RangeError(
        `proxyPort must be an integer from 1 to 65535: current value is ${proxyPort}`,
      );
    }
    this.#settings = agentSettings(reactor, options, {
      host: proxyHost,
      port: proxyPort,
      authorization: options.proxyUsername === undefined
        ? null
        : basicAuthorization(
          options.proxyUsername,
          options.proxyPassword ?? "",
        ),
    });
  }

  /**
   * Issues a request through the proxy. Mirrors `ProxyAgent.request`.
   *
   * @param method The method.
   * @param uri The URI.
   * @param headers The header fields.
   * @param bodyProducer The body.
   * @returns A Deferred of the response.
   * @throws {TypeError} The method is not a token or the URI is not absolute.
   *
   * @example
   * ```ts ignore
   * const response = await agent.request("GET", "https://example.com/");
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
