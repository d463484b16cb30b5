/**
 * `CACHED`, what `Request.setETag` and `Request.setLastModified` return
 * when the client's copy is current, as `twisted.web.http.CACHED`.
 *
 * @module
 */

/**
 * Returned by `Request.setETag` and `Request.setLastModified` when the
 * client's cached copy is current: the response code is already 304 (or
 * 412), so the render should return an empty body. Mirrors Twisted's
 * `twisted.web.http.CACHED`.
 *
 * @example Answering 304 from a render
 * ```ts
 * import assert from "node:assert/strict";
 * import { CACHED, Request, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * class Page extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: Request): string {
 *     if (request.setETag('"v1"') === CACHED) return "";
 *     return "version 1";
 *   }
 * }
 * const channel = new DummyChannel({ headers: { "If-None-Match": '"v1"' } });
 * channel.serve(new Site(new Page()));
 * assert.equal(channel.code, 304);
 * assert.equal(channel.responseHeaders?.get("etag"), '"v1"');
 * ```
 */
export const CACHED: unique symbol = Symbol("CACHED");
