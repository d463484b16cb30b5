import assert from "node:assert/strict";
import { LineReceiver } from "../../reactor/line_receiver.ts";
import { StringTransport } from "../../testing/string_transport.ts";

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

class Collector extends LineReceiver {
  lines: string[] = [];
  raw: string[] = [];
  override lineReceived(line: string): void {
    this.lines.push(line);
  }
  override rawDataReceived(data: Uint8Array): void {
    this.raw.push(new TextDecoder().decode(data));
  }
}

function connected<P extends LineReceiver>(protocol: P): [P, StringTransport] {
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  return [protocol, transport];
}

Deno.test("LineReceiver given two complete lines when received then delivers each without its delimiter", () => {
  const [protocol] = connected(new Collector());
  protocol.dataReceived(bytes("one\r\ntwo\r\n"));
  assert.deepEqual(protocol.lines, ["one", "two"]);
});

Deno.test("LineReceiver given a line split over chunks when the delimiter arrives then delivers it once", () => {
  const [protocol] = connected(new Collector());
  protocol.dataReceived(bytes("hel"));
  protocol.dataReceived(bytes("lo\r"));
  assert.deepEqual(protocol.lines, []);
  protocol.dataReceived(bytes("\nrest"));
  assert.deepEqual(protocol.lines, ["hello"]);
});

Deno.test("LineReceiver given input one byte at a time when received then delivers the same lines as in one chunk", () => {
  const input = "alpha\r\nbeta\r\n\r\ngamma\r\n";
  const [whole] = connected(new Collector());
  whole.dataReceived(bytes(input));
  const [bytewise] = connected(new Collector());
  for (const byte of bytes(input)) {
    bytewise.dataReceived(new Uint8Array([byte]));
  }
  assert.deepEqual(bytewise.lines, whole.lines);
  assert.deepEqual(whole.lines, ["alpha", "beta", "", "gamma"]);
});

Deno.test("LineReceiver given a UTF-8 character split across chunks when the line completes then decodes it whole", () => {
  const [protocol] = connected(new Collector());
  const data = bytes("héllo\r\n");
  protocol.dataReceived(data.subarray(0, 2));
  protocol.dataReceived(data.subarray(2));
  assert.deepEqual(protocol.lines, ["héllo"]);
});

Deno.test("LineReceiver given a custom string delimiter when data arrives then splits on it", () => {
  const [protocol] = connected(new Collector());
  protocol.delimiter = "\n";
  protocol.dataReceived(bytes("a\nb\r\n"));
  assert.deepEqual(protocol.lines, ["a", "b\r"]);
});

Deno.test("LineReceiver given a bytes delimiter split across chunks when data arrives then finds it", () => {
  const [protocol] = connected(new Collector());
  protocol.delimiter = new Uint8Array([0, 0xff]);
  protocol.dataReceived(new Uint8Array([0x61, 0]));
  protocol.dataReceived(new Uint8Array([0xff, 0x62]));
  assert.deepEqual(protocol.lines, ["a"]);
});

Deno.test("LineReceiver given an empty delimiter when data arrives then throws RangeError", () => {
  const [protocol] = connected(new Collector());
  protocol.delimiter = "";
  assert.throws(() => protocol.dataReceived(bytes("x")), RangeError);
});

Deno.test("LineReceiver given lineBytesReceived overridden when a line arrives then it gets the raw bytes", () => {
  class Binary extends LineReceiver {
    lines: Uint8Array[] = [];
    override lineBytesReceived(line: Uint8Array): void {
      this.lines.push(line);
    }
  }
  const [protocol] = connected(new Binary());
  protocol.dataReceived(new Uint8Array([0xff, 0xfe, 13, 10]));
  assert.deepEqual(protocol.lines, [new Uint8Array([0xff, 0xfe])]);
});

Deno.test("LineReceiver given no lineReceived override when a line arrives then throws TypeError", () => {
  const [protocol] = connected(new LineReceiver());
  assert.throws(() => protocol.dataReceived(bytes("x\r\n")), TypeError);
});

