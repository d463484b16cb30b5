/**
 * The redirect rules shared by `RedirectAgent`, `BrowserLikeRedirectAgent`
 * and the engine behind `getPage` and `AsyncHTTPClient`: which statuses are
 * followed for which methods, when the method becomes GET and the body is
 * dropped, and which header fields must not follow a redirect to another
 * origin (Twisted 22.1, CVE-2022-21712; Tornado 6.5.6).
 *
 * @module
 */
import type { IPushProducer, ITransport } from "../reactor/interfaces.ts";
import { Protocol } from "../reactor/protocol.ts";
import type { Headers } from "./headers.ts";
import { parseURI, resolveLocation } from "./_url.ts";

/**
 * The most body bytes of a redirect read (and dropped) so that its
 * connection may carry the next request: past it the connection is
 * aborted, as one whose body never ends cannot be reused anyway.
 */
export const REDIRECT_DRAIN_LIMIT = 1024 * 1024;

/**
 * Reads and drops the body of a response nobody will read (a redirect that
 * is followed, a response that came after its fetch gave up), up to
 * `limit` bytes; past it the connection is aborted instead of drained.
 */
export class BoundedDrain extends Protocol {
  #left: number;

  /** @param limit The most bytes read before the connection is aborted. */
  constructor(limit: number = REDIRECT_DRAIN_LIMIT) {
    super();
    this.#left = limit;
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#left < 0) return;
    this.#left -= data.length;
    if (this.#left >= 0) return;
    (this.transport as (ITransport & IPushProducer) | null)?.stopProducing();
  }
}

/**
 * How redirects are treated: `"tornado"` for Tornado's `simple_httpclient`
 * (every redirect is followed; 303 turns every method but HEAD into GET,
 * 301 and 302 turn POST into GET; 307 and 308 keep the method and body), or
 * Twisted's two lists: `redirectResponses` are followed for GET and HEAD
 * only (other methods get a `PageRedirect`) and `seeOtherResponses` turn
 * any method into GET. `RedirectAgent` has 301, 302, 307, 308 and 303;
 * `BrowserLikeRedirectAgent` 307, 308 and 301, 302, 303.
 */
export type RedirectPolicy = "tornado" | {
  readonly redirectResponses: readonly number[];
  readonly seeOtherResponses: readonly number[];
};

/** The statuses that are redirects. */
export const REDIRECT_CODES: ReadonlySet<number> = new Set([
  301,
  302,
  303,
  307,
  308,
]);

/**
 * Header fields dropped when a redirect leaves the origin: Twisted's
 * `_sensitiveHeaderNames` (22.1) and Tornado's credential stripping (6.5.6).
 */
const SENSITIVE = [
  "authorization",
  "cookie",
  "cookie2",
  "proxy-authorization",
  "www-authenticate",
];

/** Body fields dropped when a redirect turns the request into a GET (Tornado). */
const BODY_FIELDS = [
  "content-length",
  "content-type",
  "content-encoding",
  "transfer-encoding",
];

/** What to request next. */
export interface RedirectPlan {
  /** The method of the next request. */
  readonly method: string;
  /** The absolute URI of the next request. */
  readonly uri: string;
  /**
   * The header fields of the next request: a copy with the body fields and,
   * across origins, the credential fields removed; the input itself when
   * nothing had to go.
   */
  readonly headers: Headers | null;
  /** Whether the body is sent again (307 and 308 under `"tornado"`). */
  readonly keepBody: boolean;
  /** Whether the next request goes to another scheme, host or port. */
  readonly crossOrigin: boolean;
}

/** Why a redirect is not followed. */
export type RedirectRefusal = "method" | "no-location";

/**
 * Decides how to follow a redirect response.
 *
 * @param policy Which rules apply.
 * @param code The response status.
 * @param method The method of the request it answers.
 * @param uri The absolute URI of that request.
 * @param location The first `Location` value, or `undefined`.
 * @param headers The header fields of that request.
 * @returns The plan, or why it is not followed; `null` when `code` is not a
 * redirect status.
 * @throws {TypeError} `location` is not a valid URI reference.
 */
export function planRedirect(
  policy: RedirectPolicy,
  code: number,
  method: string,
  uri: string,
  location: string | undefined,
  headers: Headers | null,
): RedirectPlan | RedirectRefusal | null {
  let next = method;
  let keepBody = false;
  if (policy === "tornado") {
    if (!REDIRECT_CODES.has(code)) return null;
    if (
      (code === 303 && method !== "HEAD") ||
      ((code === 301 || code === 302) && method === "POST")
    ) {
      next = "GET";
    } else {
      keepBody = true;
    }
  } else if (policy.seeOtherResponses.includes(code)) {
    next = "GET";
  } else if (policy.redirectResponses.includes(code)) {
    if (method !== "GET" && method !== "HEAD") return "method";
  } else {
    return null;
  }
  if (location === undefined) return "no-location";
  const target = resolveLocation(uri, location);
  const crossOrigin = parseURI(uri).origin !== parseURI(target).origin;
  let out = headers;
  if (headers !== null) {
    const dropBody = !keepBody;
    const strip = (crossOrigin ? SENSITIVE.concat("host") : []).concat(
      dropBody ? BODY_FIELDS : [],
    );
    if (strip.some((name) => headers.hasHeader(name))) {
      out = headers.copy();
      for (const name of strip) out.removeHeader(name);
    }
  }
  return { method: next, uri: target, headers: out, keepBody, crossOrigin };
}
