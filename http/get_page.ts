/**
 * `getPage`: fetches a page in one call, as the classic
 * `twisted.web.client.getPage`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { CancelledError, TimeoutError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import {
  InfiniteRedirection,
  PageError,
  PageRedirect,
  RedirectWithNoLocation,
  WrapperException,
} from "./client_errors.ts";
import { HTTPTimeoutError } from "./http_client_error.ts";
import { HTTPConnectionPool, whenClosed } from "./connection_pool.ts";
import { Headers, type HeadersInit } from "./headers.ts";
import type { IAgent, IResponse } from "./interfaces.ts";
import {
  DEFAULT_MAX_BODY_SIZE,
  type EngineResult,
  performRequest,
} from "./_engine.ts";
import { PHASE_WORDS } from "./_request.ts";
import { REDIRECT_CODES } from "./_redirect.ts";
import { readBody } from "./read_body.ts";
import { StringProducer } from "./string_producer.ts";
import { BrowserLikeRedirectAgent } from "./browser_like_redirect_agent.ts";
import { abortedDeferred, cancelOnAbort } from "./_abort.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The options of {@linkcode getPage}: the keyword arguments of Twisted's
 * `getPage(url, method=..., postdata=..., headers=..., agent=...,
 * timeout=..., followRedirect=..., redirectLimit=...)`, plus the pool, the
 * reactor, TLS trust and an `AbortSignal`.
 *
 * @example A form POST with a timeout
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GetPageOptions } from "@torsion/torsion/http";
 * const options: GetPageOptions = {
 *   method: "POST",
 *   headers: { "Content-Type": "application/x-www-form-urlencoded" },
 *   postdata: "q=torsion",
 *   timeout: 10,
 *   agent: "MyCrawler/1.0",
 * };
 * assert.equal(options.followRedirect, undefined); // redirects are followed
 * ```
 */
