/**
 * `FileBodyProducer`: streams a request body from a file or a stream, as
 * `twisted.web.client.FileBodyProducer`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import type { IConsumer } from "../reactor/interfaces.ts";
import type { IBodyProducer } from "./interfaces.ts";
import { UNKNOWN_LENGTH } from "./unknown_length.ts";

/** What a {@linkcode FileBodyProducer} reads from. */
export type BodySource =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

/**
 * A body producer that reads its body piece by piece from a stream, an
 * iterable of chunks or an open file (`Deno.FsFile.readable`), writing each
 * piece as it comes and pausing while the connection's buffer is full.
 * Mirrors Twisted's `FileBodyProducer`: give `length` when it is known (it
 * is sent as `Content-Length` and checked), otherwise the body is sent with
 * chunked coding. It can be produced only once, so a request carrying it is
 * never retried.
 *
 * @example Uploading a file
 * ```ts ignore
 * import { Agent, FileBodyProducer } from "@torsion/torsion/http";
 * const file = await Deno.open("data.bin");
 * const { size } = await file.stat();
 * await new Agent().request("PUT", "http://127.0.0.1:8080/data", null,
 *   new FileBodyProducer(file.readable, size));
 * ```
 */
export class FileBodyProducer implements IBodyProducer {
  /** The body's length, or `UNKNOWN_LENGTH` to send it chunked. */
  readonly length: number | "UNKNOWN_LENGTH";
  #source: BodySource;
  #iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | null = null;
  #deferred: Deferred<void> | null = null;
  #paused = false;
  #resume: (() => void) | null = null;
  #stopped = false;

  /**
   * Creates a producer reading from `source`.
   *
   * @param source The body's chunks.
   * @param length The body's length in bytes, when known.
   * @throws {RangeError} `length` is negative or not an integer.
   */
  constructor(source: BodySource, length?: number) {
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
      throw new RangeError(
        `FileBodyProducer length must be a non-negative integer: current value is ${length}`,
      );
    }
    this.#source = source;
    this.length = length ?? UNKNOWN_LENGTH;
  }

  /**
   * Starts writing the body to `consumer`. Mirrors
   * `FileBodyProducer.startProducing`.
   *
   * @param consumer The connection.
   * @returns A Deferred that fires once the source is exhausted, or fails
   * with the source's error (`CancelledError` after `stopProducing`).
   * @throws {TypeError} The producer was already started.
   *
   * @example
   * ```ts
   * import { FileBodyProducer } from "@torsion/torsion/http";
   * const chunks: Uint8Array[] = [];
   * const producer = new FileBodyProducer([new Uint8Array([1]), new Uint8Array([2])]);
   * await producer.startProducing({
   *   write: (data) => { chunks.push(data as Uint8Array); },
   *   registerProducer() {},
   *   unregisterProducer() {},
   * });
   * console.assert(chunks.length === 2);
   * ```
   */
  startProducing(consumer: IConsumer): Deferred<void> {
    if (this.#deferred !== null) {
      throw new TypeError(
        "Cannot start a FileBodyProducer twice: its source can be read only once",
      );
    }
    const deferred = new Deferred<void>(() => this.stopProducing());
    this.#deferred = deferred;
    const source = this.#source;
    this.#iterator = source instanceof ReadableStream
      ? source[Symbol.asyncIterator]()
      : Symbol.asyncIterator in source
      ? (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      : (source as Iterable<Uint8Array>)[Symbol.iterator]();
    this.#pump(consumer).then(
      () => {
        if (!deferred.called) deferred.callback(undefined);
      },
      (error: unknown) => {
        if (!deferred.called) deferred.errback(error);
      },
    );
    return deferred;
  }

  /** Stops reading until `resumeProducing`. */
  pauseProducing(): void {
    this.#paused = true;
  }

  /** Reads again after `pauseProducing`. */
  resumeProducing(): void {
    this.#paused = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  /**
   * Stops for good: the source is cancelled and the Deferred of
   * `startProducing` fails with `CancelledError`.
   */
  stopProducing(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const deferred = this.#deferred;
    this.resumeProducing();
    this.#iterator?.return?.();
    if (deferred !== null && !deferred.called) {
      deferred.errback(new CancelledError("FileBodyProducer was stopped"));
    }
  }

  async #pump(consumer: IConsumer): Promise<void> {
    const iterator = this.#iterator as AsyncIterator<Uint8Array>;
    while (!this.#stopped) {
      if (this.#paused) {
        await new Promise<void>((resolve) => {
          this.#resume = resolve;
        });
        continue;
      }
      const { done, value } = await iterator.next();
      if (done || this.#stopped) return;
      if (value.length > 0) consumer.write(value);
    }
  }
}
