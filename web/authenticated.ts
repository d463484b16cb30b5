/**
 * `authenticated`: guards a handler method so only logged-in users reach
 * it, as Tornado's `tornado.web.authenticated` decorator.
 *
 * @module
 */
import { HTTPError } from "./http_error.ts";
import type { HandlerResult, RequestHandler } from "./request_handler.ts";

/**
 * Guards a handler method, as Tornado's `@tornado.web.authenticated`:
 * when `currentUser` is falsy, a `GET` or `HEAD` is redirected to
 * `getLoginUrl()` (with `?next=` the requested URI, unless the login URL
 * already has a query) and other methods answer 403. Use it as a
 * decorator on the method, or call it on a function.
 *
 * @param method The handler method.
 * @param _context The decorator context, when used as `@authenticated`.
 * @returns The guarded method.
 *
 * @example Guarding a page
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, authenticated, RequestHandler } from "@torsion/torsion/web";
 * class Secret extends RequestHandler {
 *   override getCurrentUser(): unknown {
 *     return this.getCookie("user") ?? null;
 *   }
 *   @authenticated
 *   override get(): void {
 *     this.write(`hello ${this.currentUser}`);
 *   }
 * }
 * const app = new Application([["/secret", Secret]], { loginUrl: "/login" });
 * const server = app.listen(0, { address: "127.0.0.1" });
 * const url = `http://127.0.0.1:${server.port}/secret`;
 * const anonymous = await fetch(url, { redirect: "manual" });
 * assert.equal(anonymous.headers.get("location"), "/login?next=%2Fsecret");
 * await anonymous.body?.cancel();
 * const known = await fetch(url, { headers: { Cookie: "user=ann" } });
 * assert.equal(await known.text(), "hello ann");
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export function authenticated<
  H extends RequestHandler,
  A extends (string | undefined)[],
>(
  method: (this: H, ...args: A) => HandlerResult,
  _context?: ClassMethodDecoratorContext,
): (this: H, ...args: A) => HandlerResult {
  return function (this: H, ...args: A): HandlerResult {
    if (this.currentUser) return method.apply(this, args);
    const requestMethod = this.request.method;
    if (requestMethod !== "GET" && requestMethod !== "HEAD") {
      throw new HTTPError(403);
    }
    let url = this.getLoginUrl();
    if (!url.includes("?")) {
      const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url);
      const next = absolute ? this.request.fullUrl() : this.request.uri;
      url += `?${new URLSearchParams({ next })}`;
    }
    this.redirect(url);
  };
}
