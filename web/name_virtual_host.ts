/**
 * `NameVirtualHost`: one site per host name, as
 * `twisted.web.vhost.NameVirtualHost`.
 *
 * @module
 */
import type { Request } from "./request.ts";
import {
  type IResource,
  NoResource,
  type RenderResult,
  Resource,
} from "./resource.ts";

/**
 * Serves a different resource tree for each host name the client asks for
 * (the `Host` header, without its port, in lower case), or `default` for
 * the others; without a default, unknown hosts get a 404. Mirrors Twisted's
 * `twisted.web.vhost.NameVirtualHost`.
 *
 * @example Two sites on one port
 * ```ts
 * import assert from "node:assert/strict";
 * import { Data, NameVirtualHost, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * function home(text: string): Resource {
 *   const root = new Resource();
 *   root.putChild("", new Data(text, "text/plain"));
 *   return root;
 * }
 * const vhost = new NameVirtualHost();
 * vhost.addHost("a.example", home("site A"));
 * vhost.addHost("b.example", home("site B"));
 * const channel = new DummyChannel({ target: "/", headers: { Host: "B.example:8080" } });
 * channel.serve(new Site(vhost));
 * assert.equal(channel.text(), "site B");
 * ```
 */
export class NameVirtualHost extends Resource {
  /** The resources by lower-case host name. Mirrors `hosts`. */
  readonly hosts: Map<string, IResource> = new Map();
  /**
   * The resource for hosts not in `hosts`. Mirrors `default`.
   * @default null (a 404)
   */
  default: IResource | null = null;

  /**
   * Serves `resource` for host `name`. Mirrors `addHost`.
   *
   * @param name The host name, without port (any case).
   * @param resource The root of that host's tree.
   */
  addHost(name: string, resource: IResource): void {
    this.hosts.set(name.toLowerCase(), resource);
  }

  /**
   * Stops serving host `name`. Mirrors `removeHost`.
   *
   * @param name The host name.
   */
  removeHost(name: string): void {
    this.hosts.delete(name.toLowerCase());
  }

  #resourceFor(request: Request): IResource {
    const header = request.getHeader("host");
    if (header === undefined) return this.default ?? new NoResource();
    const host = header.startsWith("[")
      ? header.slice(0, header.indexOf("]") + 1)
      : header.split(":", 1)[0];
    return this.hosts.get(host.toLowerCase()) ?? this.default ??
      new NoResource(`host ${JSON.stringify(host)} not in vhost map`);
  }

  /**
   * Renders the host's resource. Mirrors `NameVirtualHost.render`.
   *
   * @param request The request.
   * @returns What the host's resource returns.
   */
  override render(request: Request): RenderResult {
    return this.#resourceFor(request).render(request);
  }

  /**
   * The host's child for `path`; a leaf host resource is returned itself,
   * with `path` put back on `postpath`. Mirrors `NameVirtualHost.getChild`.
   *
   * @param path The path segment.
   * @param request The request.
   * @returns The child.
   */
  override getChild(path: string, request: Request): IResource {
    const resource = this.#resourceFor(request);
    if (resource.isLeaf) {
      request.postpath.unshift(request.prepath.pop() as string);
      return resource;
    }
    return resource.getChildWithDefault(path, request);
  }
}
