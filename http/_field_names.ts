/**
 * The cache of received field names: each distinct name is decoded and
 * lower-cased once, then found again by a hash of its bytes, which saves
 * most of the work of a header line since names recur from message to
 * message. Bounded, so that a peer inventing names cannot grow it.
 *
 * @module
 */
import { latin1 } from "./_latin1.ts";

/** A field that does not frame the message. */
export const KIND_OTHER = 0;
/** `Connection`. */
export const KIND_CONNECTION = 1;
/** `Content-Length`. */
export const KIND_CONTENT_LENGTH = 2;
/** `Transfer-Encoding`. */
export const KIND_TRANSFER_ENCODING = 3;

/** A field name as received, its lower-cased key, and whether it frames. */
export interface FieldName {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly key: string;
  readonly kind: number;
}

const FIELD_NAMES = new Map<number, FieldName>();
const MAX_FIELD_NAMES = 512;

/**
 * The field name in bytes `[start, end)` of `b`, whose hash (`h * 31 + c`
 * over its bytes, as 32-bit integers) the caller computed while checking
 * that every byte is a token byte.
 */
export function fieldName(
  b: Uint8Array,
  start: number,
  end: number,
  hash: number,
): FieldName {
  const cached = FIELD_NAMES.get(hash);
  if (cached !== undefined && cached.bytes.length === end - start) {
    const bytes = cached.bytes;
    let same = true;
    for (let i = 0; same && i < bytes.length; i++) {
      same = bytes[i] === b[start + i];
    }
    if (same) return cached;
  }
  const name = latin1(b, start, end);
  const key = name.toLowerCase();
  const kind = key === "connection"
    ? KIND_CONNECTION
    : key === "content-length"
    ? KIND_CONTENT_LENGTH
    : key === "transfer-encoding"
    ? KIND_TRANSFER_ENCODING
    : KIND_OTHER;
  const field = { bytes: b.slice(start, end), name, key, kind };
  if (FIELD_NAMES.size >= MAX_FIELD_NAMES) FIELD_NAMES.clear();
  FIELD_NAMES.set(hash, field);
  return field;
}
