/**
 * The rules both static file servers share (Twisted's `static.File` and
 * Tornado's `StaticFileHandler`): content types, resolving a request path
 * inside a root directory without ever leaving it, the conditional and
 * range rules of RFC 9110 (`ETag`, `Last-Modified`, 304, 206, 416), and
 * streaming a file to a consumer under flow control.
 *
 * Private to `web/`: the faces build their own responses from a
 * {@linkcode StaticPlan}.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Headers } from "../http/headers.ts";
import type { IConsumer, IPushProducer } from "../reactor/interfaces.ts";
import { DEFAULT_STAT_INTERVAL_MS, sameVersion } from "./_static_cache.ts";

/**
 * Content types by lower-case extension (with its dot), the common entries
 * of `/etc/mime.types` that Twisted's `loadMimeTypes` and Python's
 * `mimetypes` read.
 */
const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  [".html", "text/html"],
  [".htm", "text/html"],
  [".css", "text/css"],
  [".js", "text/javascript"],
  [".mjs", "text/javascript"],
  [".json", "application/json"],
  [".map", "application/json"],
  [".txt", "text/plain"],
  [".text", "text/plain"],
  [".md", "text/markdown"],
  [".csv", "text/csv"],
  [".xml", "text/xml"],
  [".xhtml", "application/xhtml+xml"],
  [".svg", "image/svg+xml"],
  [".png", "image/png"],
  [".jpg", "image/jpeg"],
  [".jpeg", "image/jpeg"],
  [".gif", "image/gif"],
  [".webp", "image/webp"],
  [".avif", "image/avif"],
  [".ico", "image/vnd.microsoft.icon"],
  [".bmp", "image/bmp"],
  [".tif", "image/tiff"],
  [".tiff", "image/tiff"],
  [".woff", "font/woff"],
  [".woff2", "font/woff2"],
  [".ttf", "font/ttf"],
  [".otf", "font/otf"],
  [".wasm", "application/wasm"],
  [".pdf", "application/pdf"],
  [".zip", "application/zip"],
  [".tar", "application/x-tar"],
  [".gz", "application/gzip"],
  [".tgz", "application/gzip"],
  [".bz2", "application/x-bzip2"],
  [".xz", "application/x-xz"],
  [".7z", "application/x-7z-compressed"],
  [".mp3", "audio/mpeg"],
  [".ogg", "audio/ogg"],
  [".wav", "audio/wav"],
  [".flac", "audio/flac"],
  [".mp4", "video/mp4"],
  [".webm", "video/webm"],
  [".mpeg", "video/mpeg"],
  [".avi", "video/x-msvideo"],
  [".py", "text/x-python"],
  [".ts", "text/x-typescript"],
  [".sh", "application/x-sh"],
  [".rtf", "application/rtf"],
  [".doc", "application/msword"],
  [".ics", "text/calendar"],
  [".yaml", "application/yaml"],
  [".yml", "application/yaml"],
  [".toml", "application/toml"],
  [".bin", "application/octet-stream"],
]);

/** Content encodings by extension, as Twisted's `File.contentEncodings`. */
const CONTENT_ENCODINGS: ReadonlyMap<string, string> = new Map([
  [".gz", "gzip"],
  [".bz2", "bzip2"],
  [".xz", "xz"],
]);

/** The content type and encoding a file name implies. */
export interface GuessedType {
  /** The content type, or `undefined` when the extension is unknown. */
  type: string | undefined;
  /** `gzip`, `bzip2` or `xz` for a compressed file, else `undefined`. */
  encoding: string | undefined;
}

function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/**
 * The content type and encoding of `name`, as Twisted's
 * `getTypeAndEncoding` and Python's `mimetypes.guess_type`:
 * `page.html.gz` is `text/html` encoded with gzip.
 */
