import assert from "node:assert/strict";
import { Headers } from "../../http/headers.ts";
import {
  FileProducer,
  guessType,
  isNotModified,
  parseRange,
  planStaticResponse,
  splitRelativePath,
  StaticRoot,
} from "../../web/_static.ts";
import type { IConsumer, IProducer } from "../../reactor/interfaces.ts";
import { sleep } from "../_support/mod.ts";

function info(size: number, mtime: number): Deno.FileInfo {
  return { size, mtime: new Date(mtime), isFile: true } as Deno.FileInfo;
}

Deno.test("guessType given a compressed page when guessed then reports the inner type and gzip", () => {
  assert.deepEqual(guessType("page.html.gz"), {
    type: "text/html",
    encoding: "gzip",
  });
  assert.deepEqual(guessType("a/b.CSS"), {
    type: "text/css",
    encoding: undefined,
  });
  assert.deepEqual(guessType("README"), {
    type: undefined,
    encoding: undefined,
  });
});

Deno.test("splitRelativePath given dot-dot, backslash, NUL or absolute paths when split then refuses them", () => {
  for (
    const path of [
      "../x",
      "a/../../x",
      "a\\..\\x",
      "/etc/passwd",
      "a/\0",
      "C:/x",
    ]
  ) {
    assert.equal(splitRelativePath(path), null, path);
  }
  assert.deepEqual(splitRelativePath("css//./site.css"), ["css", "site.css"]);
});

