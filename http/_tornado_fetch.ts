/**
 * One request of `AsyncHTTPClient`, run through the shared engine
 * (`_engine.ts`), its outcome turned into Tornado's terms: an
 * `HTTPResponse` always, failures as code 599 responses whose `error` is
 * what Tornado's `simple_httpclient` would raise.
 *
 * @module
 */
import { type Deferred, succeed } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import { ConnectionDone, ConnectionLost } from "../reactor/errors.ts";
import type { HTTPConnectionPool } from "./connection_pool.ts";
import {
  PartialDownloadError,
  RequestTransmissionFailed,
  ResponseFailed,
  ResponseNeverReceived,
} from "./client_errors.ts";
import { DataLoss } from "./errors.ts";
import { HTTPStreamClosedError } from "./http_client_error.ts";
import { HTTPResponse } from "./http_response.ts";
import type { HTTPRequest } from "./http_request.ts";
import {
  type EngineRequest,
  type EngineResult,
  performRequest,
  WriterProducer,
} from "./_engine.ts";
import { ownHeaders, type ResolvedRequest } from "./_tornado_request.ts";

/** What the client lends each request. */
export interface FetchSettings {
  readonly pool: HTTPConnectionPool;
  readonly maxHeaderSize: number;
  readonly maxBodySize: number;
  readonly maxBufferSize: number;
  readonly strictLineEnds: boolean;
}

/**
 * Tornado reports a connection that closed under a request as
 * `HTTPStreamClosedError` (599), however it closed (FIN or reset) and
 * whatever was in flight (the request, the head or the body); the engine
 * says it the Twisted way.
 */
function tornadoError(error: unknown): Error {
  if (
    error instanceof PartialDownloadError ||
    error instanceof ResponseNeverReceived ||
    error instanceof RequestTransmissionFailed ||
    (error instanceof ResponseFailed &&
      error.reasons.some((reason) =>
        reason.check(ConnectionDone, ConnectionLost) !== null ||
        reason.check(DataLoss) !== null
      ))
  ) {
    return new HTTPStreamClosedError("Stream closed", { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function engineRequest(
  request: ResolvedRequest,
  settings: FetchSettings,
): EngineRequest {
  let headers = request.headers;
  let body: EngineRequest["body"] = request.body ?? null;
  if (request.bodyProducer !== undefined) {
    // The engine sends Content-Length itself when it knows the length.
    const declared = headers.get("Content-Length");
    const length = declared === undefined ? undefined : Number(declared);
    if (length !== undefined && Number.isSafeInteger(length) && length >= 0) {
      headers = ownHeaders(request.original, headers);
      headers.removeHeader("Content-Length");
      body = new WriterProducer(request.bodyProducer, length);
    } else {
      body = new WriterProducer(request.bodyProducer);
    }
  }
  if (request.method === "POST" && !headers.hasHeader("Content-Type")) {
    headers = ownHeaders(request.original, headers);
    headers.addRawHeader("Content-Type", "application/x-www-form-urlencoded");
  }
  const streaming = request.streamingCallback !== undefined;
  return {
    method: request.method,
    url: request.url,
    headers,
    body,
    connectTimeout: request.connectTimeout,
    requestTimeout: request.requestTimeout,
    followRedirects: request.followRedirects,
    maxRedirects: request.maxRedirects,
    decompress: request.decompressResponse,
    maxHeaderSize: settings.maxHeaderSize,
    strictLineEnds: settings.strictLineEnds,
    maxBodySize: streaming
      ? settings.maxBodySize
      : Math.min(settings.maxBodySize, settings.maxBufferSize),
    userAgent: request.userAgent,
    auth: request.authUsername === undefined
      ? null
      : { username: request.authUsername, password: request.authPassword },
    proxy: request.proxyHost === undefined || request.proxyPort === undefined
      ? null
      : {
        host: request.proxyHost,
        port: request.proxyPort,
        username: request.proxyUsername,
        password: request.proxyPassword,
      },
    caCerts: request.caCerts,
    validateCert: request.validateCert,
    expectContinue: request.expect100Continue,
    onHeaderLine: request.headerCallback,
    onChunk: request.streamingCallback,
  };
}

/** What a fetch's response is told besides the engine's result. */
class Outcome {
  readonly original: HTTPRequest;
  /** When the fetch started, in seconds since the epoch (Tornado's `start_time`). */
  readonly startTime = Date.now() / 1000;
  readonly #started = performance.now();
  readonly timeInfo: { queue: number };

  constructor(original: HTTPRequest, queueTime: number) {
    this.original = original;
    this.timeInfo = { queue: queueTime };
  }

  /** The 599 response of a fetch that received no response. */
  failed(error: unknown): HTTPResponse {
    return new HTTPResponse(this.original, 599, {
      error: tornadoError(error),
      requestTime: (performance.now() - this.#started) / 1000,
      startTime: this.startTime,
      timeInfo: this.timeInfo,
    });
  }
}

/**
 * Turns the engine's outcome into Tornado's response. One function for
 * every fetch, told which by its argument: the callbacks of thousands of
 * fetches in flight then hold no closures.
 */
function respond(
  result: EngineResult | Failure,
  outcome: Outcome,
): HTTPResponse {
  if (!(result instanceof Failure)) {
    return new HTTPResponse(outcome.original, result.code, {
      reason: result.reason,
      headers: result.headers,
      body: result.body,
      effectiveUrl: result.effectiveUrl,
      requestTime: result.requestTime,
      startTime: outcome.startTime,
      timeInfo: outcome.timeInfo,
    });
  }
  if (result.check(CancelledError) !== null) result.raiseException();
  return outcome.failed(result.value);
}

/**
 * Starts `request`. The Deferred always fires with an `HTTPResponse` (code
 * 599 and `error` set when no response was received); cancelling it aborts
 * the request, and it then fails with `CancelledError`.
 */
export function startFetch(
  request: ResolvedRequest,
  settings: FetchSettings,
  queueTime: number,
): Deferred<HTTPResponse> {
  // The outcome holds the caller's request only: the resolved options are
  // not kept while the answer is awaited.
  const outcome = new Outcome(request.original, queueTime);
  let engine: Deferred<EngineResult>;
  try {
    engine = performRequest(settings.pool, engineRequest(request, settings));
  } catch (error) {
    // An option the engine rejects (a negative timeout): a 599 like the rest.
    return succeed(outcome.failed(error));
  }
  return engine.addBoth(respond, outcome);
}
