import assert from "node:assert/strict";
import { Failure } from "../../deferred/failure.ts";
import { ConnectionDone, ConnectionLost } from "../../reactor/errors.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { Clock } from "../../testing/clock.ts";
import { captureLogs } from "../_support/mod.ts";
import {
  WebSocketEngine,
  type WebSocketEngineHandler,
  type WebSocketEngineOptions,
} from "../../websocket/_engine.ts";
import { PerMessageDeflate } from "../../websocket/_deflate.ts";
import {
  WebSocketProtocolError,
  WebSocketWriteBufferFullError,
} from "../../websocket/errors.ts";
import {
  closeCodeOf,
  closePayload,
  frame,
  type ReadFrame,
  readFrames,
} from "./_frames.ts";

const encoder = new TextEncoder();

class Recorder implements WebSocketEngineHandler {
  messages: [string | Uint8Array, boolean][] = [];
  pings: Uint8Array[] = [];
  pongs: Uint8Array[] = [];
  closes: [boolean, number, string][] = [];
  throwOnMessage = false;
  /** Called with each message after it is recorded (an echo). */
  then: ((payload: string | Uint8Array, isBinary: boolean) => void) | null =
    null;
  onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    if (this.throwOnMessage) throw new Error("handler failed");
    this.messages.push([payload, isBinary]);
    this.then?.(payload, isBinary);
  }
  onPing(payload: Uint8Array): void {
    this.pings.push(payload.slice());
  }
  onPong(payload: Uint8Array): void {
    this.pongs.push(payload.slice());
  }
  onClose(wasClean: boolean, code: number, reason: string): void {
    this.closes.push([wasClean, code, reason]);
  }
}

interface Harness {
  engine: WebSocketEngine;
  transport: StringTransport;
  handler: Recorder;
  clock: Clock;
}

function open(
  options: Partial<WebSocketEngineOptions> = {},
  transport = new StringTransport(),
): Harness {
  const clock = new Clock();
  const handler = new Recorder();
  const engine = new WebSocketEngine(transport, handler, {
    isServer: true,
    reactor: clock,
    ...options,
  });
  engine.start();
  return { engine, transport, handler, clock };
}

function lose(engine: WebSocketEngine): void {
  engine.connectionLost(new Failure(new ConnectionDone()));
}

function sent(transport: StringTransport): ReadFrame[] {
  return readFrames(transport.value());
}

/** The frame a server sends for a binary message: whole and unmasked. */
function serverBinary(payload: Uint8Array): ReadFrame {
  return { fin: true, rsv: 0, opcode: 2, masked: false, payload };
}

