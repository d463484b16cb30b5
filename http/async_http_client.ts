/**
 * `AsyncHTTPClient`: Tornado's non-blocking HTTP client
 * (`tornado.httpclient.AsyncHTTPClient` with the behaviour of
 * `simple_httpclient.SimpleAsyncHTTPClient`) on Torsion's HTTP engine, with
 * keep-alive connections.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall } from "../deferred/interfaces.ts";
import { logError } from "../_util/log_error.ts";
import { IOLoop } from "../reactor/ioloop.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor } from "../reactor/reactor.ts";
import { HTTPConnectionPool } from "./connection_pool.ts";
import {
  HTTPStreamClosedError,
  HTTPTimeoutError,
} from "./http_client_error.ts";
import { HTTPRequest, type HTTPRequestOptions } from "./http_request.ts";
import { HTTPResponse } from "./http_response.ts";
import { type ResolvedRequest, resolveRequest } from "./_tornado_request.ts";
import { type FetchSettings, startFetch } from "./_tornado_fetch.ts";
import { abortedDeferred, cancelOnAbort } from "./_abort.ts";
import { DEFAULT_MAX_BODY_SIZE } from "./_engine.ts";
import { DEFAULT_MAX_HEADER_SIZE } from "./_message_parser.ts";

const CATEGORY = ["torsion", "http"] as const;
const logger = getLogger([...CATEGORY]);

/**
 * The options of an {@linkcode AsyncHTTPClient}: Tornado's keyword arguments
 * of `AsyncHTTPClient(...)` and `AsyncHTTPClient.configure(None, ...)`,
 * camelCased.
 *
 * @example A client of one's own with a larger queue
 * ```ts
 * import assert from "node:assert/strict";
 * import { AsyncHTTPClient, type AsyncHTTPClientOptions } from "@torsion/torsion/http";
 * const options: AsyncHTTPClientOptions = {
 *   forceInstance: true,
 *   maxClients: 50,
 *   defaults: { requestTimeout: 5, userAgent: "crawler/1.0" },
 * };
 * const client = new AsyncHTTPClient(options);
 * assert.equal(client.maxClients, 50);
 * await client.close();
 * ```
 */
export interface AsyncHTTPClientOptions {
  /**
   * Creates a new client even when one is bound to the current IOLoop, and
   * does not bind it. Close such a client yourself.
   *
   * @default {false}
   */
  forceInstance?: boolean;
  /**
   * How many requests run at once; the others wait in a queue, in order.
   * A request still queued when its timeout (the smaller non-zero of
   * `connectTimeout` and `requestTimeout`) expires fails with code 599,
   * "Timeout in request queue".
   *
   * @default {10}
   */
  maxClients?: number;
  /**
   * Default values for the options of every request this client fetches;
   * a request's own value wins. Header fields here are added to each
   * request's.
   *
   * @default {undefined}
   */
  defaults?: HTTPRequestOptions;
  /**
   * Largest body held in memory, in bytes: without a `streamingCallback`,
   * the smaller of this and `maxBodySize` applies.
   *
   * @default {104857600} (100 MiB)
   */
  maxBufferSize?: number;
  /**
   * Largest response head (status line and header fields), in bytes.
   *
   * @default {65536}
   */
  maxHeaderSize?: number;
  /**
   * Reject a response head whose lines end in a bare LF, or that folds a
   * field value over lines (obs-fold), as llhttp does: the fetch then fails
   * with `ResponseFailed` (reason: `ParseError`). By default both are
   * accepted, as Tornado, Twisted, curl and Python's `http.client` accept
   * them.
   *
   * @default {false}
   */
  strictLineEnds?: boolean;
  /**
   * Largest response body accepted, in bytes, streamed or not.
   *
   * @default {maxBufferSize}
   */
  maxBodySize?: number;
  /**
   * Whether connections are kept open between requests (up to `maxClients`
   * idle ones per host). Tornado's `simple_httpclient` closes every
   * connection; set `false` for that behaviour.
   *
   * @default {true}
   */
  keepAlive?: boolean;
}

/**
 * The last argument of {@linkcode AsyncHTTPClient.fetch}: Tornado's
 * `raise_error`, and, when the request is given as a URL, the options of
 * the {@linkcode HTTPRequest} to build, as Tornado's `**kwargs`.
 *
 * @example A POST with a timeout, keeping error responses
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FetchOptions } from "@torsion/torsion/http";
 * const options: FetchOptions = {
 *   method: "POST",
 *   body: "a=1",
 *   requestTimeout: 5,
 *   raiseError: false,
 * };
 * assert.equal(options.raiseError, false);
 * ```
 */
