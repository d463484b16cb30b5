/**
 * Bytes as latin-1 text, one character per byte as on the wire: decoding
 * what the parsers receive (and quoting it for error messages), encoding
 * what the writers send.
 *
 * @module
 */

const encoder = new TextEncoder();
const scratch: number[] = [];

/** How many texts `sharedLatin1` keeps (a power of two). */
const SHARED_SLOTS = 256;
/** The longest text `sharedLatin1` keeps. */
const MAX_SHARED = 64;
const shared: string[] = new Array(SHARED_SLOTS).fill("");

/**
 * Decodes bytes `[start, end)` as `latin1` does, returning the same string
 * as the last time these bytes were decoded when it is still in its slot:
 * most requests repeat their target and many field values (`Host`,
 * `Content-Type`), and comparing bytes with a kept string costs less than
 * making a new one. A fixed table of short texts: give it only what is
 * not secret (not a cookie or a credential), since it outlives the request.
 *
 * @param bytes The bytes.
 * @param start The first byte.
 * @param end After the last byte.
 * @returns The text.
 */
export function sharedLatin1(
  bytes: Uint8Array,
  start: number,
  end: number,
): string {
  const n = end - start;
  if (n <= 0 || n > MAX_SHARED) return latin1(bytes, start, end);
  let hash = n;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]) | 0;
  const slot = (hash ^ (hash >>> 16)) & (SHARED_SLOTS - 1);
  const kept = shared[slot];
  if (kept.length === n) {
    let i = 0;
    while (i < n && kept.charCodeAt(i) === bytes[start + i]) i++;
    if (i === n) return kept;
  }
  const text = latin1(bytes, start, end);
  shared[slot] = text;
  return text;
}

/** Decodes bytes `[start, end)` as latin-1 (not TextDecoder's windows-1252). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n <= 1024) {
    scratch.length = n;
    for (let i = 0; i < n; i++) scratch[i] = bytes[start + i];
    return String.fromCharCode.apply(null, scratch);
  }
  let text = "";
  for (let i = start; i < end; i += 8192) {
    const piece = bytes.subarray(i, Math.min(end, i + 8192));
    text += String.fromCharCode.apply(null, piece as unknown as number[]);
  }
  return text;
}

/**
 * Decodes `bytes` when they are all ASCII, which reads the same in UTF-8:
 * short ones without the call into the runtime that `TextDecoder` makes.
 *
 * @param bytes The bytes.
 * @returns The text, or `null` when a byte is not ASCII.
 */
export function asciiText(bytes: Uint8Array): string | null {
  const n = bytes.length;
  for (let i = 0; i < n; i++) if (bytes[i] > 0x7f) return null;
  return latin1(bytes, 0, n);
}

/** The bytes, decoded and quoted for an error message (cut at 100 characters). */
export function quote(bytes: Uint8Array, start: number, end: number): string {
  const cut = end - start > 100;
  const text = latin1(bytes, start, cut ? start + 100 : end);
  return JSON.stringify(cut ? `${text}...` : text);
}

/** A byte as `0x0a`, for error messages. */
export function byteName(c: number): string {
  return `0x${c.toString(16).padStart(2, "0")}`;
}

/** Writes `text` (characters are bytes) into `out` from 0; returns its length. */
export function writeLatin1(text: string, out: Uint8Array): number {
  // Every non-ASCII character takes two or more UTF-8 bytes, so one byte
  // per character read means the text was ASCII and is already in place.
  const { read, written } = encoder.encodeInto(text, out);
  if (read === text.length && written === text.length) return written;
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return text.length;
}

/** The bytes of `text` (characters are bytes), in a new array. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  writeLatin1(text, out);
  return out;
}