/** Feeds `bytes` and checks the connection is failed with `code` and closed. */
function assertFailsWith(h: Harness, bytes: Uint8Array, code: number): void {
  h.engine.dataReceived(bytes);
  const frames = sent(h.transport);
  const last = frames.at(-1);
  assert.ok(last !== undefined, "a close frame is sent");
  assert.equal(last.opcode, 8);
  assert.equal(closeCodeOf(last), code);
  assert.ok(h.transport.disconnecting, "the socket is closed");
  assert.ok(h.engine.error instanceof WebSocketProtocolError);
  lose(h.engine);
  assert.deepEqual(h.handler.closes.map(([clean, c]) => [clean, c]), [[
    false,
    1006,
  ]]);
  assert.equal(h.handler.messages.length, 0);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

Deno.test("WebSocketEngine given a masked text frame when received then delivers the text", () => {
  const h = open();
  h.engine.dataReceived(frame(1, "hello"));
  assert.deepEqual(h.handler.messages, [["hello", false]]);
});

Deno.test("WebSocketEngine given a binary frame when received then delivers the bytes as binary", () => {
  const h = open();
  h.engine.dataReceived(frame(2, new Uint8Array([0, 255, 7])));
  assert.deepEqual(h.handler.messages, [[new Uint8Array([0, 255, 7]), true]]);
});

Deno.test("WebSocketEngine given masked binary messages of 255 to 1,031 bytes at every alignment when received then each is unmasked intact", () => {
  const h = open();
  for (const size of [255, 256, 257, 1029, 1030, 1031]) {
    const payload = new Uint8Array(size).map((_, i) => i * 7);
    for (let shift = 0; shift < 4; shift++) {
      const bytes = frame(2, payload);
      const read = new Uint8Array(shift + bytes.length);
      read.set(bytes, shift);
      h.engine.dataReceived(read.subarray(shift));
      assert.deepEqual(h.handler.messages.pop(), [payload, true]);
    }
  }
});

/** An engine sending each message back from onMessage, recording the arrays written. */
function openEcho(): Harness & { writes: Uint8Array[] } {
  const writes: Uint8Array[] = [];
  const h = open(
    {},
    new class extends StringTransport {
      override write(data: Uint8Array | string): void {
        if (typeof data !== "string") writes.push(data);
        super.write(data);
      }
    }(),
  );
  h.handler.then = (payload, isBinary) =>
    h.engine.sendMessage(payload, isBinary);
  return { ...h, writes };
}

/** The one message was sent back in one write, its header in front of it in its own buffer. */
function assertEchoedInPlace(
  h: Harness & { writes: Uint8Array[] },
  payload: Uint8Array,
): void {
  const [[message]] = h.handler.messages;
  assert.equal(h.writes.length, 1);
  assert.equal(h.writes[0].buffer, (message as Uint8Array).buffer);
  assert.deepEqual(sent(h.transport), [serverBinary(payload)]);
}

Deno.test("WebSocketEngine given a binary message sent back from onMessage when written then its header goes before the message's bytes, in one write without a further copy", () => {
  const h = openEcho();
  const payload = new Uint8Array(300).fill(9);
  h.engine.dataReceived(frame(2, payload));
  assertEchoedInPlace(h, payload);
});

for (const size of [300, 5000]) {
  Deno.test(`WebSocketEngine given a binary message of ${size} bytes in one read when the reader reuses its bytes afterwards then the message delivered is unchanged`, () => {
    const h = open();
    const payload = new Uint8Array(size).map((_, i) => i);
    const read = frame(2, payload);
    h.engine.dataReceived(read);
    read.fill(0);
    assert.deepEqual(h.handler.messages, [[payload, true]]);
  });
}

Deno.test("WebSocketEngine given many small binary messages when the application keeps them all then each stays intact", () => {
  const h = open();
  const payloads = Array.from(
    { length: 200 },
    (_, n) => new Uint8Array(100 + n).fill(n),
  );
  const read = new Uint8Array(512);
  for (const payload of payloads) {
    const bytes = frame(2, payload);
    read.set(bytes);
    h.engine.dataReceived(read.subarray(0, bytes.length));
    read.fill(0);
  }
  assert.deepEqual(h.handler.messages, payloads.map((p) => [p, true]));
});

Deno.test("WebSocketEngine given small binary messages each sent back from onMessage when written then every echo is whole", () => {
  const h = open();
  h.handler.then = (payload, isBinary) =>
    h.engine.sendMessage(payload, isBinary);
  const payloads = Array.from(
    { length: 200 },
    (_, n) => new Uint8Array(100 + n).fill(n),
  );
  for (const payload of payloads) h.engine.dataReceived(frame(2, payload));
  assert.deepEqual(sent(h.transport), payloads.map(serverBinary));
});

Deno.test("WebSocketEngine given a binary message spanning reads when the reader reuses each read afterwards then the message delivered is unchanged", () => {
  const h = open();
  const payload = new Uint8Array(70_000).map((_, i) => i * 3);
  const bytes = frame(2, payload);
  const read = new Uint8Array(4096);
  for (let at = 0; at < bytes.length; at += read.length) {
    const piece = bytes.subarray(at, at + read.length);
    read.set(piece);
    h.engine.dataReceived(read.subarray(0, piece.length));
    read.fill(0);
  }
  assert.deepEqual(h.handler.messages, [[payload, true]]);
});

Deno.test("WebSocketEngine given fragments in separate reads when the reader reuses each read afterwards then the message delivered is whole", () => {
  const h = open();
  const read = new Uint8Array(64);
  for (
    const piece of [
      frame(2, new Uint8Array([1, 2]), { fin: false }),
      frame(0, new Uint8Array([3, 4])),
    ]
  ) {
    read.set(piece);
    h.engine.dataReceived(read.subarray(0, piece.length));
    read.fill(0);
  }
  assert.deepEqual(h.handler.messages, [[new Uint8Array([1, 2, 3, 4]), true]]);
});

Deno.test("WebSocketEngine given a binary message sent back from onMessage after spanning reads when written then its header goes before the message's bytes, in one write", () => {
  const h = openEcho();
  const payload = new Uint8Array(20_000).fill(5);
  const bytes = frame(2, payload);
  h.engine.dataReceived(bytes.slice(0, 10_000));
  h.engine.dataReceived(bytes.slice(10_000));
  assertEchoedInPlace(h, payload);
});

Deno.test("WebSocketEngine given a binary message whose header came in an earlier read when sent back from onMessage then the frame is written whole", () => {
  const h = open();
  h.handler.then = (payload, isBinary) =>
    h.engine.sendMessage(payload, isBinary);
  const payload = new Uint8Array(300).fill(4);
  const received = frame(2, payload);
  h.engine.dataReceived(received.slice(0, 8));
  h.engine.dataReceived(received.slice(8));
  assert.deepEqual(sent(h.transport), [
    serverBinary(payload),
  ]);
});

Deno.test("WebSocketEngine given a binary message sent back twice from onMessage when written then both frames are whole", () => {
  const h = open();
  h.handler.then = (payload) => {
    h.engine.sendMessage(payload, true);
    h.engine.sendMessage(payload, true);
  };
  const payload = new Uint8Array([1, 2, 3]);
  h.engine.dataReceived(concat(frame(2, payload), frame(2, payload)));
  const frames = sent(h.transport);
  assert.equal(frames.length, 4);
  for (const f of frames) assert.deepEqual(f, serverBinary(payload));
});

Deno.test("WebSocketEngine given frames fed one byte at a time when complete then delivers each message once", () => {
  const h = open();
  const bytes = concat(
    frame(1, "a".repeat(200)),
    frame(2, new Uint8Array(70000).fill(3)),
  );
  for (let i = 0; i < bytes.length; i++) {
    h.engine.dataReceived(bytes.slice(i, i + 1));
  }
  assert.equal(h.handler.messages.length, 2);
  assert.equal(h.handler.messages[0][0], "a".repeat(200));
  assert.equal((h.handler.messages[1][0] as Uint8Array).length, 70000);
});

Deno.test("WebSocketEngine given a fragmented text message with a control frame between fragments when complete then delivers it whole and answers the ping", () => {
  const h = open();
  h.engine.dataReceived(frame(1, "Hel", { fin: false }));
  h.engine.dataReceived(frame(9, "between"));
  h.engine.dataReceived(frame(0, "lo ", { fin: false }));
  h.engine.dataReceived(frame(0, "world"));
  assert.deepEqual(h.handler.messages, [["Hello world", false]]);
  const pong = sent(h.transport)[0];
  assert.equal(pong.opcode, 10);
  assert.equal(new TextDecoder().decode(pong.payload), "between");
});

Deno.test("WebSocketEngine given a fragmented binary message when complete then delivers the joined bytes", () => {
  const h = open();
  h.engine.dataReceived(frame(2, new Uint8Array([1, 2]), { fin: false }));
  h.engine.dataReceived(frame(0, new Uint8Array([3])));
  assert.deepEqual(h.handler.messages, [[new Uint8Array([1, 2, 3]), true]]);
});

Deno.test("WebSocketEngine given a UTF-8 character split across fragments when complete then delivers it intact", () => {
  const h = open();
  const euro = encoder.encode("€"); // 3 bytes
  h.engine.dataReceived(frame(1, euro.subarray(0, 1), { fin: false }));
  h.engine.dataReceived(frame(0, euro.subarray(1)));
  assert.deepEqual(h.handler.messages, [["€", false]]);
});

Deno.test("WebSocketEngine given a ping with a payload when received then answers a pong with the same payload and reports it", () => {
  const h = open();
  h.engine.dataReceived(frame(9, "are you there"));
  const [pong] = sent(h.transport);
  assert.equal(pong.opcode, 10);
  assert.equal(new TextDecoder().decode(pong.payload), "are you there");
  assert.equal(new TextDecoder().decode(h.handler.pings[0]), "are you there");
});

Deno.test("WebSocketEngine given a ping when the reader reuses its bytes afterwards then the payload reported is unchanged", () => {
  const clock = new Clock();
  const pings: Uint8Array[] = [];
  const engine = new WebSocketEngine(new StringTransport(), {
    onMessage(): void {},
    onPing(payload: Uint8Array): void {
      pings.push(payload);
    },
    onClose(): void {},
  }, { isServer: true, reactor: clock });
  engine.start();
  const read = frame(9, "are you there");
  engine.dataReceived(read);
  read.fill(0);
  assert.equal(new TextDecoder().decode(pings[0]), "are you there");
});

Deno.test("WebSocketEngine.ping given a payload when sent then the peer's pong is reported", () => {
  const h = open();
  h.engine.ping("beat");
  const [ping] = sent(h.transport);
  assert.deepEqual([ping.opcode, new TextDecoder().decode(ping.payload)], [
    9,
    "beat",
  ]);
  h.engine.dataReceived(frame(10, "beat"));
  assert.equal(new TextDecoder().decode(h.handler.pongs[0]), "beat");
});

Deno.test("WebSocketEngine.ping given a payload over 125 bytes when sent then throws RangeError", () => {
  const h = open();
  assert.throws(() => h.engine.ping(new Uint8Array(126)), RangeError);
});

Deno.test("WebSocketEngine given the server role when sending then frames are unmasked; given the client role then masked", () => {
  const server = open();
  server.engine.sendMessage("hi");
  server.engine.sendMessage(new Uint8Array(200).fill(9));
  assert.deepEqual(sent(server.transport).map((f) => [f.opcode, f.masked]), [[
    1,
    false,
  ], [2, false]]);
  const client = open({ isServer: false });
  client.engine.sendMessage("hi");
  client.engine.sendMessage("x".repeat(300));
  const frames = sent(client.transport);
  assert.deepEqual(frames.map((f) => [f.opcode, f.masked]), [[1, true], [
    1,
    true,
  ]]);
  assert.equal(new TextDecoder().decode(frames[0].payload), "hi");
  assert.equal(new TextDecoder().decode(frames[1].payload), "x".repeat(300));
});

Deno.test("WebSocketEngine given the peer's close frame when received then echoes its code, closes the socket and reports a clean close", () => {
  const h = open();
  h.engine.dataReceived(frame(8, closePayload(1001, "bye")));
  const [echo] = sent(h.transport);
  assert.equal(echo.opcode, 8);
  assert.equal(closeCodeOf(echo), 1001);
  assert.ok(h.transport.disconnecting);
  lose(h.engine);
  assert.deepEqual(h.handler.closes, [[true, 1001, "bye"]]);
  assert.equal(h.engine.remoteCloseCode, 1001);
});

Deno.test("WebSocketEngine given an empty close frame when received then reports a clean close with 1005", () => {
  const h = open();
  h.engine.dataReceived(frame(8));
  assert.equal(sent(h.transport)[0].payload.length, 0);
  lose(h.engine);
  assert.deepEqual(h.handler.closes, [[true, 1005, ""]]);
});

Deno.test("WebSocketEngine.close given a code and reason when the peer answers then the close is clean", () => {
  const h = open({ isServer: false });
  h.engine.close(1000, "done");
  const [close] = sent(h.transport);
  assert.deepEqual([close.opcode, closeCodeOf(close), close.masked], [
    8,
    1000,
    true,
  ]);
  assert.equal(h.engine.state, "closing");
  assert.equal(h.engine.sendMessage("late"), false);
  h.engine.dataReceived(frame(8, closePayload(1000), { mask: false }));
  // A client leaves closing the socket to the server.
  assert.equal(h.transport.disconnecting, false);
  lose(h.engine);
  assert.deepEqual(h.handler.closes, [[true, 1000, ""]]);
});

Deno.test("WebSocketEngine.close given a peer that never answers when the close timeout passes then the connection is aborted", () => {
  const h = open({ closeTimeout: 5 });
  h.engine.close(1001, "going away");
  assert.equal(closeCodeOf(sent(h.transport)[0]), 1001);
  h.clock.advance(4.9);
  assert.equal(h.transport.disconnecting, false);
  h.clock.advance(0.2);
  assert.ok(h.transport.disconnecting);
  lose(h.engine);
  assert.deepEqual(h.handler.closes.map(([c, code]) => [c, code]), [[
    false,
    1006,
  ]]);
});

Deno.test("WebSocketEngine.close given the application's codes 1003 and 1008 when closing then they are sent as given", () => {
  for (const code of [1003, 1008, 1011, 4000]) {
    const h = open();
    h.engine.close(code);
    assert.equal(closeCodeOf(sent(h.transport)[0]), code);
    lose(h.engine);
  }
});

Deno.test("WebSocketEngine.close given a code that may not be sent or a reason over 123 bytes when called then throws RangeError", () => {
  const h = open();
  for (const code of [999, 1005, 1006, 1015, 2000, 5000]) {
    assert.throws(() => h.engine.close(code), RangeError);
  }
  assert.throws(() => h.engine.close(1000, "x".repeat(124)), RangeError);
  assert.equal(h.transport.value().length, 0);
});

Deno.test("WebSocketEngine given an unmasked frame from a client when received then fails with 1002", () => {
  assertFailsWith(open(), frame(1, "hi", { mask: false }), 1002);
});

Deno.test("WebSocketEngine given a masked frame from a server when received then fails with 1002", () => {
  const h = open({ isServer: false });
  h.engine.dataReceived(frame(1, "hi", { mask: true }));
  const [close] = sent(h.transport);
  assert.deepEqual([close.opcode, closeCodeOf(close), close.masked], [
    8,
    1002,
    true,
  ]);
  assert.ok(h.transport.disconnecting);
});

for (const rsv of [1, 2, 3, 4]) {
  Deno.test(`WebSocketEngine given reserved bits ${rsv << 4} without an extension when received then fails with 1002`, () => {
    assertFailsWith(open(), frame(1, "hi", { rsv }), 1002);
  });
}

for (const opcode of [3, 7, 0xb, 0xf]) {
  Deno.test(`WebSocketEngine given reserved opcode ${opcode} when received then fails with 1002`, () => {
    assertFailsWith(open(), frame(opcode, "x"), 1002);
  });
}

Deno.test("WebSocketEngine given a fragmented ping when received then fails with 1002", () => {
  assertFailsWith(open(), frame(9, "x", { fin: false }), 1002);
});

Deno.test("WebSocketEngine given a ping of 126 bytes when received then fails with 1002", () => {
  assertFailsWith(open(), frame(9, new Uint8Array(126)), 1002);
});

Deno.test("WebSocketEngine given a continuation frame with no message started when received then fails with 1002", () => {
  assertFailsWith(open(), frame(0, "x"), 1002);
});

Deno.test("WebSocketEngine given a new text frame inside a fragmented message when received then fails with 1002", () => {
  assertFailsWith(
    open(),
    concat(frame(1, "a", { fin: false }), frame(1, "b")),
    1002,
  );
});

Deno.test("WebSocketEngine given a 64-bit length with its top bit set when received then fails with 1002", () => {
  assertFailsWith(
    open(),
    frame(2, new Uint8Array(0), {
      len7: 127,
      extended: [0x80, 0, 0, 0, 0, 0, 0, 1],
    }),
    1002,
  );
});

Deno.test("WebSocketEngine given invalid UTF-8 in a text frame when received then fails with 1007", () => {
  assertFailsWith(open(), frame(1, new Uint8Array([0xce, 0xba, 0xff])), 1007);
});

Deno.test("WebSocketEngine given invalid UTF-8 in the first fragment when it arrives then fails with 1007 before the message ends", () => {
  assertFailsWith(
    open(),
    frame(1, new Uint8Array([0x61, 0xc0, 0xaf]), { fin: false }),
    1007,
  );
});

Deno.test("WebSocketEngine given a text message ending inside a UTF-8 sequence when complete then fails with 1007", () => {
  const h = open();
  h.engine.dataReceived(frame(1, new Uint8Array([0x61, 0xe2]), { fin: false }));
  assertFailsWith(h, frame(0, new Uint8Array([0x82])), 1007);
});

Deno.test("WebSocketEngine given a close frame with a 1-byte payload when received then fails with 1002", () => {
  assertFailsWith(open(), frame(8, new Uint8Array([3])), 1002);
});

for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000]) {
  Deno.test(`WebSocketEngine given a close frame with code ${code} when received then fails with 1002`, () => {
    assertFailsWith(open(), frame(8, closePayload(code)), 1002);
  });
}

