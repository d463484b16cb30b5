/**
 * `Resource` and the resource tree, as `twisted.web.resource`: children by
 * path segment, `getChildForRequest` traversal with `prepath`/`postpath`,
 * `render` dispatching on the method to `render_GET`, `render_POST`, ...,
 * and the error pages `ErrorPage`, `NoResource` and `ForbiddenResource`.
 *
 * @module
 */
import { escapeHTML } from "./_html.ts";
import { UnsupportedMethod } from "./errors.ts";
import type { IRequest } from "./interfaces.ts";
import type { NOT_DONE_YET } from "./not_done_yet.ts";

/** A response body as a render returns it: bytes, or text sent as UTF-8. */
export type RenderBody = Uint8Array | string;

/**
 * What `render` may return: the body, `NOT_DONE_YET` (the resource will
 * write and finish the request itself), or, beyond Twisted, a Deferred or
 * Promise of the body, whose failure becomes a 500 as a thrown error does.
 */
export type RenderResult =
  | RenderBody
  | typeof NOT_DONE_YET
  | PromiseLike<RenderBody | typeof NOT_DONE_YET>;

/**
 * What a node of the resource tree provides. Mirrors Twisted's
 * `twisted.web.resource.IResource`.
 *
 * @example A resource written from scratch
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IResource, NoResource } from "@torsion/torsion/web";
 * const leaf: IResource = {
 *   isLeaf: true,
 *   getChildWithDefault: () => new NoResource(),
 *   putChild() {},
 *   render: () => "hello",
 * };
 * assert.equal(leaf.isLeaf, true);
 * ```
 */
export interface IResource {
  /**
   * Whether traversal stops here: a leaf renders every path below it,
   * which it reads from `request.postpath`.
   */
  readonly isLeaf: boolean;
  /**
   * The child for one path segment: a static child put with `putChild`,
   * else whatever `getChild` makes.
   */
  getChildWithDefault(name: string, request: IRequest): IResource;
  /** Adds a static child under the path segment `path`. */
  putChild(path: string, child: IResource): void;
  /**
   * Renders the request: returns the body, or `NOT_DONE_YET` and finishes
   * the request later.
   */
  render(request: IRequest): RenderResult;
}

/**
 * The renderer names of the common methods, made once: a name built for
 * each request is a new string that each property lookup must hash.
 */
const RENDER_NAMES: ReadonlyMap<string, string> = new Map(
  ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].map((
    method,
  ) => [method, `render_${method}`]),
);

type Renderer = (this: Resource, request: IRequest) => RenderResult;

/**
 * A node of the resource tree. Mirrors Twisted's
 * `twisted.web.resource.Resource`: subclass it and define `render_GET`,
 * `render_POST`, ... (spelled with the method as HTTP spells it, since the
 * method name is data), put static children with `putChild`, and override
 * `getChild` for dynamic ones.
 *
 * `render` calls `render_<METHOD>`. A `HEAD` request with no `render_HEAD`
 * is rendered by `render_GET` and sent without its body. A method with no
 * renderer throws {@linkcode UnsupportedMethod}, which the request answers
 * with 405 and an `Allow` header listing `allowedMethods` (or, when that is
 * not set, every `render_*` method found).
 *
 * @example A tree with a page and a dynamic child
 * ```ts
 * import assert from "node:assert/strict";
 * import { Request, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 *
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   constructor(private readonly who: string) { super(); }
 *   render_GET(): string { return `Hello, ${this.who}!`; }
 * }
 * class Greeter extends Resource {
 *   override getChild(name: string): Resource { return new Hello(name); }
 * }
 * const root = new Resource();
 * root.putChild("hello", new Greeter());
 *
 * const channel = new DummyChannel({ target: "/hello/world" });
 * channel.serve(new Site(root));
 * assert.equal(channel.code, 200);
 * assert.equal(channel.text(), "Hello, world!");
 * ```
 */
export class Resource implements IResource {
  /**
   * Whether traversal stops here. Mirrors Twisted's `Resource.isLeaf`.
   * @default false
   */
  isLeaf = false;
  /** The static children, by path segment. Mirrors `Resource.children`. */
  readonly children: Map<string, IResource> = new Map();
  /**
   * The methods listed in `Allow` when a method is not supported.
   * Mirrors `Resource.allowedMethods`.
   * @default every method with a `render_*` function, with HEAD when GET is one
   */
  allowedMethods?: readonly string[];