export function guessType(name: string): GuessedType {
  const extension = extensionOf(name);
  const encoding = CONTENT_ENCODINGS.get(extension);
  if (encoding !== undefined) {
    const inner = name.slice(0, name.length - extension.length);
    const type = CONTENT_TYPES.get(extensionOf(inner));
    if (type !== undefined) return { type, encoding };
    return { type: CONTENT_TYPES.get(extension), encoding: undefined };
  }
  return { type: CONTENT_TYPES.get(extension), encoding: undefined };
}

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Whether `path` starts with a Windows drive (`C:`). */
function isDrivePrefix(path: string): boolean {
  if (path.charCodeAt(1) !== COLON) return false;
  const letter = path.charCodeAt(0) | 0x20;
  return letter >= 0x61 && letter <= 0x7a;
}

/**
 * Whether one decoded path segment may be looked up in a directory: not
 * `..` or `.`, and without a separator (`/`, `\`) or NUL, as Twisted's
 * `FilePath.child` refuses with `InsecurePath`.
 */
export function isSafeSegment(segment: string): boolean {
  if (segment === "" || segment === "." || segment === "..") return false;
  // A loop costs half what a regular expression does on a short name.
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c === SLASH || c === BACKSLASH || c === 0) return false;
  }
  return true;
}

/**
 * Splits a decoded relative path (`css/site.css`) into segments, or
 * returns `null` when one of them could leave the directory: `..`, a
 * backslash, NUL, or an absolute path. Empty and `.` segments are dropped.
 */
