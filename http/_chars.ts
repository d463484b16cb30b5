/**
 * Character classes of HTTP/1.1 (RFC 9110 section 5.6.2), shared by the
 * header collection, the response parser and the request writer.
 *
 * @module
 */

/** 1 for each byte that is a `tchar` (may appear in a token), 0 otherwise. */
export const TOKEN: Uint8Array = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = TOKEN[c + 32] = 1;

/** Whether `text` is a non-empty token: a valid method or field name. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255 || TOKEN[c] === 0) return false;
  }
  return true;
}

/**
 * Whether `text` may be sent as a field value: latin-1 characters only, no
 * CR, LF or NUL (which would let a value inject lines).
 */
export function isFieldValue(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10 || c === 0 || c > 255) return false;
  }
  return true;
}
