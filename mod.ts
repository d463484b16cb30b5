/**
 * Torsion: Twisted's and Tornado's asynchronous programming model for Deno.
 * Deferreds, a reactor, protocols and factories, a Tornado-compatible
 * IOLoop and an HTTP/1.1 client, with the names Twisted and Tornado users
 * already know.
 *
 * @example
 * ```ts
 * import { Deferred } from "@torsion/torsion";
 * const d = new Deferred<string>();
 * d.addCallback((body) => console.log(body));
 * d.callback("hello");
 * ```
 *
 * @module
 */
export * from "./deferred/mod.ts";
