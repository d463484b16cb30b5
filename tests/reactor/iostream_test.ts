import assert from "node:assert/strict";
import { Failure } from "../../deferred/failure.ts";
import { ConnectionDone, ConnectionLost } from "../../reactor/errors.ts";
import { IOStream } from "../../reactor/iostream.ts";
import {
  StreamBufferFullError,
  StreamClosedError,
  UnsatisfiableReadError,
} from "../../reactor/stream_errors.ts";
import { TCPClient } from "../../reactor/tcp_client.ts";
import { TCPServer } from "../../reactor/tcp_server.ts";
import type { IAddress } from "../../reactor/interfaces.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { reactorTest } from "./_loopback.ts";
import { within } from "../_support/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function connected(options = {}): [IOStream, StringTransport] {
  const stream = new IOStream(options);
  const transport = new StringTransport();
  stream.makeConnection(transport);
  return [stream, transport];
}

function feed(stream: IOStream, text: string): void {
  stream.dataReceived(encoder.encode(text));
}

async function text(d: PromiseLike<Uint8Array>): Promise<string> {
  return decoder.decode(await d);
}

Deno.test("IOStream.readBytes given fewer bytes than asked when more arrive then settles with exactly n bytes", async () => {
  const [stream] = connected();
  const read = stream.readBytes(5);
  feed(stream, "abc");
  assert.equal(read.called, false);
  feed(stream, "defg");
  assert.equal(await text(read), "abcde");
  assert.equal(await text(stream.readBytes(2)), "fg");
});

Deno.test("IOStream.readBytes given partial when some bytes are buffered then settles with what is there", async () => {
  const [stream] = connected();
  feed(stream, "ab");
  assert.equal(await text(stream.readBytes(10, { partial: true })), "ab");
});

Deno.test("IOStream.readBytes given partial and an empty buffer when bytes arrive then settles with them", async () => {
  const [stream] = connected();
  const read = stream.readBytes(10, { partial: true });
  assert.equal(read.called, false);
  feed(stream, "xyz");
  assert.equal(await text(read), "xyz");
});

Deno.test("IOStream.readUntil given a delimiter split across chunks when it completes then settles with the delimiter included", async () => {
  const [stream] = connected();
  const read = stream.readUntil("\r\n");
  feed(stream, "line one\r");
  assert.equal(read.called, false);
  feed(stream, "\nnext");
  assert.equal(await text(read), "line one\r\n");
  assert.equal(await text(stream.readBytes(4)), "next");
});

Deno.test("IOStream.readUntil given maxBytes when the delimiter is not within it then fails with UnsatisfiableReadError and closes", async () => {
  const [stream, transport] = connected();
  const read = stream.readUntil("\n", { maxBytes: 4 });
  feed(stream, "too long");
  await assert.rejects(async () => await read, UnsatisfiableReadError);
  assert.ok(stream.closed());
  assert.ok(transport.disconnecting);
});

Deno.test("IOStream.readUntil given maxBytes when the delimiter ends within it then succeeds", async () => {
  const [stream] = connected();
  feed(stream, "abc\n");
  assert.equal(await text(stream.readUntil("\n", { maxBytes: 4 })), "abc\n");
});

Deno.test("IOStream.readUntilRegex given a pattern when it matches then settles up to the end of the match", async () => {
  const [stream] = connected();
  const read = stream.readUntilRegex(/\r?\n\r?\n/);
  feed(stream, "GET / HTTP/1.1\r\nHost: x\r\n");
  assert.equal(read.called, false);
  feed(stream, "\r\nbody");
  assert.equal(await text(read), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
});

Deno.test("IOStream.readUntilRegex given maxBytes when nothing matches within it then fails with UnsatisfiableReadError", async () => {
  const [stream] = connected();
  const read = stream.readUntilRegex("\\d+;", { maxBytes: 3 });
  feed(stream, "abcdef");
  await assert.rejects(async () => await read, UnsatisfiableReadError);
});

Deno.test("IOStream.readInto given a buffer when enough bytes arrive then fills it and settles with the count", async () => {
  const [stream] = connected();
  const buffer = new Uint8Array(4);
  const read = stream.readInto(buffer);
  feed(stream, "ab");
  assert.equal(read.called, false);
  feed(stream, "cdef");
  assert.equal(await read, 4);
  assert.equal(decoder.decode(buffer), "abcd");
  assert.equal(await text(stream.readBytes(2)), "ef");
});

Deno.test("IOStream.readInto given partial when fewer bytes are buffered then copies them and settles with the count", async () => {
  const [stream] = connected();
  feed(stream, "ab");
  const buffer = new Uint8Array(8);
  assert.equal(await stream.readInto(buffer, { partial: true }), 2);
  assert.equal(decoder.decode(buffer.subarray(0, 2)), "ab");
});

Deno.test("IOStream.readUntilClose given data then a clean close when the connection ends then settles with every byte", async () => {
  const [stream] = connected();
  const read = stream.readUntilClose();
  feed(stream, "one ");
  feed(stream, "two");
  assert.equal(read.called, false);
  stream.connectionLost(new Failure(new ConnectionDone()));
  assert.equal(await text(read), "one two");
});

Deno.test("IOStream given a pending read when the connection is lost then fails with StreamClosedError carrying the real error", async () => {
  const [stream] = connected();
  const read = stream.readBytes(10);
  feed(stream, "abc");
  stream.connectionLost(new Failure(new ConnectionLost("reset by peer")));
  const error = await read.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof StreamClosedError);
  assert.ok(error.realError instanceof ConnectionLost);
  assert.ok(stream.error instanceof ConnectionLost);
});

