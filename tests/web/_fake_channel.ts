/**
 * A request channel without a socket, recording what a framework writes on
 * it, and a driver that feeds a request to an application through it: the
 * deterministic half of the web tests.
 *
 * @module
 */
import { Headers } from "../../http/headers.ts";
import type {
  HTTPServerConnectionDelegate,
  HTTPServerRequestChannel,
  RequestHead,
} from "../../http/server_interfaces.ts";
import type {
  IAddress,
  IProducer,
  ITransport,
} from "../../reactor/interfaces.ts";
import { Failure } from "../../deferred/failure.ts";
import { joinChunks, within } from "../_support/mod.ts";

/** Records the response written on it. */
export class FakeChannel implements HTTPServerRequestChannel {
  readonly head: RequestHead;
  headWritten = false;
  finished = false;
  aborted = false;
  code = 0;
  phrase = "";
  headers = new Headers();
  chunks: Uint8Array[] = [];
  producer: IProducer | undefined;
  secure = false;
  readonly done: Promise<void>;
  #resolve!: () => void;

  constructor(head: RequestHead) {
    this.head = head;
    this.done = new Promise((resolve) => this.#resolve = resolve);
  }

  get body(): Uint8Array {
    return joinChunks(
      this.chunks,
      this.chunks.reduce((n, c) => n + c.length, 0),
    );
  }

  get text(): string {
    return new TextDecoder().decode(this.body);
  }

  writeHead(
    code: number,
    phrase: string,
    headers: Headers,
    chunk?: Uint8Array | string,
  ): void {
    if (this.headWritten) throw new Error("head already written");
    this.headWritten = true;
    this.code = code;
    this.phrase = phrase;
    this.headers = headers.copy();
    if (chunk !== undefined) this.write(chunk);
  }

  write(data: Uint8Array | string): void {
    if (this.finished) throw new Error("write after finish");
    if (!this.headWritten) throw new Error("write before head");
    this.chunks.push(
      typeof data === "string" ? new TextEncoder().encode(data) : data.slice(),
    );
  }

  finish(): void {
    if (!this.headWritten) this.writeHead(200, "OK", new Headers());
    this.finished = true;
    this.#resolve();
  }

  getPeer(): IAddress {
    return { type: "TCP", host: "10.0.0.7", port: 40000 };
  }

  getHost(): IAddress {
    return { type: "TCP", host: "127.0.0.1", port: 8888 };
  }

  isSecure(): boolean {
    return this.secure;
  }

  abort(): void {
    this.aborted = true;
    this.#resolve();
  }

  detach(): { transport: ITransport; buffered: Uint8Array } {
    throw new Error("not supported by the fake channel");
  }

  registerProducer(producer: IProducer, _streaming: boolean): void {
    this.producer = producer;
  }

  unregisterProducer(): void {
    this.producer = undefined;
  }
}

/** A request to feed to {@linkcode serve}. */
export interface FakeRequest {
  method?: string;
  target?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** Called after the head is fed, before the body. */
  beforeBody?: (channel: FakeChannel) => void;
}

/** Starts a request on `delegate` without waiting for its answer. */
export function start(
  delegate: HTTPServerConnectionDelegate,
  request: FakeRequest = {},
): { channel: FakeChannel; close: () => void } {
  const body = typeof request.body === "string"
    ? new TextEncoder().encode(request.body)
    : request.body ?? new Uint8Array(0);
  const head: RequestHead = {
    method: request.method ?? "GET",
    target: request.target ?? "/",
    version: ["HTTP", 1, 1],
    headers: new Headers({ Host: "example.com", ...request.headers }),
    length: body.length,
  };
  const channel = new FakeChannel(head);
  const requestDelegate = delegate.startRequest(channel);
  requestDelegate.headersReceived(head);
  request.beforeBody?.(channel);
  if (body.length > 0) requestDelegate.dataReceived(body);
  requestDelegate.finish();
  return {
    channel,
    close: () =>
      requestDelegate.onConnectionClose(new Failure(new Error("gone"))),
  };
}

/** Feeds a whole request and waits (bounded) for its response. */
export async function serve(
  delegate: HTTPServerConnectionDelegate,
  request: FakeRequest = {},
): Promise<FakeChannel> {
  const { channel } = start(delegate, request);
  await within(
    channel.done,
    `the response to ${request.method ?? "GET"} ${request.target ?? "/"}`,
  );
  return channel;
}