Deno.test("LineReceiver.sendLine() given a string or bytes when sent then writes it followed by the delimiter", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.sendLine("hello");
  protocol.sendLine(bytes("bytes"));
  assert.equal(transport.valueString(), "hello\r\nbytes\r\n");
});

Deno.test("LineReceiver.sendLine() given a bytes delimiter when sent then appends those bytes", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.delimiter = new Uint8Array([0]);
  protocol.sendLine("a");
  assert.deepEqual(transport.value(), new Uint8Array([0x61, 0]));
});

Deno.test("LineReceiver.sendLine() given no connection when called then throws TypeError", () => {
  assert.throws(() => new Collector().sendLine("x"), TypeError);
});

Deno.test("LineReceiver given a line of exactly MAX_LENGTH when received then delivers it", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.MAX_LENGTH = 5;
  protocol.dataReceived(bytes("12345\r\n"));
  assert.deepEqual(protocol.lines, ["12345"]);
  assert.equal(transport.disconnecting, false);
});

Deno.test("LineReceiver given a complete line over MAX_LENGTH when received then closes the connection", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.MAX_LENGTH = 5;
  protocol.dataReceived(bytes("123456\r\nnext\r\n"));
  assert.deepEqual(protocol.lines, []);
  assert.equal(transport.disconnecting, true);
});

Deno.test("LineReceiver given unterminated data when it reaches MAX_LENGTH plus the delimiter length then closes the connection", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.MAX_LENGTH = 5;
  protocol.dataReceived(bytes("123456"));
  assert.equal(transport.disconnecting, false);
  protocol.dataReceived(bytes("7"));
  assert.equal(transport.disconnecting, true);
});

Deno.test("LineReceiver given a line over MAX_LENGTH when received then lineLengthExceeded() gets it with everything buffered after it", () => {
  class Recorder extends Collector {
    exceeded: string[] = [];
    override lineLengthExceeded(line: Uint8Array): void {
      this.exceeded.push(new TextDecoder().decode(line));
    }
  }
  const [protocol] = connected(new Recorder());
  protocol.MAX_LENGTH = 3;
  protocol.dataReceived(bytes("ok\r\ntoolong\r\nafter"));
  assert.deepEqual(protocol.lines, ["ok"]);
  assert.deepEqual(protocol.exceeded, ["toolong\r\nafter"]);
});

Deno.test("LineReceiver given a handler that calls loseConnection when more lines follow then stops delivering", () => {
  class Quitter extends Collector {
    override lineReceived(line: string): void {
      super.lineReceived(line);
      if (line === "quit") this.transport!.loseConnection();
    }
  }
  const [protocol] = connected(new Quitter());
  protocol.dataReceived(bytes("a\r\nquit\r\nb\r\n"));
  assert.deepEqual(protocol.lines, ["a", "quit"]);
});

Deno.test("LineReceiver.setRawMode() given a call from a line handler when the chunk continues then sends the rest to rawDataReceived", () => {
  class Switcher extends Collector {
    override lineReceived(line: string): void {
      super.lineReceived(line);
      this.setRawMode();
    }
  }
  const [protocol] = connected(new Switcher());
  protocol.dataReceived(bytes("header\r\nbody\r\nmore"));
  assert.deepEqual(protocol.lines, ["header"]);
  assert.deepEqual(protocol.raw, ["body\r\nmore"]);
  assert.equal(protocol.lineMode, false);
});

Deno.test("LineReceiver.setLineMode(extra) given a call from rawDataReceived when extra holds lines then delivers them", () => {
  class Body extends Collector {
    override lineReceived(line: string): void {
      super.lineReceived(line);
      if (line === "raw") this.setRawMode();
    }
    override rawDataReceived(data: Uint8Array): void {
      this.raw.push(new TextDecoder().decode(data.subarray(0, 3)));
      this.setLineMode(data.subarray(3));
    }
  }
  const [protocol] = connected(new Body());
  protocol.dataReceived(bytes("raw\r\nxyzline1\r\nline2\r\n"));
  assert.deepEqual(protocol.raw, ["xyz"]);
  assert.deepEqual(protocol.lines, ["raw", "line1", "line2"]);
});

