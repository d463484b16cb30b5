import assert from "node:assert/strict";
import { DummyChannel } from "../../testing/mod.ts";
import { Redirect, Resource, Site } from "../../web/mod.ts";

function serve(target: string, method = "GET"): DummyChannel {
  const root = new Resource();
  root.putChild("old", new Redirect('/new?a="1"&b=<2>'));
  const channel = new DummyChannel({ method, target });
  channel.serve(new Site(root));
  return channel;
}

Deno.test("Redirect given any path below it when requested then answers 302 to its URL", () => {
  const channel = serve("/old/deep/path");
  assert.equal(channel.code, 302);
  assert.equal(channel.responseHeaders?.get("location"), '/new?a="1"&b=<2>');
  assert.equal(
    channel.responseHeaders?.get("content-type"),
    "text/html; charset=utf-8",
  );
});

Deno.test("Redirect given a URL with markup when rendered then the page escapes it", () => {
  const text = serve("/old").text();
  assert.match(text, /URL=\/new\?a=&quot;1&quot;&amp;b=&lt;2&gt;/);
  assert.doesNotMatch(text, /<2>/);
});

Deno.test("Redirect given a POST when requested then redirects too", () => {
  assert.equal(serve("/old", "POST").code, 302);
});

Deno.test("Redirect given a URL with a newline when constructed and rendered then the header is refused", () => {
  const root = new Resource();
  root.putChild("bad", new Redirect("/x\r\nSet-Cookie: a=1"));
  const channel = new DummyChannel({ target: "/bad" });
  channel.serve(new Site(root));
  assert.equal(channel.code, 500);
  assert.equal(channel.responseHeaders?.hasHeader("set-cookie"), false);
});
