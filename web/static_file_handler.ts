/**
 * `StaticFileHandler`: serves files from a directory, as
 * `tornado.web.StaticFileHandler`.
 *
 * @module
 */
import {
  FileProducer,
  guessType,
  planStaticResponse,
  splitRelativePath,
  StaticRoot,
} from "./_static.ts";
import {
  type CachedFile,
  makeStaticCache,
  type StaticCache,
  type StaticCacheSettings,
  statIntervalOf,
} from "./_static_cache.ts";
import type { IConsumer, IProducer } from "../reactor/interfaces.ts";
import { createHash } from "node:crypto";
import { HTTPError } from "./http_error.ts";
import type { RequestHandlerSettings } from "./interfaces.ts";
import { RequestHandler } from "./request_handler.ts";

/** The init arguments of {@linkcode StaticFileHandler}. */
export interface StaticFileHandlerArgs extends StaticCacheSettings {
  /** The directory served. */
  path: string;
  /**
   * The file served for a directory (`index.html`); a directory path
   * without a trailing slash is then redirected to one.
   * @default undefined (directories answer 403)
   */
  defaultFilename?: string;
  /**
   * The most bytes of file content the route keeps in memory (least
   * recently used evicted first); 0 keeps none. Tornado reads every file
   * on each request; Torsion keeps small files' content and checks it
   * against the file's size, times and inode, read at most `statIntervalMs`
   * (100 ms) before, so a changed file is served within that time.
   * @default 16777216 (16 MiB)
   */
  cacheMaxBytes?: number;
  /**
   * The most files the route keeps in memory.
   * @default 1024
   */
  cacheMaxEntries?: number;
  /**
   * The largest file kept in memory; larger ones are streamed from disk
   * under flow control, as are files changed in the last two seconds.
   * @default 1048576 (1 MiB)
   */
  cacheMaxFileSize?: number;
}

/** A route's file cache and root. */
interface RouteState {
  readonly cache: StaticCache;
  root: StaticRoot;
  /** The route's `statIntervalMs`, for a root made again. */
  readonly trustMs: number;
}

/**
 * Each route's state, by its init arguments (one object per route, made
 * when the `Application` is), as handlers live for one request.
 */
const routes = new WeakMap<StaticFileHandlerArgs, RouteState>();

/** Ten years, the `Cache-Control` age of versioned URLs (Tornado's `CACHE_MAX_AGE`). */
const CACHE_MAX_AGE = 86400 * 365 * 10;

