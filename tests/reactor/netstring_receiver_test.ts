import assert from "node:assert/strict";
import { NetstringReceiver } from "../../reactor/netstring_receiver.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { captureLogs, recordText } from "../_support/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

class Collector extends NetstringReceiver {
  strings: string[] = [];
  override stringReceived(string: Uint8Array): void {
    this.strings.push(decoder.decode(string));
  }
}

function connected(): [Collector, StringTransport] {
  const protocol = new Collector();
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  return [protocol, transport];
}

Deno.test("NetstringReceiver given several netstrings when received then delivers each payload", () => {
  const [protocol] = connected();
  protocol.dataReceived(bytes("5:hello,0:,3:a:b,"));
  assert.deepEqual(protocol.strings, ["hello", "", "a:b"]);
});

Deno.test("NetstringReceiver given input one byte at a time when received then delivers the same payloads", () => {
  const [protocol, transport] = connected();
  for (const byte of bytes("12:hello world!,1:x,")) {
    protocol.dataReceived(new Uint8Array([byte]));
  }
  assert.deepEqual(protocol.strings, ["hello world!", "x"]);
  assert.equal(transport.disconnecting, false);
});

Deno.test("NetstringReceiver given a binary payload when received then delivers it byte for byte", () => {
  class Binary extends NetstringReceiver {
    got: Uint8Array[] = [];
    override stringReceived(string: Uint8Array): void {
      this.got.push(string);
    }
  }
  const protocol = new Binary();
  protocol.makeConnection(new StringTransport());
  protocol.dataReceived(new Uint8Array([0x32, 0x3a, 0x00, 0xff, 0x2c]));
  assert.deepEqual(protocol.got, [new Uint8Array([0x00, 0xff])]);
});

Deno.test("NetstringReceiver given a length above MAX_LENGTH when received then drops the connection", () => {
  const [protocol, transport] = connected();
  protocol.MAX_LENGTH = 10;
  protocol.dataReceived(bytes("11:"));
  assert.equal(transport.disconnecting, true);
  assert.equal(protocol.brokenPeer, true);
});

Deno.test("NetstringReceiver given an unfinished length when it passes MAX_LENGTH then drops the connection", () => {
  const [protocol, transport] = connected();
  protocol.MAX_LENGTH = 99;
  protocol.dataReceived(bytes("100"));
  assert.equal(transport.disconnecting, true);
});

Deno.test("NetstringReceiver given a missing trailing comma when received then drops the connection", () => {
  const [protocol, transport] = connected();
  protocol.dataReceived(bytes("3:abc;"));
  assert.deepEqual(protocol.strings, []);
  assert.equal(transport.disconnecting, true);
});

Deno.test("NetstringReceiver given a length with a leading zero when received then drops the connection", () => {
  const [protocol, transport] = connected();
  protocol.dataReceived(bytes("01:a,"));
  assert.equal(transport.disconnecting, true);
});

Deno.test("NetstringReceiver given input without a length when received then drops the connection", () => {
  const [protocol, transport] = connected();
  protocol.dataReceived(bytes(":abc,"));
  assert.equal(transport.disconnecting, true);
});

Deno.test("NetstringReceiver given a parse error when more data arrives then ignores it", () => {
  const [protocol] = connected();
  protocol.dataReceived(bytes("x"));
  protocol.dataReceived(bytes("1:a,"));
  assert.deepEqual(protocol.strings, []);
});

Deno.test("NetstringReceiver given a parse error when it drops the peer then logs at debug level", async () => {
  const records = await captureLogs(() => {
    const [protocol] = connected();
    protocol.dataReceived(bytes("3:abc;"));
  });
  assert.equal(records.length, 1);
  assert.equal(records[0].level, "debug");
  assert.match(recordText(records[0]), /not followed by a comma/);
});

Deno.test("NetstringReceiver.sendString() given a string or bytes when sent then writes the byte length, payload and comma", () => {
  const [protocol, transport] = connected();
  protocol.sendString("héllo");
  protocol.sendString(new Uint8Array([1]));
  assert.deepEqual(
    transport.value(),
    new Uint8Array([...bytes("6:héllo,1:"), 1, 0x2c]),
  );
});

Deno.test("NetstringReceiver.sendString() given its output when fed to a receiver then yields the same payloads", () => {
  const [sender, transport] = connected();
  sender.sendString("one");
  sender.sendString("");
  const [receiver] = connected();
  receiver.dataReceived(transport.value());
  assert.deepEqual(receiver.strings, ["one", ""]);
});
