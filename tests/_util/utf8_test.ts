import assert from "node:assert/strict";
import { encodeUtf8 } from "../../_util/utf8.ts";

const encoder = new TextEncoder();

Deno.test("encodeUtf8 given a short ASCII string when encoded then gives TextEncoder's bytes", () => {
  assert.deepEqual(
    encodeUtf8("Hello, World!"),
    encoder.encode("Hello, World!"),
  );
});

Deno.test("encodeUtf8 given an empty string when encoded then gives no bytes", () => {
  assert.equal(encodeUtf8("").length, 0);
});

Deno.test("encodeUtf8 given short strings with non-ASCII characters when encoded then gives TextEncoder's bytes", () => {
  for (const text of ["é", "abcé", "\u{1F600}x", "\uD800", "\xff".repeat(64)]) {
    assert.deepEqual(
      encodeUtf8(text),
      encoder.encode(text),
      JSON.stringify(text),
    );
  }
});

Deno.test("encodeUtf8 given strings around the slab's limit when encoded then gives TextEncoder's bytes", () => {
  for (const length of [65, 1023, 1024, 1025, 5000]) {
    for (const unit of ["a", "\u20ac"]) {
      const text = unit.repeat(length);
      assert.deepEqual(
        encodeUtf8(text),
        encoder.encode(text),
        `${length} x ${unit}`,
      );
    }
  }
});

Deno.test("encodeUtf8 given two strings when encoded in turn then the first bytes stay as they were", () => {
  const first = encodeUtf8("first");
  encodeUtf8("second");
  assert.deepEqual(first, encoder.encode("first"));
});