Deno.test("StaticRoot given a symlink pointing outside the root when resolved then refuses it", async () => {
  const outside = await Deno.makeTempDir();
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
    await Deno.writeTextFile(`${root}/ok.txt`, "ok");
    await Deno.symlink(`${outside}/secret.txt`, `${root}/link.txt`);
    const resolver = new StaticRoot(root);
    assert.equal(resolver.resolve(["link.txt"]), null);
    assert.equal(resolver.resolve([".."]), null);
    assert.equal(resolver.resolve(["missing"]), null);
    const found = resolver.resolve(["ok.txt"]);
    assert.equal(found?.info.size, 2);
  } finally {
    await Deno.remove(outside, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticRoot given a proven symlink re-pointed outside the root when resolved again then refuses it", async () => {
  const outside = await Deno.makeTempDir();
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
    await Deno.writeTextFile(`${root}/ok.txt`, "ok");
    await Deno.symlink(`${root}/ok.txt`, `${root}/link.txt`);
    const resolver = new StaticRoot(root, { trustMs: 0 });
    assert.equal(resolver.resolve(["link.txt"])?.info.size, 2);
    await Deno.remove(`${root}/link.txt`);
    await Deno.symlink(`${outside}/secret.txt`, `${root}/link.txt`);
    assert.equal(resolver.resolve(["link.txt"]), null);
  } finally {
    await Deno.remove(outside, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticRoot given a root symlink re-pointed to another directory when resolved then finds the new directory's file", async () => {
  const base = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${base}/a`);
    await Deno.mkdir(`${base}/b`);
    await Deno.writeTextFile(`${base}/a/f.txt`, "a");
    await Deno.writeTextFile(`${base}/b/f.txt`, "bb");
    await Deno.symlink(`${base}/a`, `${base}/root`);
    const resolver = new StaticRoot(`${base}/root`, { trustMs: 0 });
    const first = resolver.resolve(["f.txt"]);
    assert.equal(first?.path, `${await Deno.realPath(base)}/a/f.txt`);
    await Deno.remove(`${base}/root`);
    await Deno.symlink(`${base}/b`, `${base}/root`);
    const second = resolver.resolve(["f.txt"]);
    assert.equal(second?.path, `${await Deno.realPath(base)}/b/f.txt`);
    assert.equal(second?.info.size, 2);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("StaticRoot given a replaced file when resolved again then reports the new version", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/f.txt`, "one");
    const resolver = new StaticRoot(root, { trustMs: 0 });
    assert.equal(resolver.resolve(["f.txt"])?.info.size, 3);
    await Deno.writeTextFile(`${root}/next.txt`, "three");
    await Deno.rename(`${root}/next.txt`, `${root}/f.txt`);
    assert.equal(resolver.resolve(["f.txt"])?.info.size, 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticRoot given a file replaced within trustMs when resolved then reports the proven version until trustMs has passed", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/f.txt`, "one");
    const resolver = new StaticRoot(root, { trustMs: 500 });
    const first = resolver.resolve(["f.txt"]);
    assert.equal(first?.info.size, 3);
    await Deno.writeTextFile(`${root}/next.txt`, "three");
    await Deno.rename(`${root}/next.txt`, `${root}/f.txt`);
    assert.equal(resolver.resolve(["f.txt"]), first);
    await sleep(550);
    assert.equal(resolver.resolve(["f.txt"])?.info.size, 5);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticRoot given a proven file removed when resolved past trustMs then finds nothing and forgets it", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/f.txt`, "one");
    const resolver = new StaticRoot(root, { trustMs: 0 });
    assert.equal(resolver.resolve(["f.txt"])?.info.size, 3);
    await Deno.remove(`${root}/f.txt`);
    assert.equal(resolver.resolve(["f.txt"]), null);
    assert.equal(resolver.provenSize, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticRoot given more paths than its bound when resolved then remembers only the bound", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const name of ["a", "b", "c"]) {
      await Deno.writeTextFile(`${root}/${name}`, name);
    }
    const resolver = new StaticRoot(root, { maxProven: 2 });
    for (const name of ["a", "b", "c", "a"]) {
      assert.equal(resolver.resolve([name])?.info.size, 1);
    }
    assert.equal(resolver.provenSize, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("parseRange given the RFC 9110 forms when parsed then returns the exclusive range or 416", () => {
  assert.deepEqual(parseRange("bytes=0-4", 10), {
    kind: "partial",
    start: 0,
    end: 5,
  });
  assert.deepEqual(parseRange("bytes=5-", 10), {
    kind: "partial",
    start: 5,
    end: 10,
  });
  assert.deepEqual(parseRange("bytes=-3", 10), {
    kind: "partial",
    start: 7,
    end: 10,
  });
  assert.deepEqual(parseRange("bytes=-30", 10), {
    kind: "partial",
    start: 0,
    end: 10,
  });
  assert.deepEqual(parseRange("bytes=8-100", 10), {
    kind: "partial",
    start: 8,
    end: 10,
  });
  assert.deepEqual(parseRange("bytes=10-", 10), { kind: "unsatisfiable" });
  assert.deepEqual(parseRange("bytes=-0", 10), { kind: "unsatisfiable" });
  assert.deepEqual(parseRange("bytes=0-1,3-4", 10), { kind: "whole" });
  assert.deepEqual(parseRange("items=0-1", 10), { kind: "whole" });
  assert.deepEqual(parseRange("bytes=5-2", 10), { kind: "whole" });
});

Deno.test("isNotModified given If-None-Match and If-Modified-Since when both sent then If-None-Match decides", () => {
  const mtime = Date.UTC(2020, 0, 1, 12, 0, 0, 500);
  const later = new Date(mtime + 60_000).toUTCString();
  assert.equal(
    isNotModified(new Headers({ "If-Modified-Since": later }), '"x"', mtime),
    true,
  );
  assert.equal(
    isNotModified(
      new Headers({ "If-None-Match": '"y"', "If-Modified-Since": later }),
      '"x"',
      mtime,
    ),
    false,
  );
  assert.equal(
    isNotModified(new Headers({ "If-None-Match": 'W/"x", "z"' }), '"x"', mtime),
    true,
  );
  assert.equal(
    isNotModified(new Headers({ "If-None-Match": "*" }), '"x"', mtime),
    true,
  );
  const exact = new Date(mtime).toUTCString();
  assert.equal(
    isNotModified(new Headers({ "If-Modified-Since": exact }), '"x"', mtime),
    true,
  );
});

Deno.test("planStaticResponse given a range and a stale If-Range when planned then serves the whole file", () => {
  const plan = planStaticResponse(
    new Headers({ Range: "bytes=0-1", "If-Range": '"other"' }),
    info(10, 1_000_000),
  );
  assert.equal(plan.status, 200);
  assert.deepEqual(plan.range, { start: 0, end: 10 });
});

Deno.test("planStaticResponse given an unsatisfiable range when planned then answers 416 with the size", () => {
  const plan = planStaticResponse(
    new Headers({ Range: "bytes=20-" }),
    info(10, 0),
  );
  assert.equal(plan.status, 416);
  assert.ok(
    plan.headers.some(([n, v]) => n === "Content-Range" && v === "bytes */10"),
  );
});

Deno.test("planStaticResponse given one file version twice without conditions when planned then shares one frozen plan", () => {
  const version = info(10, 1_000_000);
  const first = planStaticResponse(new Headers(), version);
  assert.equal(planStaticResponse(new Headers(), version), first);
  assert.equal(first.status, 200);
  assert.deepEqual(first.range, { start: 0, end: 10 });
  assert.deepEqual(first.headers.map(([name]) => name), [
    "Accept-Ranges",
    "ETag",
    "Last-Modified",
    "Content-Length",
  ]);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.headers));
  assert.ok(first.headers.every((field) => Object.isFrozen(field)));
});

Deno.test("planStaticResponse given a new file version or a range when planned then does not answer with the shared plan", () => {
  const version = info(10, 1_000_000);
  const whole = planStaticResponse(new Headers(), version);
  const changed = planStaticResponse(new Headers(), info(12, 2_000_000));
  assert.notEqual(changed, whole);
  assert.deepEqual(changed.range, { start: 0, end: 12 });
  const partial = planStaticResponse(
    new Headers({ Range: "bytes=0-1" }),
    version,
  );
  assert.equal(partial.status, 206);
  assert.equal(Object.isFrozen(partial.headers), false);
  assert.equal(planStaticResponse(new Headers(), version), whole);
});

class Collector implements IConsumer {
  chunks: Uint8Array[] = [];
  producer: IProducer | null = null;
  unregistered = 0;
  registerProducer(producer: IProducer): void {
    this.producer = producer;
  }
  unregisterProducer(): void {
    this.unregistered += 1;
  }
  write(data: Uint8Array | string): void {
    this.chunks.push(data as Uint8Array);
    (this.producer as FileProducer).pauseProducing();
  }
}

Deno.test("FileProducer given a consumer that pauses after each write when resumed then streams the range in pieces", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, new Uint8Array(200_000).map((_, i) => i % 251));
    const consumer = new Collector();
    const producer = new FileProducer(
      await Deno.open(path),
      consumer,
      10,
      150_010,
    );
    const done = producer.start();
    for (let i = 0; i < 20 && !done.called; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      producer.resumeProducing();
    }
    assert.equal(await done.asPromise(), true);
    assert.equal(consumer.chunks.length, 3);
    const total = consumer.chunks.reduce((n, c) => n + c.length, 0);
    assert.equal(total, 150_000);
    assert.equal(consumer.chunks[0][0], 10);
    assert.equal(consumer.unregistered, 1);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("FileProducer given the consumer going away during the last write when the range ends then fires false and does not unregister", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, new Uint8Array(100));
    // The client goes away as its last piece is written: the request stops
    // the producer, and must not be finished after that.
    class Leaving extends Collector {
      override write(data: Uint8Array | string): void {
        this.chunks.push(data as Uint8Array);
        (this.producer as FileProducer).stopProducing();
      }
    }
    const consumer = new Leaving();
    const producer = new FileProducer(await Deno.open(path), consumer, 0, 100);
    assert.equal(await producer.start().asPromise(), false);
    assert.equal(consumer.chunks.length, 1);
    assert.equal(consumer.unregistered, 0);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("FileProducer given stopProducing while paused when stopped then fires false and closes the file", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, new Uint8Array(200_000));
    const consumer = new Collector();
    const producer = new FileProducer(
      await Deno.open(path),
      consumer,
      0,
      200_000,
    );
    const done = producer.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    producer.stopProducing();
    assert.equal(await done.asPromise(), false);
    assert.equal(consumer.chunks.length, 1);
  } finally {
    await Deno.remove(path);
  }
});