Deno.test("WebSocketEngine given a close reason that is not UTF-8 when received then fails with 1007", () => {
  const payload = concat(closePayload(1000), new Uint8Array([0xff, 0xfe]));
  assertFailsWith(open(), frame(8, payload), 1007);
});

Deno.test("WebSocketEngine given a frame larger than maxMessageSize when its header arrives then fails with 1009 without reading it", () => {
  const h = open({ maxMessageSize: 100 });
  assertFailsWith(h, frame(2, new Uint8Array(101)).subarray(0, 8), 1009);
});

Deno.test("WebSocketEngine given fragments adding up past maxMessageSize when received then fails with 1009", () => {
  const h = open({ maxMessageSize: 100 });
  h.engine.dataReceived(frame(2, new Uint8Array(60), { fin: false }));
  assertFailsWith(h, frame(0, new Uint8Array(60)), 1009);
});

Deno.test("WebSocketEngine given an onMessage that throws when a message arrives then logs it and fails with 1011", async () => {
  const records = await captureLogs(() => {
    const h = open();
    h.handler.throwOnMessage = true;
    h.engine.dataReceived(frame(1, "boom"));
    const [close] = sent(h.transport);
    assert.equal(closeCodeOf(close), 1011);
    assert.ok(h.transport.disconnecting);
  });
  assert.equal(
    records.filter((r) => r.message.join("").includes("handler failed")).length,
    1,
  );
});

