/**
 * `SetCookieAttributes`: the attributes a server may give a cookie it sets.
 *
 * @module
 */

/**
 * The attributes of a `Set-Cookie` value: the keyword arguments of
 * Tornado's `set_cookie` and Twisted's `Request.addCookie`, camelCased.
 *
 * @example A session cookie for one site
 * ```ts
 * import type { SetCookieAttributes } from "@torsion/torsion/web";
 * const attributes: SetCookieAttributes = { path: "/", httpOnly: true, sameSite: "Lax" };
 * ```
 */
export interface SetCookieAttributes {
  /** `Domain`. */
  domain?: string;
  /** `Path`. */
  path?: string;
  /** `Expires`: a `Date`, or seconds since the epoch, or a preformatted string. */
  expires?: Date | number | string;
  /** `Max-Age`, in seconds. */
  maxAge?: number;
  /** `Comment` (obsolete; Twisted still writes it). */
  comment?: string;
  /** `Secure`. */
  secure?: boolean;
  /** `HttpOnly`. */
  httpOnly?: boolean;
  /** `SameSite`: `"Strict"`, `"Lax"` or `"None"`. */
  sameSite?: string;
}
