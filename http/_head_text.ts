/**
 * A response head as the pieces it is made of (status line, field names
 * and values, framing lines), written into the bytes that go out by one
 * loop over the pieces: joining them first into one string only for an
 * encoder to copy it again cost a microsecond a response.
 *
 * @module
 */
import { allocate } from "../_util/slab.ts";
import { fieldPieces, type Headers } from "./headers.ts";

/**
 * The pieces of the last head written and its bytes: most responses repeat
 * the previous one's pieces (literal names and values, the cached `Date`
 * line, the same length), and one copy of its bytes costs less than the
 * loop. Strings compare by value, so equal pieces mean equal bytes.
 */
let lastParts: readonly string[] = [];
/** A head longer than this is written without being kept. */
const KEPT_SIZE = 2048;
const kept = new Uint8Array(KEPT_SIZE);
let lastBytes: Uint8Array = kept.subarray(0, 0);

/** A body up to this size is compared with the last one (see `joined`). */
const REPEATED_BODY = 256;
/** The last small response joined by `joined`, head and body. */
let lastJoined: Uint8Array | null = null;
/** `lastParts` when `lastJoined` was made: its head's pieces. */
let lastJoinedParts: readonly string[] = [];

/**
 * A head's text, kept as pieces; every character is one byte (latin-1).
 * While its pieces are the first ones of the last head written, it only
 * counts them: most heads repeat the last one, which then costs no array
 * of pieces and no comparison once built.
 */
export class HeadText {
  /** How many characters, and so bytes, the pieces hold. */
  length = 0;
  /** The last head's pieces when this head was begun (never changed). */
  readonly #base: readonly string[] = lastParts;
  /** How many pieces, all equal to the first ones of `#base`, so far. */
  #matched = 0;
  /** The pieces, once one differs from `#base`'s piece at its place. */
  #parts: string[] | null = null;

  /**
   * Appends `text`.
   *
   * @param text Latin-1 text (header names and values are checked).
   * @returns This head.
   */
  add(text: string): this {
    if (text.length > 0) {
      this.piece(text);
      this.length += text.length;
    }
    return this;
  }

  /**
   * Appends `text` without counting its length (see `addFields`).
   *
   * @param text Latin-1 text.
   */
  piece(text: string): void {
    const parts = this.#parts;
    if (parts !== null) {
      parts.push(text);
      return;
    }
    const matched = this.#matched;
    const base = this.#base;
    if (matched < base.length && base[matched] === text) {
      this.#matched = matched + 1;
      return;
    }
    const own = base.slice(0, matched);
    own.push(text);
    this.#parts = own;
  }

  /**
   * Appends the field lines of `headers`, in order.
   *
   * @param headers The fields.
   * @returns This head.
   */
  addFields(headers: Headers): this {
    this.length += fieldPieces(headers, this);
    return this;
  }

  /**
   * Whether `other` is made of the same pieces, and so the same bytes.
   *
   * @param other Another head.
   * @returns Whether they are equal.
   */
  sameAs(other: HeadText): boolean {
    if (
      this.#parts === null && other.#parts === null &&
      this.#base === other.#base
    ) {
      return this.#matched === other.#matched;
    }
    return sameParts(this.#pieces(), other.#pieces());
  }

  /**
   * Writes the pieces into `out` from `offset`.
   *
   * @param out Room for `length` bytes from `offset`.
   * @param offset Where to start.
   * @returns How many bytes were written (`length`).
   */
  writeInto(out: Uint8Array, offset = 0): number {
    if (this.#isLast()) {
      out.set(lastBytes, offset);
      return lastBytes.length;
    }
    const parts = this.#pieces();
    if (this.length > KEPT_SIZE) return writeParts(parts, out, offset);
    lastParts = parts.slice();
    lastBytes = kept.subarray(0, writeParts(parts, kept, 0));
    out.set(lastBytes, offset);
    return lastBytes.length;
  }

  /**
   * The head followed by `body`, as bytes from the shared slab for the
   * transport only. A small response equal to the last one made here (the
   * same pieces, the same body bytes) is given the same bytes again, which
   * were never changed: comparing a short body costs less than a view of
   * the slab and two copies.
   *
   * @param body The body.
   * @returns The bytes of head and body.
   */
  joined(body: Uint8Array): Uint8Array {
    const length = this.length;
    const last = lastJoined;
    if (
      last !== null && last.length === length + body.length &&
      lastJoinedParts === lastParts && this.#isLast() &&
      sameBytes(last, length, body)
    ) {
      return last;
    }
    const out = allocate(length + body.length);
    this.writeInto(out);
    out.set(body, length);
    // Kept only when writeInto kept this head's pieces as the last ones.
    const kept = body.length <= REPEATED_BODY && length <= KEPT_SIZE;
    lastJoined = kept ? out : null;
    lastJoinedParts = lastParts;
    return out;
  }

  /**
   * The head as bytes of their own from the shared slab (see `allocate`):
   * for the transport only.
   *
   * @returns The bytes.
   */
  bytes(): Uint8Array {
    const out = allocate(this.length);
    this.writeInto(out);
    return out;
  }

  /**
   * The head as one string.
   *
   * @returns The text.
   */
  toString(): string {
    return this.#pieces().join("");
  }

  /** Whether the pieces are those of the last head written. */
  #isLast(): boolean {
    if (this.#parts === null && this.#base === lastParts) {
      return this.#matched === lastParts.length;
    }
    return sameParts(this.#pieces(), lastParts);
  }

  /** The pieces, as an array (made now for a head that only counted). */
  #pieces(): readonly string[] {
    return this.#parts ?? this.#base.slice(0, this.#matched);
  }
}

function sameParts(parts: readonly string[], last: readonly string[]): boolean {
  if (parts.length !== last.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== last[i]) return false;
  }
  return true;
}

/** Whether `bytes` from `offset` on hold the bytes of `body`. */
function sameBytes(
  bytes: Uint8Array,
  offset: number,
  body: Uint8Array,
): boolean {
  for (let i = 0; i < body.length; i++) {
    if (bytes[offset + i] !== body[i]) return false;
  }
  return true;
}

function writeParts(
  parts: readonly string[],
  out: Uint8Array,
  offset: number,
): number {
  let at = offset;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) out[at++] = part.charCodeAt(i);
  }
  return at - offset;
}
