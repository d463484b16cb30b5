/**
 * `HTTPServerRequest`: one request as a Tornado handler sees it, as
 * `tornado.httputil.HTTPServerRequest`.
 *
 * @module
 */
import { getByKey, Headers } from "../http/headers.ts";
import type { HTTPServerRequestChannel } from "../http/server_interfaces.ts";
import {
  emptyArguments,
  isFormContentType,
  parseBodyArguments,
  parseQsBytes,
} from "./_body_arguments.ts";
import { parseCookie } from "./_cookies.ts";
import type {
  ArgumentMap,
  BodyArgumentsLimits,
  FileMap,
  HTTPFile,
} from "./http_file.ts";

/**
 * What an {@linkcode HTTPServerRequest} is made from: the fields of
 * Tornado's constructor, all optional so tests can build one by hand.
 */
export interface HTTPServerRequestInit {
  /**
   * The method.
   * @default "GET"
   */
  method?: string;
  /**
   * The request-target: path and query.
   * @default "/"
   */
  uri?: string;
  /**
   * The protocol version, as in the request line.
   * @default "HTTP/1.0"
   */
  version?: string;
  /**
   * The header fields.
   * @default new Headers()
   */
  headers?: Headers;
  /**
   * The body.
   * @default an empty array
   */
  body?: Uint8Array;
  /**
   * The host the request was made to.
   * @default the `Host` header, else `"127.0.0.1"`
   */
  host?: string;
  /**
   * The connection it arrived on; it gives `remoteIp` and `protocol`.
   * @default undefined (a request made by hand)
   */
  connection?: HTTPServerRequestChannel;
  /**
   * The client's address.
   * @default the connection's peer, else undefined
   */
  remoteIp?: string;
  /**
   * `"http"` or `"https"`.
   * @default `"https"` over TLS, else `"http"`
   */
  protocol?: string;
  /**
   * Limits on the query string and form body.
   * @default {} (10,000 fields, 16 KiB of headers per multipart part)
   */
  limits?: BodyArgumentsLimits;
}

/** The body of a request without one; it has no byte to change. */
const NO_BODY = new Uint8Array(0);
const NO_LIMITS: BodyArgumentsLimits = Object.freeze({});
/** A `remoteIp` not yet asked of the connection. */
const UNREAD: unique symbol = Symbol("unread");

/**
 * One HTTP request received by a server, as Tornado's
 * `tornado.httputil.HTTPServerRequest`: the request line, headers and
 * body, with the query and form arguments parsed. Argument values are
 * bytes, as in Tornado (`RequestHandler.getArgument` decodes them); names
 * are strings.
 *
 * @example A request made by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers } from "@torsion/torsion/http";
 * import { HTTPServerRequest } from "@torsion/torsion/web";
 * const request = new HTTPServerRequest({
 *   uri: "/search?q=deno&page=2",
 *   headers: new Headers({ Host: "example.com", Cookie: "sid=abc" }),
 * });
 * assert.equal(request.path, "/search");
 * assert.equal(request.query, "q=deno&page=2");
 * assert.equal(new TextDecoder().decode(request.queryArguments.q[0]), "deno");
 * assert.equal(request.fullUrl(), "http://example.com/search?q=deno&page=2");
 * assert.equal(request.cookies.sid, "abc");
 * ```
 */
export class HTTPServerRequest {
  /** The method, as sent (`GET`, `POST`, ...). */
  readonly method: string;
  /** The request-target as sent: path and query. */
  readonly uri: string;
  /** The protocol version, `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly version: string;
  /** The header fields. */
  readonly headers: Headers;
  /** The body (empty until the whole body has arrived). */
  body: Uint8Array;
  /** The client's IP address. */
  get remoteIp(): string | undefined {
    if (this.#remoteIp === UNREAD) {
      this.#remoteIp = this.connection?.getPeer().host;
    }
    return this.#remoteIp;
  }
  /** `"http"` or `"https"`. */
  get protocol(): string {
    return this.#protocol ??= this.connection?.isSecure() ? "https" : "http";
  }
  // Asked of the connection when first read: most handlers read neither.
  #remoteIp: string | undefined | typeof UNREAD;
  #protocol: string | undefined;
  /** The host the request was made to (`Host` header), with any port. */
  readonly host: string;
  #hostName: string | undefined;
  /** The path part of `uri`, still percent-encoded. */
  readonly path: string;
  /** The query part of `uri`, without `?` (`""` when none). */
  readonly query: string;
  /** The connection it arrived on, if any. */
  readonly connection: HTTPServerRequestChannel | undefined;
  readonly #limits: BodyArgumentsLimits;
  /**
   * When the request began, as `performance.now()` reads it, for a
   * connection that does not time its requests (see `#elapsed`).
   */
  readonly #startTime: number;
  /** The seconds it took, once finished. */
  #duration: number | undefined;
  #cookies: Record<string, string> | undefined;
  #queryError: unknown;
  // The argument maps are made when first read: most requests have no
  // query and no form body, and each map is a dictionary-mode object.
  #arguments: ArgumentMap | undefined;
  #queryArguments: ArgumentMap | undefined;
  #bodyArguments: ArgumentMap | undefined;
  #files: FileMap | undefined;

