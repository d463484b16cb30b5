/**
 * The default `ETag` of a buffered response body (Tornado's
 * `compute_etag`): a hash of the bytes, in quotes.
 *
 * Tornado hashes with SHA-1. The runtime's synchronous SHA-1 costs several
 * microseconds per call even for a short body, a quarter of what the
 * whole framework spends on a small response, so bodies up to
 * {@linkcode SMALL_BODY} bytes get a 64-bit hash computed in JavaScript
 * (two multiplicative lanes, finalised as MurmurHash3 finalises). An ETag
 * only has to change when the body does, for one URL: a 64-bit hash makes
 * a stale 304 as unlikely as it need be. Larger bodies keep SHA-1, which
 * the runtime computes faster than a JavaScript loop.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Bodies up to this many bytes are hashed in JavaScript. */
export const SMALL_BODY = 16384;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The character code of each hex digit. */
const HEX_CODES = [..."0123456789abcdef"].map((digit) => digit.charCodeAt(0));
const QUOTE = 0x22;

/** The code of the hex digit of `value` at bit `shift` (from the top). */
function digit(value: number, shift: number): number {
  return HEX_CODES[(value >>> shift) & 15];
}

/**
 * `"<16 hex digits of high and low>"`, made as one string: joining pieces
 * would allocate a string per piece on every GET.
 */
function quotedHex64(high: number, low: number): string {
  return String.fromCharCode(
    QUOTE,
    digit(high, 28),
    digit(high, 24),
    digit(high, 20),
    digit(high, 16),
    digit(high, 12),
    digit(high, 8),
    digit(high, 4),
    digit(high, 0),
    digit(low, 28),
    digit(low, 24),
    digit(low, 20),
    digit(low, 16),
    digit(low, 12),
    digit(low, 8),
    digit(low, 4),
    digit(low, 0),
    QUOTE,
  );
}

/**
 * The quoted ETag of a body given as pieces of `length` bytes in all.
 *
 * @param parts The body's pieces, in order.
 * @param length Their total length.
 * @returns `"<hex>"`: 16 hex digits for a small body, 40 (SHA-1) otherwise.
 */
export function bodyEtag(parts: readonly Uint8Array[], length: number): string {
  if (length > SMALL_BODY) {
    const hash = createHash("sha1");
    for (const part of parts) hash.update(part);
    return `"${hash.digest("hex")}"`;
  }
  let a = 0x811c9dc5 ^ length;
  let b = 0x9747b28c ^ Math.imul(length, 0x5bd1e995);
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const byte = part[i];
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x5bd1e995);
      b ^= b >>> 15;
    }
  }
  const high = fmix32(a ^ (b >>> 7));
  const low = fmix32(b ^ a);
  if (high !== lastHigh || low !== lastLow) {
    lastHigh = high;
    lastLow = low;
    lastEtag = quotedHex64(high, low);
  }
  return lastEtag;
}

/**
 * The hash last made into an ETag, and the ETag: a handler that answers
 * the same body again gets the same string, which the response head also
 * finds equal to the last one's at once (see `HeadText`).
 */
let lastHigh = 0;
let lastLow = 0;
let lastEtag = quotedHex64(0, 0);
