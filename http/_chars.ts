/**
 * Byte classes of HTTP/1.1 (RFC 9110 section 5.6.2, RFC 9112), shared by the
 * header collection, both parsers and the request writer.
 *
 * @module
 */

/** Carriage return. */
export const CR = 13;
/** Line feed. */
export const LF = 10;
/** Space. */
export const SP = 32;
/** Horizontal tab. */
export const HTAB = 9;
/** `:`, which ends a field name. */
export const COLON = 58;
/** `;`, which starts a chunk extension. */
export const SEMICOLON = 59;

/** 1 for each byte that is a `tchar` (may appear in a token), 0 otherwise. */
export const TOKEN: Uint8Array = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = TOKEN[c + 32] = 1;

/**
 * 1 for each byte allowed in a received field value: HTAB, visible ASCII,
 * space and obs-text; 0 for NUL, CR, LF, the other control bytes and DEL,
 * which llhttp rejects too.
 */
export const FIELD_VALUE: Uint8Array = new Uint8Array(256).fill(1);
for (let c = 0; c < 32; c++) FIELD_VALUE[c] = c === HTAB ? 1 : 0;
FIELD_VALUE[127] = 0;

/** The value of each hex digit byte, -1 for every other byte. */
export const HEX: Int8Array = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;

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

/** Whether byte `c` is optional whitespace (SP or HTAB). */
export function isOWS(c: number): boolean {
  return c === SP || c === HTAB;
}

/** Whether byte `c` is an ASCII digit. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `text` without its leading and trailing optional whitespace. */
export function trimOWS(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOWS(text.charCodeAt(start))) start++;
  while (end > start && isOWS(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}
