import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { bodyEtag, SMALL_BODY } from "../../web/_etag.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

Deno.test("bodyEtag given the same bytes in different pieces when hashed then gives the same tag", () => {
  const whole = bodyEtag([bytes("hello world")], 11);
  assert.equal(bodyEtag([bytes("hello "), bytes("world")], 11), whole);
  assert.match(whole, /^"[0-9a-f]{16}"$/);
});

Deno.test("bodyEtag given bodies that differ by one byte or by length when hashed then gives different tags", () => {
  const tags = new Set(
    ["a", "b", "ab", "ba", "", "\0", "\0\0", "hello", "hellp"].map((text) =>
      bodyEtag([bytes(text)], bytes(text).length)
    ),
  );
  assert.equal(tags.size, 9);
});

Deno.test("bodyEtag given ten thousand distinct small bodies when hashed then no two tags collide", () => {
  const tags = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const body = bytes(`{"id":${i}}`);
    tags.add(bodyEtag([body], body.length));
  }
  assert.equal(tags.size, 10_000);
});

Deno.test("bodyEtag given a body over SMALL_BODY when hashed then gives Tornado's SHA-1 tag", () => {
  const body = new Uint8Array(SMALL_BODY + 1).fill(7);
  const sha1 = createHash("sha1").update(body).digest("hex");
  assert.equal(
    bodyEtag([body.subarray(0, 100), body.subarray(100)], body.length),
    `"${sha1}"`,
  );
});

Deno.test("bodyEtag given a small body whose hash halves start with zero digits when hashed then keeps every zero of the 16 digits", () => {
  assert.equal(bodyEtag([bytes("body 5")], 6), '"069f03ab08ce26ab"');
  assert.equal(bodyEtag([bytes("Hello, World!")], 13), '"6331baf5ad7ab4c9"');
});

Deno.test("bodyEtag given a body, another, then the first again when hashed in turn then each tag is its body's", () => {
  const first = bodyEtag([bytes("first")], 5);
  const second = bodyEtag([bytes("second")], 6);
  assert.notEqual(second, first);
  assert.equal(bodyEtag([bytes("first")], 5), first);
  assert.equal(bodyEtag([bytes("second")], 6), second);
  assert.match(bodyEtag([], 0), /^"[0-9a-f]{16}"$/);
});
