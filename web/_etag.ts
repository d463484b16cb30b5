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

/** The two hex digits of each byte value. */
const HEX = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

function hex32(value: number): string {
  return HEX[value >>> 24] + HEX[(value >>> 16) & 255] +
    HEX[(value >>> 8) & 255] + HEX[value & 255];
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
  return `"${hex32(fmix32(a ^ (b >>> 7)))}${hex32(fmix32(b ^ a))}"`;
}
