/**
 * Decoding received bytes for the parsers: as latin-1 (each byte one
 * character, as on the wire), and quoted or named for error messages.
 *
 * @module
 */

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
