import assert from "node:assert/strict";
import { asciiText, latin1, sharedLatin1 } from "../../http/_latin1.ts";

const bytes = (codes: number[]): Uint8Array => Uint8Array.from(codes);
const ascii = (text: string): Uint8Array =>
  bytes([...text].map((c) => c.charCodeAt(0)));

Deno.test("sharedLatin1 given the same bytes twice when decoded then gives equal text both times", () => {
  const read = ascii("GET /plaintext HTTP/1.1");
  const first = sharedLatin1(read, 4, 14);
  const second = sharedLatin1(read, 4, 14);
  assert.equal(first, "/plaintext");
  assert.equal(second, "/plaintext");
});

Deno.test("sharedLatin1 given many distinct texts that share slots when each is decoded twice then each gives its own text", () => {
  const texts = Array.from({ length: 2000 }, (_, i) => `/item/${i}`);
  for (let round = 0; round < 2; round++) {
    for (const text of texts) {
      assert.equal(sharedLatin1(ascii(text), 0, text.length), text);
    }
  }
});

Deno.test("sharedLatin1 given bytes that changed after a first decoding when decoded again then gives the new text", () => {
  const read = ascii("abcd");
  assert.equal(sharedLatin1(read, 0, 4), "abcd");
  read[3] = 0x65;
  assert.equal(sharedLatin1(read, 0, 4), "abce");
});

Deno.test("sharedLatin1 given high latin-1 bytes, an empty range or a long text when decoded then gives what latin1 gives", () => {
  const high = bytes([0x63, 0x61, 0x66, 0xe9, 0xff]);
  assert.equal(sharedLatin1(high, 0, 5), "caf\xe9\xff");
  assert.equal(sharedLatin1(high, 2, 2), "");
  const long = ascii("x".repeat(300));
  assert.equal(sharedLatin1(long, 0, 300), latin1(long, 0, 300));
});

Deno.test("asciiText given ASCII bytes when decoded then gives the text", () => {
  assert.equal(
    asciiText(new TextEncoder().encode("static/app.js")),
    "static/app.js",
  );
});

Deno.test("asciiText given a byte above 0x7f when decoded then gives null", () => {
  assert.equal(asciiText(new TextEncoder().encode("wörld")), null);
});
