/**
 * `HTTPChannel`: the server side of one HTTP/1.1 connection, as Twisted's
 * `twisted.web.http.HTTPChannel` and Tornado's `HTTP1ServerConnection` with
 * its `HTTP1Connection`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { describeError, logError } from "../deferred/_logging.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  IPushProducer,
  ITCPTransport,
  ITransport,
} from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import { codingOf, StreamDecoder } from "./_decoder.ts";
import { dateLine } from "./_date_cache.ts";
import { HTTPRequestParser } from "./_http_request_parser.ts";
import { writeLatin1 } from "./_latin1.ts";
import { reasonPhrase } from "./_responses.ts";
import {
  type ChannelTracker,
  resolveServerOptions,
  type ServerSettings,
} from "./_server_settings.ts";
import { BodyTooLargeError } from "./errors.ts";
import { Headers } from "./headers.ts";
import type {
  AccessLogEntry,
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
  HTTPServerRequestChannel,
  RequestHead,
} from "./server_interfaces.ts";

const accessLogger = getLogger(["torsion", "access"]);
const httpLogger = getLogger(["torsion", "http"]);
const WEB = ["torsion", "web"] as const;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const CONTINUE = encoder.encode("HTTP/1.1 100 Continue\r\n\r\n");
const LAST_CHUNK = encoder.encode("0\r\n\r\n");
const CRLF = encoder.encode("\r\n");

// How a response body is delimited.
const FRAME_NONE = 0;
const FRAME_LENGTH = 1;
const FRAME_CHUNKED = 2;
const FRAME_CLOSE = 3;

// What the connection's one timer is waiting for.
const WAIT_NONE = 0;
const WAIT_IDLE = 1;
const WAIT_HEAD = 2;
const WAIT_BODY = 3;
const WAIT_LINGER = 4;

/** A response body this small is sent with its head in one write. */
const PENDING_LIMIT = 65536;
/** How long a closing connection may take to flush before it is aborted. */
const LINGER = 30;

/**
 * Serves the requests of one connection, in order: parses each request with
 * the shared HTTP/1.1 parser, asks the delegate for a request delegate and
 * feeds it, writes the response it is given, and keeps the connection alive
 * or closes it. Mirrors Twisted's `HTTPChannel` and Tornado's
 * `HTTP1ServerConnection`.
 *
 * It answers by itself what no application should see: a malformed request
 * (400, 413, 414, 431, 501, 505, each with `Connection: close`), an
 * `Expect` other than `100-continue` (417), a head or body that arrives too
 * slowly (408). A delegate that throws gets the client a 500 (or an aborted
 * connection if its response had begun), logged once under
 * `["torsion", "web"]`. Each finished request is logged under
 * `["torsion", "access"]` unless the delegate has `logAccess`.
 *
 * Usually an {@linkcode HTTPFactory} builds it; build one yourself to drive
 * a connection in a test with a `StringTransport` and a `Clock`.
 *
 * @example Answering a request on a StringTransport
 * ```ts
 * import assert from "node:assert/strict";
 * import { Headers, HTTPChannel } from "@torsion/torsion/http";
 * import { Clock, StringTransport } from "@torsion/torsion/testing";
 * const channel = new HTTPChannel({
 *   startRequest(request) {
 *     return {
 *       headersReceived() {},
 *       dataReceived() {},
 *       finish() {
 *         request.writeHead(200, "OK", new Headers({ "Content-Type": "text/plain" }), "hi");
 *         request.finish();
 *       },
 *       onConnectionClose() {},
 *     };
 *   },
 * }, {}, new Clock());
 * const transport = new StringTransport();
 * channel.makeConnection(transport);
 * channel.dataReceived(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
 * const response = transport.valueString();
 * assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
 * assert.match(response, /\r\nContent-Length: 2\r\n/);
 * assert.ok(response.endsWith("\r\n\r\nhi"));
 * channel.connectionLost(new Error("done") as never);
 * ```
 */
export class HTTPChannel implements IProtocol {
  /** The transport, once connected. Twisted's `transport`. */
  transport: ITransport | null = null;
  /** The factory tracking this channel, if any. */
  tracker: ChannelTracker | null = null;

