/**
 * `File`: serves a file or a directory tree from disk, as
 * `twisted.web.static.File`.
 *
 * @module
 */
import { escapeHTML } from "./_html.ts";
import {
  FileProducer,
  guessType,
  isSafeSegment,
  planStaticResponse,
  resolveInRoot,
  type StaticTarget,
} from "./_static.ts";
import { NOT_DONE_YET } from "./not_done_yet.ts";
import { redirectTo } from "./redirect.ts";
import type { Request } from "./request.ts";
import {
  ForbiddenResource,
  type IResource,
  NoResource,
  type RenderBody,
  Resource,
} from "./resource.ts";

/**
 * Options of {@linkcode File}, Twisted's constructor arguments and class
 * attributes.
 *
 * @example Listing directories, with a default type for unknown files
 * ```ts
 * import type { FileOptions } from "@torsion/torsion/web";
 * const options: FileOptions = { directoryListing: true, defaultType: "text/plain" };
 * ```
 */
export interface FileOptions {
  /**
   * The content type of a file whose extension is unknown. Mirrors
   * `File(defaultType=...)`.
   * @default "text/html"
   */
  defaultType?: string;
  /**
   * Extra or overriding content types by extension (`".log": "text/plain"`).
   * Mirrors `File.contentTypes`.
   * @default {}
   */
  contentTypes?: Readonly<Record<string, string>>;
  /**
   * The files served for a directory (`/dir/`), first found wins. Mirrors
   * `File.indexNames`.
   * @default ["index", "index.html", "index.htm"]
   */
  indexNames?: readonly string[];
  /**
   * Extensions tried, in order, when the path names no file: with
   * `[".html"]`, `/about` serves `about.html`. Mirrors
   * `File(ignoredExts=...)` (without its `"*"` wildcard).
   * @default []
   */
  ignoredExts?: readonly string[];
  /**
   * Whether a directory without an index file is answered with a listing
   * of its entries. Twisted always lists; Torsion answers 403 unless asked,
   * so that dropping a file in a directory does not publish its neighbours.
   * @default false
   */
  directoryListing?: boolean;
}

interface FileConfig {
  readonly root: string;
  readonly defaultType: string;
  readonly contentTypes: ReadonlyMap<string, string>;
  readonly indexNames: readonly string[];
  readonly ignoredExts: readonly string[];
  readonly directoryListing: boolean;
}

let makeChild: (
  parent: File,
  segments: readonly string[],
  slash: boolean,
) => File;

