import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { DummyChannel } from "../../testing/mod.ts";
import {
  Data,
  DeferredResource,
  type IResource,
  Resource,
  Site,
} from "../../web/mod.ts";
import { captureLogs } from "../_support/mod.ts";

function tree(): Resource {
  const root = new Resource();
  root.putChild("a", new Data("A", "text/plain"));
  return root;
}

Deno.test("DeferredResource given two requests before it fires when it fires then both are rendered from the resource", async () => {
  const d = new Deferred<IResource>();
  const site = new Site(new DeferredResource(d));
  const first = new DummyChannel({ target: "/a" });
  const second = new DummyChannel({ target: "/missing" });
  first.serve(site);
  second.serve(site);
  assert.equal(first.headWritten, false);
  d.callback(tree());
  await first.notifyFinish();
  await second.notifyFinish();
  assert.equal(first.text(), "A");
  assert.equal(second.code, 404);
});

Deno.test("DeferredResource given a fired Deferred when a later request comes then it is rendered too", async () => {
  const d = new Deferred<IResource>();
  d.callback(tree());
  const site = new Site(new DeferredResource(d));
  const channel = new DummyChannel({ target: "/a" });
  channel.serve(site);
  await channel.notifyFinish();
  assert.equal(channel.text(), "A");
});

Deno.test("DeferredResource given a Deferred that fails when requested then answers 500 and logs it", async () => {
  const records = await captureLogs(async () => {
    const d = new Deferred<IResource>();
    const site = new Site(new DeferredResource(d));
    const channel = new DummyChannel({ target: "/a" });
    channel.serve(site);
    d.errback(new Error("could not load"));
    await channel.notifyFinish();
    assert.equal(channel.code, 500);
  });
  assert.equal(records.filter((r) => r.level === "error").length, 1);
});

Deno.test("DeferredResource given a failing Deferred and no request when it fails then nothing is left unhandled", async () => {
  const d = new Deferred<IResource>();
  new DeferredResource(d);
  d.errback(new Error("nobody asked"));
  await new Promise((resolve) => setTimeout(resolve, 0));
});
