/**
 * `RedirectAgent`: follows HTTP redirects, as
 * `twisted.web.client.RedirectAgent`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import {
  InfiniteRedirection,
  PageRedirect,
  RedirectWithNoLocation,
  ResponseFailed,
} from "./client_errors.ts";
import type { Headers } from "./headers.ts";
import type { IAgent, IBodyProducer, IResponse } from "./interfaces.ts";
import { Discard } from "./_bytes.ts";
import { planRedirect } from "./_redirect.ts";

const decoder = new TextDecoder();

/**
 * An agent wrapper that follows redirects. Mirrors Twisted's
 * `twisted.web.client.RedirectAgent`, strict as Twisted's is: 301, 302, 307
 * and 308 are followed for GET and HEAD only (another method fails with a
 * `ResponseFailed` holding a `PageRedirect`), and 303 turns any method into
 * a GET without body. `BrowserLikeRedirectAgent` treats 301 and 302 like
 * 303, as browsers do.
 *
 * The `Location` may be relative. Each new response's `previousResponse`
 * is the redirect that led to it. When a redirect leaves the origin (scheme,
 * host or port), `Authorization`, `Cookie`, `Cookie2`,
 * `Proxy-Authorization` and `WWW-Authenticate` are not sent along, as in
 * Twisted 22.1. After `redirectLimit` redirects the request fails with a
 * `ResponseFailed` holding an `InfiniteRedirection`; a redirect without
 * `Location` fails with `RedirectWithNoLocation` inside.
 *
 * @example Following redirects
 * ```ts
 * import { Agent, HTTPConnectionPool, readBody, RedirectAgent } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) =>
 *     new URL(request.url).pathname === "/old"
 *       ? new Response(null, { status: 301, headers: { Location: "/new" } })
 *       : new Response("the new page"),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const agent = new RedirectAgent(new Agent(reactor, { pool }), 5);
 * const response = await agent.request("GET", `http://127.0.0.1:${server.addr.port}/old`);
 * console.assert(response.code === 200 && response.previousResponse?.code === 301);
 * console.assert(new TextDecoder().decode(await readBody(response)) === "the new page");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 */
export class RedirectAgent implements IAgent {
  /** Statuses followed for GET and HEAD only, as Twisted's `_redirectResponses`. */
  protected readonly redirectResponses: readonly number[] = [
    301,
    302,
    307,
    308,
  ];
  /** Statuses that turn any method into GET, as Twisted's `_seeOtherResponses`. */
  protected readonly seeOtherResponses: readonly number[] = [303];
  readonly #agent: IAgent;
  readonly #redirectLimit: number;

  /**
   * Wraps `agent`.
   *
   * @param agent The agent that sends each request.
   * @param redirectLimit How many redirects to follow at most.
   * @throws {RangeError} `redirectLimit` is negative or not an integer.
   */
  constructor(agent: IAgent, redirectLimit = 20) {
    if (!Number.isSafeInteger(redirectLimit) || redirectLimit < 0) {
      throw new RangeError(
        `redirectLimit must be a non-negative integer: current value is ${redirectLimit}`,
      );
    }
    this.#agent = agent;
    this.#redirectLimit = redirectLimit;
  }

  /**
   * Sends a request and follows the redirects it meets. Mirrors
   * `RedirectAgent.request`.
   *
   * @param method The method.
   * @param uri The URI.
   * @param headers The header fields, sent again on each redirect.
   * @param bodyProducer The body (not sent again on a redirect, as in Twisted).
   * @returns A Deferred of the final response. It fails with a
   * `ResponseFailed` holding `PageRedirect`, `InfiniteRedirection` or
   * `RedirectWithNoLocation` when a redirect cannot be followed, and with
   * whatever the wrapped agent fails with.
   *
   * @example A POST answered by 302 is not followed
   * ```ts
   * import { Agent, HTTPConnectionPool, PageRedirect, RedirectAgent, ResponseFailed, StringProducer } from "@torsion/torsion/http";
   * import { reactor } from "@torsion/torsion/reactor";
   * const server = Deno.serve(
   *   { hostname: "127.0.0.1", port: 0, onListen() {} },
   *   () => new Response(null, { status: 302, headers: { Location: "/elsewhere" } }),
   * );
   * const pool = new HTTPConnectionPool(reactor);
   * const agent = new RedirectAgent(new Agent(reactor, { pool }));
   * try {
   *   await agent.request("POST", `http://127.0.0.1:${server.addr.port}/form`, null, new StringProducer("a=1"));
   * } catch (error) {
   *   console.assert(error instanceof ResponseFailed);
   *   console.assert((error as ResponseFailed).reasons[0].check(PageRedirect) === PageRedirect);
   * }
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
    const text = typeof uri === "string" ? uri : decoder.decode(uri);
    return this.#agent.request(method, uri, headers, bodyProducer).addCallback(
      (response) =>
        this.#handleResponse(response, method, text, headers ?? null, 0),
    );
  }

  #handleResponse(
    response: IResponse,
    method: string,
    uri: string,
    headers: Headers | null,
    count: number,
  ): IResponse | Deferred<IResponse> {
    const location = response.headers.getRawHeaders("location")?.[0];
    let plan;
    try {
      plan = planRedirect(
        {
          redirectResponses: this.redirectResponses,
          seeOtherResponses: this.seeOtherResponses,
        },
        response.code,
        method,
        uri,
        location,
        headers,
      );
    } catch (error) {
      throw new ResponseFailed([new Failure(error)], response);
    }
    if (plan === null) return response;
    if (plan === "method") {
      throw new ResponseFailed(
        [
          new Failure(
            new PageRedirect(response.code, undefined, undefined, location),
          ),
        ],
        response,
      );
    }
    if (plan === "no-location") {
      throw new ResponseFailed(
        [new Failure(new RedirectWithNoLocation(response.code, uri))],
        response,
      );
    }
    if (count >= this.#redirectLimit) {
      throw new ResponseFailed(
        [
          new Failure(
            new InfiniteRedirection(
              response.code,
              "Infinite redirection detected",
              undefined,
              plan.uri,
            ),
          ),
        ],
        response,
      );
    }
    response.deliverBody(new Discard());
    return this.#agent.request(plan.method, plan.uri, plan.headers).addCallback(
      (next) => {
        next.setPreviousResponse(response);
        return this.#handleResponse(
          next,
          plan.method,
          plan.uri,
          plan.headers,
          count + 1,
        );
      },
    );
  }
}