Deno.test("WebSocketEngine given data after the peer's close frame when received then ignores it", () => {
  const h = open();
  h.engine.dataReceived(concat(frame(8, closePayload(1000)), frame(1, "late")));
  assert.equal(h.handler.messages.length, 0);
});

Deno.test("WebSocketEngine given permessage-deflate when a message is sent then it is compressed with RSV1 and the peer's compressed message inflates", () => {
  const server = open({ deflate: new PerMessageDeflate({}, 15) });
  const text = "compress me ".repeat(50);
  server.engine.sendMessage(text);
  const [out] = sent(server.transport);
  assert.equal(out.rsv, 4);
  assert.ok(out.payload.length < text.length / 4);
  const client = open({
    isServer: false,
    deflate: new PerMessageDeflate({}, 15),
  });
  client.engine.dataReceived(frame(1, out.payload, { rsv: 4, mask: false }));
  assert.deepEqual(client.handler.messages, [[text, false]]);
});

Deno.test("WebSocketEngine given a compressed fragmented message when complete then inflates the joined fragments", () => {
  const deflate = new PerMessageDeflate({}, 15);
  const payload = deflate.compress(encoder.encode("fragmented and compressed"));
  const h = open({ deflate: new PerMessageDeflate({}, 15) });
  h.engine.dataReceived(
    frame(1, payload.subarray(0, 5), { fin: false, rsv: 4 }),
  );
  h.engine.dataReceived(frame(0, payload.subarray(5)));
  assert.deepEqual(h.handler.messages, [["fragmented and compressed", false]]);
});

