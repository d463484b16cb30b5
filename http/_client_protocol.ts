/**
 * `HTTP11ClientProtocol`: one HTTP/1.1 connection that carries one request
 * at a time, as `twisted.web._newclient.HTTP11ClientProtocol`.
 *
 * @module
 */
import { Deferred, fail } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import { logError } from "../_util/log_error.ts";
import type {
  IConsumer,
  IProducer,
  IPushProducer,
  ITCPTransport,
  ITransport,
} from "../reactor/interfaces.ts";
import { Protocol } from "../reactor/protocol.ts";
import { toBytes } from "../reactor/_receiver_support.ts";
import {
  PotentialDataLoss,
  RequestGenerationFailed,
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseFailed,
  ResponseNeverReceived,
} from "./client_errors.ts";
import type { IAddress } from "../reactor/interfaces.ts";
import type { IBodyProducer, ResponseHead } from "./interfaces.ts";
import {
  HTTPClientParser,
  type ResponseParserHandler,
} from "./_http_client_parser.ts";
import {
  checkParserLimits,
  DEFAULT_MAX_HEADER_SIZE,
} from "./_message_parser.ts";
import type { ClientRequest } from "./_request.ts";
import {
  ChunkedEncoder,
  encodeRequest,
  encodeRequestHead,
} from "./_request_writer.ts";
import {
  bodyDataFinished,
  bodyDataReceived,
  Response,
  type ResponseConnection,
} from "./response.ts";

const CATEGORY = ["torsion", "http"] as const;

/**
 * The states of a connection, as Twisted's: `QUIESCENT` (idle, may take a
 * request), `TRANSMITTING` (writing a request), `WAITING` (request written,
 * response not complete), `TRANSMITTING_AFTER_RECEIVING_RESPONSE`,
 * `GENERATION_FAILED` (the body producer failed), `ABORTING` (closing, no
 * longer usable) and `CONNECTION_LOST`.
 */
export type ClientState =
  | "QUIESCENT"
  | "TRANSMITTING"
  | "TRANSMITTING_AFTER_RECEIVING_RESPONSE"
  | "WAITING"
  | "GENERATION_FAILED"
  | "ABORTING"
  | "CONNECTION_LOST";

/** Called when a connection is idle again and may be reused. */
export type QuiescentCallback = (protocol: HTTP11ClientProtocol) => void;

/**
 * One connection to an HTTP/1.1 server. Mirrors Twisted's
 * `HTTP11ClientProtocol`: `request()` writes a request (head and a body
 * known in full in one write, or the head then a producer's output) and
 * returns a Deferred that fires with the `Response` once its head has
 * arrived; the body then flows to the response. When the response is
 * complete and the connection can carry another request, the protocol goes
 * back to `QUIESCENT` and calls its quiescent callback (the pool's) before
 * the body's end is delivered, so a request issued from the body's callback
 * finds the connection in the pool.
 *
 * Cancelling the Deferred of `request()` before the response head arrived
 * aborts the connection at once; it then fails with
 * `ResponseNeverReceived` (or `ResponseFailed` once bytes had arrived)
 * whose reason is a `CancelledError`, as in Twisted.
 */
export class HTTP11ClientProtocol extends Protocol {
  #state: ClientState = "QUIESCENT";
  #quiescentCallback: QuiescentCallback | null;
  #lostCallback: QuiescentCallback | null;
  #parser: HTTPClientParser | null = null;

  #request: ClientRequest | null = null;
  #deferred: Deferred<Response> | null = null;
  #response: Response | null = null;
  #completed = false;
  #feeding = false;
  #lostWhileFeeding: Failure | null = null;
  #producer: IBodyProducer | null = null;
  #waitingContinue = false;
  #paused = false;
  #drain: DrainWatcher | null = null;
  /** The Deferreds of `abort()` calls; `null` (most connections) until one. */
  #abortWaiters: Deferred<void>[] | null = null;