/**
 * Serves the files of a directory, as Tornado's
 * `tornado.web.StaticFileHandler`: the route's first group is the path
 * inside the `path` init argument. It answers `GET` and `HEAD` with the
 * content type of the extension, `ETag` and `Last-Modified` (304 when the
 * client's copy is current), single byte ranges (206, 416), and streams
 * a large file under flow control (small ones are kept in memory, see
 * `cacheMaxBytes`). A path that leaves the directory by `..`,
 * an encoded `..`, an absolute path or a symlink answers 403 or 404;
 * directories answer 403 unless `defaultFilename` is set. A `v` query
 * argument marks a versioned URL, cached for ten years.
 *
 * The `ETag` is the file's size and modification time. Tornado's is a hash
 * of the content, computed once per path and kept until `reset`, so it
 * stays the same when the file changes; this one changes with the file.
 *
 * @example Serving a directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, StaticFileHandler } from "@torsion/torsion/web";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/hello.txt`, "hello");
 * const app = new Application([["/files/(.*)", StaticFileHandler, { path: root }]]);
 * const server = app.listen(0, { address: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${server.port}/files/hello.txt`);
 * assert.equal(response.headers.get("content-type"), "text/plain");
 * assert.equal(await response.text(), "hello");
 * await server.stop();
 * await server.closeAllConnections();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class StaticFileHandler extends RequestHandler {
  static #versions = new Map<string, string | undefined>();

  /**
   * The version of a file under the `staticPath` setting, for
   * `staticUrl`: the MD5 of its content in hex, as Tornado's
   * `get_version`, read once and cached (see `reset`); `undefined` when
   * the file cannot be read.
   *
   * @param settings The application's settings (`staticPath`).
   * @param path The file's path under `staticPath`.
   * @returns The version, or `undefined`.
   */
  static getVersion(
    settings: RequestHandlerSettings,
    path: string,
  ): string | undefined {
    const segments = splitRelativePath(path);
    if (settings.staticPath === undefined || segments === null) {
      return undefined;
    }
    const file = [settings.staticPath, ...segments].join("/");
    if (!StaticFileHandler.#versions.has(file)) {
      let version: string | undefined;
      try {
        // Synchronous as Tornado's, and read once per file thanks to the cache.
        version = createHash("md5").update(Deno.readFileSync(file)).digest(
          "hex",
        );
      } catch {
        version = undefined;
      }
      StaticFileHandler.#versions.set(file, version);
    }
    return StaticFileHandler.#versions.get(file);
  }

  /**
   * Forgets every cached version, so changed files get new URLs.
   * Tornado's `StaticFileHandler.reset`.
   */
  static reset(): void {
    StaticFileHandler.#versions.clear();
  }

  /**
   * The URL of a static file: `staticUrlPrefix` and the path, with
   * `?v=<version>` unless `includeVersion` is false. Tornado's
   * `make_static_url`.
   *
   * @param settings The application's settings.
   * @param path The file's path under `staticPath`.
   * @param includeVersion Whether to add the version.
   * @returns The URL path.
   */
  static makeStaticUrl(
    settings: RequestHandlerSettings,
    path: string,
    includeVersion = true,
  ): string {
    const url = `${settings.staticUrlPrefix ?? "/static/"}${path}`;
    if (!includeVersion) return url;
    const version = StaticFileHandler.getVersion(settings, path);
    return version === undefined ? url : `${url}?v=${version}`;
  }

  /** The directory served. */
  root = ".";
  /** The file served for a directory, if any. */
  defaultFilename: string | undefined;
  #route: RouteState | null = null;

  /**
   * Takes the directory to serve and its default file name.
   *
   * @param initArgs `{ path, defaultFilename }` and the cache bounds.
   * @throws {TypeError} `path` is not a string.
   * @throws {RangeError} A cache bound is negative or not an integer.
   */
  override initialize(initArgs: StaticFileHandlerArgs): void {
    if (typeof initArgs.path !== "string") {
      throw new TypeError(
        `StaticFileHandler needs a path: current value is ${
          String(initArgs.path)
        }`,
      );
    }
    this.root = initArgs.path;
    this.defaultFilename = initArgs.defaultFilename;
    let route = routes.get(initArgs);
    if (route === undefined) {
      const trustMs = statIntervalOf(initArgs);
      route = {
        cache: makeStaticCache(initArgs),
        root: new StaticRoot(initArgs.path, { trustMs }),
        trustMs,
      };
      routes.set(initArgs, route);
    }
    this.#route = route;
  }

  /**
   * Serves the file with its body.
   *
   * @param path The path inside the directory, percent-decoded.
   * @returns A Promise that settles once a streamed file is sent, nothing
   * when the answer is already written.
   */
  override get(path?: string): Promise<void> | void {
    return this.#serve(path ?? "", true);
  }

  /**
   * Serves the file's headers only.
   *
   * @param path The path inside the directory, percent-decoded.
   * @returns Nothing: the head is written.
   */
  override head(path?: string): Promise<void> | void {
    return this.#serve(path ?? "", false);
  }

  /**
   * The content type of a file, as Tornado's `get_content_type`: the type
   * of its extension, `application/gzip` for a `.gz` file, else
   * `application/octet-stream`.
   *
   * @param path The file's path.
   * @returns The content type.
   */
  getContentType(path: string): string {
    const { type, encoding } = guessType(path);
    if (encoding === "gzip") return "application/gzip";
    if (encoding !== undefined) return "application/octet-stream";
    return type ?? "application/octet-stream";
  }

  #serve(path: string, includeBody: boolean): Promise<void> | void {
    const segments = splitRelativePath(path);
    if (segments === null) {
      throw new HTTPError(403, "%s is not in root static directory", path);
    }
    const root = this.#rootOf();
    let target = root.resolve(segments);
    if (target === null) throw new HTTPError(404);
    if (target.info.isDirectory) {
      if (this.defaultFilename === undefined) {
        throw new HTTPError(403, "%s is a directory", path);
      }
      if (!this.request.path.endsWith("/")) {
        this.redirect(`${this.request.path}/`, true);
        return;
      }
      target = root.resolve([...segments, this.defaultFilename]);
      if (target === null) throw new HTTPError(404);
    }
    if (!target.info.isFile) throw new HTTPError(403, "%s is not a file", path);
    let cached: CachedFile | null = null;
    if (includeBody && this.#route !== null) {
      try {
        cached = this.#route.cache.get(target.path, target.info);
      } catch (error) {
        // Removed since it was looked up.
        if (error instanceof Deno.errors.NotFound) throw new HTTPError(404);
        throw error;
      }
    }
    const plan = planStaticResponse(
      this.request.headers,
      cached?.info ?? target.info,
    );
    this.setStatus(plan.status);
    for (const [name, value] of plan.headers) this.setHeader(name, value);
    if ("v" in this.request.queryArguments) {
      this.setHeader("Cache-Control", `max-age=${CACHE_MAX_AGE}`);
      this.setHeader("Expires", new Date(Date.now() + CACHE_MAX_AGE * 1000));
    }
    if (plan.status === 416) {
      this.setHeader("Content-Type", "text/plain");
      return;
    }
    this.setHeader("Content-Type", this.getContentType(target.path));
    const range = plan.range;
    if (!includeBody || range === undefined || range.end === range.start) {
      return;
    }
    if (cached !== null) {
      // From memory: finish() sends it with the head, in one piece, uncopied.
      const bytes = cached.bytes;
      this.write(
        range.end - range.start === bytes.length
          ? bytes
          : bytes.subarray(range.start, range.end),
      );
      return;
    }
    return this.#stream(target.path, range.start, range.end);
  }

  /** The route's root, made again if a subclass changed `root`. */
  #rootOf(): StaticRoot {
    const route = this.#route;
    if (route === null) return new StaticRoot(this.root);
    if (route.root.root !== this.root) {
      route.root = new StaticRoot(this.root, { trustMs: route.trustMs });
    }
    return route.root;
  }

  async #stream(path: string, start: number, end: number): Promise<void> {
    const connection = this.request.connection;
    if (connection === undefined) return;
    const file = await Deno.open(path, { read: true });
    this.flush();
    const consumer: IConsumer = {
      registerProducer: (producer: IProducer, streaming: boolean) =>
        connection.registerProducer(producer, streaming),
      unregisterProducer: () => connection.unregisterProducer(),
      // Through the handler, so output transforms (gzip) apply.
      write: (data: Uint8Array | string) => {
        this.write(data);
        this.flush();
      },
    };
    await new FileProducer(file, consumer, start, end).start();
  }
}
