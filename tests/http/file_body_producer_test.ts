import assert from "node:assert/strict";
import { CancelledError } from "../../deferred/errors.ts";
import type { IConsumer } from "../../reactor/interfaces.ts";
import { FileBodyProducer } from "../../http/file_body_producer.ts";
import { UNKNOWN_LENGTH } from "../../http/unknown_length.ts";
import { rejection } from "./_servers.ts";
import { bytes, text } from "../_support/mod.ts";

/** A consumer that keeps what is written. */
function collector(): IConsumer & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    write(data: Uint8Array | string): void {
      written.push(typeof data === "string" ? data : text(data));
    },
    registerProducer(): void {},
    unregisterProducer(): void {},
  };
}

/** Lets pending promise reactions run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

Deno.test("FileBodyProducer given an iterable of chunks when produced then each is written in order and the Deferred fires", async () => {
  const consumer = collector();
  const producer = new FileBodyProducer([bytes("a"), bytes("b"), bytes("c")]);
  assert.equal(producer.length, UNKNOWN_LENGTH);
  await producer.startProducing(consumer);
  assert.deepEqual(consumer.written, ["a", "b", "c"]);
});

Deno.test("FileBodyProducer given a ReadableStream and a length when produced then its chunks are written and the length is kept", async () => {
  const consumer = collector();
  const stream = ReadableStream.from([bytes("hello "), bytes("world")]);
  const producer = new FileBodyProducer(stream, 11);
  assert.equal(producer.length, 11);
  await producer.startProducing(consumer);
  assert.deepEqual(consumer.written, ["hello ", "world"]);
});

Deno.test("FileBodyProducer given a paused producer when resumed then the next chunk is read only then", async () => {
  const consumer = collector();
  let reads = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    for (const piece of ["1", "2", "3"]) {
      reads++;
      yield bytes(piece);
    }
  }
  const producer = new FileBodyProducer(source());
  producer.pauseProducing();
  const done = producer.startProducing(consumer);
  await settle();
  assert.deepEqual(consumer.written, ["1"], "one chunk, then it waits");
  assert.equal(reads, 1);
  producer.resumeProducing();
  await done;
  assert.deepEqual(consumer.written, ["1", "2", "3"]);
});

Deno.test("FileBodyProducer given a producer stopped midway when stopped then the Deferred fails with CancelledError and the source is closed", async () => {
  const consumer = collector();
  let closed = false;
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      yield bytes("first");
      yield bytes("second");
    } finally {
      closed = true;
    }
  }
  const producer = new FileBodyProducer(source());
  producer.pauseProducing();
  const done = producer.startProducing(consumer);
  await settle();
  producer.stopProducing();
  assert.ok((await rejection(done)) instanceof CancelledError);
  await settle();
  assert.ok(closed, "the generator's finally block ran");
  assert.deepEqual(consumer.written, ["first"]);
});

Deno.test("FileBodyProducer given a source that fails when produced then the Deferred fails with its error", async () => {
  async function* source(): AsyncGenerator<Uint8Array> {
    yield bytes("ok");
    throw new RangeError("disk error");
  }
  const error = await rejection(
    new FileBodyProducer(source()).startProducing(collector()),
  );
  assert.ok(error instanceof RangeError);
});

Deno.test("FileBodyProducer given a started producer when started again then it throws TypeError", async () => {
  const producer = new FileBodyProducer([bytes("x")]);
  await producer.startProducing(collector());
  assert.throws(() => producer.startProducing(collector()), TypeError);
});

Deno.test("FileBodyProducer given a negative or fractional length when constructed then it throws RangeError", () => {
  for (const length of [-1, 1.5, Number.NaN]) {
    assert.throws(() => new FileBodyProducer([], length), RangeError);
  }
});
