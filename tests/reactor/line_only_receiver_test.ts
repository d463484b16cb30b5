import assert from "node:assert/strict";
import { LineOnlyReceiver } from "../../reactor/line_only_receiver.ts";
import { StringTransport } from "../../testing/string_transport.ts";

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

class Collector extends LineOnlyReceiver {
  lines: string[] = [];
  override lineReceived(line: string): void {
    this.lines.push(line);
    if (line === "quit") this.transport!.loseConnection();
  }
}

function connected(): [Collector, StringTransport] {
  const protocol = new Collector();
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  return [protocol, transport];
}

Deno.test("LineOnlyReceiver given lines split across chunks when received then delivers them in order", () => {
  const [protocol] = connected();
  protocol.dataReceived(bytes("a\r\nb"));
  protocol.dataReceived(bytes("c\r\n\r\n"));
  assert.deepEqual(protocol.lines, ["a", "bc", ""]);
});

Deno.test("LineOnlyReceiver given a delimiter split across chunks when received then finds it", () => {
  const [protocol] = connected();
  protocol.dataReceived(bytes("a\r"));
  protocol.dataReceived(bytes("\nb\r\n"));
  assert.deepEqual(protocol.lines, ["a", "b"]);
});

Deno.test("LineOnlyReceiver given a line that calls loseConnection when more lines follow then drops them", () => {
  const [protocol, transport] = connected();
  protocol.dataReceived(bytes("a\r\nquit\r\nb\r\n"));
  assert.deepEqual(protocol.lines, ["a", "quit"]);
  assert.equal(transport.disconnecting, true);
});

Deno.test("LineOnlyReceiver given a complete line over MAX_LENGTH when received then closes the connection", () => {
  const [protocol, transport] = connected();
  protocol.MAX_LENGTH = 3;
  protocol.dataReceived(bytes("ok\r\ntoolong\r\nlater\r\n"));
  assert.deepEqual(protocol.lines, ["ok"]);
  assert.equal(transport.disconnecting, true);
});

Deno.test("LineOnlyReceiver given unterminated data when it exceeds MAX_LENGTH then closes the connection", () => {
  const [protocol, transport] = connected();
  protocol.MAX_LENGTH = 3;
  protocol.dataReceived(bytes("abc"));
  assert.equal(transport.disconnecting, false);
  protocol.dataReceived(bytes("d"));
  assert.equal(transport.disconnecting, true);
});

Deno.test("LineOnlyReceiver.sendLine() given a line when sent then writes it and the delimiter", () => {
  const [protocol, transport] = connected();
  protocol.delimiter = "\n";
  protocol.sendLine("hi");
  assert.equal(transport.valueString(), "hi\n");
});

Deno.test("LineOnlyReceiver given a delimiter changed between chunks when data arrives then splits on the new one", () => {
  const [protocol] = connected();
  protocol.dataReceived(bytes("a\n"));
  protocol.delimiter = "\n";
  protocol.dataReceived(bytes("b\n"));
  assert.deepEqual(protocol.lines, ["a", "b"]);
});
