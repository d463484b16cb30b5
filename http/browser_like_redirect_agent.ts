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
 * ```ts ignore
 * import { Agent, BrowserLikeRedirectAgent, StringProducer } from "@torsion/torsion/http";
 * const agent = new BrowserLikeRedirectAgent(new Agent());
 * const response = await agent.request("POST", "http://example.com/form", null, new StringProducer("a=1"));
 * console.log(response.request?.method); // "GET"
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