export function splitRelativePath(path: string): string[] | null {
  if (path.charCodeAt(0) === SLASH || isDrivePrefix(path)) return null;
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (!isSafeSegment(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/** A file or directory found inside a static root. */
export interface StaticTarget {
  /** Its real path (symlinks resolved), inside the root's real path. */
  path: string;
  /** Its metadata. */
  info: Deno.FileInfo;
}

/** How many looked-up paths a {@linkcode StaticRoot} remembers as proven. */
const PROVEN_PATHS = 1024;

/** The bounds of a {@linkcode StaticRoot}. */
export interface StaticRootOptions {
  /** The most paths remembered as proven. */
  maxProven?: number;
  /**
   * How long a proven path's metadata is used without reading it again;
   * 0 reads it on every lookup.
   */
  trustMs?: number;
}

/** A proven target and when its metadata was read (`Date.now()`). */
interface Proven {
  target: StaticTarget;
  checkedAt: number;
}

/**
 * A static root directory, finding paths under it without ever leaving
 * it. Synchronous, as Twisted's `FilePath` and Tornado's `os.path` calls:
 * a few system calls on a local path cost less than handing each to a
 * thread.
 *
 * Twisted and Tornado follow symlinks out of their root; this one refuses
 * a path whose real location is outside the root's real path. Resolving
 * real paths costs a system call per path component, so it is done once
 * per file version: a path whose `stat` (which follows symlinks) still
 * shows the file version proven inside the root (same device, inode,
 * size, modification and change times) is that file; any other is
 * resolved again. The root's real path is resolved once and again when a
 * path resolves outside it, so a root that is a symlink may be re-pointed
 * (as Tornado, which takes `os.path.abspath` of it on every request).
 *
 * Twisted and Tornado `stat` the file on every request; this one trusts a
 * proven path's metadata for `trustMs` (100 ms by default, the public
 * `statIntervalMs`; 0 reads it every time) after reading it, as
 * nginx's `open_file_cache_valid` does for a minute: at thousands of
 * requests a second the `stat` was a third of what answering from memory
 * cost, and a file changed, replaced or removed is seen within 100 ms.
 * What it serves in that time is the version proven inside the root, never
 * a path that has since been re-pointed elsewhere.
 */
export class StaticRoot {
  /** The directory, as given. */
  readonly root: string;
  #realRoot: string | null = null;
  /** Proven targets by joined path, the first the least recently proven. */
  readonly #proven = new Map<string, Proven>();
  readonly #maxProven: number;
  readonly #trustMs: number;

  /**
   * @param root The directory.
   * @param options How many paths it remembers and how long it trusts them.
   */
  constructor(root: string, options: StaticRootOptions = {}) {
    this.root = root;
    this.#maxProven = options.maxProven ?? PROVEN_PATHS;
    this.#trustMs = options.trustMs ?? DEFAULT_STAT_INTERVAL_MS;
  }

  /** How many paths are remembered as proven. */
  get provenSize(): number {
    return this.#proven.size;
  }

  /**
   * Finds `segments` (already percent-decoded) under the root.
   *
   * @param segments The path segments below the root.
   * @returns The target, or `null` when a segment is unsafe (see
   * {@linkcode isSafeSegment}), nothing is there, or the path resolves
   * (through a symlink) outside the root's real path.
   */
  resolve(segments: readonly string[]): StaticTarget | null {
    if (!segments.every(isSafeSegment)) return null;
    const joined = segments.length === 0
      ? this.root
      : `${withSlash(this.root)}${segments.join("/")}`;
    const known = this.#proven.get(joined);
    const now = Date.now();
    // A clock set back reads the metadata again.
    if (
      known !== undefined && now >= known.checkedAt &&
      now - known.checkedAt < this.#trustMs
    ) return known.target;
    try {
      const info = Deno.statSync(joined);
      if (known !== undefined && sameVersion(known.target.info, info)) {
        known.checkedAt = now;
        return known.target;
      }
      const path = Deno.realPathSync(joined);
      if (!this.#inside(path) && !this.#inside(path, true)) {
        this.#proven.delete(joined);
        return null;
      }
      const target = { path, info };
      this.#remember(joined, { target, checkedAt: now });
      return target;
    } catch {
      this.#proven.delete(joined);
      return null;
    }
  }

  /** Whether `path` is the root's real path or below it. */
  #inside(path: string, again = false): boolean {
    if (this.#realRoot === null || again) {
      this.#realRoot = Deno.realPathSync(this.root);
    }
    const realRoot = this.#realRoot;
    return path === realRoot || path.startsWith(withSlash(realRoot));
  }

  #remember(joined: string, entry: Proven): void {
    const proven = this.#proven;
    proven.delete(joined);
    if (proven.size >= this.#maxProven) {
      proven.delete(proven.keys().next().value as string);
    }
    proven.set(joined, entry);
  }
}

function withSlash(path: string): string {
  return path.endsWith("/") ? path : `${path}/`;
}

/**
 * A strong validator for a file version: its size and modification time
 * in hexadecimal, as nginx makes them. It follows the file without reading
 * it, where Tornado's hash of the content is kept per path until `reset`.
 */
function makeETag(info: Deno.FileInfo): string {
  const mtime = info.mtime?.getTime() ?? 0;
  return `"${info.size.toString(16)}-${mtime.toString(16)}"`;
}

interface Validators {
  etag: string;
  lastModified: string | null;
  /**
   * The answer to a request for the whole file without a condition that
   * applies, made on the first one and shared, frozen, by the next.
   */
  whole: StaticPlan | null;
}

/**
 * The validators of each file version held by the static cache, whose
 * metadata object is the same on every request: formatting them is a
 * large part of what a cached answer costs.
 */
const validators = new WeakMap<Deno.FileInfo, Validators>();

function validatorsOf(info: Deno.FileInfo): Validators {
  let known = validators.get(info);
  if (known === undefined) {
    const mtime = info.mtime?.getTime();
    known = {
      etag: makeETag(info),
      lastModified: mtime === undefined ? null : formatHTTPDate(mtime),
      whole: null,
    };
    validators.set(info, known);
  }
  return known;
}

/** `ms` (since the epoch) as an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function formatHTTPDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * Parses an HTTP date (IMF-fixdate, RFC 850 or asctime form) to ms since
 * the epoch, or `null` when it is not one.
 */
export function parseHTTPDate(value: string): number | null {
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? null : ms;
}

function opaqueTag(tag: string): string {
  const trimmed = tag.trim();
  return trimmed.startsWith("W/") ? trimmed.slice(2) : trimmed;
}

/**
 * Whether an `If-None-Match` list names `etag` by weak comparison (RFC
 * 9110 section 8.8.3.2), `*` naming any.
 */
export function etagListMatches(header: string, etag: string): boolean {
  const wanted = opaqueTag(etag);
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || opaqueTag(t) === wanted;
  });
}

