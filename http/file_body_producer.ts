/**
 * `FileBodyProducer`: streams a request body from a file or a stream, as
 * `twisted.web.client.FileBodyProducer`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { IConsumer } from "../reactor/interfaces.ts";
import { WriterProducer } from "./_writer_producer.ts";
import type { IBodyProducer } from "./interfaces.ts";
import { UNKNOWN_LENGTH } from "./unknown_length.ts";

/**
 * What a {@linkcode FileBodyProducer} reads from: a stream (an open file's
 * `readable`), an async iterable or an iterable of chunks, where Twisted's
 * `FileBodyProducer` takes a file object.
 *
 * @example Three kinds of source
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BodySource } from "@torsion/torsion/http";
 * const chunk = new TextEncoder().encode("data");
 * const sources: BodySource[] = [
 *   [chunk],
 *   ReadableStream.from([chunk]),
 *   (async function* () { yield chunk; })(),
 * ];
 * assert.equal(sources.length, 3);
 * ```
 */
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
 * ```ts
 * import assert from "node:assert/strict";
 * import { Agent, FileBodyProducer, HTTPConnectionPool, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "file contents");
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   async (request) => new Response(await request.text()),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const file = await Deno.open(path);
 * const { size } = await file.stat();
 * const response = await new Agent(reactor, { pool }).request(
 *   "PUT",
 *   `http://127.0.0.1:${server.addr.port}/data`,
 *   null,
 *   new FileBodyProducer(file.readable, size),
 * );
 * assert.equal(new TextDecoder().decode(await readBody(response)), "file contents");
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * await Deno.remove(path);
 * ```
 */
export class FileBodyProducer implements IBodyProducer {
  /** The body's length, or `UNKNOWN_LENGTH` to send it chunked. */
  readonly length: number | "UNKNOWN_LENGTH";
  readonly #source: BodySource;
  readonly #writer: WriterProducer;
  #iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | null = null;
  #started = false;

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
    // Writing a chunk waits while the connection is paused: the next one is
    // read only then, which is how the source keeps pace with the network.
    this.#writer = new WriterProducer(async (write) => {
      const iterator = this.#iterator as AsyncIterator<Uint8Array>;
      for (;;) {
        const { done, value } = await iterator.next();
        if (done) return;
        await write(value);
      }
    }, length);
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
   * @example Producing into a collecting consumer
   * ```ts
   * import assert from "node:assert/strict";
   * import { FileBodyProducer } from "@torsion/torsion/http";
   * const chunks: Uint8Array[] = [];
   * const producer = new FileBodyProducer([new Uint8Array([1]), new Uint8Array([2])]);
   * await producer.startProducing({
   *   write: (data) => { chunks.push(data as Uint8Array); },
   *   registerProducer() {},
   *   unregisterProducer() {},
   * });
   * assert.equal(chunks.length, 2);
   * ```
   */
  startProducing(consumer: IConsumer): Deferred<void> {
    if (this.#started) {
      throw new TypeError(
        "Cannot start a FileBodyProducer twice: its source can be read only once",
      );
    }
    this.#started = true;
    const source = this.#source;
    // A ReadableStream is async-iterable: its iterator cancels it on return().
    this.#iterator = Symbol.asyncIterator in source
      ? (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      : (source as Iterable<Uint8Array>)[Symbol.iterator]();
    return this.#writer.startProducing(consumer);
  }

  /**
   * Stops reading until `resumeProducing`.
   *
   * @example A consumer that applies back-pressure
   * ```ts
   * import assert from "node:assert/strict";
   * import { FileBodyProducer } from "@torsion/torsion/http";
   * const producer = new FileBodyProducer([new Uint8Array([1]), new Uint8Array([2])]);
   * const written: number[] = [];
   * const done = producer.startProducing({
   *   write(data) {
   *     written.push(...data);
   *     producer.pauseProducing(); // as a transport does when its buffer is full
   *   },
   *   registerProducer() {},
   *   unregisterProducer() {},
   * });
   * await new Promise((resolve) => setTimeout(resolve, 10));
   * assert.deepEqual(written, [1]); // held while paused
   * producer.resumeProducing();
   * await done;
   * assert.deepEqual(written, [1, 2]);
   */
  pauseProducing(): void {
    this.#writer.pauseProducing();
  }

  /**
   * Reads again after `pauseProducing`.
   */
  resumeProducing(): void {
    this.#writer.resumeProducing();
  }

  /**
   * Stops for good: the Deferred of `startProducing` fails with
   * `CancelledError` at once, and the source is closed (`return()` on its
   * iterator, which cancels a stream once any pending read is over).
   *
   * @example Stopping before the end
   * ```ts
   * import assert from "node:assert/strict";
   * import { FileBodyProducer } from "@torsion/torsion/http";
   * const producer = new FileBodyProducer(new ReadableStream<Uint8Array>());
   * const done = producer.startProducing({
   *   write() {},
   *   registerProducer() {},
   *   unregisterProducer() {},
   * });
   * producer.stopProducing();
   * await assert.rejects(done.asPromise(), { name: "CancelledError" });
   * ```
   */
  stopProducing(): void {
    this.#writer.stopProducing();
    const iterator = this.#iterator;
    this.#iterator = null;
    // A rejection here is the source's own business once it is cancelled.
    Promise.resolve(iterator?.return?.()).catch(() => {});
  }
}
