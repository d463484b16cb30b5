/**
 * UTF-8 encoding of the strings written to a transport, cheaper than
 * `TextEncoder.encode`, which makes a buffer of its own through a call into
 * the runtime each time: about a microsecond for "Hello, World!", as much
 * as the rest of a small response costs.
 *
 * @module
 */
import { allocate } from "./slab.ts";

const encoder = new TextEncoder();
/** Strings up to this length are copied byte by byte while they are ASCII. */
const MAX_COPIED = 64;
/**
 * Strings up to this length are encoded into the slab; longer ones get a
 * buffer of their own (three bytes a character must fit the slab's limit).
 */
const MAX_FROM_SLAB = 1024;

/**
 * `text` as UTF-8 bytes, as `TextEncoder.encode` gives them. Short strings
 * come from the shared slab (see `allocate`): give the bytes to a
 * transport, never to application code.
 *
 * @param text The string.
 * @returns Its UTF-8 bytes.
 */
export function encodeUtf8(text: string): Uint8Array {
  const length = text.length;
  if (length > MAX_FROM_SLAB) return encoder.encode(text);
  if (length <= MAX_COPIED) {
    const out = allocate(length);
    let i = 0;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      out[i++] = c;
    }
    if (i === length) return out;
  }
  const out = allocate(length * 3);
  return out.subarray(0, encoder.encodeInto(text, out).written);
}
