/**
 * The private channel through which `ProxyAgent` hands its proxy to the
 * `Agent` it extends.
 *
 * @module
 */
import type { AgentOptions } from "./agent.ts";
import type { ProxySettings } from "./_route.ts";

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
