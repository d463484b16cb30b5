/**
 * One request's side of a server connection: the
 * `HTTPServerRequestChannel` a request delegate answers on, which frames
 * the response (Content-Length, chunked or close-delimited) and holds a
 * small response back to send it with its head in one write.
 *
 * @module
 */
import { describeError, logError } from "../_util/log_error.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  ITransport,
} from "../reactor/interfaces.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import type { StreamDecoder } from "./_decoder.ts";
import type { HeadText } from "./_head_text.ts";
import { allocate } from "../_util/slab.ts";
import { joinedResponse } from "./_shared_body.ts";
import { encodeUtf8 } from "../_util/utf8.ts";
import { getByKey, Headers } from "./headers.ts";
import type {
  HTTPRequestDelegate,
  HTTPServerRequestChannel,
  RequestHead,
} from "./server_interfaces.ts";

const WEB = ["torsion", "web"] as const;
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const LAST_CHUNK = encoder.encode("0\r\n\r\n");
const CRLF = encoder.encode("\r\n");

// How a response body is delimited.
const FRAME_NONE = 0;
const FRAME_LENGTH = 1;
const FRAME_CHUNKED = 2;
const FRAME_CLOSE = 3;

/**
 * The reason phrase last found free of CR, LF and NUL: most responses
 * repeat it, and it need not be checked again.
 */
let checkedPhrase = "OK";
/**
 * The `Content-Length` last found valid and its value: most responses of
 * a server repeat the length of the one before (see `checkedPhrase`).
 */
let checkedLength = "0";
let checkedLengthValue = 0;

/** A response body this small is sent with its head in one write. */
const PENDING_LIMIT = 65536;
/**
 * A head and body larger than this together go as two writes: copying a
 * large body behind its head costs more than the second write.
 */
const JOIN_LIMIT = 65536;

/** What a {@linkcode ServerRequest} needs of its connection. */
export interface RequestConnection {
  /** The connection's transport, once connected. */
  transport(): ITransport | null;
  /** Whether responses may keep the connection alive (not draining). */
  keepAliveAllowed(): boolean;
  /**
   * Whether the request's body has not all been read: a response finished
   * now closes the connection.
   */
  bodyPending(request: ServerRequest): boolean;
  /** The head of a response, `Date`, `Server` and `framingLines` added. */
  encodeHead(
    code: number,
    phrase: string,
    headers: Headers,
    framingLines: string,
  ): HeadText;
  /** Writes bytes of the response. */
  send(data: Uint8Array): void;
  /** The response is finished: serve the next request or close. */
  responseFinished(request: ServerRequest, close: boolean): void;
  /** Attaches the response's producer to the connection. */
  registerProducer(producer: IProducer, streaming: boolean): void;
  /** Detaches the response's producer. */
  unregisterProducer(): void;
  /** Hands the connection over to another protocol. */
  detachFor(
    request: ServerRequest,
    protocol: IProtocol | undefined,
  ): { transport: ITransport; buffered: Uint8Array };
  /** The client's address, after `xheaders`. */
  peerOf(request: ServerRequest): IAddress;
  /** Whether the request came over TLS (or says so, under `xheaders`). */
  isSecureFor(request: ServerRequest): boolean;
  /** Drops the connection at once. */
  abort(): void;
  /** The reactor's clock, in seconds. */
  seconds(): number;
}

/**
 * One request's side of the connection: the `HTTPServerRequestChannel` its
 * delegate answers on.
 */
export class ServerRequest implements HTTPServerRequestChannel {
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

  #channel: RequestConnection;
  #keepAlive: boolean;
  #headWritten = false;
  #finished = false;
  #framing = FRAME_NONE;
  #remaining = 0;
  /** A head (and body pieces) held back to send as one write. */
  #pendingHeaders: Headers | null = null;
  #pendingBody: Uint8Array[] | null = null;
  #pendingSize = 0;
  #phrase = "";
  #producer: IProducer | null = null;