  /**
   * Creates a request from its parts, parsing the query string.
   *
   * @param init The request's parts. A query string over the field limit
   * leaves `queryArguments` empty and makes `parseBody` throw.
   */
  constructor(init: HTTPServerRequestInit = {}) {
    this.method = init.method ?? "GET";
    this.uri = init.uri ?? "/";
    this.version = init.version ?? "HTTP/1.0";
    this.headers = init.headers ?? new Headers();
    this.body = init.body ?? NO_BODY;
    this.connection = init.connection;
    this.#remoteIp = init.remoteIp ?? UNREAD;
    this.#protocol = init.protocol;
    this.host = init.host ?? getByKey(this.headers, "host") ?? "127.0.0.1";
    this.#limits = init.limits ?? NO_LIMITS;
    this.#startTime = init.connection?.elapsed === undefined
      ? performance.now()
      : 0;
    const question = this.uri.indexOf("?");
    this.path = question < 0 ? this.uri : this.uri.slice(0, question);
    this.query = question < 0 ? "" : this.uri.slice(question + 1);
    if (this.query === "") return;
    try {
      this.#queryArguments = parseQsBytes(this.query, true, this.#limits);
    } catch (error) {
      // Kept for parseBody, so the handler answers 400 in its own error path.
      this.#queryError = error;
      return;
    }
    // A copy taken now, so later changes to `queryArguments` stay out of it.
    const all = emptyArguments<Uint8Array>();
    for (const name in this.#queryArguments) {
      all[name] = this.#queryArguments[name].slice();
    }
    this.#arguments = all;
  }

  /** Query and body arguments together, values as bytes. */
  get arguments(): ArgumentMap {
    return this.#arguments ??= emptyArguments<Uint8Array>();
  }

  /** The query arguments, blank values kept. */
  get queryArguments(): ArgumentMap {
    return this.#queryArguments ??= emptyArguments<Uint8Array>();
  }

  /** The form body arguments (urlencoded or multipart). */
  get bodyArguments(): ArgumentMap {
    return this.#bodyArguments ??= emptyArguments<Uint8Array>();
  }

  /** Files of a `multipart/form-data` body, by field name. */
  get files(): FileMap {
    return this.#files ??= emptyArguments<HTTPFile>();
  }

  /** `host` without its port, lower-cased. Tornado's `host_name`. */
  get hostName(): string {
    this.#hostName ??= splitHostAndPort(this.host.toLowerCase())[0];
    return this.#hostName;
  }

  /**
   * The cookies the client sent, by name, parsed as browsers write them.
   * Tornado's `cookies` holds `Morsel`s; here a value is the string itself.
   */
  get cookies(): Record<string, string> {
    if (this.#cookies === undefined) {
      const header = this.headers.getList("cookie").join("; ");
      this.#cookies = header === ""
        ? Object.create(null) as Record<string, string>
        : parseCookie(header);
    }
    return this.#cookies;
  }

  /**
   * The URL the request was made to. Tornado's `full_url`.
   *
   * @returns `protocol://host/uri`.
   */
  fullUrl(): string {
    return `${this.protocol}://${this.host}${this.uri}`;
  }

  /**
   * How long the request took, in seconds: until it finished, or until
   * now. Tornado's `request_time`.
   *
   * @returns The seconds elapsed.
   */
  requestTime(): number {
    return this.#duration ?? this.#elapsed();
  }

  /**
   * Marks the response as finished, stopping `requestTime`. Called by the
   * handler that answers it.
   */
  markFinished(): void {
    this.#duration ??= this.#elapsed();
  }

  /**
   * Seconds since the request began: from the connection when it times
   * its requests (the engine's, since the head arrived), so that the
   * clock is read once per request rather than twice.
   */
  #elapsed(): number {
    const connection = this.connection;
    if (connection?.elapsed !== undefined) return connection.elapsed();
    return (performance.now() - this.#startTime) / 1000;
  }

  /**
   * Parses a form body into `bodyArguments`, `arguments` and `files`, as
   * Tornado's `_parse_body`. Called once the body has arrived.
   *
   * @throws {BodyArgumentsError} The query string or body is a malformed
   * form or over a limit.
   */
  parseBody(): void {
    if (this.#queryError !== undefined) throw this.#queryError;
    const contentType = getByKey(this.headers, "content-type") ?? "";
    if (!isFormContentType(contentType)) return;
    parseBodyArguments(
      contentType,
      this.body,
      this.bodyArguments,
      this.files,
      this.headers,
      this.#limits,
    );
    for (const name in this.bodyArguments) {
      (this.arguments[name] ??= []).push(...this.bodyArguments[name]);
    }
  }
}

/**
 * Splits `host:port` (or `[v6]:port`) into its host and port, as Tornado's
 * `httputil.split_host_and_port`.
 */
function splitHostAndPort(netloc: string): [string, number | undefined] {
  const match = /^(.+):(\d+)$/.exec(netloc);
  if (match === null) return [netloc, undefined];
  return [match[1], Number(match[2])];
}
