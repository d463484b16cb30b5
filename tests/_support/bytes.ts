/**
 * Bytes and text in tests: UTF-8 for payloads, latin-1 for HTTP wire bytes
 * (one character per byte, so obs-text survives a round trip), and
 * `joinChunks` for concatenating what a transport received.
 *
 * @module
 */

export { joinChunks } from "../../reactor/_byte_buffer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 text of `data`. */
export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

/** The bytes of a string whose characters are bytes (latin-1). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** `data` as latin-1 text, one character per byte. */
export function latin1Text(data: Uint8Array): string {
  let out = "";
  for (const b of data) out += String.fromCharCode(b);
  return out;
}