Deno.test("WebSocketEngine given a compressed message that inflates past maxMessageSize when received then fails with 1009", () => {
  const deflate = new PerMessageDeflate({}, 15);
  const bomb = deflate.compress(new Uint8Array(1 << 20));
  const h = open({
    deflate: new PerMessageDeflate({}, 15),
    maxMessageSize: 4096,
  });
  assert.ok(bomb.length < 4096);
  assertFailsWith(h, frame(2, bomb, { rsv: 4 }), 1009);
});

Deno.test("WebSocketEngine given RSV1 on a continuation frame when received then fails with 1002", () => {
  const h = open({ deflate: new PerMessageDeflate({}, 15) });
  h.engine.dataReceived(frame(1, "a", { fin: false }));
  assertFailsWith(h, frame(0, "b", { rsv: 4 }), 1002);
});

/** A transport whose writes never drain: a peer that does not read. */
class StuckTransport extends StringTransport {
  override registerProducer(
    producer: Parameters<StringTransport["registerProducer"]>[0],
    streaming: boolean,
  ): void {
    super.registerProducer(producer, streaming);
    if (!streaming) producer.resumeProducing();
  }
}

Deno.test("WebSocketEngine given a peer that never reads when the write buffer passes its limit then aborts with WebSocketWriteBufferFullError", async () => {
  await captureLogs(() => {
    const h = open({ maxWriteBufferSize: 10000 }, new StuckTransport());
    for (let i = 0; i < 9; i++) {
      assert.ok(h.engine.sendMessage(new Uint8Array(1000)));
    }
    assert.equal(h.transport.disconnecting, false);
    h.engine.sendMessage(new Uint8Array(1000));
    assert.ok(h.engine.error instanceof WebSocketWriteBufferFullError);
    assert.ok(h.transport.disconnecting);
    h.engine.connectionLost(new Failure(new ConnectionLost("aborted")));
    assert.deepEqual(h.handler.closes[0].slice(0, 2), [false, 1006]);
  });
});