  constructor(
    channel: RequestConnection,
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
    if (phrase !== checkedPhrase && /[\r\n\0]/.test(phrase)) {
      throw new TypeError(
        `Reason phrase must not contain CR, LF or NUL: current value is ${
          JSON.stringify(phrase)
        }`,
      );
    }
    checkedPhrase = phrase;
    if (this.dead) return;
    const channel = this.#channel;
    if (code < 200 && code !== 101) {
      // An interim response (103 Early Hints): the final one follows.
      channel.send(channel.encodeHead(code, phrase, headers, "").bytes());
      return;
    }
    this.#headWritten = true;
    this.status = code;
    const method = this.head.method;
    let keepAlive = this.#keepAlive && channel.keepAliveAllowed();
    const connection = getByKey(headers, "connection");
    if (connection !== undefined && /(^|,)\s*close\s*(,|$)/i.test(connection)) {
      keepAlive = false;
    }
    const bodyless = method === "HEAD" || code === 204 || code === 304 ||
      code === 101 || (method === "CONNECT" && code < 300);
    const length = getByKey(headers, "content-length");
    let framing = "";
    if (code === 101) {
      this.#framing = FRAME_NONE;
    } else if (bodyless) {
      this.#framing = FRAME_NONE;
    } else if (length !== undefined) {
      if (length !== checkedLength) {
        const n = Number(length);
        if (!/^\d+$/.test(length.trim()) || !Number.isSafeInteger(n)) {
          throw new TypeError(
            `Content-Length must be a non-negative integer: current value is ${
              JSON.stringify(length)
            }`,
          );
        }
        checkedLength = length;
        checkedLengthValue = n;
      }
      this.#framing = FRAME_LENGTH;
      this.#remaining = checkedLengthValue;
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
      // Held back: finish() in the same turn sends Content-Length instead;
      // whether the body was read by then is checked when it is sent.
      this.#framing = FRAME_CHUNKED;
      this.#keepAlive = keepAlive;
      this.#pendingHeaders = headers;
      this.#phrase = phrase;
      if (chunk !== undefined) this.#hold(toBytes(chunk));
      queueMicrotask(() => this.#commit());
      return;
    } else {
      this.#framing = FRAME_CLOSE;
      keepAlive = false;
    }
    // A head sent before the body was read announces the close that
    // follows an early finish.
    if (keepAlive && channel.bodyPending(this)) keepAlive = false;
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
    if (this.#pendingHeaders !== null) {
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
    let close = false;
    if (this.#pendingHeaders !== null) {
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
    channel.responseFinished(this, close || !this.#keepAlive);
  }

  registerProducer(producer: IProducer, streaming: boolean): void {
    this.#commit();
    if (this.#channel.transport() === null || this.dead) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#channel.registerProducer(producer, streaming);
  }

  unregisterProducer(): void {
    if (this.#producer === null) return;
    this.#producer = null;
    this.#channel.unregisterProducer();
  }

  getPeer(): IAddress {
    return this.#channel.peerOf(this);
  }

  getHost(): IAddress {
    return (this.#channel.transport() as ITransport).getHost();
  }

  isSecure(): boolean {
    return this.#channel.isSecureFor(this);
  }

  abort(): void {
    this.#channel.abort();
  }

  elapsed(): number {
    return this.#channel.seconds() - this.started;
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
    this.#pendingHeaders = null;
  }

  /** The connection is gone before the response was finished. */
  lost(reason: Failure): void {
    this.decoder?.abort();
    const wasDead = this.dead;
    this.dead = true;
    this.#pendingHeaders = null;
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

  #sendHead(text: HeadText, body: Uint8Array): void {
    const channel = this.#channel;
    let out: Uint8Array;
    if (body.length === 0 || this.#framing === FRAME_NONE) {
      out = text.bytes();
    } else if (this.#framing === FRAME_CHUNKED) {
      text.add(body.length.toString(16)).add("\r\n");
      out = allocate(text.length + body.length + 2);
      text.writeInto(out);
      out.set(body, text.length);
      out[out.length - 2] = 13;
      out[out.length - 1] = 10;
      this.bytesSent += body.length;
    } else {
      if (this.#framing === FRAME_LENGTH) this.#checkLength(body.length);
      this.bytesSent += body.length;
      if (text.length + body.length > JOIN_LIMIT) {
        const joined = joinedResponse(text, body);
        if (joined !== null) {
          channel.send(joined);
          return;
        }
        channel.send(text.bytes());
        channel.send(body);
        return;
      }
      out = text.joined(body);
    }
    channel.send(out);
  }

  #sendBody(bytes: Uint8Array): void {
    const channel = this.#channel;
    switch (this.#framing) {
      case FRAME_NONE:
        return;
      case FRAME_CHUNKED:
        channel.send(encodeUtf8(`${bytes.length.toString(16)}\r\n`));
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
    (this.#pendingBody ??= []).push(bytes);
    this.#pendingSize += bytes.length;
    if (this.#pendingSize > PENDING_LIMIT) this.#commit();
  }

  /** Sends a held-back head as chunked, with what was written so far. */
  #commit(): void {
    if (this.#pendingHeaders === null || this.dead) return;
    const headers = this.#takeHeld();
    this.#checkBodyRead();
    this.#sendHead(
      this.#channel.encodeHead(
        this.status,
        this.#phrase,
        headers,
        `Transfer-Encoding: chunked\r\n${
          this.#connectionLine(this.#keepAlive)
        }`,
      ),
      this.#takeBody(),
    );
  }

  /** Sends a held-back head with Content-Length and the whole body at once. */
  #commitWithLength(): void {
    const headers = this.#takeHeld();
    const body = this.#takeBody();
    this.#checkBodyRead();
    this.#framing = FRAME_LENGTH;
    this.#remaining = body.length;
    this.#sendHead(
      this.#channel.encodeHead(
        this.status,
        this.#phrase,
        headers,
        `Content-Length: ${body.length}\r\n${
          this.#connectionLine(this.#keepAlive)
        }`,
      ),
      body,
    );
  }

  /** A held-back head going out before the body was read announces the close. */
  #checkBodyRead(): void {
    if (this.#keepAlive && this.#channel.bodyPending(this)) {
      this.#keepAlive = false;
    }
  }

  #takeHeld(): Headers {
    const headers = this.#pendingHeaders as Headers;
    this.#pendingHeaders = null;
    return headers;
  }

  #takeBody(): Uint8Array {
    const pieces = this.#pendingBody;
    const body = pieces === null
      ? EMPTY
      : joinChunks(pieces, this.#pendingSize);
    this.#pendingBody = null;
    this.#pendingSize = 0;
    return body;
  }

  #releaseProducer(): void {
    if (this.#producer !== null) this.unregisterProducer();
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encodeUtf8(data) : data;
}
