/**
 * `Data`: a resource that serves fixed bytes, as `twisted.web.static.Data`.
 *
 * @module
 */
import type { Request } from "./request.ts";
import { Resource } from "./resource.ts";

const encoder = new TextEncoder();

/**
 * Serves the same bytes with the same content type to every `GET` (and
 * `HEAD`, without the body). Mirrors Twisted's `twisted.web.static.Data`.
 *
 * @example A robots.txt
 * ```ts
 * import assert from "node:assert/strict";
 * import { Data, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const root = new Resource();
 * root.putChild("robots.txt", new Data("User-agent: *\nDisallow: /\n", "text/plain"));
 * const channel = new DummyChannel({ target: "/robots.txt" });
 * channel.serve(new Site(root));
 * assert.equal(channel.responseHeaders?.get("content-type"), "text/plain");
 * assert.match(channel.text(), /Disallow/);
 * ```
 */
export class Data extends Resource {
  /** The bytes served. */
  readonly data: Uint8Array;
  /** The content type served. */
  readonly type: string;

  /**
   * Serves `data` as `type`, as Twisted's `Data(data, type)`.
   *
   * @param data The bytes, or text served as UTF-8.
   * @param type The content type.
   */
  constructor(data: Uint8Array | string, type: string) {
    super();
    this.data = typeof data === "string" ? encoder.encode(data) : data;
    this.type = type;
  }

  /**
   * Sets `Content-Type` and `Content-Length` and returns the data (nothing
   * for `HEAD`). Mirrors `Data.render_GET`.
   *
   * @param request The request.
   * @returns The data.
   */
  render_GET(request: Request): Uint8Array {
    request.setHeader("Content-Type", this.type);
    request.setHeader("Content-Length", String(this.data.length));
    return request.method === "HEAD" ? new Uint8Array(0) : this.data;
  }
}
