/**
 * Collects a request body from the engine's views (each valid only during
 * its call) into bytes of the request's own: copied once, into a buffer of
 * the declared length when that is small, rather than copied piece by
 * piece and joined again.
 *
 * @module
 */
import { joinChunks } from "../reactor/_byte_buffer.ts";

/**
 * A declared length up to this is allocated at the first piece; a larger
 * one is collected piece by piece, so a client that declares a large body
 * and sends a byte makes the server hold at most this much for it.
 */
export const PREALLOCATE_LIMIT = 16384;

const EMPTY = new Uint8Array(0);

/** The body of one request, as its pieces arrive. */
export class BodyCollector {
  #declared: number;
  #buffer: Uint8Array | null = null;
  #chunks: Uint8Array[] | null = null;
  #length = 0;

  /**
   * @param declared The body's declared length (`Content-Length`), or
   * `null` when unknown (chunked); decoding may deliver more or fewer
   * bytes than declared.
   */
  constructor(declared: number | null) {
    this.#declared = declared !== null && declared <= PREALLOCATE_LIMIT
      ? declared
      : 0;
  }

  /** How many bytes were collected. */
  get length(): number {
    return this.#length;
  }

  /**
   * Copies a piece.
   *
   * @param chunk The engine's view, valid only during the call.
   */
  add(chunk: Uint8Array): void {
    const size = chunk.length;
    if (size === 0) return;
    if (this.#declared > 0) {
      // The first piece: a body that comes whole is copied as it is.
      const declared = this.#declared;
      this.#declared = 0;
      if (size < declared) this.#buffer = new Uint8Array(declared);
    }
    const buffer = this.#buffer;
    if (buffer !== null) {
      if (this.#length + size <= buffer.length) {
        buffer.set(chunk, this.#length);
        this.#length += size;
        return;
      }
      // More than declared (a decoded body): go on piece by piece.
      this.#buffer = null;
      this.#chunks = this.#length > 0 ? [buffer.subarray(0, this.#length)] : [];
    }
    (this.#chunks ??= []).push(chunk.slice());
    this.#length += size;
  }

  /**
   * The whole body; call once, after the last piece.
   *
   * @returns The bytes, the caller's own.
   */
  take(): Uint8Array {
    const buffer = this.#buffer;
    const length = this.#length;
    this.#buffer = null;
    if (buffer !== null) {
      return length === buffer.length ? buffer : buffer.subarray(0, length);
    }
    const chunks = this.#chunks;
    this.#chunks = null;
    return chunks === null ? EMPTY : joinChunks(chunks, length);
  }
}
