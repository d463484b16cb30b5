/**
 * A growable byte queue for the framing protocols: bytes are appended at
 * the end and consumed from the front without re-concatenating the whole
 * buffer on every read, so feeding a long message one byte at a time stays
 * linear. Also the one join of byte pieces that the layers above share.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);
const MIN_CAPACITY = 256;

/** Joins byte pieces of `length` bytes in all; a single piece is returned as it is. */
export function joinChunks(
  chunks: readonly Uint8Array[],
  length: number,
): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Bytes received but not yet consumed by a framing protocol. */
export class ByteBuffer {
  #bytes: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;

  /** How many bytes are buffered. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Appends a copy of `data`: the caller may reuse its array afterwards. */
  append(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.#end + data.length > this.#bytes.length) {
      this.#makeRoom(data.length);
    }
    this.#bytes.set(data, this.#end);
    this.#end += data.length;
  }

  /** The buffered bytes as a view, valid until the next `append`. */
  view(): Uint8Array {
    return this.#bytes.subarray(this.#start, this.#end);
  }

  /** The byte at `index` from the front (the caller checks the bound). */
  at(index: number): number {
    return this.#bytes[this.#start + index];
  }

  /**
   * The index from the front of the first occurrence of `needle` at or after
   * `from`, or -1. The first byte is found with the native `indexOf`, so a
   * search costs one pass over the buffer.
   */
  indexOf(needle: Uint8Array, from = 0): number {
    // Searching a view bounded by the live data keeps the native scan out
    // of the spare capacity beyond it.
    const live = this.#bytes.subarray(this.#start, this.#end);
    const first = needle[0];
    const last = live.length - needle.length;
    let i = from;
    while (i <= last) {
      i = live.indexOf(first, i);
      if (i === -1 || i > last) return -1;
      let j = 1;
      while (j < needle.length && live[i + j] === needle[j]) j++;
      if (j === needle.length) return i;
      i++;
    }
    return -1;
  }

  /** Removes the first `count` bytes and returns a copy of them. */
  take(count: number): Uint8Array {
    const taken = this.#bytes.slice(this.#start, this.#start + count);
    this.skip(count);
    return taken;
  }

  /** Removes the first `count` bytes. */
  skip(count: number): void {
    this.#start += count;
    if (this.#start >= this.#end) {
      this.#start = 0;
      this.#end = 0;
    }
  }

  /** Removes and returns everything buffered. */
  takeAll(): Uint8Array {
    return this.take(this.length);
  }

  #makeRoom(extra: number): void {
    const live = this.#end - this.#start;
    const needed = live + extra;
    // Keeping at least as much free space as live data after each move makes
    // every byte's share of the copying constant (amortized O(1) appends).
    if (needed * 2 <= this.#bytes.length) {
      this.#bytes.copyWithin(0, this.#start, this.#end);
    } else {
      let capacity = Math.max(this.#bytes.length, MIN_CAPACITY);
      while (capacity < needed * 2) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.#bytes.subarray(this.#start, this.#end));
      this.#bytes = grown;
    }
    this.#start = 0;
    this.#end = live;
  }
}