export interface FetchOptions extends HTTPRequestOptions {
  /**
   * Whether a response with a code outside 200-299 rejects the returned
   * Deferred with its `HTTPClientError`; when `false` it resolves with the
   * response. A transport error (code 599) rejects either way, as in
   * Tornado 6. Ignored with a callback, which always receives the response.
   *
   * @default {true}
   */
  raiseError?: boolean;
}

/**
 * The callback of the callback style of {@linkcode AsyncHTTPClient.fetch},
 * as Tornado 5's `fetch(request, callback)`: called once with the response,
 * whose `error` is set when the request failed.
 *
 * @example A Tornado 5 handler
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FetchCallback, HTTPRequest, HTTPResponse } from "@torsion/torsion/http";
 * const printed: string[] = [];
 * const handleResponse: FetchCallback = (response) => {
 *   if (response.error) printed.push(`Error: ${response.error}`);
 *   else printed.push(response.text);
 * };
 * const request = new HTTPRequest("http://example.com/");
 * handleResponse(new HTTPResponse(request, 200, { body: new TextEncoder().encode("hi") }));
 * handleResponse(new HTTPResponse(request, 404));
 * assert.deepEqual(printed, ["hi", "Error: HTTP 404: Not Found"]);
 * ```
 */
export type FetchCallback = (response: HTTPResponse) => void;

interface Pending {
  /** The request the caller gave, which every response names. */
  readonly original: HTTPRequest;
  /** Its options, until it starts: a request waiting for its answer holds none. */
  resolved: ResolvedRequest | null;
  readonly deliver: (response: HTTPResponse) => void;
  readonly queuedAt: number;
  state: "queued" | "active" | "done";
  timeout: IDelayedCall | undefined;
  attempt: Deferred<HTTPResponse> | undefined;
}

const DEFAULT_MAX_CLIENTS = 10;

function requireSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create an AsyncHTTPClient: ${name} must be an integer of at least 1, current value is ${value}`,
    );
  }
  return value;
}

function now(): number {
  return performance.now() / 1000;
}

/**
 * A non-blocking HTTP client. Mirrors Tornado's
 * `tornado.httpclient.AsyncHTTPClient`.
 *
 * `new AsyncHTTPClient()` does not always create a client: as in Tornado,
 * there is one client per {@linkcode IOLoop}, created by the first call and
 * returned by every later one (the constructor returns that object, and the
 * options of later calls are ignored), so that code all over a program
 * shares its connections and its `maxClients` limit. Pass
 * `forceInstance: true` for a client of your own, and set options for every
 * client created from then on with {@linkcode AsyncHTTPClient.configure}.
 *
 * `fetch` comes in the two styles the Tornado world knows. Without a
 * callback (Tornado 6) it returns a Deferred, which you may `await`: it
 * rejects with an `HTTPClientError` for a non-2xx response (unless
 * `raiseError: false`) and with the transport error for anything else. With
 * a callback (the style of Tornado 5 and the tutorials, removed in Tornado
 * 6 and kept here) nothing is ever thrown: the callback receives an
 * {@linkcode HTTPResponse} whose `error` is set when the request failed,
 * with code 599 when no response was received.
 *
 * Unlike Tornado's `simple_httpclient`, connections are kept alive and
 * reused (`keepAlive: false` restores Tornado's behaviour), and proxies are
 * supported.
 *
 * @example Tornado 5's callback style
 * ```ts
 * import assert from "node:assert/strict";
 * import { AsyncHTTPClient, HTTPRequest, type HTTPResponse } from "@torsion/torsion/http";
 * import { IOLoop } from "@torsion/torsion/reactor";
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response("hello"));
 * const url = `http://127.0.0.1:${server.addr.port}/`;
 *
 * const printed: string[] = [];
 * function handleResponse(response: HTTPResponse): void {
 *   if (response.error) printed.push(`Error: ${response.error.message}`);
 *   else printed.push(response.text);
 *   IOLoop.current().stop();
 * }
 * IOLoop.current().addCallback(() => {
 *   new AsyncHTTPClient().fetch(new HTTPRequest(url), handleResponse);
 * });
 * await IOLoop.current().start();
 * await new AsyncHTTPClient().close();
 * await server.shutdown();
 * assert.deepEqual(printed, ["hello"]);
 * ```
 *
 * @example Tornado 6 style, awaiting the Deferred
 * ```ts
 * import assert from "node:assert/strict";
 * import { AsyncHTTPClient, HTTPClientError } from "@torsion/torsion/http";
 * const server = Deno.serve(
 *   { port: 0, onListen() {} },
 *   () => new Response("gone", { status: 410 }),
 * );
 * const client = new AsyncHTTPClient({ forceInstance: true });
 * try {
 *   await client.fetch(`http://127.0.0.1:${server.addr.port}/`, { requestTimeout: 5 });
 *   assert.fail("a 410 answer raises HTTPClientError");
 * } catch (error) {
 *   if (!(error instanceof HTTPClientError)) throw error; // refused, DNS...
 *   assert.equal(error.code, 410);
 *   assert.equal(String(error), "HTTP 410: Gone");
 * } finally {
 *   await client.close();
 *   await server.shutdown();
 * }
 * ```
 */
export class AsyncHTTPClient {
  static #configured: AsyncHTTPClientOptions = {};
  static readonly #instances = new WeakMap<IOLoop, AsyncHTTPClient>();

  // The `!`s: the constructor may return the IOLoop's existing client
  // instead of initialising `this`, a path TypeScript cannot follow.

  /** The IOLoop the client belongs to. */
  readonly ioLoop!: IOLoop;
  /** The defaults applied to every request's unset options. */
  readonly defaults!: Readonly<HTTPRequestOptions>;
  /** How many requests run at once. */
  readonly maxClients!: number;
  /** Largest body held in memory, in bytes. */
  readonly maxBufferSize!: number;
  /** Largest response head, in bytes. */
  readonly maxHeaderSize!: number;
  /** Largest response body, in bytes. */
  readonly maxBodySize!: number;

  readonly #cached!: boolean;
  readonly #pool!: HTTPConnectionPool;
  readonly #settings!: FetchSettings;
  // A deque: entries before #queueHead have been taken (and cleared).
  #queue: (Pending | undefined)[] = [];
  #queueHead = 0;
  #active = new Set<Pending>();
  #closed = false;

  /**
   * Returns the client bound to the current IOLoop, creating it on first
   * use, or a new unbound client with `forceInstance`. Mirrors
   * `AsyncHTTPClient(force_instance=False, **kwargs)`.
   *
   * @param options Settings for a new client, over those given to
   *   {@linkcode AsyncHTTPClient.configure}; ignored when the existing
   *   client is returned.
   * @throws {RangeError} `maxClients`, `maxBufferSize`, `maxHeaderSize` or
   *   `maxBodySize` is not a positive integer.
   *
   * @example One client per IOLoop
   * ```ts
   * import assert from "node:assert/strict";
   * import { AsyncHTTPClient } from "@torsion/torsion/http";
   * const a = new AsyncHTTPClient();
   * const b = new AsyncHTTPClient({ maxClients: 50 }); // options ignored: same client
   * assert.equal(a, b);
   * assert.equal(a.maxClients, 10);
   * const own = new AsyncHTTPClient({ forceInstance: true, maxClients: 50 });
   * assert.notEqual(own, a);
   * assert.equal(own.maxClients, 50);
   * await own.close();
   * await a.close();
   * ```
   */
  constructor(options: AsyncHTTPClientOptions = {}) {
    const ioLoop = IOLoop.current();
    if (!options.forceInstance) {
      const existing = AsyncHTTPClient.#instances.get(ioLoop);
      // A constructor may return another object: this is how Tornado's
      // `__new__` hands back the IOLoop's client.
      if (existing !== undefined) return existing;
    }
    const merged = { ...AsyncHTTPClient.#configured, ...options };
    this.ioLoop = ioLoop;
    this.defaults = Object.freeze({ ...merged.defaults });
    this.maxClients = requireSize(
      "maxClients",
      merged.maxClients ?? DEFAULT_MAX_CLIENTS,
    );
    // Tornado's default max_buffer_size (100 MiB) is the engine's body limit.
    this.maxBufferSize = requireSize(
      "maxBufferSize",
      merged.maxBufferSize ?? DEFAULT_MAX_BODY_SIZE,
    );
    this.maxHeaderSize = requireSize(
      "maxHeaderSize",
      merged.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
    );
    this.maxBodySize = requireSize(
      "maxBodySize",
      merged.maxBodySize ?? this.maxBufferSize,
    );
    // The IOLoop may run on a Clock (tests): connections need a real reactor.
    const loopReactor = ioLoop.reactor as Partial<IReactor>;
    this.#pool = new HTTPConnectionPool(
      typeof loopReactor.connectTCP === "function"
        ? loopReactor as IReactor
        : reactor,
      merged.keepAlive ?? true,
    );
    this.#pool.maxPersistentPerHost = this.maxClients;
    this.#settings = {
      pool: this.#pool,
      maxHeaderSize: this.maxHeaderSize,
      maxBodySize: this.maxBodySize,
      maxBufferSize: this.maxBufferSize,
      strictLineEnds: merged.strictLineEnds ?? false,
    };
    this.#cached = !options.forceInstance;
    if (this.#cached) AsyncHTTPClient.#instances.set(ioLoop, this);
  }

  /**
   * Sets the options of every client created from now on (existing clients
   * keep theirs), replacing any set before; `null` clears them. Mirrors
   * `AsyncHTTPClient.configure(None, **kwargs)`: there is one
   * implementation, so there is no class to choose.
   *
   * @param options The options, as for the constructor (`forceInstance`
   *   is ignored here).
   *
   * @example Raising the concurrency of the shared client
   * ```ts
   * import assert from "node:assert/strict";
   * import { AsyncHTTPClient } from "@torsion/torsion/http";
   * AsyncHTTPClient.configure({ maxClients: 100, defaults: { userAgent: "MyAgent" } });
   * const client = new AsyncHTTPClient({ forceInstance: true });
   * assert.equal(client.maxClients, 100);
   * await client.close();
   * AsyncHTTPClient.configure(null);
   * ```
   */
  static configure(options: AsyncHTTPClientOptions | null): void {
    const { forceInstance: _, ...rest } = options ?? {};
    AsyncHTTPClient.#configured = rest;
  }

  /**
   * Fetches a URL, returning a Deferred that fires with the response.
   * Mirrors `AsyncHTTPClient.fetch(request, raise_error=True, **kwargs)` of
   * Tornado 6.
   *
   * @param request The URL, or an {@linkcode HTTPRequest}.
   * @param options `raiseError`, and the request's options when `request`
   *   is a URL (among them `signal`, whose abort cancels the fetch).
   * @returns A Deferred of the response; cancelling it (or aborting the
   *   request's `signal`) abandons the request: it leaves the queue, or its
   *   connection is aborted, and the Deferred fails with `CancelledError`.
   *   It rejects with an `HTTPClientError` for a non-2xx code unless
   *   `raiseError` is false, and with the transport's error (an
   *   `HTTPTimeoutError`, an `HTTPStreamClosedError`, a
   *   `ConnectionRefusedError`, a `DNSLookupError`...) in any case; a
   *   request that breaks Tornado's rules (a body for GET, none for POST,
   *   an unknown method) rejects with a `TypeError`.
   * @throws {Error} The client is closed.
   * @throws {TypeError} Request options are given with an `HTTPRequest`.
   *
   * @example Keeping a 404 response instead of an exception
   * ```ts
   * import assert from "node:assert/strict";
   * import { AsyncHTTPClient } from "@torsion/torsion/http";
   * const server = Deno.serve(
   *   { port: 0, onListen() {} },
   *   () => new Response("no such page", { status: 404 }),
   * );
   * const client = new AsyncHTTPClient({ forceInstance: true });
   * const response = await client.fetch(`http://127.0.0.1:${server.addr.port}/missing`, {
   *   raiseError: false,
   * });
   * assert.equal(response.code, 404); // without an exception
   * await client.close();
   * await server.shutdown();
   * ```
   */
  fetch(
    request: string | HTTPRequest,
    options?: FetchOptions,
  ): Deferred<HTTPResponse>;
  /**
   * Fetches a URL and calls `callback` with the response, which carries any
   * failure in its `error` (code 599 when no response was received).
   * Mirrors `AsyncHTTPClient.fetch(request, callback)` of Tornado 5 and
   * earlier: the callback is called on a later IOLoop iteration, and nothing
   * is thrown to it.
   *
   * @param request The URL, or an {@linkcode HTTPRequest}.
   * @param callback Called once with the response; when `undefined`, the
   *   call is `fetch(request, options)` (and `raiseError` applies).
   * @param options The request's options when `request` is a URL
   *   (`raiseError` does not apply with a callback).
   * @returns A Deferred that fires with the response once `callback` has
   *   run; it fails only when cancelled (or its `signal` is aborted), and
   *   the callback is then not called.
   * @throws {Error} The client is closed.
   * @throws {TypeError} Request options are given with an `HTTPRequest`.
   *
   * @example A refused connection arrives as a 599 response
   * ```ts
   * import assert from "node:assert/strict";
   * import { AsyncHTTPClient, HTTPRequest, type HTTPResponse } from "@torsion/torsion/http";
   * const codes: number[] = [];
   * function handleResponse(response: HTTPResponse): void {
   *   codes.push(response.code);
   * }
   * const client = new AsyncHTTPClient({ forceInstance: true });
   * // Nothing listens on port 1: the failure arrives as a 599 response.
   * const response = await client.fetch(new HTTPRequest("http://127.0.0.1:1/"), handleResponse);
   * await client.close();
   * assert.deepEqual(codes, [599]);
   * assert.ok(response.error instanceof Error);
   * ```
   */
  fetch(
    request: string | HTTPRequest,
    callback: FetchCallback | undefined,
    options?: FetchOptions,
  ): Deferred<HTTPResponse>;
  fetch(
    request: string | HTTPRequest,
    callbackOrOptions?: FetchCallback | FetchOptions,
    maybeOptions?: FetchOptions,
  ): Deferred<HTTPResponse> {
    if (this.#closed) {
      throw new Error("Cannot call fetch() on a closed AsyncHTTPClient");
    }
    const callback = typeof callbackOrOptions === "function"
      ? callbackOrOptions
      : undefined;
    // `fetch(request, undefined, options)`: a callback slot left undefined
    // still lets the options through.
    const options =
      (typeof callbackOrOptions === "object" && callbackOrOptions !== null
        ? callbackOrOptions
        : maybeOptions) ?? {};
    const { raiseError = true, ...requestOptions } = options;
    let httpRequest: HTTPRequest;
    if (request instanceof HTTPRequest) {
      const keys = Object.keys(requestOptions);
      if (keys.length > 0) {
        throw new TypeError(
          `Cannot pass request options with an HTTPRequest: current options are ${
            keys.join(", ")
          }`,
        );
      }
      httpRequest = request;
    } else {
      httpRequest = new HTTPRequest(request, requestOptions);
    }

    let pending: Pending | undefined = undefined;
    const result = new Deferred<HTTPResponse>(() => {
      if (pending !== undefined) this.#abandon(pending);
    });
    const deliver = callback === undefined
      ? (response: HTTPResponse): void => {
        if (result.called) return;
        const error = response.error;
        const isResponseCode = error !== undefined &&
          (error as { response?: unknown }).response === response;
        if (error !== undefined && (raiseError || !isResponseCode)) {
          result.errback(error);
        } else {
          result.callback(response);
        }
      }
      : (response: HTTPResponse): void => {
        this.ioLoop.addCallback(() => {
          try {
            callback(response);
          } catch (error) {
            logError(
              CATEGORY,
              `Exception in fetch callback for ${response.request.url}: ${
                error instanceof Error
                  ? error.stack ?? error.message
                  : String(error)
              }`,
            );
          }
          if (!result.called) result.callback(response);
        });
      };

    let resolved: ResolvedRequest;
    try {
      resolved = resolveRequest(httpRequest, this.defaults);
    } catch (error) {
      // Tornado reports a request it cannot send as a 599 response.
      const response = new HTTPResponse(httpRequest, 599, {
        error: error instanceof Error ? error : new Error(String(error)),
      });
      this.ioLoop.addCallback(deliver, response);
      return result;
    }
    const signal = resolved.signal;
    if (signal?.aborted) return abortedDeferred("fetch()", signal);
    pending = {
      original: resolved.original,
      resolved,
      deliver,
      queuedAt: now(),
      state: "queued",
      timeout: undefined,
      attempt: undefined,
    };
    this.#enqueue(pending);
    return cancelOnAbort(result, signal);
  }

  /**
   * Closes the client: requests still queued or running fail with code 599,
   * idle kept-alive connections are closed, and the IOLoop forgets the
   * client, so the next `new AsyncHTTPClient()` creates a fresh one. Calling
   * it again does nothing. Mirrors `AsyncHTTPClient.close`; Tornado returns
   * nothing, Torsion returns a Deferred that fires once the connections are
   * closed (await it in tests, whose sanitizers count sockets).
   *
   * @returns A Deferred that fires when every connection is closed.
   *
   * @example Closing a client of one's own
   * ```ts
   * import { AsyncHTTPClient } from "@torsion/torsion/http";
   * const client = new AsyncHTTPClient({ forceInstance: true });
   * await client.close();
   * ```
   */
  close(): Deferred<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (
        this.#cached && AsyncHTTPClient.#instances.get(this.ioLoop) === this
      ) {
        AsyncHTTPClient.#instances.delete(this.ioLoop);
      }
      const queued = this.#queue.slice(this.#queueHead) as Pending[];
      this.#queue = [];
      this.#queueHead = 0;
      for (const pending of [...queued, ...this.#active]) {
        this.#abandon(
          pending,
          new HTTPStreamClosedError("AsyncHTTPClient closed"),
        );
      }
    }
    return this.#pool.closeCachedConnections();
  }

  #enqueue(pending: Pending): void {
    const request = pending.resolved as ResolvedRequest;
    if (this.#active.size >= this.maxClients) {
      // min() skipping zero, as Tornado: 0 means "no limit".
      const timeout =
        Math.min(request.connectTimeout, request.requestTimeout) ||
        request.connectTimeout || request.requestTimeout;
      if (timeout) {
        pending.timeout = this.ioLoop.callLater(timeout, () => {
          pending.timeout = undefined;
          if (pending.state !== "queued") return;
          this.#finish(pending);
          pending.deliver(
            this.#failure(
              pending,
              new HTTPTimeoutError("Timeout in request queue", "queue"),
            ),
          );
        });
      }
    }
    this.#queue.push(pending);
    this.#processQueue();
    if (pending.state === "queued") {
      logger.debug(
        "maxClients limit reached, request queued: {active} active, {queued} queued requests",
        {
          active: this.#active.size,
          queued: this.#queue.length - this.#queueHead,
        },
      );
    }
  }

  #processQueue(): void {
    while (
      this.#queueHead < this.#queue.length &&
      this.#active.size < this.maxClients
    ) {
      const pending = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = undefined;
      if (pending.state !== "queued") continue;
      this.#start(pending);
    }
    // Compact once the consumed head dominates, keeping shifts amortised O(1).
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #start(pending: Pending): void {
    pending.timeout?.cancel();
    pending.timeout = undefined;
    pending.state = "active";
    this.#active.add(pending);
    const queueTime = now() - pending.queuedAt;
    const resolved = pending.resolved as ResolvedRequest;
    pending.resolved = null;
    const attempt = startFetch(resolved, this.#settings, queueTime);
    pending.attempt = attempt;
    attempt.addBoth(this.#attemptDone, pending);
  }

  /**
   * Answers a request whose attempt is over. The attempt fails only with a
   * CancelledError, normally because the request was abandoned (and already
   * answered): consumed here. One function for every request of the client,
   * told which by its argument.
   */
  readonly #attemptDone = (
    outcome: HTTPResponse | Failure,
    pending: Pending,
  ): void => {
    if (pending.state === "done") return;
    this.#finish(pending);
    pending.deliver(
      outcome instanceof Failure
        ? this.#failure(pending, outcome.value as Error)
        : outcome,
    );
  };

  #finish(pending: Pending): void {
    const wasActive = pending.state === "active";
    pending.state = "done";
    pending.timeout?.cancel();
    pending.timeout = undefined;
    if (wasActive) {
      this.#active.delete(pending);
      this.#processQueue();
    }
  }

  /**
   * Gives up on a request: with `error`, delivers it as a 599 response;
   * without (the fetch Deferred was cancelled), delivers nothing, since the
   * Deferred fails with `CancelledError` by itself.
   */
  #abandon(pending: Pending, error?: Error): void {
    if (pending.state === "done") return;
    this.#finish(pending);
    pending.attempt?.cancel();
    if (error !== undefined) pending.deliver(this.#failure(pending, error));
  }

  #failure(pending: Pending, error: Error): HTTPResponse {
    const elapsed = now() - pending.queuedAt;
    return new HTTPResponse(pending.original, 599, {
      error,
      requestTime: elapsed,
      timeInfo: { queue: elapsed },
    });
  }
}
