/**
 * The content of small static files kept in memory, for `File` and
 * `StaticFileHandler`: read once, then sent from memory for as long as
 * the file on disk is the one read.
 *
 * Twisted's `static.File` and Tornado's `StaticFileHandler` read the file
 * on every request; nginx's `open_file_cache` keeps what it opened and
 * trusts it for a minute. This cache is checked against the file's
 * metadata on every request instead (metadata that `StaticRoot` reads at
 * most `statIntervalMs`, 100 ms, before), so a changed file is served
 * within that time.
 *
 * @module
 */
import { shareBody } from "../http/_shared_body.ts";

/** The bounds of a {@linkcode StaticCache}. */
export interface StaticCacheOptions {
  /** The most bytes of content kept, all files together; 0 keeps none. */
  maxBytes: number;
  /** The most files kept. */
  maxEntries: number;
  /** The largest file kept; larger ones are streamed from disk. */
  maxFileSize: number;
}

/** A file's content and the metadata it was read with. */
export interface CachedFile {
  /** The whole content. Shared: never modify it. */
  readonly bytes: Uint8Array;
  /** The file's metadata when it was read (size, times, identity). */
  readonly info: Deno.FileInfo;
}

/**
 * How long after its last change a file is left uncached. A file changed
 * again within the same tick of the file system's clock keeps its
 * modification time, so content read in that tick could be stale without
 * a change to see; two seconds covers the coarsest clocks (FAT's). Git
 * treats its "racily clean" index entries the same way.
 */
const SETTLE_MS = 2000;

function timeOf(date: Date | null): number {
  return date === null ? -1 : date.getTime();
}

/** Whether two stats describe the same version of the same file. */
export function sameVersion(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.size === b.size && a.ino === b.ino && a.dev === b.dev &&
    timeOf(a.mtime) === timeOf(b.mtime) &&
    timeOf(a.ctime) === timeOf(b.ctime);
}

/**
 * Small files' content by real path, least recently used evicted first,
 * bounded in bytes and entries. Each lookup is given the file's current
 * metadata (a `stat` made for the request anyway) and reads the file again
 * when its size, modification or change time, inode or device differ.
 * Reads are synchronous, as Twisted's and Tornado's: a local file of at
 * most `maxFileSize` bytes.
 */
export class StaticCache {
  readonly #options: StaticCacheOptions;
  /** In use order: the first entry is the least recently used. */
  readonly #entries = new Map<string, CachedFile>();
  #bytes = 0;

  /** @param options The bounds. */
  constructor(options: StaticCacheOptions) {
    this.#options = options;
  }

