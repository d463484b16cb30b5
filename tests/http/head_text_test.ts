import assert from "node:assert/strict";
import { HeadText } from "../../http/_head_text.ts";
import { Headers } from "../../http/headers.ts";

Deno.test("HeadText given a status line, fields and framing when written then the bytes are the joined text, one per character", () => {
  const headers = new Headers([["Content-Type", "text/plain"], [
    "X-Cafe",
    "\u00e9\u00ff",
  ]]);
  headers.addRawHeader("Content-Type", "again");
  const head = new HeadText().add("HTTP/1.1 ").add("200").add(" OK\r\n")
    .addFields(headers).add("").add("Content-Length: 2\r\n").add("\r\n");
  const text =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Type: again\r\nX-Cafe: \u00e9\u00ff\r\nContent-Length: 2\r\n\r\n";
  assert.equal(head.toString(), text);
  assert.equal(head.length, text.length);
  assert.deepEqual(head.bytes(), Uint8Array.from(text, (c) => c.charCodeAt(0)));
});

Deno.test("HeadText given an offset when written into a larger array then the bytes land there and the rest is untouched", () => {
  const out = new Uint8Array(8).fill(0x2a);
  assert.equal(new HeadText().add("ab").add("c").writeInto(out, 2), 3);
  assert.deepEqual([...out], [42, 42, 97, 98, 99, 42, 42, 42]);
});

Deno.test("HeadText given heads with the same pieces, then one piece changed, then a long head when written in turn then each gets its own bytes", () => {
  const write = (head: HeadText): string => {
    const out = new Uint8Array(head.length + 2).fill(0x2a);
    assert.equal(head.writeInto(out, 1), head.length);
    return String.fromCharCode(...out);
  };
  const make = (value: string): HeadText =>
    new HeadText().add("HTTP/1.1 200 OK\r\n").add("ETag: ").add(value)
      .add("\r\n\r\n");
  const first = write(make('"a"'));
  const out = new Uint8Array(40);
  make('"a"').writeInto(out);
  out.fill(0);
  assert.equal(write(make('"a"')), first);
  assert.equal(write(make('"b"')), first.replace('"a"', '"b"'));
  const long = "x".repeat(5000);
  assert.equal(write(make(long)), `*HTTP/1.1 200 OK\r\nETag: ${long}\r\n\r\n*`);
  assert.equal(write(make('"b"')), first.replace('"a"', '"b"'));
});
