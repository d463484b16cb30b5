/**
 * `BrowserLikeRedirectAgent`: follows redirects as browsers do, as
 * `twisted.web.client.BrowserLikeRedirectAgent`.
 *
 * @module
 */
import { RedirectAgent } from "./redirect_agent.ts";

/**
 * A `RedirectAgent` that turns any method into GET on 301, 302 and 303, as
 * browsers do, and follows 307 and 308 for GET and HEAD. Mirrors Twisted's
 * `twisted.web.client.BrowserLikeRedirectAgent`.
 *
 * @example A POST answered by 302 is followed with a GET
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   Agent,
 *   BrowserLikeRedirectAgent,
 *   HTTPConnectionPool,
 *   readBody,
 *   StringProducer,
 * } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) =>
 *     new URL(request.url).pathname === "/form"
 *       ? new Response(null, { status: 302, headers: { Location: "/thanks" } })
 *       : new Response(request.method),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const agent = new BrowserLikeRedirectAgent(new Agent(reactor, { pool }));
 * const response = await agent.request(
 *   "POST",
 *   `http://127.0.0.1:${server.addr.port}/form`,
 *   null,
 *   new StringProducer("a=1"),
 * );
 * assert.equal(response.request?.method, "GET"); // a 302 after a POST is followed with GET
 * assert.equal(new TextDecoder().decode(await readBody(response)), "GET");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class BrowserLikeRedirectAgent extends RedirectAgent {
  /** Statuses followed for GET and HEAD only: 307 and 308. */
  protected override readonly redirectResponses: readonly number[] = [307, 308];
  /** Statuses that turn any method into GET: 301, 302 and 303. */
  protected override readonly seeOtherResponses: readonly number[] = [
    301,
    302,
    303,
  ];
}
