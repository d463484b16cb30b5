/**
 * Signed values for secure cookies, in Tornado's version 2 format:
 * `tornado.web.create_signed_value` and `decode_signed_value`, signed with
 * HMAC-SHA256 through Web Crypto, so cookies set by a Tornado application
 * with the same secret read here and the other way round.
 *
 * @module
 */

/**
 * A cookie secret: one key, or keys by version for rotation (Tornado's
 * `cookie_secret` dict with the `key_version` setting).
 */
export type CookieSecret = string | Readonly<Record<number, string>>;

/** Options of {@linkcode createSignedValue}. */
export interface CreateSignedValueOptions {
  /**
   * Which key of a versioned secret signs the value; required then.
   * @default undefined (0 is written)
   */
  keyVersion?: number;
  /**
   * The signing time, in seconds since the epoch.
   * @default now
   */
  clock?: () => number;
}

/** Options of {@linkcode decodeSignedValue}. */
export interface DecodeSignedValueOptions {
  /**
   * A value signed longer ago than this many days reads as missing.
   * @default 31
   */
  maxAgeDays?: number;
  /**
   * The oldest format accepted. Only version 2 is implemented, so a value
   * in version 1 reads as missing whatever this says.
   * @default 1
   */
  minVersion?: number;
  /**
   * The current time, in seconds since the epoch.
   * @default now
   */
  clock?: () => number;
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function now(): number {
  return Date.now() / 1000;
}

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keys.set(secret, key);
  }
  return key;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(
    new Uint8Array(bytes),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

function unhex(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function unbase64(text: string): Uint8Array | null {
  try {
    const binary = atob(text);
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function field(text: string): string {
  return `${encoder.encode(text).length}:${text}`;
}

function secretFor(
  secret: CookieSecret,
  keyVersion: number | undefined,
): string | undefined {
  if (typeof secret === "string") return secret;
  return keyVersion === undefined ? undefined : secret[keyVersion];
}

/**
 * Signs and timestamps `value` so it can be stored in a cookie and trusted
 * when it comes back, as Tornado's `tornado.web.create_signed_value`
 * (version 2): `2|1:<key version>|<n>:<timestamp>|<n>:<name>|<n>:<base64
 * value>|<hex HMAC-SHA256 of everything before it>`. The value is signed,
 * not encrypted: the client can read it.
 *
 * @param secret The application's `cookieSecret`.
 * @param name The cookie name (part of what is signed).
 * @param value The value.
 * @param options The key version and clock.
 * @returns The signed value.
 * @throws {TypeError} The secret is empty, or a versioned secret has no
 * key for `keyVersion`.
 *
 * @example Signing and reading back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSignedValue, decodeSignedValue } from "@torsion/torsion/web";
 * const signed = await createSignedValue("secret", "user", "alice");
 * assert.match(signed, /^2\|1:0\|10:\d{10}\|4:user\|8:YWxpY2U=\|[0-9a-f]{64}$/);
 * const value = await decodeSignedValue("secret", "user", signed);
 * assert.equal(new TextDecoder().decode(value!), "alice");
 * assert.equal(await decodeSignedValue("other", "user", signed), null);
 * ```
 */
export async function createSignedValue(
  secret: CookieSecret,
  name: string,
  value: string | Uint8Array,
  options: CreateSignedValueOptions = {},
): Promise<string> {
  const key = secretFor(secret, options.keyVersion);
  if (key === undefined || key === "") {
    throw new TypeError(
      `Cannot sign a value without a secret: key version is ${options.keyVersion}`,
    );
  }
  const timestamp = String(Math.trunc((options.clock ?? now)()));
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  const toSign = [
    "2",
    field(String(options.keyVersion ?? 0)),
    field(timestamp),
    field(name),
    field(base64(bytes)),
    "",
  ].join("|");
  const signature = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(key),
    encoder.encode(toSign),
  );
  return toSign + hex(signature);
}

interface Fields {
  keyVersion: number;
  timestamp: string;
  name: string;
  value: string;
  signature: string;
}

/** Splits a version 2 value into its fields, or `null` when malformed. */
function decodeFields(value: string): Fields | null {
  // Field lengths count UTF-8 bytes, so walk the bytes.
  const bytes = encoder.encode(value);
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let offset = 2;
  for (let i = 0; i < 4; i++) {
    const colon = bytes.indexOf(0x3a, offset);
    const digits = decoder.decode(bytes.subarray(offset, colon));
    if (colon < 0 || !/^\d+$/.test(digits)) return null;
    const end = colon + 1 + Number(digits);
    if (bytes[end] !== 0x7c) return null;
    parts.push(decoder.decode(bytes.subarray(colon + 1, end)));
    offset = end + 1;
  }
  if (!/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) return null;
  return {
    keyVersion: Number(parts[0]),
    timestamp: parts[1],
    name: parts[2],
    value: parts[3],
    signature: decoder.decode(bytes.subarray(offset)),
  };
}

/**
 * Checks and reads a value made by {@linkcode createSignedValue} (or by
 * Tornado with the same secret), as Tornado's
 * `tornado.web.decode_signed_value`. A value that is malformed, signed with
 * another key or for another name, older than `maxAgeDays`, or in a format
 * other than version 2 reads as missing (`null`), never as an error.
 *
 * @param secret The application's `cookieSecret`.
 * @param name The cookie name the value was signed for.
 * @param value The signed value, or `undefined`/`null` for no cookie.
 * @param options The age limit, minimum version and clock.
 * @returns The original value as bytes, or `null`.
 *
 * @example An expired value reads as missing
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSignedValue, decodeSignedValue } from "@torsion/torsion/web";
 * const signed = await createSignedValue("s", "n", "v", { clock: () => 0 });
 * assert.equal(await decodeSignedValue("s", "n", signed), null);
 * const read = await decodeSignedValue("s", "n", signed, { clock: () => 3600 });
 * assert.equal(new TextDecoder().decode(read!), "v");
 * ```
 */
export async function decodeSignedValue(
  secret: CookieSecret,
  name: string,
  value: string | undefined | null,
  options: DecodeSignedValueOptions = {},
): Promise<Uint8Array | null> {
  if (!value || !value.startsWith("2|")) return null;
  if ((options.minVersion ?? 1) > 2) return null;
  const fields = decodeFields(value);
  if (fields === null) return null;
  const key = typeof secret === "string" ? secret : secret[fields.keyVersion];
  const signature = unhex(fields.signature);
  if (key === undefined || key === "" || signature === null) return null;
  const signed = value.slice(0, value.length - fields.signature.length);
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(key),
    signature,
    encoder.encode(signed),
  );
  if (!valid || fields.name !== name) return null;
  const timestamp = Number(fields.timestamp);
  const clock = (options.clock ?? now)();
  if (timestamp < clock - (options.maxAgeDays ?? 31) * 86400) return null;
  return unbase64(fields.value);
}
