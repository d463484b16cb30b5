import assert from "node:assert/strict";
import {
  DEFAULT_PORT,
  ItemStore,
  makeApp,
} from "../../examples/tornado_web.ts";
import { captureLogs } from "../_support/mod.ts";
import { serve } from "../web/_fake_channel.ts";
import { Program } from "./_net.ts";

const SCRIPT = new URL("../../examples/tornado_web.ts", import.meta.url);

Deno.test("tornado_web makeApp given a POST then GETs when served then creates, lists and reads items", async () => {
  const app = makeApp(new ItemStore());
  const created = await serve(app, {
    method: "POST",
    target: "/items",
    body: '{"name":"tea"}',
  });
  assert.equal(created.code, 201);
  assert.equal(created.headers.get("location"), "/items/1");
  assert.deepEqual(JSON.parse(created.text()), { id: 1, name: "tea" });
  const list = await serve(app, { target: "/items" });
  assert.deepEqual(JSON.parse(list.text()), {
    items: [{ id: 1, name: "tea" }],
  });
  const one = await serve(app, { target: "/items/1" });
  assert.deepEqual(JSON.parse(one.text()), { id: 1, name: "tea" });
});

Deno.test("tornado_web makeApp given a DELETE when served then removes the item and a second DELETE answers 404", async () => {
  const store = new ItemStore();
  store.add("tea");
  const app = makeApp(store);
  await captureLogs(async () => {
    assert.equal(
      (await serve(app, { method: "DELETE", target: "/items/1" })).code,
      204,
    );
    assert.equal(
      (await serve(app, { method: "DELETE", target: "/items/1" })).code,
      404,
    );
  });
  assert.equal(store.items.size, 0);
});

Deno.test("tornado_web makeApp given a body that is not JSON or has no name when posted then answers 400", async () => {
  const app = makeApp(new ItemStore());
  await captureLogs(async () => {
    assert.equal(
      (await serve(app, { method: "POST", target: "/items", body: "nope" }))
        .code,
      400,
    );
    assert.equal(
      (await serve(app, { method: "POST", target: "/items", body: "{}" })).code,
      400,
    );
  });
});

Deno.test("tornado_web.ts given a port that is not a number when run then prints usage and exits 2", async () => {
  assert.equal(DEFAULT_PORT, 8888);
  const program = new Program(SCRIPT, ["--port", "http"], [
    "--allow-net",
    "--allow-read",
  ]);
  try {
    const { code, stderr } = await program.exit();
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--port must be a number from 0 to 65535: current value is http/,
    );
    assert.match(stderr, /Usage: tornado_web\.ts/);
  } finally {
    await program.close();
  }
});

Deno.test("tornado_web.ts given --port 0 when run then prints its URL, serves the API and source, and exits 0 on SIGINT", async () => {
  const program = new Program(SCRIPT, ["--port", "0"], [
    "--allow-net",
    "--allow-read",
  ]);
  try {
    const banner = await program.stdout.find(
      (line) => line.startsWith("Tornado web example listening on"),
      "the listening banner",
    );
    const base = /(http:\/\/127\.0\.0\.1:\d+\/)$/.exec(banner)![1];
    const created = await fetch(`${base}items`, {
      method: "POST",
      body: '{"name":"tea"}',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { id: 1, name: "tea" });
    const list = await fetch(`${base}items`);
    assert.deepEqual(await list.json(), { items: [{ id: 1, name: "tea" }] });
    const missing = await fetch(`${base}items/99`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const deleted = await fetch(`${base}items/1`, { method: "DELETE" });
    assert.equal(deleted.status, 204);
    await deleted.body?.cancel();
    const source = await fetch(`${base}source/tornado_web.ts`);
    assert.equal(source.status, 200);
    assert.match(
      await source.text(),
      /class ItemsHandler extends RequestHandler/,
    );
    program.kill("SIGINT");
    const { code } = await program.exit();
    assert.equal(code, 0);
  } finally {
    await program.close();
  }
});
