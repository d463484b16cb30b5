/**
 * `RedirectHandler`: redirects every `GET` to a URL, as
 * `tornado.web.RedirectHandler`.
 *
 * @module
 */
import { RequestHandler } from "./request_handler.ts";

/** The init arguments of {@linkcode RedirectHandler}. */
export interface RedirectHandlerArgs {
  /**
   * Where to redirect; `{0}`, `{1}`... are replaced by the route's groups
   * (Python's `str.format`), and the request's query is appended.
   */
  url: string;
  /**
   * 301 instead of 302.
   * @default true
   */
  permanent?: boolean;
}

/**
 * Redirects every `GET` to the `url` init argument, with the route's
 * groups put in its `{0}`, `{1}`... placeholders and the request's query
 * appended, as Tornado's `tornado.web.RedirectHandler` (permanent unless
 * `permanent: false`).
 *
 * @example Moving a section
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, RedirectHandler } from "@torsion/torsion/web";
 * const app = new Application([["/a/(.*)", RedirectHandler, { url: "/b/{0}" }]]);
 * const server = app.listen(0, { address: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${server.port}/a/x?y=1`, {
 *   redirect: "manual",
 * });
 * assert.equal(response.status, 301);
 * assert.equal(response.headers.get("location"), "/b/x?y=1");
 * await response.body?.cancel();
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export class RedirectHandler extends RequestHandler {
  #url = "/";
  #permanent = true;

  /**
   * Takes the target URL and whether the redirect is permanent.
   *
   * @param initArgs `{ url, permanent }`.
   * @throws {TypeError} `url` is not a string.
   */
  override initialize(initArgs: RedirectHandlerArgs): void {
    if (typeof initArgs.url !== "string") {
      throw new TypeError(
        `RedirectHandler needs a url: current value is ${String(initArgs.url)}`,
      );
    }
    this.#url = initArgs.url;
    this.#permanent = initArgs.permanent ?? true;
  }

  /**
   * Redirects.
   *
   * @param args The route's groups.
   */
  override get(...args: (string | undefined)[]): void {
    let target = this.#url.replace(
      /\{(\w+)\}/g,
      (whole, key: string) =>
        /^\d+$/.test(key)
          ? args[Number(key)] ?? ""
          : this.pathKwargs[key] ?? whole,
    );
    if (this.request.query !== "") {
      target += (target.includes("?") ? "&" : "?") + this.request.query;
    }
    this.redirect(target, this.#permanent);
  }
}
