/**
 * Redirects, as `twisted.web.util.Redirect` and `redirectTo`.
 *
 * @module
 */
import { escapeHTML } from "./_html.ts";
import type { Request } from "./request.ts";
import { Resource } from "./resource.ts";

/**
 * Answers `request` with a 302 to `url` and returns a small HTML page that
 * also links there (for clients that do not follow redirects). Mirrors
 * Twisted's `twisted.web.util.redirectTo`.
 *
 * @param url Where to send the client.
 * @param request The request.
 * @returns The page to render.
 * @throws {TypeError} `url` holds CR, LF or NUL.
 *
 * @example Redirecting from a render
 * ```ts
 * import assert from "node:assert/strict";
 * import { Request, redirectTo, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * class Old extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: Request): string { return redirectTo("/new", request); }
 * }
 * const channel = new DummyChannel({ target: "/" });
 * channel.serve(new Site(new Old()));
 * assert.equal(channel.code, 302);
 * assert.equal(channel.responseHeaders?.get("location"), "/new");
 * ```
 */
export function redirectTo(url: string, request: Request): string {
  request.setHeader("Content-Type", "text/html; charset=utf-8");
  request.redirect(url);
  const href = escapeHTML(url);
  return `
<html>
    <head>
        <meta http-equiv="refresh" content="0;URL=${href}">
    </head>
    <body bgcolor="#FFFFFF" text="#000000">
    <a href="${href}">click here</a>
    </body>
</html>
`;
}

/**
 * A leaf that redirects every request to one URL with a 302. Mirrors
 * Twisted's `twisted.web.util.Redirect`.
 *
 * @example Moving the home page
 * ```ts
 * import assert from "node:assert/strict";
 * import { Redirect, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const root = new Resource();
 * root.putChild("", new Redirect("/home"));
 * const channel = new DummyChannel({ target: "/" });
 * channel.serve(new Site(root));
 * assert.equal(channel.code, 302);
 * assert.equal(channel.responseHeaders?.get("location"), "/home");
 * ```
 */
export class Redirect extends Resource {
  /** Every path below it redirects too. */
  override isLeaf = true;
  /** Where clients are sent. */
  readonly url: string;

  /**
   * Redirects to `url`, as Twisted's `Redirect(url)`.
   *
   * @param url Where to send clients.
   */
  constructor(url: string) {
    super();
    this.url = url;
  }

  /**
   * Redirects, whatever the method.
   *
   * @param request The request.
   * @returns The page that links to `url`.
   */
  override render(request: Request): string {
    return redirectTo(this.url, request);
  }
}
