import assert from "node:assert/strict";
import { HeadText } from "../../http/_head_text.ts";
import { joinedResponse, shareBody } from "../../http/_shared_body.ts";

const decoder = new TextDecoder();

function head(date: string): HeadText {
  return new HeadText().add("HTTP/1.1 200 OK\r\n").add(`Date: ${date}\r\n`)
    .add("\r\n");
}

Deno.test("joinedResponse given a body not shared when asked then returns null", () => {
  assert.equal(joinedResponse(head("a"), new Uint8Array(8)), null);
});

Deno.test("joinedResponse given a shared body sent twice with equal heads then returns the same joined bytes", () => {
  const body = new TextEncoder().encode("body");
  shareBody(body);
  const first = joinedResponse(head("a"), body);
  assert.equal(
    decoder.decode(first!),
    "HTTP/1.1 200 OK\r\nDate: a\r\n\r\nbody",
  );
  assert.equal(joinedResponse(head("a"), body), first);
});

Deno.test("joinedResponse given a shared body and another head before the join served enough then returns null, and joins it again after", () => {
  const body = new TextEncoder().encode("body");
  shareBody(body);
  joinedResponse(head("a"), body);
  assert.equal(joinedResponse(head("b"), body), null);
  for (let i = 0; i < 8; i++) joinedResponse(head("a"), body);
  const again = joinedResponse(head("b"), body);
  assert.equal(
    decoder.decode(again!),
    "HTTP/1.1 200 OK\r\nDate: b\r\n\r\nbody",
  );
});