  readonly #delegate: HTTPServerConnectionDelegate;
  readonly #settings: ServerSettings;
  readonly #reactor: IReactorTime;
  readonly #parser: HTTPRequestParser;

  #request: ServerRequest | null = null;
  /** Bytes read past a request whose response is not finished. */
  #buffer: Uint8Array | null = null;
  #feeding = false;
  #paused = false;
  #closing = false;
  #lost = false;
  #detached: IProtocol | null | undefined = undefined;
  #requests = 0;

  #timer: IDelayedCall | null = null;
  #timerAt = Infinity;
  #deadline = Infinity;
  #waiting = WAIT_NONE;

  /**
   * Creates the channel of one connection.
   *
   * @param delegate Makes a delegate for each request (`Site`, Tornado's
   * `HTTPServer`).
   * @param options Limits, timeouts and headers; see `HTTPServerOptions`.
   * @param reactor Whose clock runs the timeouts.
   * @throws {RangeError} An option is out of range.
   */
  constructor(
    delegate: HTTPServerConnectionDelegate,
    options: HTTPServerOptions = {},
    reactor: IReactorTime = defaultReactor,
  ) {
    this.#delegate = delegate;
    this.#settings = resolveServerOptions(options);
    this.#reactor = reactor;
    this.#parser = new HTTPRequestParser({
      onRequest: (head: RequestHead): void => this.#onRequest(head),
      onBody: (chunk: Uint8Array): void => this.#onBody(chunk),
      onComplete: (): void => this.#onComplete(),
    }, {
      maxHeaderSize: this.#settings.maxHeaderSize,
      maxBodySize: this.#settings.decompressRequest
        ? Infinity
        : this.#settings.maxBodySize,
    });
  }

  /** How many requests this connection has begun. */
  get requestCount(): number {
    return this.#requests;
  }

  /**
   * Whether no request is in progress: the connection waits for the next
   * one (or has not received any).
   */
  get idle(): boolean {
    return this.#request === null && !this.#parser.inProgress &&
      this.#detached === undefined;
  }

  /**
   * Connects the channel to its transport. Mirrors
   * `IProtocol.makeConnection`.
   *
   * @param transport The connection.
   */
  makeConnection(transport: ITransport): void {
    this.transport = transport;
    this.connectionMade();
  }

  /** Starts waiting for the first request. Mirrors `connectionMade`. */
  connectionMade(): void {
    const tcp = this.transport as Partial<ITCPTransport>;
    tcp.setTcpNoDelay?.(true);
    this.tracker?.channelOpened(this);
    this.#wait(WAIT_IDLE, this.#settings.idleConnectionTimeout);
  }

  /**
   * Parses received bytes and serves the requests in them. Mirrors
   * `HTTPChannel.dataReceived`.
   *
   * @param data The bytes read.
   */
  dataReceived(data: Uint8Array): void {
    const detached = this.#detached;
    if (detached !== undefined) {
      detached?.dataReceived(data);
      return;
    }
    if (this.#closing || data.length === 0) return;
    if (this.#buffer !== null) {
      this.#buffer = join(this.#buffer, data);
      this.#pause();
      return;
    }
    this.#process(data);
  }

  /**
   * The connection is gone: tells the request in progress, if any, and
   * stops the timer. Mirrors `connectionLost`.
   *
   * @param reason Why.
   */
  connectionLost(reason: Failure): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#closing = true;
    this.#cancelTimer();
    this.#buffer = null;
    const request = this.#request;
    this.#request = null;
    const failure = reason instanceof Failure ? reason : Failure.from(reason);
    request?.lost(failure);
    this.tracker?.channelClosed(this);
    const detached = this.#detached;
    if (detached) detached.connectionLost(failure);
  }

  /**
   * Closes the connection once the request in progress is answered, at once
   * if none is. For a graceful shutdown.
   */
  closeWhenIdle(): void {
    if (this.#closing || this.#detached !== undefined) return;
    if (this.#request === null && !this.#parser.inProgress) {
      this.#close();
    }
  }

  /** Drops the connection at once, whatever is in progress. */
  abort(): void {
    const transport = this.transport as Partial<ITCPTransport> | null;
    if (transport === null || this.#lost) return;
    this.#closing = true;
    if (transport.abortConnection !== undefined) transport.abortConnection();
    else transport.loseConnection?.();
  }

  // --- Reading ------------------------------------------------------------

  #process(data: Uint8Array): void {
    const parser = this.#parser;
    this.#feeding = true;
    try {
      for (let round = 0; data.length > 0 && !this.#closing; round++) {
        const request = this.#request;
        if (request !== null && parser.done) {
          // Pipelined: the next request waits for this response.
          this.#buffer = data;
          this.#pause();
          return;
        }
        if (request === null && !parser.inProgress) {
          this.#wait(WAIT_HEAD, this.#settings.headerTimeout);
        }
        let used: number;
        try {
          used = parser.feed(data);
        } catch (error) {
          this.#malformed(error);
          return;
        }
        data = data.subarray(used);
        if (parser.done && this.#request?.finished) this.#next();
      }
    } finally {
      this.#feeding = false;
    }
  }

  #onRequest(head: RequestHead): void {
    this.#requests++;
    const settings = this.#settings;
    const parser = this.#parser;
    const expectsBody = head.length !== 0;
    if (expectsBody) this.#wait(WAIT_BODY, settings.bodyTimeout);
    else this.#wait(WAIT_NONE, 0);
    const request = new ServerRequest(
      this,
      head,
      parser.keepAlive && !settings.noKeepAlive,
      this.#reactor.seconds(),
    );
    this.#request = request;
    const expect = head.headers.get("expect");
    let continues = false;
    if (expect !== undefined) {
      if (expect.toLowerCase() !== "100-continue") {
        this.#answer(417, request);
        return;
      }
      continues = head.version[2] === 1 && expectsBody;
    }
    if (settings.decompressRequest) this.#decodeBody(request, head.headers);
    let delegate: HTTPRequestDelegate;
    try {
      delegate = this.#delegate.startRequest(request);
      request.delegate = delegate;
      delegate.headersReceived(head);
    } catch (error) {
      this.#delegateFailed(request, error, "startRequest");
      return;
    }
    if (
      continues && !request.headWritten && !request.finished &&
      !this.#closing && this.#request === request
    ) {
      this.transport?.write(CONTINUE);
    }
  }

  #decodeBody(request: ServerRequest, headers: Headers): void {
    const encoding = headers.get("content-encoding");
    if (encoding === undefined) return;
    const coding = codingOf(encoding);
    if (coding === null) return;
    headers.removeHeader("content-encoding");
    headers.addRawHeader("X-Consumed-Content-Encoding", encoding);
    const limit = this.#settings.maxBodySize;
    let size = 0;
    request.decoder = new StreamDecoder(coding, {
      onData: (chunk) => {
        if (request.failed || request.dead) return;
        size += chunk.length;
        if (size > limit) {
          request.decoder?.abort();
          this.#tooLarge(request, new BodyTooLargeError(limit, size));
          return;
        }
        this.#callDelegate(request, "dataReceived", chunk);
      },
      onEnd: (error) => {
        if (request.failed || request.dead) return;
        if (error !== undefined) {
          httpLogger.debug("Undecodable request body: {error}", {
            error: describeError(error),
          });
          this.#answer(400, request);
          return;
        }
        this.#bodyDone(request);
      },
    });
  }

  #onBody(chunk: Uint8Array): void {
    const request = this.#request;
    if (request === null || request.failed || request.dead) return;
    if (request.decoder !== null) request.decoder.write(chunk);
    else this.#callDelegate(request, "dataReceived", chunk);
  }

  #onComplete(): void {
    const request = this.#request;
    if (this.#waiting === WAIT_BODY) this.#wait(WAIT_NONE, 0);
    if (request === null || request.failed || request.dead) return;
    if (request.decoder !== null) request.decoder.end();
    else this.#bodyDone(request);
  }

  #bodyDone(request: ServerRequest): void {
    request.bodyDone = true;
    this.#callDelegate(request, "finish");
  }

  #callDelegate(
    request: ServerRequest,
    what: "dataReceived" | "finish",
    chunk?: Uint8Array,
  ): void {
    const delegate = request.delegate;
    if (delegate === null) return;
    try {
      if (what === "finish") delegate.finish();
      else delegate.dataReceived(chunk as Uint8Array);
    } catch (error) {
      this.#delegateFailed(request, error, what);
    }
  }

  #delegateFailed(request: ServerRequest, error: unknown, what: string): void {
    if (request.failed) return;
    request.failed = true;
    logError(
      WEB,
      `Uncaught error in ${what} for ${request.head.method} ${request.head.target}: ${
        describeError(error)
      }`,
    );
    if (request.finished || request.dead) return;
    if (request.headWritten) this.abort();
    else this.#answer(500, request);
  }

  #tooLarge(request: ServerRequest, error: BodyTooLargeError): void {
    request.failed = true;
    httpLogger.debug("{message}", { message: error.message });
    request.delegate?.onConnectionClose(new Failure(error));
    if (request.headWritten) this.abort();
    else this.#answer(413, request);
  }

  /** The parser failed: answer its status (or abort) and close. */
  #malformed(error: unknown): void {
    const status = this.#parser.errorStatus || 400;
    httpLogger.debug("Malformed request, answered {status}: {message}", {
      status,
      message: error instanceof Error ? error.message : String(error),
    });
    const request = this.#request;
    if (request !== null && !request.finished && !request.failed) {
      request.failed = true;
      request.delegate?.onConnectionClose(Failure.from(error));
    }
    if (request !== null && request.headWritten) {
      if (!request.finished) this.abort();
      else this.#close();
      return;
    }
    this.#answer(status, request);
  }

  /**
   * Answers `status` with a short text body and `Connection: close`, then
   * closes: for what the engine rejects by itself.
   */
  #answer(status: number, request: ServerRequest | null): void {
    const transport = this.transport;
    if (transport === null || this.#closing) return;
    if (request !== null) {
      if (request.headWritten) {
        this.abort();
        return;
      }
      request.finishedBy(status);
    }
    const body = `${status} ${reasonPhrase(status)}\n`;
    const text = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n${
      this.#standardLines("")
    }Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const out = new Uint8Array(text.length);
    writeLatin1(text, out);
    transport.write(out);
    if (request !== null) this.#logAccess(request);
    this.#close();
  }

  // --- Writing (called by ServerRequest) -----------------------------------

  /** `Date` and `Server` lines for a head whose fields are `fields`. */
  #standardLines(fields: string): string {
    let lines = fields;
    lines += dateLine();
    const server = this.#settings.serverHeader;
    if (server !== null) lines += `Server: ${server}\r\n`;
    return lines;
  }

  /** @internal The head text of a response, framing lines included. */
  encodeHead(
    code: number,
    phrase: string,
    headers: Headers,
    framingLines: string,
  ): string {
    let text = `HTTP/1.1 ${code} ${phrase}\r\n`;
    for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
    if (!headers.hasHeader("date")) text += dateLine();
    const server = this.#settings.serverHeader;
    if (server !== null && !headers.hasHeader("server")) {
      text += `Server: ${server}\r\n`;
    }
    return `${text}${framingLines}\r\n`;
  }

  /** @internal Whether keep-alive is off for every response (draining). */
  get keepAliveAllowed(): boolean {
    return !this.#settings.noKeepAlive && !(this.tracker?.draining ?? false);
  }

  /** @internal Writes bytes of the current response. */
  send(data: Uint8Array): void {
    if (!this.#lost) this.transport?.write(data);
  }

  /** @internal A response is finished: serve the next request or close. */
  responseFinished(request: ServerRequest, close: boolean): void {
    this.#logAccess(request);
    if (this.#request !== request || this.#lost) return;
    if (close || !this.#parser.done || this.#closing) {
      if (!this.#parser.done) request.dead = true;
      this.#close();
      return;
    }
    if (this.#feeding) return; // #process goes on with the next request.
    this.#next();
    const buffered = this.#buffer;
    this.#buffer = null;
    this.#resume();
    if (buffered !== null) this.#process(buffered);
  }

  /** @internal Hands the connection over to another protocol. */
  detachFor(
    request: ServerRequest,
    protocol: IProtocol | undefined,
  ): { transport: ITransport; buffered: Uint8Array } {
    const transport = this.transport;
    if (transport === null || this.#closing || this.#request !== request) {
      throw new TypeError(
        "Cannot detach the connection: it is closing or serves another request",
      );
    }
    this.#cancelTimer();
    this.#waiting = WAIT_NONE;
    const buffered = this.#buffer ?? EMPTY;
    this.#buffer = null;
    this.#request = null;
    this.#detached = protocol ?? null;
    this.#resume();
    if (protocol !== undefined) {
      protocol.makeConnection(transport);
      if (buffered.length > 0) protocol.dataReceived(buffered);
    }
    return { transport, buffered };
  }

  /** @internal The client's address, after `xheaders`. */
  peerOf(request: ServerRequest): IAddress {
    const peer = (this.transport as ITransport).getPeer();
    if (!this.#settings.xheaders) return peer;
    const headers = request.head.headers;
    let ip = headers.get("x-real-ip");
    if (ip === undefined) {
      const forwarded = headers.getList("x-forwarded-for");
      const last = forwarded.length > 0
        ? forwarded[forwarded.length - 1].split(",").pop()?.trim()
        : undefined;
      ip = last;
    }
    ip = ip?.trim();
    if (ip === undefined || !isIP(ip)) return peer;
    return { type: "TCP", host: ip, port: peer.port };
  }

  /** @internal Whether the request came over TLS (or says so, under `xheaders`). */
  isSecureFor(request: ServerRequest): boolean {
    if (this.#settings.xheaders) {
      const headers = request.head.headers;
      const scheme = headers.get("x-scheme") ??
        headers.get("x-forwarded-proto")?.split(",").pop();
      if (scheme !== undefined) {
        const value = scheme.trim().toLowerCase();
        if (value === "https" || value === "http") return value === "https";
      }
    }
    return (this.transport as { tls?: boolean } | null)?.tls === true;
  }

  /** @internal Seconds on the channel's clock. */
  now(): number {
    return this.#reactor.seconds();
  }

  // --- Connection state ---------------------------------------------------

  #next(): void {
    this.#request = null;
    this.#parser.reset();
    this.#wait(WAIT_IDLE, this.#settings.idleConnectionTimeout);
    this.tracker?.channelIdle(this);
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#buffer = null;
    this.transport?.loseConnection();
    this.#wait(WAIT_LINGER, LINGER);
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    (this.transport as Partial<IPushProducer> | null)?.pauseProducing?.();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    (this.transport as Partial<IPushProducer> | null)?.resumeProducing?.();
  }

  #logAccess(request: ServerRequest): void {
    const hook = this.#delegate.logAccess;
    if (hook === undefined && !accessLogger.isEnabledFor("info")) return;
    const head = request.head;
    const entry: AccessLogEntry = {
      method: head.method,
      target: head.target,
      version: `HTTP/1.${head.version[2]}`,
      status: request.status,
      durationMs:
        Math.round((this.#reactor.seconds() - request.started) * 1e6) /
        1e3,
      peer: this.transport === null ? "" : this.peerOf(request).host,
      bytesSent: request.bytesSent,
      userAgent: head.headers.get("user-agent"),
      referer: head.headers.get("referer"),
    };
    if (hook === undefined) {
      accessLogger.info(
        "{status} {method} {target} ({peer}) {durationMs}ms",
        { ...entry },
      );
      return;
    }
    try {
      hook.call(this.#delegate, entry);
    } catch (error) {
      logError(WEB, `Uncaught error in logAccess: ${describeError(error)}`);
    }
  }

  // --- The one timer --------------------------------------------------------

  /**
   * Waits for `what` for at most `seconds` (0: without a limit). One timer
   * serves every wait: moving a deadline later costs nothing, the timer
   * re-arms itself when it fires early.
   */
  #wait(what: number, seconds: number): void {
    this.#waiting = what;
    if (what === WAIT_NONE || !(seconds > 0) || seconds === Infinity) {
      this.#deadline = Infinity;
      return;
    }
    const at = this.#reactor.seconds() + seconds;
    this.#deadline = at;
    if (this.#timer !== null && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#reactor.callLater(seconds, this.#onTimer);
  }

  #cancelTimer(): void {
    const timer = this.#timer;
    this.#timer = null;
    this.#timerAt = Infinity;
    this.#deadline = Infinity;
    if (timer !== null) timer.cancel();
  }

  #onTimer = (): void => {
    this.#timer = null;
    this.#timerAt = Infinity;
    const deadline = this.#deadline;
    if (deadline === Infinity || this.#lost) return;
    const now = this.#reactor.seconds();
    if (now < deadline) {
      this.#timerAt = deadline;
      this.#timer = this.#reactor.callLater(deadline - now, this.#onTimer);
      return;
    }
    this.#deadline = Infinity;
    this.#timedOut(this.#waiting);
  };

  #timedOut(what: number): void {
    httpLogger.debug("Connection timed out waiting for {what}", {
      what:
        ["nothing", "a request", "a request head", "a request body", "a flush"][
          what
        ],
    });
    switch (what) {
      case WAIT_IDLE:
        this.#close();
        return;
      case WAIT_HEAD:
      case WAIT_BODY: {
        const request = this.#request;
        if (request !== null && !request.failed) {
          request.failed = true;
          request.delegate?.onConnectionClose(
            new Failure(new Error("Timed out reading the request")),
          );
        }
        if (request !== null && request.headWritten) this.abort();
        else this.#answer(408, request);
        return;
      }
      default: // WAIT_LINGER
        this.abort();
    }
  }
}

/**
 * One request's side of the connection: the `HTTPServerRequestChannel` its
 * delegate answers on.
 */
class ServerRequest implements HTTPServerRequestChannel {
  readonly head: RequestHead;
  readonly started: number;
  delegate: HTTPRequestDelegate | null = null;
  decoder: StreamDecoder | null = null;
  /** The delegate threw, or the engine answered for it. */
  failed = false;
  /** The connection was lost or will close before the body is read. */
  dead = false;
  bodyDone = false;
  status = 0;
  bytesSent = 0;

  #channel: HTTPChannel;
  #keepAlive: boolean;
  #headWritten = false;
  #finished = false;
  #framing = FRAME_NONE;
  #remaining = 0;
  /** A head (and body pieces) held back to send as one write. */
  #pendingHead: string | null = null;
  #pendingBody: Uint8Array[] = [];
  #pendingSize = 0;
  #pendingHeaders: Headers | null = null;
  #producer: IProducer | null = null;

  constructor(
    channel: HTTPChannel,
    head: RequestHead,
    keepAlive: boolean,
    started: number,
  ) {
    this.#channel = channel;
    this.head = head;
    this.#keepAlive = keepAlive;
    this.started = started;
  }

  get headWritten(): boolean {
    return this.#headWritten;
  }

  get finished(): boolean {
    return this.#finished;
  }

  writeHead(
    code: number,
    phrase: string,
    headers: Headers,
    chunk?: Uint8Array | string,
  ): void {
    if (this.#headWritten || this.#finished) {
      throw new TypeError(
        `Cannot write the response head: ${
          this.#finished ? "the response is finished" : "it was already written"
        }`,
      );
    }
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw new RangeError(
        `Status code must be an integer from 100 to 999: current value is ${code}`,
      );
    }
    if (/[\r\n\0]/.test(phrase)) {
      throw new TypeError(
        `Reason phrase must not contain CR, LF or NUL: current value is ${
          JSON.stringify(phrase)
        }`,
      );
    }
    if (this.dead) return;
    const channel = this.#channel;
    if (code < 200 && code !== 101) {
      // An interim response (103 Early Hints): the final one follows.
      const text = channel.encodeHead(code, phrase, headers, "");
      channel.send(latin1Of(text));
      return;
    }
    this.#headWritten = true;
    this.status = code;
    const method = this.head.method;
    let keepAlive = this.#keepAlive && channel.keepAliveAllowed;
    const connection = headers.get("connection");
    if (connection !== undefined && /(^|,)\s*close\s*(,|$)/i.test(connection)) {
      keepAlive = false;
    }
    const bodyless = method === "HEAD" || code === 204 || code === 304 ||
      code === 101 || (method === "CONNECT" && code < 300);
    const length = headers.get("content-length");
    let framing = "";
    if (code === 101) {
      this.#framing = FRAME_NONE;
    } else if (bodyless) {
      this.#framing = FRAME_NONE;
    } else if (length !== undefined) {
      const n = Number(length);
      if (!/^\d+$/.test(length.trim()) || !Number.isSafeInteger(n)) {
        throw new TypeError(
          `Content-Length must be a non-negative integer: current value is ${
            JSON.stringify(length)
          }`,
        );
      }
      this.#framing = FRAME_LENGTH;
      this.#remaining = n;
    } else if (headers.hasHeader("transfer-encoding")) {
      headers.removeHeader("transfer-encoding");
      if (this.head.version[2] === 1) {
        this.#framing = FRAME_CHUNKED;
        framing += "Transfer-Encoding: chunked\r\n";
      } else {
        this.#framing = FRAME_CLOSE;
        keepAlive = false;
      }
    } else if (this.head.version[2] === 1) {
      // Held back: finish() in the same turn sends Content-Length instead.
      this.#framing = FRAME_CHUNKED;
      this.#keepAlive = keepAlive;
      this.#pendingHeaders = headers;
      this.#pendingHead = `${code} ${phrase}`;
      if (chunk !== undefined) this.#hold(toBytes(chunk));
      queueMicrotask(() => this.#commit());
      return;
    } else {
      this.#framing = FRAME_CLOSE;
      keepAlive = false;
    }
    this.#keepAlive = keepAlive;
    if (code !== 101) framing += this.#connectionLine(keepAlive);
    const text = channel.encodeHead(code, phrase, headers, framing);
    const body = chunk === undefined ? EMPTY : toBytes(chunk);
    this.#sendHead(text, body);
  }

  write(data: Uint8Array | string): void {
    if (this.#finished) {
      throw new TypeError("Cannot write the response: it is finished");
    }
    if (!this.#headWritten) {
      this.writeHead(200, "OK", new Headers());
    }
    if (this.dead) return;
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    if (this.#pendingHead !== null) {
      this.#hold(bytes);
      return;
    }
    this.#sendBody(bytes);
  }

  finish(): void {
    if (this.#finished) {
      if (this.dead) return;
      throw new TypeError("Cannot finish the response: it is finished");
    }
    if (!this.#headWritten) {
      this.writeHead(200, "OK", new Headers({ "Content-Length": "0" }));
    }
    this.#finished = true;
    if (this.dead) return;
    const channel = this.#channel;
    let close = !this.#keepAlive;
    if (this.#pendingHead !== null) {
      this.#commitWithLength();
    } else if (this.#framing === FRAME_CHUNKED) {
      channel.send(LAST_CHUNK);
    } else if (this.#framing === FRAME_LENGTH && this.#remaining > 0) {
      logError(
        WEB,
        `Response to ${this.head.method} ${this.head.target} finished ${this.#remaining} bytes short of its Content-Length`,
      );
      this.#releaseProducer();
      channel.abort();
      return;
    } else if (this.#framing === FRAME_CLOSE) {
      close = true;
    }
    this.#releaseProducer();
    channel.responseFinished(this, close);
  }

  registerProducer(producer: IProducer, streaming: boolean): void {
    this.#commit();
    this.#producer = producer;
    const transport = this.#channel.transport;
    if (transport === null || this.dead) {
      producer.stopProducing();
      return;
    }
    transport.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    if (this.#producer === null) return;
    this.#producer = null;
    this.#channel.transport?.unregisterProducer();
  }

  getPeer(): IAddress {
    return this.#channel.peerOf(this);
  }

  getHost(): IAddress {
    return (this.#channel.transport as ITransport).getHost();
  }

  isSecure(): boolean {
    return this.#channel.isSecureFor(this);
  }

  abort(): void {
    this.#channel.abort();
  }

  detach(
    protocol?: IProtocol,
  ): { transport: ITransport; buffered: Uint8Array } {
    if (this.#finished) {
      throw new TypeError(
        "Cannot detach the connection: the response is finished",
      );
    }
    this.#commit();
    this.#finished = true;
    this.#releaseProducer();
    return this.#channel.detachFor(this, protocol);
  }

  /** The engine answered for this request (`status`, then close). */
  finishedBy(status: number): void {
    this.#headWritten = true;
    this.#finished = true;
    this.status = status;
    this.#pendingHead = null;
  }

  /** The connection is gone before the response was finished. */
  lost(reason: Failure): void {
    this.decoder?.abort();
    const wasDead = this.dead;
    this.dead = true;
    this.#pendingHead = null;
    if (this.#finished || wasDead || this.failed) return;
    this.#finished = true;
    const delegate = this.delegate;
    if (delegate === null) return;
    try {
      delegate.onConnectionClose(reason);
    } catch (error) {
      logError(
        WEB,
        `Uncaught error in onConnectionClose: ${describeError(error)}`,
      );
    }
  }

  #connectionLine(keepAlive: boolean): string {
    if (!keepAlive) return "Connection: close\r\n";
    return this.head.version[2] === 0 ? "Connection: keep-alive\r\n" : "";
  }

  #sendHead(text: string, body: Uint8Array): void {
    const channel = this.#channel;
    let out: Uint8Array;
    if (body.length === 0 || this.#framing === FRAME_NONE) {
      out = latin1Of(text);
    } else if (this.#framing === FRAME_CHUNKED) {
      const size = `${body.length.toString(16)}\r\n`;
      out = new Uint8Array(text.length + size.length + body.length + 2);
      writeLatin1(text + size, out);
      out.set(body, text.length + size.length);
      out[out.length - 2] = 13;
      out[out.length - 1] = 10;
      this.bytesSent += body.length;
    } else {
      this.#checkLength(body.length);
      out = new Uint8Array(text.length + body.length);
      writeLatin1(text, out);
      out.set(body, text.length);
      this.bytesSent += body.length;
    }
    channel.send(out);
  }

  #sendBody(bytes: Uint8Array): void {
    const channel = this.#channel;
    switch (this.#framing) {
      case FRAME_NONE:
        return;
      case FRAME_CHUNKED:
        channel.send(encoder.encode(`${bytes.length.toString(16)}\r\n`));
        channel.send(bytes);
        channel.send(CRLF);
        break;
      case FRAME_LENGTH:
        this.#checkLength(bytes.length);
        channel.send(bytes);
        break;
      default:
        channel.send(bytes);
    }
    this.bytesSent += bytes.length;
  }

  #checkLength(size: number): void {
    if (size > this.#remaining) {
      throw new RangeError(
        `Cannot write ${size} bytes: the response's Content-Length leaves ${this.#remaining}`,
      );
    }
    this.#remaining -= size;
  }

  #hold(bytes: Uint8Array): void {
    this.#pendingBody.push(bytes);
    this.#pendingSize += bytes.length;
    if (this.#pendingSize > PENDING_LIMIT) this.#commit();
  }

  /** Sends a held-back head as chunked, with what was written so far. */
  #commit(): void {
    const status = this.#pendingHead;
    if (status === null || this.dead) return;
    this.#pendingHead = null;
    const headers = this.#pendingHeaders as Headers;
    this.#pendingHeaders = null;
    const space = status.indexOf(" ");
    const text = this.#channel.encodeHead(
      Number(status.slice(0, space)),
      status.slice(space + 1),
      headers,
      `Transfer-Encoding: chunked\r\n${this.#connectionLine(this.#keepAlive)}`,
    );
    const pieces = this.#pendingBody;
    this.#pendingBody = [];
    this.#pendingSize = 0;
    this.#sendHead(text, pieces.length === 1 ? pieces[0] : join(...pieces));
  }

  /** Sends a held-back head with Content-Length and the whole body at once. */
  #commitWithLength(): void {
    const status = this.#pendingHead as string;
    this.#pendingHead = null;
    const headers = this.#pendingHeaders as Headers;
    this.#pendingHeaders = null;
    const pieces = this.#pendingBody;
    this.#pendingBody = [];
    const body = pieces.length === 0
      ? EMPTY
      : pieces.length === 1
      ? pieces[0]
      : join(...pieces);
    this.#pendingSize = 0;
    this.#framing = FRAME_LENGTH;
    this.#remaining = body.length;
    const space = status.indexOf(" ");
    const text = this.#channel.encodeHead(
      Number(status.slice(0, space)),
      status.slice(space + 1),
      headers,
      `Content-Length: ${body.length}\r\n${
        this.#connectionLine(this.#keepAlive)
      }`,
    );
    this.#sendHead(text, body);
  }

  #releaseProducer(): void {
    if (this.#producer !== null) this.unregisterProducer();
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

function latin1Of(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  writeLatin1(text, out);
  return out;
}

function join(...pieces: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const piece of pieces) size += piece.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Whether `text` is an IPv4 or IPv6 address, as Tornado's `is_valid_ip`. */
function isIP(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!text.includes(":") || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}
