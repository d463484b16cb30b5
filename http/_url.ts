/**
 * The parts of an `http:` or `https:` URI that the client needs, as
 * Twisted's `twisted.web.client.URI`: scheme, host, port, the absolute form
 * sent to proxies, the origin that redirects compare and the credentials
 * of its user info.
 *
 * @module
 */

const decoder = new TextDecoder();

/** A parsed request URI. Mirrors Twisted's `URI`. */
export interface ParsedURI {
  /** `"http"` or `"https"`, lower case. */
  readonly scheme: string;
  /** The host name or IP address, without the brackets of an IPv6 literal. */
  readonly host: string;
  /** The port, the scheme's default when the URI gives none. */
  readonly port: number;
  /** The URI without its fragment, as sent in absolute form to a proxy. */
  readonly absolute: string;
  /** `scheme://host:port`, what same-origin checks compare. */
  readonly origin: string;
  /** The user name and password of the URI's user info, decoded, or `null`. */
  readonly credentials: Credentials | null;
  /** The parsed URL itself (never changed). */
  readonly url: URL;
}

/** Basic credentials. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The port at the end of an absolute URI's authority, in its digits. */
const AUTHORITY_PORT = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i;

/** The default port of each supported scheme. */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.freeze({
  http: 80,
  https: 443,
});

// Clients fetch the same few URIs again and again: parsing a URL is the
// most expensive step of building a request, so recent results are kept.
const CACHE_SIZE = 256;
const cache = new Map<string, ParsedURI>();

/**
 * Parses a URI given as a string, bytes (UTF-8, as Twisted's `bytes` URIs)
 * or a `URL`. The scheme is not checked here: callers reject what they do
 * not support with `SchemeNotSupported`.
 *
 * @throws {TypeError} The URI is not a string, bytes or URL, or is not an
 * absolute URI.
 */
export function parseURI(uri: string | Uint8Array | URL): ParsedURI {
  if (typeof uri === "string") {
    const cached = cache.get(uri);
    if (cached !== undefined) return cached;
    const parsed = parseUncached(uri);
    if (cache.size >= CACHE_SIZE) {
      cache.delete(cache.keys().next().value as string);
    }
    cache.set(uri, parsed);
    return parsed;
  }
  return parseUncached(uri);
}

function parseUncached(uri: string | Uint8Array | URL): ParsedURI {
  let url: URL;
  if (uri instanceof URL) {
    url = uri;
  } else {
    const text = typeof uri === "string"
      ? uri
      : uri instanceof Uint8Array
      ? decoder.decode(uri)
      : undefined;
    if (text === undefined) {
      throw new TypeError(
        `URI must be a string, bytes or a URL: current value is ${String(uri)}`,
      );
    }
    const parsed = URL.parse(text.trim());
    if (parsed === null) {
      throw new TypeError(
        Number(AUTHORITY_PORT.exec(text.trim())?.[1]) > 65535
          ? `URI port must be an integer from 0 to 65535: current value is ${
            JSON.stringify(text)
          }`
          : `URI must be absolute: current value is ${JSON.stringify(text)}`,
      );
    }
    url = parsed;
  }
  const scheme = url.protocol.slice(0, -1);
  const defaultPort = DEFAULT_PORTS[scheme];
  let host = url.hostname;
  if (host.startsWith("[")) host = host.slice(1, -1);
  const port = url.port === "" ? defaultPort ?? 0 : Number(url.port);
  const credentials = url.username === "" && url.password === ""
    ? null
    : Object.freeze({
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    });
  const absolute = url.hash === ""
    ? url.href
    : url.href.slice(0, url.href.length - url.hash.length);
  return Object.freeze({
    scheme,
    host,
    port,
    absolute,
    origin: `${scheme}://${host}:${port}`,
    credentials,
    url,
  });
}

/**
 * Resolves a `Location` value against the URI it answered, as Twisted's
 * `_urljoin`: relative references are resolved, and the fragment of the
 * original URI is kept when the new one has none (RFC 9110 section 10.2.2).
 *
 * @throws {TypeError} The result is not a valid URI.
 */
export function resolveLocation(base: string, location: string): string {
  const resolved = URL.parse(location, base);
  if (resolved === null) {
    throw new TypeError(
      `Redirect location must be a valid URI reference: current value is ${
        JSON.stringify(location)
      }`,
    );
  }
  if (resolved.hash === "") {
    const hash = URL.parse(base)?.hash ?? "";
    if (hash !== "") resolved.hash = hash;
  }
  return resolved.href;
}