  static readonly #Hooks = class
    implements ResponseConnection, ResponseParserHandler {
    readonly #protocol: HTTP11ClientProtocol;

    constructor(protocol: HTTP11ClientProtocol) {
      this.#protocol = protocol;
    }

    pauseProducing(): void {
      const protocol = this.#protocol;
      const transport = protocol.transport as ITCPTransport | null;
      if (protocol.#paused || transport === null) return;
      protocol.#paused = true;
      transport.pauseProducing();
    }

    resumeProducing(): void {
      const protocol = this.#protocol;
      const transport = protocol.transport as ITCPTransport | null;
      if (!protocol.#paused || transport === null) return;
      protocol.#paused = false;
      transport.resumeProducing();
    }

    abortConnection(): void {
      const transport = this.#protocol.transport;
      if (transport !== null) abortTransport(transport);
    }

    getPeer(): IAddress {
      return (this.#protocol.transport as ITransport).getPeer();
    }

    getHost(): IAddress {
      return (this.#protocol.transport as ITransport).getHost();
    }

    onInformational(head: ResponseHead): void {
      this.#protocol.#informational(head);
    }

    onHeaders(head: ResponseHead): void {
      this.#protocol.#headers(head);
    }

    onBody(chunk: Uint8Array): void {
      const response = this.#protocol.#response;
      if (response !== null) bodyDataReceived(response, chunk);
    }

    onComplete(): void {
      this.#protocol.#completed = true;
    }
  };

  /**
   * What responses pause, resume and abort (the transport, with the pause
   * tracked) and what the parser reports to: one object with its methods
   * on a prototype rather than ten closures, since thousands of
   * connections may be open at once.
   */
  readonly #hooks: ResponseConnection & ResponseParserHandler =
    new HTTP11ClientProtocol.#Hooks(this);

  readonly #cancel = (deferred: Deferred<Response>): void => {
    if (deferred !== this.#deferred) return;
    this.#giveUp(new Failure(new CancelledError()), true);
  };

  /**
   * Creates the protocol for one connection.
   *
   * @param quiescentCallback Called each time the connection is idle and
   * reusable (the pool puts it back).
   * @param lostCallback Called once when the connection is lost (the pool
   * forgets it).
   */
  constructor(
    quiescentCallback: QuiescentCallback | null = null,
    lostCallback: QuiescentCallback | null = null,
  ) {
    super();
    this.#quiescentCallback = quiescentCallback;
    this.#lostCallback = lostCallback;
  }

  /** The connection's state, as Twisted's `HTTP11ClientProtocol.state`. */
  get state(): ClientState {
    return this.#state;
  }

  /**
   * Sends `request` on this connection.
   *
   * @returns A Deferred of the response, fired once its head has arrived.
   * It fails with `RequestNotSent` when the connection is busy or closed,
   * `ResponseNeverReceived` when the connection closed before any byte of
   * the response, `ResponseFailed` for a malformed or cut response,
   * `RequestTransmissionFailed` when the connection broke while the body
   * was produced, `RequestGenerationFailed` when the body producer failed,
   * and with a `TypeError` when the request cannot be serialised.
   */
  request(request: ClientRequest): Deferred<Response> {
    const transport = this.transport;
    if (this.#state !== "QUIESCENT" || transport === null) {
      return fail(new RequestNotSent());
    }
    const producer = request.bodyProducer;
    // A body in bytes waits for `100 Continue` when asked to: the head goes
    // alone, as for a producer.
    const holdBody = request.expectContinue && request.body !== null &&
      request.body.length > 0;
    let data: Uint8Array;
    try {
      // The parser is made when the response begins: its limits are
      // checked now, so that a wrong one fails the request at once.
      checkParserLimits(
        request.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
        request.maxBodySize ?? Infinity,
      );
      if (producer !== null || holdBody) {
        data = encodeRequestHead({
          method: request.method,
          url: request.uri.url,
          headers: request.headers,
          bodyLength: producer === null
            ? (request.body as Uint8Array).length
            : producer.length === "UNKNOWN_LENGTH"
            ? "chunked"
            : producer.length,
          proxy: request.proxy,
          userAgent: request.userAgent,
          persistent: request.persistent,
          expectContinue: request.expectContinue,
        });
      } else {
        data = encodeRequest({
          method: request.method,
          url: request.uri.url,
          headers: request.headers,
          body: request.body,
          proxy: request.proxy,
          userAgent: request.userAgent,
          persistent: request.persistent,
        });
      }
    } catch (error) {
      return fail(error);
    }
    this.#state = "TRANSMITTING";
    this.#request = request;
    this.#response = null;
    this.#completed = false;
    const deferred = new Deferred<Response>(this.#cancel);
    this.#deferred = deferred;
    const tracker = request.tracker;
    if (tracker !== null) tracker.phase = "request";
    if (producer !== null) {
      transport.write(data);
      if (request.expectContinue) this.#waitingContinue = true;
      else this.#startProducer(producer, transport);
    } else if (holdBody) {
      transport.write(data);
      this.#waitingContinue = true;
    } else if (request.body !== null && request.body.length > 0) {
      this.#writeBody(transport, data);
    } else {
      transport.write(data);
      this.#requestWritten();
    }
    return deferred;
  }

  /**
   * Closes the connection at once. Mirrors `HTTP11ClientProtocol.abort`.
   *
   * @returns A Deferred that fires once the connection is closed.
   */
  abort(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#state === "CONNECTION_LOST" || this.transport === null) {
      d.callback(undefined);
      return d;
    }
    (this.#abortWaiters ??= []).push(d);
    this.abortNow();
    return d;
  }

  /**
   * Closes the connection at once, as `abort()`, for a caller that hears of
   * the close through the lost callback (the pool closing thousands of
   * connections): no Deferred is made.
   *
   * @returns `false` when the connection was already closed.
   */
  abortNow(): boolean {
    const transport = this.transport;
    if (this.#state === "CONNECTION_LOST" || transport === null) return false;
    if (this.#request !== null) {
      this.#giveUp(new Failure(new CancelledError("Connection aborted")), true);
    } else {
      this.#state = "ABORTING";
      abortTransport(transport);
    }
    return true;
  }

  /**
   * Feeds received bytes to the response parser.
   *
   * @param data The bytes.
   */
  override dataReceived(data: Uint8Array): void {
    const request = this.#request;
    if (request === null) {
      // Bytes with no request outstanding: the server is not speaking
      // HTTP/1.1 as we understand it, so the connection cannot be trusted.
      if (this.#state === "QUIESCENT") {
        this.#state = "ABORTING";
        if (this.transport !== null) abortTransport(this.transport);
      }
      return;
    }
    const parser = this.#parserFor(request);
    let consumed = 0;
    let error: unknown = undefined;
    let failed = false;
    const hadResponse = this.#response !== null;
    this.#feeding = true;
    try {
      consumed = parser.feed(data);
    } catch (e) {
      error = e;
      failed = true;
    } finally {
      this.#feeding = false;
    }
    // A head parsed by this feed: its Deferred fires once the read is
    // handled (after the connection went back to the pool if complete).
    const deferred = hadResponse ? null : this.#deferred;
    const response = hadResponse ? null : this.#response;
    if (response !== null) this.#deferred = null;
    if (failed) {
      this.#deliverResponse(deferred, response);
      this.#giveUp(Failure.from(error), false);
    } else if (this.#completed) {
      this.#finishResponse(consumed < data.length);
      this.#deliverResponse(deferred, response);
    } else {
      this.#deliverResponse(deferred, response);
    }
    const lost = this.#lostWhileFeeding;
    if (lost !== null) {
      this.#lostWhileFeeding = null;
      this.connectionLost(lost);
    }
  }

  /**
   * The connection is gone: completes a close-delimited body
   * (`PotentialDataLoss`) or fails what was in progress.
   *
   * @param reason Why the connection closed.
   */
  override connectionLost(reason: Failure): void {
    if (this.#feeding) {
      this.#lostWhileFeeding = reason;
      return;
    }
    if (this.#state === "CONNECTION_LOST") return;
    const previous = this.#state;
    this.#state = "CONNECTION_LOST";
    this.connected = false;
    this.#stopProducer();
    const request = this.#request;
    if (request !== null) {
      if (
        previous === "TRANSMITTING" && this.#response === null &&
        request.bodyProducer !== null && !this.#waitingContinue
      ) {
        this.#failRequest(new RequestTransmissionFailed([reason]));
      } else {
        let error: unknown = undefined;
        let failed = false;
        try {
          this.#parserFor(request).connectionLost(reason);
        } catch (e) {
          error = e;
          failed = true;
        }
        if (failed) this.#failRequest(error);
        else if (this.#completed) this.#finishResponse(true);
      }
    }
    const waiters = this.#abortWaiters;
    this.#abortWaiters = null;
    if (waiters !== null) { for (const d of waiters) d.callback(undefined); }
    const lost = this.#lostCallback;
    this.#lostCallback = null;
    this.#quiescentCallback = null;
    if (lost !== null) lost(this);
  }

  /**
   * The parser of `request`'s response, made when its first byte arrives
   * (or the connection closes) and dropped once it is complete: a
   * connection waiting for its response, or idle in a pool, holds no
   * parser, nor the last response's head through it, and thousands of
   * either may be open at once.
   */
  #parserFor(request: ClientRequest): HTTPClientParser {
    return this.#parser ??= new HTTPClientParser(this.#hooks, {
      method: request.method,
      maxHeaderSize: request.maxHeaderSize,
      maxBodySize: request.maxBodySize ?? Infinity,
      strictLineEnds: request.strictLineEnds,
    });
  }

  #startProducer(producer: IBodyProducer, transport: ITransport): void {
    this.#producer = producer;
    const consumer = producer.length === "UNKNOWN_LENGTH"
      ? new ChunkedConsumer(transport)
      : new LengthEnforcingConsumer(transport, producer.length);
    transport.registerProducer(producer, true);
    let produced: Deferred<void>;
    try {
      produced = producer.startProducing(consumer);
    } catch (error) {
      produced = fail(error);
    }
    produced.addCallbacks(
      () => {
        if (this.#producer !== producer) return;
        this.#producer = null;
        transport.unregisterProducer();
        const problem = consumer.finish();
        if (problem !== null) {
          this.#generationFailed(new Failure(problem));
          return;
        }
        if (this.#state === "TRANSMITTING") this.#requestWritten();
        else if (this.#state === "TRANSMITTING_AFTER_RECEIVING_RESPONSE") {
          this.#state = "ABORTING";
          transport.loseConnection();
        }
      },
      (failure: Failure) => {
        if (this.#producer !== producer) return;
        this.#producer = null;
        transport.unregisterProducer();
        this.#generationFailed(failure);
      },
    );
  }

  #generationFailed(failure: Failure): void {
    if (this.#state === "CONNECTION_LOST") return;
    this.#state = "GENERATION_FAILED";
    const error = new RequestGenerationFailed([failure]);
    const deferred = this.#deferred;
    const response = this.#response;
    this.#clearRequest();
    if (this.transport !== null) abortTransport(this.transport);
    if (response !== null) {
      bodyDataFinished(
        response,
        new Failure(new ResponseFailed([failure], response)),
      );
    } else if (deferred !== null && !deferred.called) {
      deferred.errback(error);
    }
  }

  #stopProducer(): void {
    this.#drain = null;
    const producer = this.#producer;
    if (producer === null) return;
    this.#producer = null;
    try {
      producer.stopProducing();
    } catch (error) {
      logError(
        CATEGORY,
        `Body producer failed to stop: ${
          Failure.from(error).getErrorMessage()
        }`,
      );
    }
  }

  /**
   * Writes a request that ends with a body held in memory. The request
   * counts as written only once the transport took it below its
   * high-water mark: until then the connection is not reusable (a server
   * that answered early and stopped reading would leave the next request
   * queued behind the unsent bytes), and a deadline names the `request`
   * phase.
   */
  #writeBody(transport: ITransport, data: Uint8Array): void {
    const watcher = new DrainWatcher(() => {
      if (this.#drain !== watcher) return;
      this.#drain = null;
      transport.unregisterProducer();
      if (this.#state === "TRANSMITTING") this.#requestWritten();
    });
    this.#drain = watcher;
    transport.registerProducer(watcher, true);
    transport.write(data);
    if (!watcher.paused) watcher.drained();
  }

  #requestWritten(): void {
    this.#state = "WAITING";
    const tracker = this.#request?.tracker;
    if (tracker != null && this.#response === null) tracker.phase = "headers";
  }

  #informational(head: ResponseHead): void {
    if (!this.#waitingContinue || head.code !== 100) return;
    this.#waitingContinue = false;
    const request = this.#request as ClientRequest;
    const transport = this.transport as ITransport;
    if (request.bodyProducer !== null) {
      this.#startProducer(request.bodyProducer, transport);
    } else {
      this.#writeBody(transport, request.body as Uint8Array);
    }
  }

  #headers(head: ResponseHead): void {
    const request = this.#request as ClientRequest;
    this.#response = new Response({
      version: head.version,
      code: head.code,
      phrase: head.phrase,
      headers: head.headers,
      length: head.length ?? "UNKNOWN_LENGTH",
      request,
      connection: this.#hooks,
    });
    if (request.tracker !== null) request.tracker.phase = "body";
  }

  /**
   * Fires the request's Deferred with the response whose head the last
   * `feed` parsed. It runs after `feed` returns, never inside it: the
   * caller's callbacks may then do anything, and a response that was
   * complete in that read has already put the connection back in the pool,
   * so a request made from those callbacks reuses it.
   */
  #deliverResponse(
    deferred: Deferred<Response> | null,
    response: Response | null,
  ): void {
    if (deferred === null || response === null || deferred.called) return;
    deferred.callback(response);
  }

  /** The response is complete; `dirty` when bytes followed it or the connection closed. */
  #finishResponse(dirty: boolean): void {
    const request = this.#request as ClientRequest;
    const head = this.#parserFor(request).head as ResponseHead;
    this.#parser = null;
    const response = this.#response as Response;
    const state = this.#state;
    this.#clearRequest();
    const reason = head.framing === "close"
      ? new Failure(new PotentialDataLoss())
      : undefined;
    if (state === "CONNECTION_LOST") {
      bodyDataFinished(response, reason);
      return;
    }
    const transport = this.transport as ITCPTransport;
    if (
      state === "WAITING" && !dirty && head.keepAlive && request.persistent &&
      !this.#waitingContinue
    ) {
      this.#state = "QUIESCENT";
      this.#hooks.resumeProducing();
      const callback = this.#quiescentCallback;
      if (callback !== null) {
        try {
          callback(this);
        } catch (error) {
          logError(
            CATEGORY,
            `Connection pool failed to take back a connection: ${
              Failure.from(error).getErrorMessage()
            }`,
          );
          this.#state = "ABORTING";
          transport.loseConnection();
        }
      }
    } else if (
      state === "TRANSMITTING" &&
      (this.#producer !== null || this.#drain !== null)
    ) {
      // The server answered before the request was written whole: the
      // exchange is over and the rest of the body cannot be sent on a
      // connection the server may no longer read, so drop it with the
      // connection rather than flush it to a peer that may never take it.
      this.#state = "ABORTING";
      this.#stopProducer();
      this.#drain = null;
      transport.unregisterProducer();
      abortTransport(transport);
    } else {
      this.#state = "ABORTING";
      transport.loseConnection();
    }
    this.#waitingContinue = false;
    bodyDataFinished(response, reason);
  }

  /** Gives the connection up after `failure`; `cancelled` when the caller asked. */
  #giveUp(failure: Failure, cancelled: boolean): void {
    const transport = this.transport;
    if (this.#request !== null) {
      this.#stopProducer();
      let error: unknown;
      if (failure.value instanceof ResponseFailed) {
        error = failure.value;
      } else if (cancelled) {
        try {
          this.#parserFor(this.#request).connectionLost(failure);
          error = new ResponseNeverReceived([failure]);
        } catch (e) {
          error = e;
        }
      } else {
        error = new ResponseFailed([failure], this.#response ?? undefined);
      }
      if (this.#state !== "CONNECTION_LOST") this.#state = "ABORTING";
      this.#failRequest(error);
    } else if (this.#state !== "CONNECTION_LOST") {
      this.#state = "ABORTING";
    }
    if (transport !== null && this.#state !== "CONNECTION_LOST") {
      abortTransport(transport);
    }
  }

  /** Fails the request in progress with `error`, wherever it is. */
  #failRequest(error: unknown): void {
    const deferred = this.#deferred;
    const response = this.#response;
    this.#clearRequest();
    this.#waitingContinue = false;
    if (response !== null) {
      const failure = error instanceof ResponseFailed
        ? new Failure(error)
        : new Failure(new ResponseFailed([Failure.from(error)], response));
      bodyDataFinished(response, failure);
    } else if (deferred !== null && !deferred.called) {
      deferred.errback(error);
    }
  }

  #clearRequest(): void {
    this.#request = null;
    this.#deferred = null;
    this.#response = null;
    this.#completed = false;
  }
}

function abortTransport(transport: ITransport): void {
  const tcp = transport as Partial<ITCPTransport>;
  if (typeof tcp.abortConnection === "function") tcp.abortConnection();
  else transport.loseConnection();
}

/**
 * Registered as the transport's push producer while a body held in memory
 * is queued: the transport pauses it past its high-water mark and resumes
 * it once the queue drained, which tells that the body has left.
 */
class DrainWatcher implements IPushProducer {
  paused = false;
  readonly drained: () => void;

  constructor(drained: () => void) {
    this.drained = drained;
  }

  pauseProducing(): void {
    this.paused = true;
  }

  resumeProducing(): void {
    if (!this.paused) return;
    this.paused = false;
    this.drained();
  }

  stopProducing(): void {}
}

/** Writes a producer's body as is and checks it wrote exactly `length` bytes. */
class LengthEnforcingConsumer implements IConsumer {
  #transport: ITransport;
  #remaining: number;
  #length: number;

  constructor(transport: ITransport, length: number) {
    this.#transport = transport;
    this.#remaining = length;
    this.#length = length;
  }

  registerProducer(producer: IProducer, streaming: boolean): void {
    this.#transport.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.#transport.unregisterProducer();
  }

  write(data: Uint8Array | string): void {
    const bytes = toBytes(data);
    if (bytes.length > this.#remaining) {
      throw new RangeError(
        `Body producer wrote more than its length: length is ${this.#length} bytes, ${
          this.#length - this.#remaining + bytes.length
        } written`,
      );
    }
    this.#remaining -= bytes.length;
    this.#transport.write(bytes);
  }

  finish(): Error | null {
    if (this.#remaining === 0) return null;
    return new RangeError(
      `Body producer wrote less than its length: length is ${this.#length} bytes, ${
        this.#length - this.#remaining
      } written`,
    );
  }
}

/** Writes a producer's body with chunked coding. */
class ChunkedConsumer implements IConsumer {
  #transport: ITransport;
  #encoder: ChunkedEncoder;

  constructor(transport: ITransport) {
    this.#transport = transport;
    this.#encoder = new ChunkedEncoder(transport);
  }

  registerProducer(producer: IProducer, streaming: boolean): void {
    this.#transport.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    this.#transport.unregisterProducer();
  }

  write(data: Uint8Array | string): void {
    this.#encoder.write(toBytes(data));
  }

  finish(): Error | null {
    this.#encoder.finish();
    return null;
  }
}
