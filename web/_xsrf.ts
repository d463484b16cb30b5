/**
 * XSRF tokens in Tornado's formats (`RequestHandler.xsrf_token`,
 * `_decode_xsrf_token`): version 2 is `2|<mask hex>|<masked token hex>|
 * <timestamp>`, the token XOR-ed with a fresh 4-byte mask so that the value
 * in each page differs (no BREACH-style compression oracle); version 1 is
 * the token in hex.
 *
 * @module
 */

/** A decoded token: the raw bytes and when the token was made. */
export interface RawXsrfToken {
  version: 1 | 2;
  token: Uint8Array;
  timestamp: number;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function mask(key: Uint8Array, data: Uint8Array): Uint8Array {
  return data.map((byte, i) => byte ^ key[i % 4]);
}

/** A new random 16-byte token, made now. */
export function newXsrfToken(): RawXsrfToken {
  return {
    version: 2,
    token: crypto.getRandomValues(new Uint8Array(16)),
    timestamp: Math.trunc(Date.now() / 1000),
  };
}

/** Encodes a token in version 2, with a fresh mask. */
export function encodeXsrfToken(raw: RawXsrfToken): string {
  const key = crypto.getRandomValues(new Uint8Array(4));
  return `2|${toHex(key)}|${toHex(mask(key, raw.token))}|${raw.timestamp}`;
}

/** Decodes a token in version 1 or 2, or returns `null` when malformed. */
export function decodeXsrfToken(value: string): RawXsrfToken | null {
  const versioned = /^([1-9][0-9]*)\|(.*)$/.exec(value);
  if (versioned === null) {
    const token = fromHex(value);
    if (token === null || token.length === 0) return null;
    return { version: 1, token, timestamp: Math.trunc(Date.now() / 1000) };
  }
  if (versioned[1] !== "2") return null;
  const parts = value.split("|");
  if (parts.length !== 4 || !/^\d+$/.test(parts[3])) return null;
  const key = fromHex(parts[1]);
  const masked = fromHex(parts[2]);
  if (key === null || key.length !== 4 || masked === null) return null;
  if (masked.length === 0) return null;
  return { version: 2, token: mask(key, masked), timestamp: Number(parts[3]) };
}

/** Compares two tokens in time independent of where they differ. */
export function sameToken(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
