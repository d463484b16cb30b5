/**
 * `Site`: serves a resource tree over HTTP, as `twisted.web.server.Site`.
 *
 * @module
 */
import { joinChunks } from "../reactor/_byte_buffer.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerRequestChannel,
  RequestHead,
} from "../http/server_interfaces.ts";
import { getChildForRequest, type IResource } from "./resource.ts";
import { Request, type RequestSite } from "./request.ts";

/**
 * Makes the `Request` for each request, as Twisted's `Site.requestFactory`:
 * give a subclass of `Request` to add to it.
 */
export type RequestFactory = new (
  channel: HTTPServerRequestChannel,
  site: Site,
) => Request;

/**
 * Options of {@linkcode Site}, Twisted's keyword arguments.
 *
 * @example A site that shows tracebacks and drops idle clients after a minute
 * ```ts
 * import type { SiteOptions } from "@torsion/torsion/web";
 * const options: SiteOptions = { timeout: 60, displayTracebacks: true };
 * ```
 */
export interface SiteOptions {
  /**
   * Seconds a connection may stay idle before it is closed (the engine's
   * `idleConnectionTimeout`). Mirrors `Site(timeout=...)`.
   * @default 43200 (12 hours, Twisted's `_DEFAULT_TIMEOUT`)
   */
  timeout?: number;
  /**
   * Whether a 500 page shows the error and its stack. Leave it off in
   * production: a stack tells an attacker about the code. Mirrors
   * `Site.displayTracebacks`.
   * @default false
   */
  displayTracebacks?: boolean;
  /**
   * The class of the requests. Mirrors `Site.requestFactory`.
   * @default Request
   */
  requestFactory?: RequestFactory;
}

/**
 * Serves a resource tree: for each request, walks the tree from the root
 * along the path (`getChildForRequest`) and renders the resource found.
 * Mirrors Twisted's `twisted.web.server.Site`; it is the engine's
 * `HTTPServerConnectionDelegate`.
 *
 * @example Rendering through a DummyChannel
 * ```ts
 * import assert from "node:assert/strict";
 * import { Data, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const root = new Resource();
 * root.putChild("hello", new Data("Hello!", "text/plain"));
 * const channel = new DummyChannel({ target: "/hello" });
 * channel.serve(new Site(root));
 * assert.equal(channel.code, 200);
 * assert.equal(channel.text(), "Hello!");
 * ```
 */
export class Site implements HTTPServerConnectionDelegate, RequestSite {
  /** The root of the tree. Mirrors `Site.resource`. */
  resource: IResource;
  /** Whether 500 pages show the error and its stack. */
  displayTracebacks: boolean;
  /** Seconds an idle connection is kept. */
  readonly timeout: number;
  /** The class of the requests. */
  requestFactory: RequestFactory;

  /**
   * Serves `resource`, as Twisted's `Site(resource, timeout=...)`.
   *
   * @param resource The root of the tree.
   * @param options The options.
   * @throws {RangeError} `timeout` is not a positive number.
   */
  constructor(resource: IResource, options: SiteOptions = {}) {
    const timeout = options.timeout ?? 43200;
    if (!(timeout > 0)) {
      throw new RangeError(
        `Site timeout must be a positive number of seconds: current value is ${timeout}`,
      );
    }
    this.resource = resource;
    this.timeout = timeout;
    this.displayTracebacks = options.displayTracebacks ?? false;
    this.requestFactory = options.requestFactory ?? Request;
  }

  /**
   * The resource that renders `request`, found from the root along its
   * `postpath`. Mirrors Twisted's `Site.getResourceFor`.
   *
   * @param request The request.
   * @returns The resource.
   */
  getResourceFor(request: Request): IResource {
    request.site = this;
    request.sitepath = [...request.prepath];
    return getChildForRequest(this.resource, request);
  }

  /**
   * The engine's hook for each request: returns the delegate that collects
   * the body and then processes a `Request`.
   *
   * @param channel The request's channel.
   * @returns The request's delegate.
   */
  startRequest(channel: HTTPServerRequestChannel): HTTPRequestDelegate {
    return new SiteRequestDelegate(this, channel);
  }
}

/** Collects one request's body, then hands the `Request` to the site. */
class SiteRequestDelegate implements HTTPRequestDelegate {
  readonly #site: Site;
  readonly #channel: HTTPServerRequestChannel;
  #request: Request | null = null;
  #chunks: Uint8Array[] = [];
  #length = 0;

  constructor(site: Site, channel: HTTPServerRequestChannel) {
    this.#site = site;
    this.#channel = channel;
  }

  headersReceived(_head: RequestHead): void {
    this.#request = new this.#site.requestFactory(this.#channel, this.#site);
  }

  dataReceived(chunk: Uint8Array): void {
    // The engine's view is valid only during the call.
    this.#chunks.push(chunk.slice());
    this.#length += chunk.length;
  }

  finish(): void {
    const request = this.#request ??
      new this.#site.requestFactory(this.#channel, this.#site);
    this.#request = request;
    const content = joinChunks(this.#chunks, this.#length);
    this.#chunks = [];
    request.requestReceived(content);
  }

  onConnectionClose(reason: Failure): void {
    this.#chunks = [];
    this.#request?.connectionLost(reason);
  }
}
