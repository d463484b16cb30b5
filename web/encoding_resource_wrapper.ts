/**
 * Response encoding on the fly, as `twisted.web.resource.EncodingResourceWrapper`
 * and `twisted.web.server.GzipEncoderFactory`.
 *
 * @module
 */
import zlib from "node:zlib";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import type { Request } from "./request.ts";
import type { IResource, RenderResult } from "./resource.ts";

/**
 * Encodes one response body as it is written. Mirrors Twisted's
 * `twisted.web.iweb._IRequestEncoder`.
 *
 * @example An encoder that leaves bytes alone
 * ```ts
 * import type { IRequestEncoder } from "@torsion/torsion/web";
 * const identity: IRequestEncoder = {
 *   encode: (data) => data,
 *   finish: () => new Uint8Array(0),
 * };
 * ```
 */
export interface IRequestEncoder {
  /** Encodes a piece of body; the result may be empty. */
  encode(data: Uint8Array): Uint8Array;
  /** Ends the encoding: what is left to send. */
  finish(): Uint8Array;
}

/**
 * Decides, per request, whether and how to encode its response. Mirrors
 * Twisted's `twisted.web.iweb._IRequestEncoderFactory`.
 *
 * @example A factory that never encodes
 * ```ts
 * import type { IEncoderFactory } from "@torsion/torsion/web";
 * const never: IEncoderFactory = { encoderForRequest: () => null };
 * ```
 */
export interface IEncoderFactory {
  /**
   * An encoder for `request` (having set `Content-Encoding`), or `null` to
   * leave it alone.
   */
  encoderForRequest(request: Request): IRequestEncoder | null;
}

const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const EMPTY = new Uint8Array(0);
// Twisted's _gzipCheckRegex: a "gzip" token with parameters ("gzip;q=0")
// is not taken as accepting gzip.
const ACCEPTS_GZIP = /(?:^|[\s,])gzip(?:$|[\s,])/i;

/** One gzip member written piece by piece, each deflated with a sync flush. */
class GzipEncoder implements IRequestEncoder {
  readonly #level: number;
  readonly #request: Request;
  #started = false;
  #crc = 0;
  #size = 0;

  constructor(level: number, request: Request) {
    this.#level = level;
    this.#request = request;
  }