Deno.test("LineReceiver.setLineMode(extra) given a call outside a handler when extra holds lines then delivers them at once", () => {
  const [protocol] = connected(new Collector());
  protocol.setRawMode();
  protocol.setLineMode("a\r\nb\r\n");
  assert.deepEqual(protocol.lines, ["a", "b"]);
});

Deno.test("LineReceiver.clearLineBuffer() given buffered lines when called from a handler then returns and drops them", () => {
  class Once extends Collector {
    cleared = "";
    override lineReceived(line: string): void {
      super.lineReceived(line);
      this.cleared = new TextDecoder().decode(this.clearLineBuffer());
    }
  }
  const [protocol] = connected(new Once());
  protocol.dataReceived(bytes("a\r\nb\r\nc"));
  assert.deepEqual(protocol.lines, ["a"]);
  assert.equal(protocol.cleared, "b\r\nc");
  protocol.dataReceived(bytes("d\r\n"));
  assert.deepEqual(protocol.lines, ["a", "d"]);
});

Deno.test("LineReceiver.pauseProducing() given lines arriving when paused then buffers them and pauses the transport", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.pauseProducing();
  protocol.dataReceived(bytes("a\r\nb\r\n"));
  assert.deepEqual(protocol.lines, []);
  assert.equal(transport.producerState, "paused");
});

Deno.test("LineReceiver.resumeProducing() given lines buffered while paused when resumed then delivers them", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.pauseProducing();
  protocol.dataReceived(bytes("a\r\nb\r\n"));
  protocol.resumeProducing();
  assert.deepEqual(protocol.lines, ["a", "b"]);
  assert.equal(transport.producerState, "producing");
});

Deno.test("LineReceiver.pauseProducing() given a call from a line handler when the chunk holds more lines then holds them back", () => {
  class Pauser extends Collector {
    override lineReceived(line: string): void {
      super.lineReceived(line);
      this.pauseProducing();
    }
  }
  const [protocol] = connected(new Pauser());
  protocol.dataReceived(bytes("a\r\nb\r\n"));
  assert.deepEqual(protocol.lines, ["a"]);
  protocol.resumeProducing();
  assert.deepEqual(protocol.lines, ["a", "b"]);
});

Deno.test("LineReceiver.stopProducing() given a stopped receiver when lines arrive then delivers none and stops the transport", () => {
  const [protocol, transport] = connected(new Collector());
  protocol.stopProducing();
  protocol.dataReceived(bytes("a\r\n"));
  assert.deepEqual(protocol.lines, []);
  assert.equal(transport.producerState, "stopped");
});

Deno.test("LineReceiver given data re-entering from a line handler when handled then delivers it after the current chunk", () => {
  class Reentrant extends Collector {
    override lineReceived(line: string): void {
      super.lineReceived(line);
      if (line === "a") this.dataReceived(bytes("c\r\n"));
    }
  }
  const [protocol] = connected(new Reentrant());
  protocol.dataReceived(bytes("a\r\nb\r\n"));
  assert.deepEqual(protocol.lines, ["a", "b", "c"]);
});

Deno.test("LineReceiver given a 1 MiB line one byte at a time when received then finishes in linear time", () => {
  const [protocol] = connected(new Collector());
  protocol.MAX_LENGTH = 2 ** 21;
  const chunk = new Uint8Array([0x78]);
  const started = performance.now();
  for (let i = 0; i < 2 ** 20; i++) protocol.dataReceived(chunk);
  protocol.dataReceived(bytes("\r\n"));
  const elapsed = performance.now() - started;
  assert.equal(protocol.lines[0].length, 2 ** 20);
  // Quadratic rescanning or re-concatenation takes minutes here.
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
});