/**
 * Whether the client's cached copy is current, so the answer is 304
 * (RFC 9110 section 13.2.2): `If-None-Match` decides when present (weak
 * comparison); otherwise `If-Modified-Since`, compared at one-second
 * precision as HTTP dates carry.
 */
export function isNotModified(
  requestHeaders: Headers,
  etag: string,
  lastModifiedMs: number | null,
): boolean {
  const ifNoneMatch = requestHeaders.get("if-none-match");
  if (ifNoneMatch !== undefined) return etagListMatches(ifNoneMatch, etag);
  const ifModifiedSince = requestHeaders.get("if-modified-since");
  if (ifModifiedSince === undefined || lastModifiedMs === null) return false;
  const since = parseHTTPDate(ifModifiedSince);
  return since !== null && Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}

/**
 * What a `Range` header asks of a body of known size: nothing (serve it
 * whole), one range (`end` exclusive), or a range that cannot be served.
 * Several ranges are answered whole, which RFC 9110 section 14.2 allows
 * and Tornado does.
 */
export type RangeRequest =
  | { kind: "whole" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/** The answer of most requests, shared. */
const WHOLE: RangeRequest = Object.freeze({ kind: "whole" });

const RANGE = /^bytes=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/;

/**
 * Reads a `Range` header against a body of `size` bytes. A malformed
 * header is ignored (the body is served whole); a first position at or
 * past the end, or a zero-length suffix, is unsatisfiable (416).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): RangeRequest {
  if (header === undefined) return WHOLE;
  const match = RANGE.exec(header.trim());
  if (match === null) return WHOLE;
  const [, first, last] = match;
  if (first === "" && last === "") return WHOLE;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return WHOLE;
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size : Math.min(size, Number(last) + 1);
  return { kind: "partial", start, end };
}

/**
 * How to answer a request for a file: the status, the headers to set
 * (validators, length, range) and, for 200 and 206, the bytes to send.
 * The content type is the caller's: each face has its own default.
 */
export interface StaticPlan {
  /** 200, 206, 304 or 416. */
  readonly status: 200 | 206 | 304 | 416;
  /** Header fields to set, in order. */
  readonly headers: readonly (readonly [string, string])[];
  /** The bytes to send, `end` exclusive; absent for 304 and 416. */
  readonly range?: { readonly start: number; readonly end: number };
}

/**
 * Plans the answer to a `GET` or `HEAD` of a file with `info`: validators
 * (`ETag`, `Last-Modified`, `Accept-Ranges`), then 304 when the client's
 * copy is current, else the `Range` rules (honoured only when an
 * `If-Range` validator, if sent, still matches).
 */
export function planStaticResponse(
  requestHeaders: Headers,
  info: Deno.FileInfo,
): StaticPlan {
  const known = validatorsOf(info);
  const etag = known.etag;
  const mtime = info.mtime?.getTime() ?? null;
  if (isNotModified(requestHeaders, etag, mtime)) {
    return { status: 304, headers: validatorFields(known) };
  }
  const size = info.size;
  const range = ifRangeHolds(requestHeaders, etag, mtime)
    ? parseRange(requestHeaders.get("range"), size)
    : WHOLE;
  if (range.kind === "unsatisfiable") {
    const headers = validatorFields(known);
    headers.push(["Content-Range", `bytes */${size}`]);
    headers.push(["Content-Length", "0"]);
    return { status: 416, headers };
  }
  if (range.kind === "partial") {
    const headers = validatorFields(known);
    headers.push([
      "Content-Range",
      `bytes ${range.start}-${range.end - 1}/${size}`,
    ]);
    headers.push(["Content-Length", String(range.end - range.start)]);
    return {
      status: 206,
      headers,
      range: { start: range.start, end: range.end },
    };
  }
  // Most requests: the same answer for every one, made once per version.
  if (known.whole === null) {
    const headers = validatorFields(known);
    headers.push(["Content-Length", String(size)]);
    known.whole = Object.freeze({
      status: 200,
      headers: Object.freeze(headers.map((field) => Object.freeze(field))),
      range: Object.freeze({ start: 0, end: size }),
    });
  }
  return known.whole;
}

/** The validator fields of a file version, in a new list. */
function validatorFields(
  known: Validators,
): [string, string][] {
  const headers: [string, string][] = [
    ["Accept-Ranges", "bytes"],
    ["ETag", known.etag],
  ];
  if (known.lastModified !== null) {
    headers.push(["Last-Modified", known.lastModified]);
  }
  return headers;
}

function ifRangeHolds(
  requestHeaders: Headers,
  etag: string,
  mtime: number | null,
): boolean {
  const ifRange = requestHeaders.get("if-range")?.trim();
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"')) return ifRange === etag;
  if (ifRange.startsWith("W/")) return false;
  const date = parseHTTPDate(ifRange);
  return date !== null && mtime !== null &&
    Math.floor(mtime / 1000) * 1000 === date;
}

/** How many bytes {@linkcode FileProducer} reads at a time. */
const FILE_CHUNK_SIZE = 64 * 1024;

/**
 * Streams `[start, end)` of an open file to a consumer as a push producer,
 * as Twisted's `static.SingleRangeStaticProducer`: it registers itself on
 * the consumer, reads the next piece only while not paused, and closes the
 * file when done or stopped. The file is the producer's from `start()` on.
 */
export class FileProducer implements IPushProducer {
  readonly #file: Deno.FsFile;
  readonly #consumer: IConsumer;
  readonly #start: number;
  readonly #end: number;
  #paused = false;
  #stopped = false;
  #resume: (() => void) | null = null;

  /**
   * @param file The open file (closed by the producer).
   * @param consumer Where the bytes go.
   * @param start The first byte.
   * @param end One past the last byte.
   */
  constructor(
    file: Deno.FsFile,
    consumer: IConsumer,
    start: number,
    end: number,
  ) {
    this.#file = file;
    this.#consumer = consumer;
    this.#start = start;
    this.#end = end;
  }

  /**
   * Registers on the consumer and streams the range.
   *
   * @returns A Deferred firing with `true` once the whole range is written
   * and the producer unregistered, `false` when stopped first (the
   * consumer went away), or failing with a read error.
   */
  start(): Deferred<boolean> {
    const done = new Deferred<boolean>();
    this.#consumer.registerProducer(this, true);
    this.#run().then(
      (complete) => {
        // Stopped after the last write (the client went away in the turns
        // since): the consumer is gone, nothing is left to end.
        const whole = complete && !this.#stopped;
        if (whole) this.#consumer.unregisterProducer();
        done.callback(whole);
      },
      (error: unknown) => {
        if (!this.#stopped) this.#consumer.unregisterProducer();
        done.errback(error);
      },
    );
    return done;
  }

  async #run(): Promise<boolean> {
    try {
      if (this.#start > 0) {
        await this.#file.seek(this.#start, Deno.SeekMode.Start);
      }
      let remaining = this.#end - this.#start;
      while (remaining > 0) {
        while (this.#paused && !this.#stopped) {
          await new Promise<void>((resolve) => this.#resume = resolve);
        }
        if (this.#stopped) return false;
        const buffer = new Uint8Array(Math.min(FILE_CHUNK_SIZE, remaining));
        const n = await this.#file.read(buffer);
        if (this.#stopped) return false;
        // A file that shrank while being sent ends short; the framing then
        // tells the client it was cut.
        if (n === null || n === 0) break;
        remaining -= n;
        this.#consumer.write(
          n === buffer.length ? buffer : buffer.subarray(0, n),
        );
      }
      return true;
    } finally {
      this.#file.close();
    }
  }

  /** Stops reading until `resumeProducing`. */
  pauseProducing(): void {
    this.#paused = true;
  }

  /** Reads again after `pauseProducing`. */
  resumeProducing(): void {
    this.#paused = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  /** Stops for good: the consumer is gone. The file is closed. */
  stopProducing(): void {
    this.#stopped = true;
    this.resumeProducing();
  }
}
