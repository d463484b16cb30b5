/**
 * Bytes as latin-1 text, one character per byte as on the wire: decoding
 * what the parsers receive (and quoting it for error messages), encoding
 * what the writers send.
 *
 * @module
 */

const encoder = new TextEncoder();
const scratch: number[] = [];

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
