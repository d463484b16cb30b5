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
  StaticRoot,
  type StaticTarget,
} from "./_static.ts";
import {
  type CachedFile,
  makeStaticCache,
  type StaticCache,
  type StaticCacheSettings,
  statIntervalOf,
} from "./_static_cache.ts";
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
 * attributes, and the bounds of its cache of small files (shared by every
 * `File` below this one). Twisted reads every file on each request; Torsion
 * keeps small files' content and checks it against the file's size, times
 * and inode, read at most `statIntervalMs` (100 ms) before, so a changed
 * file is served within that time (0 reads it on every request).
 *
 * @example Listing directories, with a default type for unknown files
 * ```ts
 * import type { FileOptions } from "@torsion/torsion/web";
 * const options: FileOptions = { directoryListing: true, defaultType: "text/plain" };
 * ```
 */
export interface FileOptions extends StaticCacheSettings {
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
  readonly root: StaticRoot;
  readonly defaultType: string;
  readonly contentTypes: ReadonlyMap<string, string>;
  readonly indexNames: readonly string[];
  readonly ignoredExts: readonly string[];
  readonly directoryListing: boolean;
  readonly cache: StaticCache;
}

/** The configuration the next `File` constructed takes, for a child. */
let inherited: FileConfig | null = null;

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
 * opening the file. Small files (up to `cacheMaxFileSize`) are kept in
 * memory, checked against the file's metadata (read at most
 * `statIntervalMs` before: a change is seen within that time) and sent
 * with the head; larger ones, and files changed in the last two seconds,
 * are streamed with a producer under the connection's flow control.
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
   * @throws {RangeError} A cache bound is negative or not an integer.
   */
  constructor(path: string, options: FileOptions = {}) {
    super();
    this.path = path;
    const config = inherited;
    inherited = null;
    this.#config = config ?? {
      root: new StaticRoot(path, { trustMs: statIntervalOf(options) }),
      defaultType: options.defaultType ?? "text/html",
      contentTypes: new Map(
        Object.entries(options.contentTypes ?? {}).map((
          [extension, type],
        ) => [extension.toLowerCase(), type]),
      ),
      indexNames: options.indexNames ?? ["index", "index.html", "index.htm"],
      ignoredExts: options.ignoredExts ?? [],
      directoryListing: options.directoryListing ?? false,
      cache: makeStaticCache(options),
    };
  }

  static {
    // A subclass's children are of the subclass, as Twisted's
    // createSimilarFile makes them with self.__class__. They share the
    // parent's configuration (and cache), handed to the constructor so
    // that it builds none for each request.
    makeChild = (parent, segments, slash) => {
      inherited = parent.#config;
      const child = new (parent.constructor as typeof File)(parent.path);
      inherited = null;
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
   * slashed URL). Looks the file up synchronously, as Twisted does; a small
   * file is sent from memory, a large one streamed. Mirrors
   * `File.render_GET`; `HEAD` gets the same headers without the body.
   *
   * @param request The request.
   * @returns The body for the small answers (404, 403, redirect, listing),
   * `NOT_DONE_YET` when the file is sent.
   */
  render_GET(request: Request): RenderBody | typeof NOT_DONE_YET {
    return serve(this.#config, this.#segments, this.#slash, request);
  }
}

function serve(
  config: FileConfig,
  segments: readonly string[],
  slash: boolean,
  request: Request,
): RenderBody | typeof NOT_DONE_YET {
  const target = config.root.resolve(segments) ??
    withIgnoredExtension(config, segments);
  if (target === null) return new NoResource().render(request);
  if (target.info.isDirectory) {
    if (!slash) return redirectToSlash(request);
    for (const name of config.indexNames) {
      const index = config.root.resolve([...segments, name]);
      if (index !== null && index.info.isFile) {
        return sendFile(config, index, request);
      }
    }
    if (!config.directoryListing) {
      return new ForbiddenResource().render(request);
    }
    return listDirectory(target.path, request);
  }
  if (!target.info.isFile) return new NoResource().render(request);
  return sendFile(config, target, request);
}

/** The first file that a configured extension added to the last segment names. */
function withIgnoredExtension(
  config: FileConfig,
  segments: readonly string[],
): StaticTarget | null {
  const last = segments.at(-1);
  if (last === undefined) return null;
  for (const extension of config.ignoredExts) {
    const found = config.root.resolve([
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

function sendFile(
  config: FileConfig,
  target: StaticTarget,
  request: Request,
): RenderBody | typeof NOT_DONE_YET {
  const { type, encoding } = contentType(config, target.path);
  let cached: CachedFile | null = null;
  let file: Deno.FsFile | null = null;
  if (request.method !== "HEAD") {
    try {
      cached = config.cache.get(target.path, target.info);
      if (cached === null) file = Deno.openSync(target.path, { read: true });
    } catch (error) {
      // Removed or made unreadable since it was looked up.
      if (error instanceof Deno.errors.NotFound) {
        return new NoResource().render(request);
      }
      if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
      return new ForbiddenResource().render(request);
    }
  }
  request.setHeader("Content-Type", type);
  if (encoding !== undefined) request.setHeader("Content-Encoding", encoding);
  const plan = planStaticResponse(
    request.requestHeaders,
    cached?.info ?? target.info,
  );
  request.setResponseCode(plan.status);
  for (const [name, value] of plan.headers) request.setHeader(name, value);
  const range = plan.range;
  if (range === undefined || request.method === "HEAD") {
    file?.close();
    request.write(new Uint8Array(0));
    request.finish();
    return NOT_DONE_YET;
  }
  if (file === null) {
    // From memory: the body goes with the head, in one piece, uncopied.
    const bytes = (cached as CachedFile).bytes;
    request.write(
      range.end - range.start === bytes.length
        ? bytes
        : bytes.subarray(range.start, range.end),
    );
    request.finish();
    return NOT_DONE_YET;
  }
  new FileProducer(file, request, range.start, range.end).start().addCallbacks(
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

function listDirectory(path: string, request: Request): string {
  const entries = [...Deno.readDirSync(path)];
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