  /**
   * Makes the child for a path segment not put with `putChild`. Mirrors
   * Twisted's `Resource.getChild`: the default is a 404 page.
   *
   * @param _path The path segment (percent-decoded).
   * @param _request The request being traversed.
   * @returns The child resource.
   *
   * @example The default child is a 404 page
   * ```ts
   * import assert from "node:assert/strict";
   * import { NoResource, Resource } from "@torsion/torsion/web";
   * import type { Request } from "@torsion/torsion/web";
   * const child = new Resource().getChild("missing", {} as Request);
   * assert.ok(child instanceof NoResource);
   * ```
   */
  getChild(_path: string, _request: IRequest): IResource {
    return new NoResource();
  }

  /**
   * The static child put under `path`, else `getChild(path, request)`.
   * Mirrors Twisted's `Resource.getChildWithDefault`.
   *
   * @param path The path segment (percent-decoded).
   * @param request The request being traversed.
   * @returns The child resource.
   *
   * @example A static child wins over getChild
   * ```ts
   * import assert from "node:assert/strict";
   * import { Resource } from "@torsion/torsion/web";
   * import type { Request } from "@torsion/torsion/web";
   * const root = new Resource();
   * const about = new Resource();
   * root.putChild("about", about);
   * assert.equal(root.getChildWithDefault("about", {} as Request), about);
   * ```
   */
  getChildWithDefault(path: string, request: IRequest): IResource {
    return this.children.get(path) ?? this.getChild(path, request);
  }

  /**
   * Adds a static child. Mirrors Twisted's `Resource.putChild`; `""` is the
   * child for a trailing slash (`/dir/`).
   *
   * @param path One path segment, without `/`.
   * @param child The child resource.
   * @throws {TypeError} `path` contains `/`.
   *
   * @example Putting a child
   * ```ts
   * import assert from "node:assert/strict";
   * import { Resource } from "@torsion/torsion/web";
   * const root = new Resource();
   * root.putChild("docs", new Resource());
   * assert.ok(root.children.has("docs"));
   * ```
   */
  putChild(path: string, child: IResource): void {
    if (typeof path !== "string" || path.includes("/")) {
      throw new TypeError(
        `putChild path must be one segment without "/": current value is ${
          JSON.stringify(path)
        }`,
      );
    }
    this.children.set(path, child);
  }

  /**
   * Renders by calling `render_<METHOD>` (`render_GET` for a `HEAD`
   * without `render_HEAD`). Mirrors Twisted's `Resource.render`.
   *
   * @param request The request.
   * @returns What the renderer returns.
   * @throws {UnsupportedMethod} There is no renderer for the method.
   *
   * @example Dispatching on the method
   * ```ts
   * import assert from "node:assert/strict";
   * import { Resource, UnsupportedMethod } from "@torsion/torsion/web";
   * import type { Request } from "@torsion/torsion/web";
   * class Page extends Resource {
   *   render_GET(): string { return "page"; }
   * }
   * assert.equal(new Page().render({ method: "GET" } as Request), "page");
   * assert.throws(
   *   () => new Page().render({ method: "DELETE" } as Request),
   *   (error) => error instanceof UnsupportedMethod &&
   *     error.allowedMethods.join() === "GET,HEAD",
   * );
   * ```
   */
  render(request: IRequest): RenderResult {
    const renderer = this.#renderer(request.method) ??
      (request.method === "HEAD" ? this.#renderer("GET") : undefined);
    if (renderer === undefined) {
      throw new UnsupportedMethod(
        this.allowedMethods ?? computeAllowedMethods(this),
      );
    }
    return renderer.call(this, request);
  }

  #renderer(method: string): Renderer | undefined {
    const value = (this as unknown as Record<string, unknown>)[
      RENDER_NAMES.get(method) ?? `render_${method}`
    ];
    return typeof value === "function" ? value as Renderer : undefined;
  }
}

