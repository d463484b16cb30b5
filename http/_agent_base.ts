/**
 * The private key through which `ProxyAgent` hands its proxy to the
 * `Agent` it extends. It imports nothing, so `agent.ts` and
 * `proxy_agent.ts` both depend on it and never on each other in a cycle.
 *
 * @module
 */

/**
 * Where `ProxyAgent` hands its proxy to the `Agent` constructor it extends:
 * a key no caller can write, so `Agent`'s options stay as documented.
 */
export const PROXY: unique symbol = Symbol("proxy");
