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

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const headWith = (value: string): HeadText =>
  new HeadText().add("HTTP/1.1 200 OK\r\n").add("ETag: ").add(value)
    .add("\r\n\r\n");
const textOf = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

Deno.test("HeadText.joined given a head and a body when joined then the bytes are the head followed by the body", () => {
  const joined = headWith('"j"').joined(bytesOf("hello"));
  assert.equal(textOf(joined), 'HTTP/1.1 200 OK\r\nETag: "j"\r\n\r\nhello');
});

Deno.test("HeadText.joined given the same head and body again when joined then the same bytes are given again", () => {
  const first = headWith('"s"').joined(bytesOf("same"));
  assert.equal(headWith('"s"').joined(bytesOf("same")), first);
});

Deno.test("HeadText.joined given the same head and another body of the same length when joined then new bytes hold the new body", () => {
  const first = headWith('"b"').joined(bytesOf("abcd"));
  const second = headWith('"b"').joined(bytesOf("abce"));
  assert.notEqual(second, first);
  assert.equal(textOf(first), 'HTTP/1.1 200 OK\r\nETag: "b"\r\n\r\nabcd');
  assert.equal(textOf(second), 'HTTP/1.1 200 OK\r\nETag: "b"\r\n\r\nabce');
});

Deno.test("HeadText.joined given another head written in between when the first is joined again then new bytes are made", () => {
  const first = headWith('"h"').joined(bytesOf("x"));
  headWith('"i"').bytes();
  const again = headWith('"h"').joined(bytesOf("x"));
  assert.notEqual(again, first);
  assert.equal(textOf(again), textOf(first));
});

Deno.test("HeadText.joined given a body over 256 bytes when joined twice then each gets bytes of its own", () => {
  const body = bytesOf("y".repeat(300));
  const first = headWith('"l"').joined(body);
  const second = headWith('"l"').joined(body);
  assert.notEqual(second, first);
  assert.equal(textOf(second), textOf(first));
});

Deno.test("HeadText.sameAs given heads made alike, one longer and one with a piece changed when compared then only the alike ones are the same", () => {
  headWith('"p"').bytes();
  const shorter = new HeadText().add("HTTP/1.1 200 OK\r\n").add("ETag: ");
  assert.ok(headWith('"p"').sameAs(headWith('"p"')));
  assert.ok(!headWith('"p"').sameAs(headWith('"q"')));
  assert.ok(!headWith('"p"').sameAs(shorter));
  assert.ok(!headWith('"q"').add("X").sameAs(headWith('"q"')));
  assert.equal(shorter.toString(), "HTTP/1.1 200 OK\r\nETag: ");
});
