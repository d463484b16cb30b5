/**
 * `HTTPChannel`: the server side of one HTTP/1.1 connection, as Twisted's
 * `twisted.web.http.HTTPChannel` and Tornado's `HTTP1ServerConnection` with
 * its `HTTP1Connection`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { describeError, logError } from "../_util/log_error.ts";
import { TimeoutError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
  ITransport,
} from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { codingOf, StreamDecoder } from "./_decoder.ts";
import { dateLine } from "./_date_cache.ts";
import {
  HTTPRequestParser,
  type RequestParserHandler,
} from "./_http_request_parser.ts";
import { versionText } from "./_message_parser.ts";
import { latin1Bytes } from "./_latin1.ts";
import { reasonPhrase } from "./_responses.ts";
import { type RequestConnection, ServerRequest } from "./_server_request.ts";
import {
  type ChannelTracker,
  resolveServerOptions,
  type ServerSettings,
} from "./_server_settings.ts";
import { BodyTooLargeError } from "./errors.ts";
import { getByKey, hasKey, type Headers } from "./headers.ts";
import { HeadText } from "./_head_text.ts";
import { type TimeoutQueue, TimeoutQueues } from "./_timeout_queue.ts";
import type {
  AccessLogEntry,
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
  RequestHead,
} from "./server_interfaces.ts";

const accessLogger = getLogger(["torsion", "access"]);
const httpLogger = getLogger(["torsion", "http"]);
const WEB = ["torsion", "web"] as const;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const CONTINUE = encoder.encode("HTTP/1.1 100 Continue\r\n\r\n");

// What the connection's one timer is waiting for.
const WAIT_NONE = 0;
const WAIT_IDLE = 1;
const WAIT_HEAD = 2;
const WAIT_BODY = 3;
const WAIT_LINGER = 4;

/** How long a closing connection may take to flush before it is aborted. */
const LINGER = 30;

/**
 * While the client is not reading, response bytes wait in the channel and
 * go to the transport this many at a time, one piece per drain: the write
 * timeout then measures the client's progress, not how long it takes to
 * read the largest single write.
 */
const SLICE = 65536;
/**
 * A write this small goes to the transport whole when nothing waits
 * before it: one socket write, uncopied (a 100 KiB file costs a third
 * more when cut in two).
 */
const WHOLE = 262144;

/**
 * The settings resolved from each options object: the channels of one
 * factory share its (read-only) options, and so one settings object.
 */
const resolved = new WeakMap<HTTPServerOptions, ServerSettings>();

function settingsFor(options: HTTPServerOptions): ServerSettings {
  let settings = resolved.get(options);
  if (settings === undefined) {
    settings = resolveServerOptions(options);
    resolved.set(options, settings);
  }
  return settings;
}

/**
 * Parsers between requests, for the next request of any channel with the
 * same settings: a busy server reuses a few instead of making one per
 * request, and idle connections hold none.
 */
const spareParsers = new WeakMap<ServerSettings, HTTPRequestParser[]>();
const MAX_SPARE_PARSERS = 64;

/** The spare parsers for `settings`, made when first asked for. */
function sparesFor(settings: ServerSettings): HTTPRequestParser[] {
  let spares = spareParsers.get(settings);
  if (spares === undefined) {
    spares = [];
    spareParsers.set(settings, spares);
  }
  return spares;
}

/**
 * A channel's link: its requests' connection, its parser's handler and the
 * push producer it registers on its transport.
 */
interface ChannelLink
  extends RequestConnection, RequestParserHandler, IPushProducer {}

// The factory that builds a channel tracks it through this, set once by the
// class below, so that the tracker stays out of the public API.
let setTracker: (
  channel: HTTPChannel,
  tracker: ChannelTracker<HTTPChannel>,
) => void;

/**
 * Makes `tracker` (an `HTTPFactory`) hear the channel's connection open,
 * idle and close. Not part of the public API (`mod.ts` does not export it).
 *
 * @param channel A channel not yet connected.
 * @param tracker The factory's tracker.
 */
