/**
 * `WriterProducer`: adapts a Tornado-style `body_producer` (a function that
 * is given an async `write`) to Twisted's `IBodyProducer`, so both faces
 * stream uploads through the same connection code.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import type { IConsumer } from "../reactor/interfaces.ts";
import type { BodyProducer } from "./http_request.ts";
import type { IBodyProducer } from "./interfaces.ts";

/**
 * A body producer driven by a {@linkcode BodyProducer} function. Each `write`
 * resolves once the chunk is queued on the connection and the connection
 * is not paused, which is how the function keeps pace with the network;
 * after `stopProducing` (the connection is gone) `write` rejects with
 * `CancelledError`.
 */
export class WriterProducer implements IBodyProducer {
  readonly length: number | "UNKNOWN_LENGTH";
  readonly #fn: BodyProducer;
  #paused = false;
  #waiters: (() => void)[] = [];
  #stopped = false;
  #deferred: Deferred<void> | null = null;

  constructor(fn: BodyProducer, length?: number) {
    this.#fn = fn;
    this.length = length ?? "UNKNOWN_LENGTH";
  }

  startProducing(consumer: IConsumer): Deferred<void> {
    const deferred = new Deferred<void>(() => this.stopProducing());
    this.#deferred = deferred;
    const write = async (chunk: Uint8Array): Promise<void> => {
      if (this.#stopped) {
        throw new CancelledError("The request body is no longer wanted");
      }
      if (chunk.length > 0) consumer.write(chunk);
      while (this.#paused && !this.#stopped) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
    };
    let result: PromiseLike<void> | void;
    try {
      result = this.#fn(write);
    } catch (error) {
      deferred.errback(error);
      return deferred;
    }
    Promise.resolve(result).then(
      () => {
        if (!deferred.called) deferred.callback(undefined);
      },
      (error: unknown) => {
        if (!deferred.called) deferred.errback(error);
      },
    );
    return deferred;
  }

  pauseProducing(): void {
    this.#paused = true;
  }

  resumeProducing(): void {
    this.#paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  stopProducing(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.resumeProducing();
    const deferred = this.#deferred;
    if (deferred !== null && !deferred.called) {
      deferred.errback(
        new CancelledError("The request body is no longer wanted"),
      );
    }
  }
}
