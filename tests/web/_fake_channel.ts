/**
 * Drives a request through a connection delegate on the public
 * `DummyChannel` and waits, bounded, until the response ends: finished,
 * aborted or detached. The deterministic half of the web tests.
 *
 * @module
 */
import type { Headers, HeadersInit } from "../../http/headers.ts";
import type { HTTPServerConnectionDelegate } from "../../http/server_interfaces.ts";
import type { ITransport } from "../../reactor/interfaces.ts";
import { DummyChannel } from "../../testing/dummy_channel.ts";
import { within } from "../_support/mod.ts";

/** A `DummyChannel` that also says when the response ended another way. */
export class RecordingChannel extends DummyChannel {
  detached = false;
  readonly done: Promise<void>;
  #resolve!: () => void;

  constructor(request: FakeRequest) {
    super({
      method: request.method,
      target: request.target,
      headers: { Host: "example.com", ...request.headers },
      body: request.body,
      peer: { type: "TCP", host: "10.0.0.7", port: 40000 },
    });
    this.done = new Promise((resolve) => this.#resolve = resolve);
    this.notifyFinish().then(() => this.#resolve());
  }

  /** The response headers (empty before the head is written). */
  get headers(): Headers {
    return this.responseHeaders!;
  }

  override abort(): void {
    super.abort();
    this.#resolve();
  }

  override detach(): { transport: ITransport; buffered: Uint8Array } {
    this.detached = true;
    this.#resolve();
    return super.detach();
  }
}

/** A request to feed to {@linkcode serve}. */
export interface FakeRequest {
  method?: string;
  target?: string;
  headers?: Record<string, string> & HeadersInit;
  body?: string | Uint8Array;
}

/** Starts a request on `delegate` without waiting for its answer. */
export function start(
  delegate: HTTPServerConnectionDelegate,
  request: FakeRequest = {},
): RecordingChannel {
  const channel = new RecordingChannel(request);
  channel.serve(delegate);
  return channel;
}

/** Feeds a whole request and waits (bounded) for its response to end. */
export async function serve(
  delegate: HTTPServerConnectionDelegate,
  request: FakeRequest = {},
): Promise<RecordingChannel> {
  const channel = start(delegate, request);
  await within(
    channel.done,
    `the response to ${request.method ?? "GET"} ${request.target ?? "/"}`,
  );
  return channel;
}