Deno.test("WebSocketEngine given a push producer when writes pass 64 KiB then it is paused until they drain", () => {
  const transport = new StuckTransport();
  const h = open({}, transport);
  const states: string[] = [];
  h.engine.registerProducer({
    pauseProducing: () => states.push("paused"),
    resumeProducing: () => states.push("resumed"),
    stopProducing: () => states.push("stopped"),
  }, true);
  h.engine.sendMessage(new Uint8Array(70000));
  assert.deepEqual(states, ["paused"]);
  const watcher = transport.producer!;
  transport.unregisterProducer();
  transport.registerProducer = StringTransport.prototype.registerProducer;
  // The transport drains: it asks the pull producer for more.
  transport.producer = watcher;
  watcher.resumeProducing();
  assert.deepEqual(states, ["paused", "resumed"]);
  assert.equal(h.engine.bufferedAmount, 0);
});

Deno.test("WebSocketEngine.whenFlushed given a write-through transport when asked then fires at once", async () => {
  const h = open();
  h.engine.sendMessage("x");
  await h.engine.whenFlushed();
  lose(h.engine);
  await assert.rejects(async () => await h.engine.whenFlushed());
});

Deno.test("WebSocketEngine given pingInterval when the peer answers then pings go on; when it stops then closes with 1001", () => {
  const h = open({ pingInterval: 10, pingTimeout: 15 });
  h.clock.advance(10);
  assert.equal(sent(h.transport).filter((f) => f.opcode === 9).length, 1);
  h.engine.dataReceived(frame(10));
  h.clock.advance(10);
  assert.equal(sent(h.transport).filter((f) => f.opcode === 9).length, 2);
  h.clock.advance(10);
  const frames = sent(h.transport);
  assert.equal(closeCodeOf(frames.at(-1)!), 1001);
  lose(h.engine);
  assert.equal(h.clock.getDelayedCalls().length, 0);
});

