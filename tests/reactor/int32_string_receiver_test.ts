import assert from "node:assert/strict";
import { Int32StringReceiver } from "../../reactor/int32_string_receiver.ts";
import { StringTransport } from "../../testing/string_transport.ts";

const decoder = new TextDecoder();

class Collector extends Int32StringReceiver {
  strings: string[] = [];
  lengths: number[] = [];
  override stringReceived(string: Uint8Array): void {
    this.strings.push(decoder.decode(string));
  }
  override lengthLimitExceeded(length: number): void {
    this.lengths.push(length);
    super.lengthLimitExceeded(length);
  }
}

function connected(): [Collector, StringTransport] {
  const protocol = new Collector();
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  return [protocol, transport];
}

function frame(payload: string): Uint8Array {
  const body = new TextEncoder().encode(payload);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

Deno.test("Int32StringReceiver given several frames when received then delivers each payload", () => {
  const [protocol] = connected();
  protocol.dataReceived(
    new Uint8Array([...frame("ab"), ...frame(""), ...frame("c")]),
  );
  assert.deepEqual(protocol.strings, ["ab", "", "c"]);
});

Deno.test("Int32StringReceiver given input one byte at a time when received then delivers the same payloads", () => {
  const [protocol] = connected();
  for (const byte of [...frame("hello"), ...frame("x")]) {
    protocol.dataReceived(new Uint8Array([byte]));
  }
  assert.deepEqual(protocol.strings, ["hello", "x"]);
});

Deno.test("Int32StringReceiver given a prefix with the high bit set when received then reads it as unsigned big-endian", () => {
  const [protocol] = connected();
  protocol.MAX_LENGTH = 2 ** 32;
  protocol.dataReceived(new Uint8Array([0xff, 0, 0, 1]));
  assert.deepEqual(protocol.lengths, []);
  protocol.MAX_LENGTH = 10;
  protocol.dataReceived(new Uint8Array([]));
  assert.deepEqual(protocol.lengths, [0xff000001]);
});

Deno.test("Int32StringReceiver given a length above MAX_LENGTH when received then calls lengthLimitExceeded and closes", () => {
  const [protocol, transport] = connected();
  protocol.MAX_LENGTH = 3;
  protocol.dataReceived(frame("abcd"));
  assert.deepEqual(protocol.strings, []);
  assert.deepEqual(protocol.lengths, [4]);
  assert.equal(transport.disconnecting, true);
});

Deno.test("Int32StringReceiver.sendString() given a string when sent then writes a 4-byte big-endian length and the payload", () => {
  const [protocol, transport] = connected();
  protocol.sendString("héllo");
  assert.deepEqual(transport.value(), frame("héllo"));
  assert.deepEqual([...transport.value().subarray(0, 4)], [0, 0, 0, 6]);
});

Deno.test("Int32StringReceiver.sendString() given no connection when called then throws TypeError", () => {
  assert.throws(() => new Collector().sendString("x"), TypeError);
});

Deno.test("Int32StringReceiver.pauseProducing() given frames arriving when paused then buffers them until resumeProducing()", () => {
  const [protocol, transport] = connected();
  protocol.pauseProducing();
  protocol.dataReceived(frame("a"));
  assert.deepEqual(protocol.strings, []);
  assert.equal(transport.producerState, "paused");
  protocol.resumeProducing();
  assert.deepEqual(protocol.strings, ["a"]);
  assert.equal(transport.producerState, "producing");
});

Deno.test("Int32StringReceiver.pauseProducing() given a call from a handler when more frames follow then holds them back", () => {
  class Pauser extends Collector {
    override stringReceived(string: Uint8Array): void {
      super.stringReceived(string);
      this.pauseProducing();
    }
  }
  const protocol = new Pauser();
  protocol.makeConnection(new StringTransport());
  protocol.dataReceived(new Uint8Array([...frame("a"), ...frame("b")]));
  assert.deepEqual(protocol.strings, ["a"]);
  protocol.resumeProducing();
  assert.deepEqual(protocol.strings, ["a", "b"]);
});
