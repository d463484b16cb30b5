import assert from "node:assert/strict";
import { DummyChannel } from "../../testing/mod.ts";
import { Data, Resource, Site } from "../../web/mod.ts";

function serve(method: string, target: string): DummyChannel {
  const root = new Resource();
  root.putChild(
    "d",
    new Data(new Uint8Array([1, 2, 3]), "application/x-thing"),
  );
  const channel = new DummyChannel({ method, target });
  channel.serve(new Site(root));
  return channel;
}

Deno.test("Data given GET when requested then serves its bytes with its type and length", () => {
  const channel = serve("GET", "/d");
  assert.equal(channel.code, 200);
  assert.deepEqual([...channel.body()], [1, 2, 3]);
  assert.equal(
    channel.responseHeaders?.get("content-type"),
    "application/x-thing",
  );
  assert.equal(channel.responseHeaders?.get("content-length"), "3");
});

Deno.test("Data given HEAD when requested then keeps the real Content-Length and sends no body", () => {
  const channel = serve("HEAD", "/d");
  assert.equal(channel.responseHeaders?.get("content-length"), "3");
  assert.equal(channel.written.length, 0);
});

Deno.test("Data given POST when requested then answers 405 allowing GET and HEAD", () => {
  const channel = serve("POST", "/d");
  assert.equal(channel.code, 405);
  assert.equal(channel.responseHeaders?.get("allow"), "GET, HEAD");
});
