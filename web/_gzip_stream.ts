/**
 * One gzip member written piece by piece, shared by Tornado's
 * `GZipContentEncoding` and Twisted's `GzipEncoderFactory`.
 *
 * Each piece is deflated on its own and ended with a sync flush, so pieces
 * concatenate into one valid member without keeping a streaming compressor
 * (which the runtime only offers asynchronously); the CRC-32 and length
 * trailer follows the last piece.
 *
 * @module
 */
import zlib from "node:zlib";
import { joinChunks } from "../reactor/_byte_buffer.ts";

const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const EMPTY = new Uint8Array(0);

/** A gzip member compressed one piece at a time. */
export class GzipStream {
  readonly #level: number;
  #started = false;
  #crc = 0;
  #size = 0;

  /** @param level The zlib compression level, 0 to 9. */
  constructor(level: number) {
    this.#level = level;
  }

  /**
   * The gzip header the first time it is called, then nothing.
   *
   * @returns The bytes to send before any deflated data.
   */
  start(): Uint8Array {
    if (this.#started) return EMPTY;
    this.#started = true;
    return GZIP_HEADER;
  }

  /**
   * `data` deflated and sync-flushed, after the header if not yet sent;
   * when `finishing`, the deflate stream is ended and the trailer follows.
   *
   * @param data The next piece of the body.
   * @param finishing Whether this is the last piece.
   * @returns The bytes to send.
   */
  write(data: Uint8Array, finishing: boolean): Uint8Array {
    this.#crc = zlib.crc32(data, this.#crc);
    this.#size = (this.#size + data.length) >>> 0;
    const header = this.start();
    const deflated = zlib.deflateRawSync(data, {
      level: this.#level,
      finishFlush: finishing
        ? zlib.constants.Z_FINISH
        : zlib.constants.Z_SYNC_FLUSH,
    });
    if (header.length === 0 && !finishing) return deflated;
    const parts = [header, deflated];
    if (finishing) {
      const trailer = new Uint8Array(8);
      const view = new DataView(trailer.buffer);
      view.setUint32(0, this.#crc >>> 0, true);
      view.setUint32(4, this.#size, true);
      parts.push(trailer);
    }
    return joinChunks(
      parts,
      parts.reduce((sum, part) => sum + part.length, 0),
    );
  }
}