Deno.test("WebSocketEngine given a connection lost without a close frame when reported then onClose is unclean with 1006", () => {
  const h = open();
  lose(h.engine);
  lose(h.engine);
  assert.deepEqual(h.handler.closes, [[
    false,
    1006,
    "The peer closed the connection without a close frame",
  ]]);
});

Deno.test("WebSocketEngine given ASCII, non-ASCII and long texts when sent by either role then the peer reads them back intact", () => {
  const texts = [
    "plain ascii",
    "héllo € 🎉",
    "a".repeat(5000),
    "b".repeat(70000),
    "",
  ];
  for (const isServer of [true, false]) {
    const sender = open({ isServer });
    for (const text of texts) sender.engine.sendMessage(text);
    const receiver = open({ isServer: !isServer });
    receiver.engine.dataReceived(sender.transport.value());
    assert.deepEqual(
      receiver.handler.messages.map(([payload]) => payload),
      texts,
    );
  }
});

Deno.test("WebSocketEngine given a message in many empty fragments when complete then delivers it once, holding no fragment after", () => {
  const h = open();
  h.engine.dataReceived(frame(2, new Uint8Array(0), { fin: false }));
  for (let i = 0; i < 1000; i++) {
    h.engine.dataReceived(frame(0, new Uint8Array(0), { fin: false }));
  }
  h.engine.dataReceived(frame(0, new Uint8Array([7])));
  h.engine.dataReceived(frame(1, "", { fin: false }));
  for (let i = 0; i < 1000; i++) {
    h.engine.dataReceived(frame(0, "", { fin: false }));
  }
  h.engine.dataReceived(frame(0, "end"));
  h.engine.dataReceived(frame(2, new Uint8Array([8])));
  assert.deepEqual(h.handler.messages, [
    [new Uint8Array([7]), true],
    ["end", false],
    [new Uint8Array([8]), true],
  ]);
});

Deno.test("WebSocketEngine given binary and text messages of 20,000 one-byte fragments when complete then delivers each whole", () => {
  const h = open();
  const parts: Uint8Array[] = [frame(2, new Uint8Array([0]), { fin: false })];
  for (let i = 1; i < 19999; i++) {
    parts.push(frame(0, new Uint8Array([i & 0xff]), { fin: false }));
  }
  parts.push(frame(0, new Uint8Array([19999 & 0xff])));
  parts.push(frame(1, "a", { fin: false }));
  for (let i = 1; i < 19999; i++) parts.push(frame(0, "b", { fin: false }));
  parts.push(frame(0, "c"));
  h.engine.dataReceived(concat(...parts));
  const [[binary], [text]] = h.handler.messages;
  assert.equal((binary as Uint8Array).length, 20000);
  assert.equal((binary as Uint8Array)[300], 300 & 0xff);
  assert.equal((binary as Uint8Array)[19999], 19999 & 0xff);
  assert.equal(text, `a${"b".repeat(19998)}c`);
});