export interface GetPageOptions {
  /**
   * The method.
   *
   * @default {"GET"}
   */
  method?: string;
  /**
   * Header fields to send.
   *
   * @default {undefined}
   */
  headers?: Headers | HeadersInit;
  /**
   * The request body; a string is sent as UTF-8.
   *
   * @default {undefined}
   */
  postdata?: Uint8Array | string;
  /**
   * Seconds the whole fetch may take (connecting, redirects and body
   * included); 0 for no limit. Past it the Deferred fails with
   * `TimeoutError` naming the phase that ran out.
   *
   * @default {0}
   */
  timeout?: number;
  /**
   * Whether to follow redirects; when not, a redirect fails with
   * `PageRedirect`.
   *
   * @default {true}
   */
  followRedirect?: boolean;
  /**
   * How many redirects to follow before failing with
   * `InfiniteRedirection`.
   *
   * @default {20}
   */
  redirectLimit?: number;
  /**
   * The `User-Agent` string, as Twisted's `agent` argument; or an `IAgent`
   * to send the request with (its own settings then apply, and redirects
   * are followed with `BrowserLikeRedirectAgent`).
   *
   * @default {"Torsion/0.2.0"}
   */
  agent?: string | IAgent;
  /**
   * A pool to take connections from. Without one the connection is closed
   * after the page, and the Deferred fires only once it is closed, as in
   * Twisted.
   *
   * @default {a new non-persistent HTTPConnectionPool}
   */
  pool?: HTTPConnectionPool;
  /**
   * The reactor, when no `pool` is given.
   *
   * @default {the global reactor}
   */
  reactor?: IReactor;
  /**
   * Extra PEM CA certificates to trust for https.
   *
   * @default {the system's trust store}
   */
  caCerts?: readonly string[];
  /**
   * The largest page accepted, in bytes, declared or received; a larger
   * one fails with `ResponseFailed` (reason: `BodyTooLargeError`) and the
   * connection is aborted, so an endless body cannot exhaust memory.
   * `Infinity` for no limit (Twisted's `getPage` has none). With an `agent`
   * object, that agent's own `maxBodySize` applies instead.
   *
   * @default {104857600 (100 MiB)}
   */
  maxBodySize?: number;
  /**
   * Aborting it cancels the returned Deferred, which aborts the connection
   * at once and fails with `CancelledError`; an already aborted signal
   * fails the Deferred before anything is sent.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * Fetches `url` and fires with the body. Mirrors Twisted's classic
 * `twisted.web.client.getPage`: a status outside 2xx fails with `PageError`
 * carrying the status and the body (Twisted's `twisted.web.error.Error`), a
 * redirect that is not followed with `PageRedirect`, too many with
 * `InfiniteRedirection`, and a body cut short with `PartialDownloadError`.
 * The URL may be a string or bytes, as `getPage(bytes(url, "utf8"))`.
 *
 * Redirects are followed as Tornado does (303 and a POST's 301/302 become
 * GET; 307 and 308 keep the method and body), and credentials are not sent
 * to another origin. Connection failures arrive as the reactor's errors
 * (`ConnectionRefusedError`, `DNSLookupError`, ...).
 *
 * Cancelling the Deferred, or aborting `options.signal`, aborts the
 * connection at once and fails it with `CancelledError`.
 *
 * @param url The URL, as a string or UTF-8 bytes.
 * @param options The method, headers, body, timeout, redirect policy and
 * signal.
 * @returns A Deferred of the body's bytes.
 * @throws {TypeError} `postdata` or `headers` is invalid.
 * @throws {RangeError} `timeout` is negative.
 *
 * @example The classic Twisted pattern
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeferredList } from "@torsion/torsion/deferred";
 * import { getPage } from "@torsion/torsion/http";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) => new Response(new URL(request.url).pathname),
 * );
 * const base = `http://127.0.0.1:${server.addr.port}`;
 * const lengths: number[] = [];
 * const pages = [`${base}/a`, `${base}/bb`].map((url) =>
 *   getPage(new TextEncoder().encode(url)).addCallback((body) => {
 *     lengths.push(body.length);
 *   })
 * );
 * await new DeferredList(pages);
 * assert.deepEqual(lengths.sort(), [2, 3]);
 * await server.shutdown();
 * ```
 *
 * @example An error status fails with PageError
 * ```ts
 * import assert from "node:assert/strict";
 * import { getPage, PageError } from "@torsion/torsion/http";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("gone for good", { status: 410 }),
 * );
 * try {
 *   await assert.rejects(getPage(`http://127.0.0.1:${server.addr.port}/`).asPromise(), (error: unknown) => {
 *     assert.ok(error instanceof PageError);
 *     assert.equal(error.status, 410);
 *     assert.equal(new TextDecoder().decode(error.response), "gone for good");
 *     return true;
 *   });
 * } finally {
 *   await server.shutdown();
 * }
 * ```
 */
export function getPage(
  url: string | Uint8Array,
  options: GetPageOptions = {},
): Deferred<Uint8Array> {
  const signal = options.signal;
  if (signal?.aborted) return abortedDeferred("getPage", signal);
  return cancelOnAbort(fetchPage(url, options), signal);
}

function fetchPage(
  url: string | Uint8Array,
  options: GetPageOptions,
): Deferred<Uint8Array> {
  const text = typeof url === "string" ? url : decoder.decode(url);
  const method = options.method ?? "GET";
  const headers = options.headers instanceof Headers
    ? options.headers
    : new Headers(options.headers);
  const postdata = typeof options.postdata === "string"
    ? encoder.encode(options.postdata)
    : options.postdata ?? null;
  const timeout = options.timeout ?? 0;
  const followRedirect = options.followRedirect ?? true;
  const redirectLimit = options.redirectLimit ?? 20;
  if (typeof options.agent === "object" && options.agent !== null) {
    return viaAgent(
      options.agent,
      text,
      method,
      headers,
      postdata,
      timeout,
      followRedirect,
      redirectLimit,
      options,
    );
  }
  const pool = options.pool ??
    new HTTPConnectionPool(options.reactor ?? defaultReactor, false);
  const result = performRequest(pool, {
    method,
    url: text,
    headers,
    body: postdata,
    connectTimeout: timeout,
    requestTimeout: timeout,
    followRedirects: followRedirect,
    maxRedirects: redirectLimit,
    userAgent: options.agent,
    caCerts: options.caCerts,
    maxBodySize: options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE,
  });
  const page = result.addCallbacks(
    (response: EngineResult) => pageOf(response, followRedirect),
    (failure: Failure) => {
      throw timeoutOf(failure, text, timeout);
    },
  );
  if (options.pool !== undefined) return page;
  // Fire only once the connection is closed, as Twisted's getPage does, so
  // that nothing of the fetch is left running when the caller goes on.
  return page.addBoth((outcome: Uint8Array | Failure) =>
    whenClosed(pool).addCallback(() => outcome)
  ) as Deferred<Uint8Array>;
}

function pageOf(response: EngineResult, followRedirect: boolean): Uint8Array {
  const { code, reason, body } = response;
  if (code >= 200 && code < 300) return body;
  if (REDIRECT_CODES.has(code)) {
    const location = response.headers.getRawHeaders("location")?.[0];
    if (location === undefined) {
      throw new RedirectWithNoLocation(code, response.effectiveUrl);
    }
    if (followRedirect) {
      throw new InfiniteRedirection(
        code,
        "Infinite redirection detected",
        body,
        location,
      );
    }
    throw new PageRedirect(code, reason, body, location);
  }
  throw new PageError(code, reason, body);
}

function timeoutOf(failure: Failure, url: string, timeout: number): unknown {
  const error = failure.value;
  if (!(error instanceof HTTPTimeoutError)) return failure;
  return new TimeoutError(
    `Getting ${url} took longer than ${timeout} seconds (${
      PHASE_WORDS[error.phase]
    })`,
  );
}

/** `getPage` through a caller's agent: redirects, body, status and timeout by hand. */
function viaAgent(
  agent: IAgent,
  url: string,
  method: string,
  headers: Headers,
  postdata: Uint8Array | null,
  timeout: number,
  followRedirect: boolean,
  redirectLimit: number,
  options: GetPageOptions,
): Deferred<Uint8Array> {
  const sender = followRedirect
    ? new BrowserLikeRedirectAgent(agent, redirectLimit)
    : agent;
  let phase: "headers" | "body" = "headers";
  const d = sender.request(
    method,
    url,
    headers,
    postdata === null ? null : new StringProducer(postdata),
  ).addCallback((response: IResponse) => {
    phase = "body";
    return readBody(response).addCallback((body) => {
      const code = response.code;
      if (code >= 200 && code < 300) return body;
      const location = response.headers.getRawHeaders("location")?.[0];
      if (REDIRECT_CODES.has(code) && location !== undefined) {
        throw new PageRedirect(code, response.phrase, body, location);
      }
      throw new PageError(code, response.phrase, body);
    });
  });
  if (timeout > 0) {
    const reactor = options.pool?.reactor ?? options.reactor ?? defaultReactor;
    d.addTimeout(timeout, reactor, (outcome) => {
      if (outcome instanceof Failure) {
        throw new TimeoutError(
          `Getting ${url} took longer than ${timeout} seconds (${
            phase === "headers" ? "waiting for the response" : PHASE_WORDS.body
          })`,
        );
      }
      return outcome;
    });
  }
  // A cancelled Agent request fails with ResponseNeverReceived (reason:
  // CancelledError), as in Twisted; getPage says CancelledError either way.
  return d.addErrback((failure: Failure) => {
    const error = failure.value;
    if (
      error instanceof WrapperException &&
      error.reasons.some((reason) => reason.check(CancelledError) !== null)
    ) {
      throw new CancelledError("The request was cancelled");
    }
    return failure;
  }) as Deferred<Uint8Array>;
}