Deno.test("IOStream given a closed stream with enough bytes buffered when read then the buffered bytes still satisfy it", async () => {
  const [stream] = connected();
  feed(stream, "abcdef");
  stream.connectionLost(new Failure(new ConnectionDone()));
  assert.equal(await text(stream.readBytes(3)), "abc");
  await assert.rejects(
    async () => await stream.readBytes(10),
    StreamClosedError,
  );
});

Deno.test("IOStream given a closed stream when written then the write fails with StreamClosedError", async () => {
  const [stream] = connected();
  stream.close();
  await assert.rejects(async () => await stream.write("x"), StreamClosedError);
});

Deno.test("IOStream given a pending read when a second read starts then throws", () => {
  const [stream] = connected();
  stream.readBytes(1);
  assert.throws(
    () => stream.readUntil("\n"),
    /another read is already pending/,
  );
});

Deno.test("IOStream given maxBufferSize when a pending read needs more than it then fails with StreamBufferFullError and closes", async () => {
  const [stream, transport] = connected({ maxBufferSize: 8 });
  const read = stream.readUntil("\n");
  feed(stream, "0123456789");
  await assert.rejects(async () => await read, StreamBufferFullError);
  assert.ok(stream.closed());
  assert.ok(stream.error instanceof StreamBufferFullError);
  assert.ok(transport.disconnecting);
});

Deno.test("IOStream given no pending read when readChunkSize bytes are buffered then pauses the transport until a read starts", async () => {
  const [stream, transport] = connected({ readChunkSize: 4 });
  feed(stream, "abcd");
  assert.equal(transport.producerState, "paused");
  assert.equal(await text(stream.readBytes(2)), "ab");
  assert.equal(transport.producerState, "paused");
  const read = stream.readBytes(4);
  assert.equal(transport.producerState, "producing");
  feed(stream, "ef");
  assert.equal(await text(read), "cdef");
});

Deno.test("IOStream.write given a write-through transport when written then the bytes are on the transport and the write settles", async () => {
  const [stream, transport] = connected();
  await stream.write("hello ");
  await stream.write(encoder.encode("world"));
  assert.equal(transport.valueString(), "hello world");
  assert.equal(stream.writing(), false);
});

Deno.test("IOStream.write given maxWriteBufferSize when a write passes it then fails with StreamBufferFullError and closes", async () => {
  const stream = new IOStream({ maxWriteBufferSize: 4 });
  // A transport that never drains: a pull producer is asked at once and never again.
  const transport = new StringTransport();
  transport.registerProducer = function (producer, streaming): void {
    StringTransport.prototype.registerProducer.call(this, producer, streaming);
    if (!streaming) (producer as { resumeProducing(): void }).resumeProducing();
  };
  stream.makeConnection(transport);
  const first = stream.write("abc");
  assert.equal(first.called, false);
  await assert.rejects(
    async () => await stream.write("defg"),
    StreamBufferFullError,
  );
  assert.ok(stream.closed());
});

Deno.test("IOStream.setCloseCallback given a callback when the connection is lost then it runs once", () => {
  const [stream] = connected();
  let calls = 0;
  stream.setCloseCallback(() => calls++);
  stream.connectionLost(new Failure(new ConnectionDone()));
  assert.equal(calls, 1);
  assert.ok(stream.closed());
  assert.equal(stream.error, null);
});

Deno.test("IOStream.close given a pending read when closed then the read fails with StreamClosedError and the transport closes", async () => {
  const [stream, transport] = connected();
  const read = stream.readUntil("\n");
  stream.close();
  await assert.rejects(async () => await read, StreamClosedError);
  assert.ok(transport.disconnecting);
});

Deno.test("IOStream given a readBytes count that is not an integer when called then throws RangeError", () => {
  const [stream] = connected();
  assert.throws(() => stream.readBytes(-1), RangeError);
  assert.throws(() => stream.readBytes(1.5), RangeError);
});

reactorTest(
  "IOStream over TCP given a 1 MiB write when the peer reads it then write settles after flushing and every byte arrives",
  async (reactor) => {
    const received = Promise.withResolvers<number>();
    class Sink extends TCPServer {
      override async handleStream(stream: IOStream): Promise<void> {
        const data = await stream.readUntilClose();
        received.resolve(data.length);
      }
    }
    const server = new Sink({ reactor });
    const port = server.listen(0, "127.0.0.1").getHost().port;
    const stream = await within(
      new TCPClient({ reactor }).connect("127.0.0.1", port),
      "connect",
    );
    const big = new Uint8Array(1 << 20).fill(7);
    await within(stream.write(big), "the write to flush");
    stream.close();
    assert.equal(await within(received.promise, "the server"), 1 << 20);
    await server.stop();
  },
);

reactorTest(
  "IOStream over TCP given a peer that closes when a read is pending then the read fails and the close callback runs",
  async (reactor) => {
    class Closer extends TCPServer {
      override handleStream(stream: IOStream, _address: IAddress): void {
        stream.close();
      }
    }
    const server = new Closer({ reactor });
    const port = server.listen(0, "127.0.0.1").getHost().port;
    const stream = await within(
      new TCPClient({ reactor }).connect("127.0.0.1", port),
      "connect",
    );
    const closed = Promise.withResolvers<void>();
    stream.setCloseCallback(() => closed.resolve());
    await assert.rejects(
      async () => await stream.readBytes(1),
      StreamClosedError,
    );
    await within(closed.promise, "the close callback");
    assert.equal(stream.error, null);
    await server.stop();
  },
);