  /** The bytes of content held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The files held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The content of the file at `path`, whose metadata was just read as
   * `info`: from memory when that version is held, else read now and kept.
   * `null` when the file is not to be held (too large, changed in the last
   * two seconds, or changing while read): stream it instead.
   *
   * @param path The file's real path.
   * @param info Its metadata, read for this request.
   * @returns The content with the metadata it was read with, or `null`.
   * @throws {Deno.errors.PermissionDenied} The file cannot be opened.
   */
  get(path: string, info: Deno.FileInfo): CachedFile | null {
    const entries = this.#entries;
    const held = entries.get(path);
    if (held !== undefined) {
      entries.delete(path);
      if (sameVersion(held.info, info)) {
        entries.set(path, held);
        return held;
      }
      this.#bytes -= held.bytes.length;
    }
    if (!this.#fits(info)) return null;
    const read = readSettled(path);
    if (read === null || !this.#fits(read.info)) return null;
    const { maxBytes, maxEntries } = this.#options;
    for (const [oldest, entry] of entries) {
      if (
        this.#bytes + read.bytes.length <= maxBytes &&
        entries.size < maxEntries
      ) break;
      entries.delete(oldest);
      this.#bytes -= entry.bytes.length;
    }
    // Never modified while held, so the engine may keep it joined with its
    // response head.
    shareBody(read.bytes);
    entries.set(path, read);
    this.#bytes += read.bytes.length;
    return read;
  }

  /** Whether a file of this version may be held. */
  #fits(info: Deno.FileInfo): boolean {
    const { maxBytes, maxEntries, maxFileSize } = this.#options;
    return info.isFile && info.mtime !== null && maxEntries > 0 &&
      info.size <= maxFileSize && info.size <= maxBytes &&
      Date.now() - info.mtime.getTime() >= SETTLE_MS;
  }
}

/**
 * Reads a whole file with the metadata of its open descriptor, or `null`
 * when it changed while being read.
 */
function readSettled(path: string): CachedFile | null {
  using file = Deno.openSync(path, { read: true });
  const info = file.statSync();
  const bytes = new Uint8Array(info.size);
  let filled = 0;
  while (filled < bytes.length) {
    const n = file.readSync(bytes.subarray(filled));
    if (n === null || n === 0) return null;
    filled += n;
  }
  return sameVersion(info, file.statSync()) ? { bytes, info } : null;
}

/**
 * The bounds of the in-memory cache of small static files that both faces
 * take (`StaticFileHandlerArgs` on the Tornado face). A cached file is
 * checked against its size, times and inode, read at most
 * `statIntervalMs` before, so a changed file is served within that time.
 */
export interface StaticCacheSettings {
  /**
   * The most bytes of small files' content kept in memory; 0 turns the
   * cache off. A held file that is being served also keeps one copy of
   * itself joined behind its last response head (sent in one write), so
   * memory may reach twice this.
   *
   * @default {16777216}
   */
  cacheMaxBytes?: number;
  /**
   * The most files kept in memory.
   *
   * @default {1024}
   */
  cacheMaxEntries?: number;
  /**
   * The largest file kept in memory; larger ones are streamed.
   *
   * @default {1048576}
   */
  cacheMaxFileSize?: number;
  /**
   * How long, in milliseconds, a file's metadata read for one request
   * answers the next ones before it is read again: a file changed,
   * replaced or removed is seen within this time. 0 reads it on every
   * request, as Twisted's `File` and Tornado's `StaticFileHandler` do.
   *
   * @default {100}
   */
  statIntervalMs?: number;
}

/** 16 MiB of files of at most 1 MiB, 1,024 at most. */
const DEFAULTS: StaticCacheOptions = {
  maxBytes: 16 * 1024 * 1024,
  maxEntries: 1024,
  maxFileSize: 1024 * 1024,
};

/** How long a served file's metadata is trusted by default, in ms. */
export const DEFAULT_STAT_INTERVAL_MS = 100;

/**
 * `statIntervalMs` of `settings`, checked.
 *
 * @throws {RangeError} It is negative or not finite.
 */
export function statIntervalOf(settings: StaticCacheSettings): number {
  const interval = settings.statIntervalMs ?? DEFAULT_STAT_INTERVAL_MS;
  if (!Number.isFinite(interval) || interval < 0) {
    throw new RangeError(
      `statIntervalMs must be a non-negative number of milliseconds: current value is ${interval}`,
    );
  }
  return interval;
}

/**
 * A cache bounded by `settings`, the defaults for what they leave out.
 *
 * @throws {RangeError} A bound is negative or not an integer.
 */
export function makeStaticCache(settings: StaticCacheSettings): StaticCache {
  const options: StaticCacheOptions = {
    maxBytes: settings.cacheMaxBytes ?? DEFAULTS.maxBytes,
    maxEntries: settings.cacheMaxEntries ?? DEFAULTS.maxEntries,
    maxFileSize: settings.cacheMaxFileSize ?? DEFAULTS.maxFileSize,
  };
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      const option = `cache${name[0].toUpperCase()}${name.slice(1)}`;
      throw new RangeError(
        `${option} must be a non-negative integer: current value is ${value}`,
      );
    }
  }
  return new StaticCache(options);
}
