import assert from "node:assert/strict";
import { BodyCollector, PREALLOCATE_LIMIT } from "../../web/_body_collector.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

Deno.test("BodyCollector given pieces of the declared length when taken then gives them joined", () => {
  const body = new BodyCollector(11);
  body.add(bytes("hello "));
  body.add(bytes("world"));
  assert.equal(body.length, 11);
  assert.equal(text(body.take()), "hello world");
});

Deno.test("BodyCollector given a view that changes after the call when taken then keeps the bytes it was given", () => {
  for (const declared of [4, null, PREALLOCATE_LIMIT + 1]) {
    const body = new BodyCollector(declared);
    const view = bytes("abcd");
    body.add(view);
    view.fill(0);
    assert.equal(text(body.take()), "abcd");
  }
});

Deno.test("BodyCollector given more bytes than declared when taken then gives all of them in order", () => {
  const body = new BodyCollector(3);
  body.add(bytes("ab"));
  body.add(bytes("cdef"));
  body.add(bytes("g"));
  assert.equal(body.length, 7);
  assert.equal(text(body.take()), "abcdefg");
});

Deno.test("BodyCollector given fewer bytes than declared when taken then gives only what arrived", () => {
  const body = new BodyCollector(10);
  body.add(bytes("abc"));
  const taken = body.take();
  assert.equal(taken.length, 3);
  assert.equal(text(taken), "abc");
});

Deno.test("BodyCollector given a declared length above the limit or none when pieces arrive then gives them joined", () => {
  for (const declared of [PREALLOCATE_LIMIT + 1, null]) {
    const body = new BodyCollector(declared);
    body.add(bytes("x".repeat(5)));
    body.add(new Uint8Array(0));
    body.add(bytes("y"));
    assert.equal(text(body.take()), "xxxxxy");
  }
});

Deno.test("BodyCollector given no piece when taken then gives an empty body", () => {
  assert.equal(new BodyCollector(null).take().length, 0);
  assert.equal(new BodyCollector(5).take().length, 0);
});