/**
 * Serves a file, or the files of a directory tree below a URL. Mirrors
 * Twisted's `twisted.web.static.File`: each path segment below it is a
 * child `File`, a directory URL without its trailing slash is redirected
 * to one, and a directory is answered with its index file.
 *
 * What it adds to Twisted's: `ETag` as well as `Last-Modified`, with 304
 * for `If-None-Match` and `If-Modified-Since`; one `Range` (206, or 416
 * when unsatisfiable; several ranges get the whole file); `HEAD` without
 * opening a producer. Files are streamed with a producer under the
 * connection's flow control, never read whole.
 *
 * It never serves anything outside its directory: a `..` segment (also
 * percent-encoded, `%2e%2e`), a segment with an encoded `/` or `\`, or a
 * NUL, is a 404, and so is a path whose real location (after symlinks) is
 * outside the directory's real path.
 *
 * @example Serving a directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { File, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hello.txt`, "hello from disk");
 * const root = new Resource();
 * root.putChild("static", new File(dir));
 * const channel = new DummyChannel({ target: "/static/hello.txt" });
 * channel.serve(new Site(root));
 * await channel.notifyFinish();
 * assert.equal(channel.code, 200);
 * assert.equal(channel.responseHeaders?.get("content-type"), "text/plain");
 * assert.equal(channel.text(), "hello from disk");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class File extends Resource {
  /** The file or directory this resource serves, as given. */
  readonly path: string;
  #config: FileConfig;
  #segments: readonly string[] = [];
  #slash = false;

  /**
   * Serves `path`, as Twisted's `File(path, defaultType=...)`.
   *
   * @param path The file or directory to serve.
   * @param options The options.
   */
  constructor(path: string, options: FileOptions = {}) {
    super();
    this.path = path;
    this.#config = {
      root: path,
      defaultType: options.defaultType ?? "text/html",
      contentTypes: new Map(
        Object.entries(options.contentTypes ?? {}).map((
          [extension, type],
        ) => [extension.toLowerCase(), type]),
      ),
      indexNames: options.indexNames ?? ["index", "index.html", "index.htm"],
      ignoredExts: options.ignoredExts ?? [],
      directoryListing: options.directoryListing ?? false,
    };
  }

  static {
    // A subclass's children are of the subclass, as Twisted's
    // createSimilarFile makes them with self.__class__.
    makeChild = (parent, segments, slash) => {
      const child = new (parent.constructor as typeof File)(parent.path);
      child.#config = parent.#config;
      child.#segments = segments;
      child.#slash = slash;
      return child;
    };
  }

  /**
   * The `File` for one path segment below this one, or a 404 page for an
   * unsafe segment (`..`, `.`, or one holding `/`, `\` or NUL after
   * decoding). `""` (a trailing slash) is the directory itself. Nothing is
   * read from disk until the request is rendered. Mirrors `File.getChild`.
   *
   * @param path The path segment (percent-decoded).
   * @param request The request being traversed.
   * @returns The child.
   */
  override getChild(path: string, request: Request): IResource {
    if (this.#slash) return new NoResource();
    if (path === "") {
      return request.postpath.length === 0
        ? makeChild(this, this.#segments, true)
        : new NoResource();
    }
    if (!isSafeSegment(path)) return new NoResource();
    return makeChild(this, [...this.#segments, path], false);
  }

  /**
   * Serves the file (or the directory's index, listing, or redirect to its
   * slashed URL). Answers later: the file is looked up and streamed
   * asynchronously. Mirrors `File.render_GET`; `HEAD` gets the same
   * headers without the body.
   *
   * @param request The request.
   * @returns A promise of the body for the small answers, `NOT_DONE_YET`
   * when the file is streamed.
   */
  render_GET(request: Request): Promise<RenderBody | typeof NOT_DONE_YET> {
    return serve(this.#config, this.#segments, this.#slash, request);
  }
}

async function serve(
  config: FileConfig,
  segments: readonly string[],
  slash: boolean,
  request: Request,
): Promise<RenderBody | typeof NOT_DONE_YET> {
  let gone = false;
  request.notifyFinish().addErrback(() => {
    gone = true;
  });
  const target = await resolveInRoot(config.root, segments) ??
    await withIgnoredExtension(config, segments);
  if (target === null) return new NoResource().render(request);
  if (target.info.isDirectory) {
    if (!slash) return redirectToSlash(request);
    for (const name of config.indexNames) {
      const index = await resolveInRoot(config.root, [...segments, name]);
      if (index !== null && index.info.isFile) {
        return gone ? NOT_DONE_YET : sendFile(config, index, request);
      }
    }
    if (!config.directoryListing) {
      return new ForbiddenResource().render(request);
    }
    return await listDirectory(target.path, request);
  }
  if (!target.info.isFile) return new NoResource().render(request);
  return gone ? NOT_DONE_YET : sendFile(config, target, request);
}

/** The first file that a configured extension added to the last segment names. */
async function withIgnoredExtension(
  config: FileConfig,
  segments: readonly string[],
): Promise<StaticTarget | null> {
  const last = segments.at(-1);
  if (last === undefined) return null;
  for (const extension of config.ignoredExts) {
    const found = await resolveInRoot(config.root, [
      ...segments.slice(0, -1),
      last + extension,
    ]);
    if (found !== null && found.info.isFile) return found;
  }
  return null;
}

function redirectToSlash(request: Request): string {
  const query = request.uri.indexOf("?");
  const path = "/" + request.prepath.map(encodeURIComponent).join("/") + "/";
  return redirectTo(
    query < 0 ? path : path + request.uri.slice(query),
    request,
  );
}

function contentType(config: FileConfig, path: string): {
  type: string;
  encoding: string | undefined;
} {
  const dot = path.lastIndexOf(".");
  const own = dot < 0
    ? undefined
    : config.contentTypes.get(path.slice(dot).toLowerCase());
  if (own !== undefined) return { type: own, encoding: undefined };
  const guessed = guessType(path);
  return {
    type: guessed.type ?? config.defaultType,
    encoding: guessed.encoding,
  };
}

async function sendFile(
  config: FileConfig,
  target: StaticTarget,
  request: Request,
): Promise<typeof NOT_DONE_YET> {
  const { type, encoding } = contentType(config, target.path);
  request.setHeader("Content-Type", type);
  if (encoding !== undefined) request.setHeader("Content-Encoding", encoding);
  const plan = planStaticResponse(request.requestHeaders, target.info);
  request.setResponseCode(plan.status);
  for (const [name, value] of plan.headers) request.setHeader(name, value);
  if (plan.range === undefined || request.method === "HEAD") {
    request.write(new Uint8Array(0));
    request.finish();
    return NOT_DONE_YET;
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(target.path, { read: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    request.setResponseCode(403);
    request.responseHeaders.removeHeader("Content-Range");
    const page = new ForbiddenResource().render(request);
    request.setHeader("Content-Length", String(page.length));
    request.write(page);
    request.finish();
    return NOT_DONE_YET;
  }
  const producer = new FileProducer(
    file,
    request,
    plan.range.start,
    plan.range.end,
  );
  producer.start().addCallbacks(
    (complete) => {
      if (complete && !request.finished) request.finish();
      return undefined;
    },
    (failure) => {
      request.processingFailed(failure);
      return undefined;
    },
  );
  return NOT_DONE_YET;
}

async function listDirectory(path: string, request: Request): Promise<string> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(path)) entries.push(entry);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const title = escapeHTML(
    decodeURIComponentSafe(request.uri.split("?")[0]),
  );
  const rows = entries.map((entry) => {
    const name = entry.isDirectory ? `${entry.name}/` : entry.name;
    const href = encodeURIComponent(entry.name) +
      (entry.isDirectory ? "/" : "");
    return `<tr><td><a href="${escapeHTML(href)}">${
      escapeHTML(name)
    }</a></td></tr>`;
  }).join("\n");
  request.setHeader("Content-Type", "text/html; charset=utf-8");
  return `<!DOCTYPE html>
<html>
<head><title>Directory listing for ${title}</title></head>
<body>
<h1>Directory listing for ${title}</h1>
<table>
${rows}
</table>
</body>
</html>
`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
