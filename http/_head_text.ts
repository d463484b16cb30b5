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

/** A head's text, kept as pieces; every character is one byte (latin-1). */
export class HeadText {
  /** How many characters, and so bytes, the pieces hold. */
  length = 0;
  readonly #parts: string[] = [];

  /**
   * Appends `text`.
   *
   * @param text Latin-1 text (header names and values are checked).
   * @returns This head.
   */
  add(text: string): this {
    if (text.length > 0) {
      this.#parts.push(text);
      this.length += text.length;
    }
    return this;
  }

  /**
   * Appends the field lines of `headers`, in order.
   *
   * @param headers The fields.
   * @returns This head.
   */
  addFields(headers: Headers): this {
    this.length += fieldPieces(headers, this.#parts);
    return this;
  }

  /**
   * Writes the pieces into `out` from `offset`.
   *
   * @param out Room for `length` bytes from `offset`.
   * @param offset Where to start.
   * @returns How many bytes were written (`length`).
   */
  writeInto(out: Uint8Array, offset = 0): number {
    let at = offset;
    for (const part of this.#parts) {
      for (let i = 0; i < part.length; i++) out[at++] = part.charCodeAt(i);
    }
    return at - offset;
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
    return this.#parts.join("");
  }
}
