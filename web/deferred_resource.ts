/**
 * `DeferredResource`: a resource that is not ready yet, as
 * `twisted.web.util.DeferredResource`.
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import { NOT_DONE_YET } from "./not_done_yet.ts";
import type { Request } from "./request.ts";
import { getChildForRequest, type IResource, Resource } from "./resource.ts";

/**
 * Stands for the resource a Deferred (or Promise) will give: each request
 * below it waits for it, then is traversed and rendered from it, with the
 * rest of its path. A failure becomes a 500. Mirrors Twisted's
 * `twisted.web.util.DeferredResource`.
 *
 * @example A tree that is loaded before it is served
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@torsion/torsion/deferred";
 * import { Data, DeferredResource, type IResource, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const loading = new Deferred<IResource>();
 * const root = new Resource();
 * root.putChild("later", new DeferredResource(loading));
 * const channel = new DummyChannel({ target: "/later/greeting" });
 * channel.serve(new Site(root));
 * const tree = new Resource();
 * tree.putChild("greeting", new Data("hello", "text/plain"));
 * loading.callback(tree);
 * await channel.notifyFinish();
 * assert.equal(channel.text(), "hello");
 * ```
 */
export class DeferredResource extends Resource {
  /** Every path below it waits for the resource. */
  override isLeaf = true;
  readonly #resource: Promise<IResource>;

  /**
   * Waits for `resource`, as Twisted's `DeferredResource(d)`.
   *
   * @param resource A Deferred or Promise of the resource.
   */
  constructor(resource: PromiseLike<IResource>) {
    super();
    this.#resource = Promise.resolve(resource);
    // Its failure is reported to each request; with none, nobody is owed it.
    this.#resource.catch(() => {});
  }

  /**
   * Itself, for every path below it.
   *
   * @returns This resource.
   */
  override getChild(): IResource {
    return this;
  }

  /**
   * Renders the request from the resource once it is there. Mirrors
   * `DeferredResource.render`.
   *
   * @param request The request.
   * @returns `NOT_DONE_YET`.
   */
  override render(request: Request): typeof NOT_DONE_YET {
    this.#resource.then(
      (resource) => request.render(getChildForRequest(resource, request)),
    ).catch((error: unknown) => {
      request.processingFailed(Failure.from(error));
    });
    return NOT_DONE_YET;
  }
}
