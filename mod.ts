/**
 * Torsion: Twisted's and Tornado's asynchronous programming model for Deno.
 * Deferreds with synchronous callback chains, a reactor with protocols and
 * factories, a Tornado-compatible `IOLoop` with Tornado's `IOStream`, an
 * HTTP/1.1 client and server on Deno's own sockets (`twisted.web` and
 * `tornado.web` on one engine), WebSocket on both faces, and a worker pool
 * with the `concurrent.futures` shape, with the names Twisted and Tornado
 * users already know.
 *
 * Each layer is also its own entry point: `@torsion/torsion/deferred`,
 * `/reactor`, `/http`, `/websocket`, `/web`, `/executor`, and the test
 * doubles in `/testing`.
 *
 * @example A Deferred chain
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@torsion/torsion";
 * const d = new Deferred<string>();
 * let seen: string | undefined;
 * d.addCallback((body) => body.toUpperCase()).addCallback((body) => { seen = body; });
 * d.callback("hello");
 * assert.equal(seen, "HELLO"); // the callbacks ran inside callback(), as in Twisted
 * ```
 *
 * @module
 */
export * from "./deferred/mod.ts";
export * from "./reactor/mod.ts";
export * from "./http/mod.ts";
export * from "./websocket/mod.ts";
export * from "./web/mod.ts";
export * from "./executor/mod.ts";