export function trackChannel(
  channel: HTTPChannel,
  tracker: ChannelTracker<HTTPChannel>,
): void {
  setTracker(channel, tracker);
}

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
 * slowly (408). It registers itself as the transport's producer, as
 * Twisted's `HTTPChannel` does, so a client that stops reading pauses the
 * response's producer and the next pipelined request, and is aborted after
 * `writeTimeout`. A delegate that throws gets the client a 500 (or an aborted
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
 * import { Failure } from "@torsion/torsion/deferred";
 * import { Headers, HTTPChannel } from "@torsion/torsion/http";
 * import { ConnectionDone } from "@torsion/torsion/reactor";
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
 * channel.connectionLost(new Failure(new ConnectionDone()));
 * ```
 */
export class HTTPChannel implements IProtocol {
  /** The transport, once connected. Twisted's `transport`. */
  transport: ITransport | null = null;
  /**
   * The channel copies what it keeps of the bytes it is given (a request
   * waiting behind another, the rest handed to a protocol it detached
   * for), so a transport may lend it a view of its read buffer.
   */
  readonly readsInPlace = true;

  readonly #delegate: HTTPServerConnectionDelegate;
  readonly #settings: ServerSettings;
  /** The spare parsers of connections with these settings. */
  readonly #spares: HTTPRequestParser[];
  readonly #reactor: IReactorTime;
  /**
   * The parser of the request being read or answered. Between requests
   * the channel holds none: it goes back to the spare parsers of its
   * settings, so that an idle connection does not keep one.
   */
  #parser: HTTPRequestParser | null = null;
  #tracker: ChannelTracker<HTTPChannel> | null = null;

  #request: ServerRequest | null = null;
  /** Bytes read past a request whose response is not finished. */
  #buffer: Uint8Array | null = null;
  #feeding = false;
  /** The clock's time when the current read began to be processed. */
  #stamp = 0;
  #paused = false;
  #closing = false;
  #lost = false;
  #detached: IProtocol | null | undefined = undefined;
  #requests = 0;

  /** The queue whose timeout the connection waits out: see `#wait`. */
  #timeout: TimeoutQueue<HTTPChannel> | null = null;
  #waiting = WAIT_NONE;

  /**
   * The channel's side of its requests, parser and transport in one
   * object: see `ChannelLink`.
   */
  readonly #link: ChannelLink;
  /**
   * Registered instead of the link while a response has a pull producer;
   * made the first time one does.
   */
  #pullAsker: IPullProducer | null = null;
  #flowRegistered = false;
  /** The current response's producer, and whether it is on the transport itself. */
  #producer: IProducer | null = null;
  #producerStreaming = false;
  #producerOnTransport = false;
  /** Whether the transport holds more than it wants: the client is not reading. */
  #blocked = false;
  /** Response bytes held back while blocked, sent a slice per drain; made for the first. */
  #held: Uint8Array[] | null = null;
  #writeTimer: IDelayedCall | null = null;

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
    this.#settings = settingsFor(options);
    this.#spares = sparesFor(this.#settings);
    this.#reactor = reactor;
    this.#link = new HTTPChannel.#Link(this);
  }

  static {
    setTracker = (channel, tracker) => {
      channel.#tracker = tracker;
    };
  }

  /**
   * What each channel's requests, parser and transport call it through:
   * methods on a prototype, inside the class so that they reach its private
   * members. Object literals of arrow functions cost a closure per method
   * per connection, and every idle connection keeps them.
   */
  static #Link = class implements ChannelLink {
    readonly #channel: HTTPChannel;

    constructor(channel: HTTPChannel) {
      this.#channel = channel;
    }

    transport(): ITransport | null {
      return this.#channel.transport;
    }

    keepAliveAllowed(): boolean {
      return this.#channel.#keepAliveAllowed;
    }

    bodyPending(request: ServerRequest): boolean {
      const channel = this.#channel;
      return channel.#request === request && channel.#parser?.done === false;
    }

    encodeHead(
      code: number,
      phrase: string,
      headers: Headers,
      framing: string,
    ): HeadText {
      return this.#channel.#encodeHead(code, phrase, headers, framing);
    }

    send(data: Uint8Array): void {
      this.#channel.#send(data);
    }

    registerProducer(producer: IProducer, streaming: boolean): void {
      this.#channel.#registerProducer(producer, streaming);
    }

    unregisterProducer(): void {
      this.#channel.#unregisterProducer();
    }

    responseFinished(request: ServerRequest, close: boolean): void {
      this.#channel.#responseFinished(request, close);
    }

    detachFor(
      request: ServerRequest,
      protocol: IProtocol | undefined,
    ): { transport: ITransport; buffered: Uint8Array } {
      return this.#channel.#detachFor(request, protocol);
    }

    peerOf(request: ServerRequest): IAddress {
      return this.#channel.#peerOf(request);
    }

    isSecureFor(request: ServerRequest): boolean {
      return this.#channel.#isSecureFor(request);
    }

    abort(): void {
      this.#channel.abort();
    }

    seconds(): number {
      return this.#channel.#reactor.seconds();
    }

    onRequest(head: RequestHead): void {
      this.#channel.#onRequest(head);
    }

    onBody(chunk: Uint8Array): void {
      this.#channel.#onBody(chunk);
    }

    onComplete(): void {
      this.#channel.#onComplete();
    }

    // Registered on the transport as its push producer, as Twisted's
    // HTTPChannel registers itself: the transport pauses it when the client
    // stops reading and resumes it once what was queued has drained.
    pauseProducing(): void {
      this.#channel.#writeBlocked();
    }

    resumeProducing(): void {
      this.#channel.#writeDrained();
    }

    stopProducing(): void {
      this.#channel.#stopProducer();
    }
  };

  /** How many requests this connection has begun. */
  get requestCount(): number {
    return this.#requests;
  }

  /**
   * Whether no request is in progress: the connection waits for the next
   * one (or has not received any).
   */
  get idle(): boolean {
    return this.#request === null && this.#parser?.inProgress !== true &&
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
    this.#tracker?.channelOpened(this);
    this.#registerFlow();
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
      detached?.dataReceived(lentTo(detached, data));
      return;
    }
    if (this.#closing || data.length === 0) return;
    if (this.#buffer !== null) {
      this.#buffer = joinChunks(
        [this.#buffer, data],
        this.#buffer.length + data.length,
      );
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
    this.#cancelWriteTimer();
    this.#flowRegistered = false;
    this.#buffer = null;
    this.#held = null;
    this.#stopProducer();
    const request = this.#request;
    this.#request = null;
    const failure = reason instanceof Failure ? reason : Failure.from(reason);
    request?.lost(failure);
    this.#tracker?.channelClosed(this);
    const detached = this.#detached;
    if (detached) detached.connectionLost(failure);
  }

  /**
   * Closes the connection once the request in progress is answered, at once
   * if none is. For a graceful shutdown.
   */
  closeWhenIdle(): void {
    if (this.#closing || this.#detached !== undefined) return;
    if (this.#request === null && this.#parser?.inProgress !== true) {
      this.#close();
    }
  }

  /** Drops the connection at once, whatever is in progress. */
  abort(): void {
    const transport = this.transport as Partial<ITCPTransport> | null;
    if (transport === null || this.#lost) return;
    this.#closing = true;
    if (transport.abortConnection !== undefined) {
      transport.abortConnection();
      return;
    }
    // A close that waits for the flow producer would wait for the client.
    this.#unregisterFlow();
    transport.loseConnection?.();
  }

  // --- Reading ------------------------------------------------------------

  #process(data: Uint8Array): void {
    this.#feeding = true;
    this.#stamp = this.#reactor.seconds();
    try {
      while (data.length > 0 && !this.#closing) {
        const parser = this.#parser ?? this.#takeParser();
        const request = this.#request;
        if (request !== null && parser.done) {
          // Pipelined: the next request waits for this response.
          this.#buffer = data.slice();
          this.#pause();
          return;
        }
        if (request === null && !parser.inProgress && this.#blocked) {
          // The client reads none of the responses: no new one until it does.
          this.#buffer = data.slice();
          this.#pause();
          return;
        }
        let used: number;
        try {
          used = parser.feed(data);
        } catch (error) {
          this.#malformed(error);
          return;
        }
        // The whole read is the common case: no empty view to make.
        data = used === data.length ? EMPTY : data.subarray(used);
        const detached = this.#detached;
        if (detached !== undefined) {
          // Detached while its request was parsed: the rest is the new
          // protocol's.
          if (data.length > 0) detached?.dataReceived(lentTo(detached, data));
          return;
        }
        if (parser.done) {
          if (this.#request === null) return;
          if (this.#request.finished) this.#next();
        } else {
          this.#waitForRest();
          if (used === 0) return;
        }
      }
    } finally {
      this.#feeding = false;
    }
  }

  #onRequest(head: RequestHead): void {
    this.#requests++;
    const settings = this.#settings;
    const parser = this.#parser as HTTPRequestParser;
    const expectsBody = head.length !== 0;
    // The body's wait starts when a read ends before it does (#waitForRest).
    this.#wait(WAIT_NONE, 0);
    const request = new ServerRequest(
      this.#link,
      head,
      parser.keepAlive && !settings.noKeepAlive,
      this.#now(),
    );
    this.#request = request;
    const expect = getByKey(head.headers, "expect");
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

  /**
   * The engine ends `request`'s connection for `reason`: the delegate hears
   * it once, now, and what it writes or finishes from now on (before
   * connectionLost arrives, a turn later on a TCP transport) is dropped as
   * after it, not logged as a response finished short.
   */
  #closingOn(request: ServerRequest, reason: Failure): void {
    if (request.failed) return;
    request.failed = true;
    request.dead = true;
    request.delegate?.onConnectionClose(reason);
  }

  #tooLarge(request: ServerRequest, error: BodyTooLargeError): void {
    httpLogger.debug("{message}", { message: error.message });
    this.#closingOn(request, new Failure(error));
    if (request.headWritten) this.abort();
    else this.#answer(413, request);
  }

  /** The parser failed: answer its status (or abort) and close. */
  #malformed(error: unknown): void {
    const status = this.#parser?.errorStatus || 400;
    httpLogger.debug("Malformed request, answered {status}: {message}", {
      status,
      message: error instanceof Error ? error.message : String(error),
    });
    const request = this.#request;
    if (request !== null && !request.finished) {
      this.#closingOn(request, Failure.from(error));
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
    transport.write(latin1Bytes(text));
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

  /** The head of a response, framing lines and its blank line included. */
  #encodeHead(
    code: number,
    phrase: string,
    headers: Headers,
    framingLines: string,
  ): HeadText {
    const head = new HeadText().add(statusLine(code, phrase)).addFields(
      headers,
    );
    if (!hasKey(headers, "date")) head.add(dateLine());
    const server = this.#settings.serverHeader;
    if (server !== null && !hasKey(headers, "server")) {
      head.add(serverLine(server));
    }
    return head.add(framingLines).add("\r\n");
  }

  /** Whether responses may keep the connection alive (not draining). */
  get #keepAliveAllowed(): boolean {
    return !this.#settings.noKeepAlive && !(this.#tracker?.draining ?? false);
  }

  /** Writes bytes of the current response. */
  #send(data: Uint8Array): void {
    const transport = this.transport;
    if (this.#lost || transport === null) return;
    if (
      !this.#blocked && data.length <= WHOLE && !(this.#held?.length)
    ) {
      transport.write(data);
      return;
    }
    (this.#held ??= []).push(data);
    this.#flushHeld();
  }

  /** Gives the transport held bytes, a slice at a time, until it is full. */
  #flushHeld(): void {
    const held = this.#held;
    if (held === null) return;
    const transport = this.transport as ITransport;
    while (held.length > 0 && !this.#blocked && !this.#lost) {
      const piece = held[0];
      if (piece.length <= SLICE) {
        held.shift();
        transport.write(piece);
      } else {
        held[0] = piece.subarray(SLICE);
        transport.write(piece.subarray(0, SLICE));
      }
    }
  }

  /** A response is finished: serve the next request or close. */
  #responseFinished(request: ServerRequest, close: boolean): void {
    this.#logAccess(request);
    if (this.#request !== request || this.#lost) return;
    const bodyPending = this.#parser?.done === false;
    if (close || bodyPending || this.#closing) {
      if (bodyPending) request.dead = true;
      this.#close();
      return;
    }
    if (this.#feeding) return; // #process goes on with the next request.
    this.#next();
    this.#readBuffered();
  }

  /** Goes on reading, with the bytes held while a response was pending. */
  #readBuffered(): void {
    const buffered = this.#buffer;
    this.#buffer = null;
    this.#resume();
    if (buffered !== null) this.#process(buffered);
  }

  /** Hands the connection over to another protocol. */
  #detachFor(
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
    this.#unregisterFlow();
    this.#cancelWriteTimer();
    this.#blocked = false;
    // What the response left held goes first, before the new protocol's.
    this.#flushHeld();
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

  /** The client's address, after `xheaders`. */
  #peerOf(request: ServerRequest): IAddress {
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

  /** Whether the request came over TLS (or says so, under `xheaders`). */
  #isSecureFor(request: ServerRequest): boolean {
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

  // --- Connection state ---------------------------------------------------

  #next(): void {
    this.#request = null;
    this.#releaseParser();
    this.#wait(WAIT_IDLE, this.#settings.idleConnectionTimeout);
    this.#tracker?.channelIdle(this);
  }

  #takeParser(): HTTPRequestParser {
    const settings = this.#settings;
    let parser = this.#spares.pop();
    if (parser === undefined) {
      parser = new HTTPRequestParser(this.#link, {
        maxHeaderSize: settings.maxHeaderSize,
        // With decompressRequest the decoded size is checked as well.
        maxBodySize: settings.maxBodySize,
      });
    } else {
      parser.rebind(this.#link);
    }
    this.#parser = parser;
    return parser;
  }

  #releaseParser(): void {
    const parser = this.#parser;
    this.#parser = null;
    if (parser === null || parser.failed) return;
    parser.reset();
    const spares = this.#spares;
    if (spares.length < MAX_SPARE_PARSERS) spares.push(parser);
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#buffer = null;
    // A blocked response keeps the flow producer registered, which holds the
    // close until it drains and what the channel holds is sent; the write
    // timeout bounds the wait (without one, the linger bound does).
    const blocked = this.#blocked && this.#flowRegistered;
    if (!blocked) this.#unregisterFlow();
    this.transport?.loseConnection();
    if (this.#lost) return;
    if (blocked && this.#writeTimer !== null) this.#wait(WAIT_NONE, 0);
    else this.#wait(WAIT_LINGER, LINGER);
  }

  // --- Flow control ----------------------------------------------------------

  #registerFlow(): void {
    const transport = this.transport;
    if (this.#flowRegistered || transport === null || this.#closing) return;
    transport.registerProducer(this.#link, true);
    this.#flowRegistered = !this.#lost;
  }

  #unregisterFlow(): void {
    if (!this.#flowRegistered) return;
    this.#flowRegistered = false;
    this.transport?.unregisterProducer();
  }

  /** A response's producer, through the link (push) or `#pullAsker` (pull). */
  #registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new TypeError(
        "Cannot register a producer: another producer is registered and was never unregistered",
      );
    }
    const transport = this.transport as ITransport;
    this.#producer = producer;
    this.#producerStreaming = streaming;
    if (streaming && this.#flowRegistered) {
      if (this.#blocked) (producer as IPushProducer).pauseProducing();
      return;
    }
    // The transport asks a pull producer whenever it drains: it must see one.
    this.#unregisterFlow();
    this.#cancelWriteTimer();
    this.#blocked = false;
    this.#flushHeld();
    this.#producerOnTransport = true;
    transport.registerProducer(
      streaming ? producer : this.#pullAsker ??= {
        resumeProducing: (): void => {
          const producer = this.#producer;
          if (producer === null) return;
          // The transport asks again once this piece has drained.
          this.#armWriteTimer();
          producer.resumeProducing();
        },
        stopProducing: (): void => this.#stopProducer(),
      },
      streaming,
    );
  }

  #unregisterProducer(): void {
    if (this.#producer === null) return;
    this.#producer = null;
    if (!this.#producerOnTransport) return;
    this.#producerOnTransport = false;
    this.#cancelWriteTimer();
    if (this.#lost) return;
    this.transport?.unregisterProducer();
    this.#registerFlow();
  }

  /** Stops the response's producer: the connection is gone. */
  #stopProducer(): void {
    const producer = this.#producer;
    if (producer === null) return;
    this.#producer = null;
    this.#producerOnTransport = false;
    try {
      producer.stopProducing();
    } catch (error) {
      logError(WEB, `Uncaught error in stopProducing: ${describeError(error)}`);
    }
  }

  /** The transport's buffer is full: the client is not reading. */
  #writeBlocked(): void {
    // Each write past the mark says so again: only the first starts the clock.
    if (this.#blocked) return;
    this.#blocked = true;
    const producer = this.#producer;
    if (producer !== null && this.#producerStreaming) {
      (producer as IPushProducer).pauseProducing();
    }
    this.#armWriteTimer();
  }

  /** What the transport held has been sent. */
  #writeDrained(): void {
    this.#blocked = false;
    this.#cancelWriteTimer();
    if (this.#lost) return;
    this.#flushHeld();
    if (this.#blocked) return;
    if (this.#closing) {
      this.#unregisterFlow();
      this.#wait(WAIT_LINGER, LINGER);
      return;
    }
    const producer = this.#producer;
    if (producer !== null && this.#producerStreaming) {
      (producer as IPushProducer).resumeProducing();
    }
    if (this.#request === null && !this.#feeding) this.#readBuffered();
  }

  #armWriteTimer(): void {
    const seconds = this.#settings.writeTimeout;
    if (this.#lost || !(seconds > 0) || seconds === Infinity) return;
    this.#writeTimer?.cancel();
    // A closure per arming: only a client that stops reading arms it, and
    // one kept per connection would cost every idle connection.
    this.#writeTimer = this.#reactor.callLater(
      seconds,
      () => this.#onWriteTimeout(),
    );
  }

  #cancelWriteTimer(): void {
    const timer = this.#writeTimer;
    this.#writeTimer = null;
    timer?.cancel();
  }

  #onWriteTimeout(): void {
    this.#writeTimer = null;
    if (this.#lost) return;
    const seconds = this.#settings.writeTimeout;
    httpLogger.debug(
      "Connection timed out: the client left the response unread for {seconds} s",
      {
        seconds,
      },
    );
    const request = this.#request;
    if (request !== null && !request.finished) {
      this.#closingOn(
        request,
        new Failure(
          new TimeoutError(
            `Timed out writing the response: the client left it unread for ${seconds} s`,
          ),
        ),
      );
    }
    this.#stopProducer();
    this.abort();
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    (this.transport as Partial<IPushProducer> | null)?.pauseProducing?.();
  }

  #resume(): void {
    if (!this.#paused || this.#blocked) return;
    this.#paused = false;
    (this.transport as Partial<IPushProducer> | null)?.resumeProducing?.();
  }

  #logAccess(request: ServerRequest): void {
    const delegate = this.#delegate;
    const hook = delegate.logAccess;
    if (hook === undefined) {
      if (!accessLogger.isEnabledFor("info")) return;
    } else if (delegate.logsAccess !== undefined && !delegate.logsAccess()) {
      return;
    }
    const head = request.head;
    const entry: AccessLogEntry = {
      method: head.method,
      target: head.target,
      version: versionText(head.version),
      status: request.status,
      durationMs:
        Math.round((this.#reactor.seconds() - request.started) * 1e6) /
        1e3,
      peer: this.transport === null ? "" : this.#peerOf(request).host,
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
      hook.call(delegate, entry);
    } catch (error) {
      logError(WEB, `Uncaught error in logAccess: ${describeError(error)}`);
    }
  }

  // --- Timeouts ------------------------------------------------------------

  /**
   * The timeout queues of every channel: the channels that wait the same
   * number of seconds on one clock share one timer (see `TimeoutQueue`).
   */
  static #timeouts = new TimeoutQueues<HTTPChannel>((channel) => {
    channel.#timeout = null;
    const what = channel.#waiting;
    if (what !== WAIT_NONE) channel.#timedOut(what);
  });

  /**
   * Waits for `what` for at most `seconds` (0: without a limit), in the
   * queue of the channels that wait as long. Waiting for nothing (a request
   * being answered) leaves the channel in its queue: it most often comes
   * back to the same queue after the request, and moves to its end then;
   * if its old deadline comes first, the queue's call finds it waiting for
   * nothing and does nothing.
   */
  #wait(what: number, seconds: number): void {
    this.#waiting = what;
    if (what === WAIT_NONE) return;
    const queue = this.#lost || !(seconds > 0) || seconds === Infinity
      ? null
      : HTTPChannel.#timeouts.get(this.#reactor, seconds);
    const current = this.#timeout;
    if (current !== null && current !== queue) current.delete(this);
    this.#timeout = queue;
    queue?.add(this, this.#now() + seconds);
  }

  /**
   * A read ended inside a request: the rest of its head, or of its body,
   * has to come in time. Started after the read rather than before, so
   * that a request read whole, as most are, joins no queue.
   */
  #waitForRest(): void {
    if (this.#closing) return;
    if (this.#request === null) {
      if (this.#waiting !== WAIT_HEAD) {
        this.#wait(WAIT_HEAD, this.#settings.headerTimeout);
      }
    } else if (this.#waiting === WAIT_NONE) {
      this.#wait(WAIT_BODY, this.#settings.bodyTimeout);
    }
  }

  /** The clock's time; one reading serves all the requests of a read. */
  #now(): number {
    return this.#feeding ? this.#stamp : this.#reactor.seconds();
  }

  /** Leaves the timeout queues for good (the connection is lost or detached). */
  #cancelTimer(): void {
    this.#timeout?.delete(this);
    this.#timeout = null;
    HTTPChannel.#timeouts.stopIfEmpty(this.#reactor);
  }

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
        if (request !== null) {
          this.#closingOn(
            request,
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

/** `data` for `protocol`: as it is if it reads in place, else a copy. */
function lentTo(protocol: IProtocol | null, data: Uint8Array): Uint8Array {
  return protocol === null || protocol.readsInPlace === true
    ? data
    : data.slice();
}

/**
 * The status line last made and what it was made of: most responses
 * repeat it, and one piece of the head in place of five leaves fewer to
 * gather and to compare with the last head (see `HeadText`).
 */
let lastCode = 0;
let lastPhrase = "";
let lastStatusLine = "";

/** `HTTP/1.1 <code> <phrase>\r\n`. */
function statusLine(code: number, phrase: string): string {
  if (code !== lastCode || phrase !== lastPhrase) {
    lastCode = code;
    lastPhrase = phrase;
    lastStatusLine = `HTTP/1.1 ${code} ${phrase}\r\n`;
  }
  return lastStatusLine;
}

/** The `Server` line last made, and its value (see `statusLine`). */
let lastServer: string | null = null;
let lastServerLine = "";

/** `Server: <server>\r\n`. */
function serverLine(server: string): string {
  if (server !== lastServer) {
    lastServer = server;
    lastServerLine = `Server: ${server}\r\n`;
  }
  return lastServerLine;
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