  encode(data: Uint8Array): Uint8Array {
    // The length of what is compressed on the fly is not known up front.
    if (!this.#request.startedWriting) {
      this.#request.responseHeaders.removeHeader("content-length");
    }
    if (data.length === 0) return this.#header();
    this.#crc = zlib.crc32(data, this.#crc);
    this.#size = (this.#size + data.length) >>> 0;
    const deflated = zlib.deflateRawSync(data, {
      level: this.#level,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    const header = this.#header();
    return header.length === 0
      ? deflated
      : joinChunks([header, deflated], header.length + deflated.length);
  }

  finish(): Uint8Array {
    const header = this.#header();
    const end = zlib.deflateRawSync(EMPTY, { level: this.#level });
    const out = new Uint8Array(header.length + end.length + 8);
    out.set(header, 0);
    out.set(end, header.length);
    const view = new DataView(out.buffer);
    view.setUint32(header.length + end.length, this.#crc >>> 0, true);
    view.setUint32(header.length + end.length + 4, this.#size, true);
    return out;
  }

  #header(): Uint8Array {
    if (this.#started) return EMPTY;
    this.#started = true;
    return GZIP_HEADER;
  }
}

/**
 * Options of {@linkcode GzipEncoderFactory}.
 *
 * @example Faster, lighter compression
 * ```ts
 * import type { GzipEncoderFactoryOptions } from "@torsion/torsion/web";
 * const options: GzipEncoderFactoryOptions = { compressLevel: 1 };
 * ```
 */
export interface GzipEncoderFactoryOptions {
  /**
   * The zlib compression level, 0 (none) to 9 (smallest). Mirrors
   * `GzipEncoderFactory.compressLevel`.
   * @default 9
   */
  compressLevel?: number;
}

/**
 * Gzips the response of any request whose `Accept-Encoding` names gzip,
 * adding `gzip` to `Content-Encoding` and dropping `Content-Length` (the
 * body is compressed as it is written, so it is sent chunked), and adding
 * `Vary: Accept-Encoding` (which Twisted omits, letting caches serve gzip
 * to clients that did not ask for it). Mirrors
 * Twisted's `twisted.web.server.GzipEncoderFactory`; use it with
 * {@linkcode EncodingResourceWrapper}.
 *
 * @example Choosing to gzip from the request
 * ```ts
 * import assert from "node:assert/strict";
 * import { GzipEncoderFactory } from "@torsion/torsion/web";
 * assert.equal(new GzipEncoderFactory().compressLevel, 9);
 * ```
 */
export class GzipEncoderFactory implements IEncoderFactory {
  /** The zlib compression level. */
  readonly compressLevel: number;

  /**
   * Makes the factory, as Twisted's `GzipEncoderFactory()`.
   *
   * @param options The options.
   * @throws {RangeError} `compressLevel` is not an integer from 0 to 9.
   */
  constructor(options: GzipEncoderFactoryOptions = {}) {
    const level = options.compressLevel ?? 9;
    if (!Number.isInteger(level) || level < 0 || level > 9) {
      throw new RangeError(
        `compressLevel must be an integer from 0 to 9: current value is ${level}`,
      );
    }
    this.compressLevel = level;
  }

  /**
   * A gzip encoder when the client accepts gzip, else `null`. Mirrors
   * `GzipEncoderFactory.encoderForRequest`.
   *
   * @param request The request.
   * @returns The encoder, or `null`.
   */
  encoderForRequest(request: Request): IRequestEncoder | null {
    const accepted = request.requestHeaders.getRawHeaders(
      "accept-encoding",
      [],
    ).join(",");
    if (!ACCEPTS_GZIP.test(accepted)) return null;
    const encoding = request.responseHeaders.getRawHeaders("content-encoding");
    request.responseHeaders.setRawHeaders("Content-Encoding", [
      encoding === undefined ? "gzip" : [...encoding, "gzip"].join(","),
    ]);
    const vary = request.responseHeaders.get("vary");
    request.responseHeaders.setRawHeaders("Vary", [
      vary === undefined ? "Accept-Encoding" : `${vary}, Accept-Encoding`,
    ]);
    return new GzipEncoder(this.compressLevel, request);
  }
}

/**
 * Wraps a resource so its responses are encoded by the first of
 * `encoders` that takes the request (gzip, with
 * {@linkcode GzipEncoderFactory}). Children are the wrapped resource's
 * own: wrap each resource whose output should be encoded. Mirrors Twisted's
 * `twisted.web.resource.EncodingResourceWrapper`.
 *
 * @example Gzipping a page
 * ```ts
 * import assert from "node:assert/strict";
 * import { gunzipSync } from "node:zlib";
 * import {
 *   Data,
 *   EncodingResourceWrapper,
 *   GzipEncoderFactory,
 *   Resource,
 *   Site,
 * } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const root = new Resource();
 * root.putChild(
 *   "page",
 *   new EncodingResourceWrapper(new Data("x".repeat(1000), "text/plain"), [
 *     new GzipEncoderFactory(),
 *   ]),
 * );
 * const channel = new DummyChannel({
 *   target: "/page",
 *   headers: { "Accept-Encoding": "gzip, deflate" },
 * });
 * channel.serve(new Site(root));
 * assert.equal(channel.responseHeaders?.get("content-encoding"), "gzip");
 * assert.equal(new TextDecoder().decode(gunzipSync(channel.body())), "x".repeat(1000));
 * ```
 */
export class EncodingResourceWrapper implements IResource {
  /** The wrapped resource. */
  readonly original: IResource;
  /** The encoder factories, tried in order. */
  readonly encoders: readonly IEncoderFactory[];

  /**
   * Wraps `original`, as Twisted's `EncodingResourceWrapper(original,
   * encoders)`.
   *
   * @param original The resource whose output is encoded.
   * @param encoders The encoder factories, tried in order.
   */
  constructor(original: IResource, encoders: readonly IEncoderFactory[]) {
    this.original = original;
    this.encoders = encoders;
  }

  /** Whether the wrapped resource is a leaf. */
  get isLeaf(): boolean {
    return this.original.isLeaf;
  }

  /**
   * The wrapped resource's child.
   *
   * @param name The path segment.
   * @param request The request.
   * @returns The child (not wrapped).
   */
  getChildWithDefault(name: string, request: Request): IResource {
    return this.original.getChildWithDefault(name, request);
  }

  /**
   * Adds a child to the wrapped resource.
   *
   * @param path The path segment.
   * @param child The child.
   */
  putChild(path: string, child: IResource): void {
    this.original.putChild(path, child);
  }

  /**
   * Picks the encoder for the request, then renders the wrapped resource.
   * Mirrors `EncodingResourceWrapper.render`.
   *
   * @param request The request.
   * @returns What the wrapped resource returns.
   */
  render(request: Request): RenderResult {
    for (const factory of this.encoders) {
      const encoder = factory.encoderForRequest(request);
      if (encoder !== null) {
        request.encoder = encoder;
        break;
      }
    }
    return this.original.render(request);
  }
}
