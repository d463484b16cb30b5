/**
 * Cookies for both web faces: reading a `Cookie` header the way browsers
 * write it (Tornado's `httputil.parse_cookie`), quoting a value as Python's
 * `http.cookies` does for Tornado's `set_cookie`, and writing a
 * `Set-Cookie` value with its attributes (Tornado's `set_cookie`, Twisted's
 * `Request.addCookie`).
 *
 * @module
 */
import type { SetCookieAttributes } from "./set_cookie_attributes.ts";

export type { SetCookieAttributes } from "./set_cookie_attributes.ts";

const LEGAL = /^[A-Za-z0-9!#$%&'*+\-.^_`|~:]*$/;
const UNESCAPED = /[A-Za-z0-9!#$%&'*+\-.^_`|~: ()/<=>?@[\]{}]/;
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x20]/;
// deno-lint-ignore no-control-regex
const UNSAFE_ATTRIBUTE = /[\x00-\x1f;\x7f]/;

/**
 * Parses a `Cookie` header into names and values as browsers write it, not
 * as the RFCs say: pairs split on `;`, a pair without `=` is a value with
 * an empty name, names and values are trimmed, quoted values are unquoted.
 * Tornado's `httputil.parse_cookie` (Django's algorithm); a later pair
 * overrides an earlier one of the same name.
 *
 * @param header The `Cookie` header value (several joined with `;`).
 * @returns A map with no prototype.
 */
export function parseCookie(header: string): Record<string, string> {
  const cookies = Object.create(null) as Record<string, string>;
  for (const chunk of header.split(";")) {
    const equals = chunk.indexOf("=");
    const name = (equals < 0 ? "" : chunk.slice(0, equals)).trim();
    const value = (equals < 0 ? chunk : chunk.slice(equals + 1)).trim();
    if (name !== "" || value !== "") cookies[name] = unquoteCookieValue(value);
  }
  return cookies;
}

/**
 * Quotes a cookie value when it holds a character outside the cookie
 * token set, as Python's `http.cookies._quote` does for Tornado's
 * `set_cookie` (so base64 `=` padding yields a quoted value): the value is
 * wrapped in double quotes, `"` and `\` are escaped, other unprintable
 * bytes become `\ooo`.
 *
 * @param value The raw value.
 * @returns The value to write.
 */
export function quoteCookieValue(value: string): string {
  if (LEGAL.test(value)) return value;
  let out = '"';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (UNESCAPED.test(char) || code > 0xff) out += char;
    else out += `\\${code.toString(8).padStart(3, "0")}`;
  }
  return `${out}"`;
}

/**
 * Undoes {@linkcode quoteCookieValue}: a value in double quotes loses them
 * and its `\ooo` and `\x` escapes; any other value is returned as it is.
 * Python's `http.cookies._unquote`.
 *
 * @param value The value as received.
 * @returns The raw value.
 */
export function unquoteCookieValue(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value.at(-1) !== '"') {
    return value;
  }
  return value.slice(1, -1).replace(
    /\\(?:([0-3][0-7][0-7])|(.))/g,
    (_match, octal: string | undefined, char: string | undefined) =>
      octal !== undefined ? String.fromCharCode(parseInt(octal, 8)) : char!,
  );
}

/**
 * Whether a cookie name or value may be written: Tornado's `set_cookie`
 * refuses control characters and whitespace in both.
 *
 * @param text The name or value.
 * @returns `true` when it holds no byte in `\x00`-`\x20`.
 */
export function isSafeCookieText(text: string): boolean {
  return !UNSAFE.test(text);
}

function httpDate(expires: Date | number | string): string {
  if (typeof expires === "string") return expires;
  const date = typeof expires === "number" ? new Date(expires * 1000) : expires;
  return date.toUTCString();
}

function checkAttribute(name: string, value: string): string {
  if (UNSAFE_ATTRIBUTE.test(value)) {
    throw new TypeError(
      `Cookie ${name} must not contain control characters or ";": current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

/**
 * Formats a `Set-Cookie` value: `name=value` then the attributes that are
 * set, in the order `Expires`, `Domain`, `Path`, `Max-Age`, `Comment`,
 * `Secure`, `HttpOnly`, `SameSite`. The name and value are written as given
 * (quote the value first where the face does).
 *
 * @param name The cookie name.
 * @param value The cookie value, already quoted if needed.
 * @param attributes The attributes.
 * @returns The header value.
 * @throws {TypeError} An attribute holds a control character or `;`, or
 * `maxAge` is not a finite number.
 */
export function formatSetCookie(
  name: string,
  value: string,
  attributes: SetCookieAttributes = {},
): string {
  let out = `${name}=${value}`;
  if (attributes.expires !== undefined) {
    out += `; Expires=${
      checkAttribute("expires", httpDate(attributes.expires))
    }`;
  }
  if (attributes.domain !== undefined) {
    out += `; Domain=${checkAttribute("domain", attributes.domain)}`;
  }
  if (attributes.path !== undefined) {
    out += `; Path=${checkAttribute("path", attributes.path)}`;
  }
  if (attributes.maxAge !== undefined) {
    if (!Number.isFinite(attributes.maxAge)) {
      throw new TypeError(
        `Cookie maxAge must be a finite number: current value is ${attributes.maxAge}`,
      );
    }
    out += `; Max-Age=${Math.trunc(attributes.maxAge)}`;
  }
  if (attributes.comment !== undefined) {
    out += `; Comment=${checkAttribute("comment", attributes.comment)}`;
  }
  if (attributes.secure) out += "; Secure";
  if (attributes.httpOnly) out += "; HttpOnly";
  if (attributes.sameSite !== undefined) {
    out += `; SameSite=${checkAttribute("sameSite", attributes.sameSite)}`;
  }
  return out;
}