function computeAllowedMethods(resource: Resource): string[] {
  const methods = new Set<string>();
  for (
    let object: object | null = resource;
    object !== null && object !== Object.prototype;
    object = Object.getPrototypeOf(object)
  ) {
    for (const name of Object.getOwnPropertyNames(object)) {
      if (
        name.startsWith("render_") &&
        typeof (resource as unknown as Record<string, unknown>)[name] ===
          "function"
      ) {
        methods.add(name.slice("render_".length));
      }
    }
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/**
 * Walks the tree from `resource` along `request.postpath`, moving each
 * segment to `request.prepath`, until the path is used up or a leaf is
 * reached. Mirrors Twisted's `twisted.web.resource.getChildForRequest`.
 *
 * @param resource Where to start (the site's root).
 * @param request The request; its `prepath` and `postpath` are updated.
 * @returns The resource that renders the request.
 *
 * @example Stopping at a leaf
 * ```ts
 * import assert from "node:assert/strict";
 * import { getChildForRequest, Resource } from "@torsion/torsion/web";
 * import type { Request } from "@torsion/torsion/web";
 * const root = new Resource();
 * const files = new Resource();
 * files.isLeaf = true;
 * root.putChild("files", files);
 * const request = { prepath: [], postpath: ["files", "a", "b"] } as unknown as Request;
 * assert.equal(getChildForRequest(root, request), files);
 * assert.deepEqual(request.prepath, ["files"]);
 * assert.deepEqual(request.postpath, ["a", "b"]);
 * ```
 */
export function getChildForRequest(
  resource: IResource,
  request: IRequest,
): IResource {
  while (request.postpath.length > 0 && !resource.isLeaf) {
    const name = request.postpath.shift() as string;
    // The first segment makes an array of one: an empty array grows to
    // seventeen slots at its first push, and most paths are one segment.
    const prepath = request.prepath;
    if (prepath.length === 0) request.prepath = [name];
    else prepath.push(name);
    resource = resource.getChildWithDefault(name, request);
  }
  return resource;
}

/**
 * A resource that answers every method with a status and a small HTML
 * page, and is its own child. Mirrors Twisted's
 * `twisted.web.resource.ErrorPage`; unlike Twisted 22, `brief` and
 * `detail` are HTML-escaped, so they may hold request data.
 *
 * @example A 410 page
 * ```ts
 * import assert from "node:assert/strict";
 * import { ErrorPage, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const channel = new DummyChannel({ target: "/anything" });
 * channel.serve(new Site(new ErrorPage(410, "Gone", "It was <here>.")));
 * assert.equal(channel.code, 410);
 * assert.match(channel.text(), /It was &lt;here&gt;\./);
 * ```
 */
export class ErrorPage extends Resource {
  /** The status code answered. */
  readonly code: number;
  /** The page's title and heading. */
  readonly brief: string;
  /** The page's paragraph. */
  readonly detail: string;

  /**
   * Answers `status` with a page of `brief` and `detail`, as Twisted's
   * `ErrorPage(status, brief, detail)`.
   *
   * @param status The status code to answer.
   * @param brief The page's title and heading.
   * @param detail The page's paragraph.
   */
  constructor(status: number, brief: string, detail: string) {
    super();
    this.code = status;
    this.brief = brief;
    this.detail = detail;
  }

  /**
   * Sets the status and `Content-Type: text/html; charset=utf-8`, and
   * returns the page.
   *
   * @param request The request.
   * @returns The HTML page.
   */
  override render(request: IRequest): string {
    request.setResponseCode(this.code);
    request.setHeader("Content-Type", "text/html; charset=utf-8");
    const brief = escapeHTML(this.brief);
    return `
<html>
  <head><title>${this.code} - ${brief}</title></head>
  <body>
    <h1>${brief}</h1>
    <p>${escapeHTML(this.detail)}</p>
  </body>
</html>
`;
  }

  /**
   * Itself, so every path below an error page is the same error.
   *
   * @returns This page.
   */
  override getChild(): IResource {
    return this;
  }
}

/**
 * A 404 page. Mirrors Twisted's `twisted.web.resource.NoResource`.
 *
 * @example The default message
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoResource } from "@torsion/torsion/web";
 * const page = new NoResource();
 * assert.equal(page.code, 404);
 * assert.equal(page.detail, "Sorry. No luck finding that resource.");
 * ```
 */
export class NoResource extends ErrorPage {
  /**
   * Answers 404 with `message`, as Twisted's `NoResource(message)`.
   *
   * @param message The page's paragraph.
   */
  constructor(message = "Sorry. No luck finding that resource.") {
    super(404, "No Such Resource", message);
  }
}

/**
 * A 403 page. Mirrors Twisted's `twisted.web.resource.ForbiddenResource`.
 *
 * @example The default message
 * ```ts
 * import assert from "node:assert/strict";
 * import { ForbiddenResource } from "@torsion/torsion/web";
 * assert.equal(new ForbiddenResource().code, 403);
 * ```
 */
export class ForbiddenResource extends ErrorPage {
  /**
   * Answers 403 with `message`, as Twisted's `ForbiddenResource(message)`.
   *
   * @param message The page's paragraph.
   */
  constructor(message = "Sorry, resource is forbidden.") {
    super(403, "Forbidden Resource", message);
  }
}
