import assert from "node:assert/strict";
import type { IProducer } from "../../reactor/interfaces.ts";
import { DummyChannel, type DummyChannelOptions } from "../../testing/mod.ts";
import {
  File,
  type FileOptions,
  type Request,
  Resource,
  Site,
} from "../../web/mod.ts";
import { pastStatTrust, within, writeSettled } from "../_support/mod.ts";

interface Tree extends AsyncDisposable {
  /** The served directory. */
  root: string;
  /** A directory beside it, which must never be served. */
  outside: string;
}

/** A served directory with files, a subdirectory and a secret beside it. */
async function makeTree(): Promise<Tree> {
  const base = await Deno.makeTempDir();
  const root = `${base}/public`;
  const outside = `${base}/private`;
  await Deno.mkdir(`${root}/docs`, { recursive: true });
  await Deno.mkdir(`${root}/empty`);
  await Deno.mkdir(outside);
  await Deno.writeTextFile(`${root}/hello.txt`, "hello, world");
  await Deno.writeTextFile(`${root}/page.html`, "<p>page</p>");
  await Deno.writeTextFile(`${root}/noext`, "no extension");
  await Deno.writeTextFile(`${root}/data.json.gz`, "not really gzip");
  await Deno.writeTextFile(`${root}/docs/index.html`, "docs index");
  await Deno.writeTextFile(`${root}/empty/<b>.txt`, "x");
  await Deno.writeTextFile(`${base}/secret.txt`, "secret");
  await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
  await Deno.symlink(`${outside}/secret.txt`, `${root}/link.txt`);
  await Deno.symlink(outside, `${root}/linkdir`);
  await Deno.symlink(`${root}/hello.txt`, `${root}/inside-link.txt`);
  await Deno.mkdir(`${root}/trap`);
  await Deno.symlink(`${outside}/secret.txt`, `${root}/trap/index.html`);
  return {
    root,
    outside,
    [Symbol.asyncDispose]: () => Deno.remove(base, { recursive: true }),
  };
}

async function get(
  root: string,
  options: DummyChannelOptions,
  fileOptions: FileOptions = {},
  channel = new DummyChannel(options),
): Promise<DummyChannel> {
  const site = new Resource();
  site.putChild("static", new File(root, fileOptions));
  channel.serve(new Site(site));
  await within(channel.notifyFinish(), `${options.target} to finish`);
  return channel;
}

Deno.test("File given a text file when requested then serves it with its type, length and validators", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/hello.txt" });
  const headers = channel.responseHeaders!;
  assert.equal(channel.code, 200);
  assert.equal(channel.text(), "hello, world");
  assert.equal(headers.get("content-type"), "text/plain");
  assert.equal(headers.get("content-length"), "12");
  assert.equal(headers.get("accept-ranges"), "bytes");
  assert.match(headers.get("etag") ?? "", /^"[0-9a-f]+-[0-9a-f]+"$/);
  const mtime = (await Deno.stat(`${tree.root}/hello.txt`)).mtime!;
  assert.equal(headers.get("last-modified"), mtime.toUTCString());
});

Deno.test("File given an unknown extension when requested then uses defaultType, and contentTypes overrides", async () => {
  await using tree = await makeTree();
  const plain = await get(tree.root, { target: "/static/noext" });
  assert.equal(plain.responseHeaders?.get("content-type"), "text/html");
  const typed = await get(tree.root, { target: "/static/hello.txt" }, {
    contentTypes: { ".TXT": "text/x-custom" },
  });
  assert.equal(typed.responseHeaders?.get("content-type"), "text/x-custom");
});

Deno.test("File given a .gz file when requested then sends the inner type with Content-Encoding gzip", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/data.json.gz" });
  assert.equal(
    channel.responseHeaders?.get("content-type"),
    "application/json",
  );
  assert.equal(channel.responseHeaders?.get("content-encoding"), "gzip");
});

Deno.test("File given If-None-Match with the current ETag when requested then answers 304 without a body", async () => {
  await using tree = await makeTree();
  const first = await get(tree.root, { target: "/static/hello.txt" });
  const etag = first.responseHeaders!.get("etag")!;
  const channel = await get(tree.root, {
    target: "/static/hello.txt",
    headers: { "If-None-Match": etag },
  });
  assert.equal(channel.code, 304);
  assert.equal(channel.written.length, 0);
  assert.equal(channel.responseHeaders?.get("etag"), etag);
});

Deno.test("File given If-Modified-Since at or after the modification when requested then answers 304, and 200 when older", async () => {
  await using tree = await makeTree();
  const mtime = (await Deno.stat(`${tree.root}/hello.txt`)).mtime!.getTime();
  const fresh = await get(tree.root, {
    target: "/static/hello.txt",
    headers: { "If-Modified-Since": new Date(mtime).toUTCString() },
  });
  assert.equal(fresh.code, 304);
  const stale = await get(tree.root, {
    target: "/static/hello.txt",
    headers: { "If-Modified-Since": new Date(mtime - 10_000).toUTCString() },
  });
  assert.equal(stale.code, 200);
  assert.equal(stale.text(), "hello, world");
});

for (const [what, settled] of [["a file", false], ["a cached file", true]]) {
  Deno.test(`File given a satisfiable Range on ${what} when requested then answers 206 with Content-Range and those bytes`, async () => {
    await using tree = await makeTree();
    if (settled) await writeSettled(`${tree.root}/hello.txt`, "hello, world");
    const channel = await get(tree.root, {
      target: "/static/hello.txt",
      headers: { Range: "bytes=7-11" },
    });
    assert.equal(channel.code, 206);
    assert.equal(channel.text(), "world");
    assert.equal(
      channel.responseHeaders?.get("content-range"),
      "bytes 7-11/12",
    );
    assert.equal(channel.responseHeaders?.get("content-length"), "5");
  });
}

Deno.test("File given a suffix Range when requested then serves the last bytes", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, {
    target: "/static/hello.txt",
    headers: { Range: "bytes=-3" },
  });
  assert.equal(channel.code, 206);
  assert.equal(channel.text(), "rld");
});

Deno.test("File given a Range past the end when requested then answers 416 with the size", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, {
    target: "/static/hello.txt",
    headers: { Range: "bytes=100-" },
  });
  assert.equal(channel.code, 416);
  assert.equal(channel.responseHeaders?.get("content-range"), "bytes */12");
  assert.equal(channel.written.length, 0);
});

Deno.test("File given HEAD when requested then sends the headers and length without the body", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, {
    method: "HEAD",
    target: "/static/hello.txt",
  });
  assert.equal(channel.code, 200);
  assert.equal(channel.responseHeaders?.get("content-length"), "12");
  assert.equal(channel.written.length, 0);
});

Deno.test("File given a directory without its trailing slash when requested then redirects to the slashed URL with the query", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/docs?x=1" });
  assert.equal(channel.code, 302);
  assert.equal(channel.responseHeaders?.get("location"), "/static/docs/?x=1");
});

Deno.test("File given a directory with an index file when requested with a slash then serves the index", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/docs/" });
  assert.equal(channel.code, 200);
  assert.equal(channel.text(), "docs index");
  assert.equal(channel.responseHeaders?.get("content-type"), "text/html");
});

Deno.test("File given a directory without an index when listing is off then answers 403", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/empty/" });
  assert.equal(channel.code, 403);
  assert.doesNotMatch(channel.text(), /b&gt;\.txt/);
});

Deno.test("File given directoryListing when a directory without index is requested then lists its entries escaped", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/empty/" }, {
    directoryListing: true,
  });
  assert.equal(channel.code, 200);
  assert.match(channel.text(), /&lt;b&gt;\.txt/);
  assert.match(channel.text(), /href="%3Cb%3E\.txt"/);
  assert.doesNotMatch(channel.text(), /<b>/);
});

Deno.test("File given a missing file when requested then answers 404", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/nope.txt" });
  assert.equal(channel.code, 404);
});

Deno.test("File given a symlink to a file inside the directory when requested then serves it", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/inside-link.txt" });
  assert.equal(channel.code, 200);
  assert.equal(channel.text(), "hello, world");
});

const TRAVERSALS: [string, string][] = [
  ["a dot-dot segment", "/static/../secret.txt"],
  ["dot-dot segments deeper", "/static/docs/../../secret.txt"],
  ["a percent-encoded dot-dot", "/static/%2e%2e/secret.txt"],
  ["an upper-case encoded dot-dot", "/static/%2E%2E/secret.txt"],
  ["an encoded slash in a segment", "/static/..%2Fsecret.txt"],
  ["an encoded backslash in a segment", "/static/..%5Csecret.txt"],
  ["an encoded NUL", "/static/hello.txt%00.html"],
  ["an absolute path after a double slash", "/static//etc/passwd"],
  ["an encoded absolute path", "/static/%2Fetc%2Fpasswd"],
  ["a symlink to a file outside", "/static/link.txt"],
  ["a symlink to a directory outside", "/static/linkdir/secret.txt"],
  ["an index file that is a symlink outside", "/static/trap/index.html"],
];

for (const [what, target] of TRAVERSALS) {
  Deno.test(`File given ${what} when requested then answers 404 and never serves the secret`, async () => {
    await using tree = await makeTree();
    const channel = await get(tree.root, { target });
    assert.equal(channel.code, 404, target);
    assert.doesNotMatch(channel.text(), /secret/);
  });
}

Deno.test("File given a file as its path when requested then serves that file and nothing below it", async () => {
  await using tree = await makeTree();
  const site = new Resource();
  site.putChild("one", new File(`${tree.root}/hello.txt`));
  const channel = new DummyChannel({ target: "/one" });
  channel.serve(new Site(site));
  await within(channel.notifyFinish(), "the file");
  assert.equal(channel.text(), "hello, world");
  const below = new DummyChannel({ target: "/one/x" });
  below.serve(new Site(site));
  await within(below.notifyFinish(), "the 404");
  assert.equal(below.code, 404);
});

/** A channel that pauses its producer after every write, as a slow client. */
class SlowChannel extends DummyChannel {
  registered: IProducer[] = [];
  override registerProducer(producer: IProducer, streaming: boolean): void {
    super.registerProducer(producer, streaming);
    this.registered.push(producer);
  }
  override write(data: Uint8Array | string): void {
    super.write(data);
    const producer = this.producer as { pauseProducing?: () => void } | null;
    producer?.pauseProducing?.();
  }
}

/** Resumes the paused producer every 2 ms until the response ends (bounded). */
async function resumeUntilFinished(channel: SlowChannel): Promise<void> {
  for (let i = 0; i < 200 && !channel.finished; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    const producer = channel.producer as
      | { resumeProducing?: () => void }
      | null;
    producer?.resumeProducing?.();
  }
}

Deno.test("File given a large file and a client that pauses after each piece when resumed then streams it in pieces under flow control", async () => {
  await using tree = await makeTree();
  const size = 300 * 1024;
  const content = new Uint8Array(size).map((_, i) => i % 253);
  await Deno.writeFile(`${tree.root}/big.bin`, content);
  const channel = new SlowChannel({ target: "/static/big.bin" });
  const site = new Resource();
  site.putChild("static", new File(tree.root));
  channel.serve(new Site(site));
  await resumeUntilFinished(channel);
  assert.equal(channel.finished, true);
  assert.equal(channel.registered.length, 1);
  assert.equal(channel.streaming, true);
  assert.ok(channel.written.length >= 5, `${channel.written.length} pieces`);
  assert.deepEqual(channel.body(), content);
  assert.equal(channel.producer, null);
});

Deno.test("File given the client goes away while streaming when paused then stops and closes the file", async () => {
  await using tree = await makeTree();
  await Deno.writeFile(`${tree.root}/big.bin`, new Uint8Array(300 * 1024));
  const channel = new SlowChannel({ target: "/static/big.bin" });
  const site = new Resource();
  site.putChild("static", new File(tree.root));
  channel.serve(new Site(site));
  for (let i = 0; i < 200 && channel.written.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert.equal(channel.written.length, 1);
  channel.loseConnection();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(channel.finished, false);
  assert.equal(channel.written.length, 1);
});

Deno.test("File given a directory whose index is a symlink outside when requested with a slash then does not serve the index", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/trap/" });
  assert.equal(channel.code, 403);
  assert.doesNotMatch(channel.text(), /secret/);
});

Deno.test("File given a subclass when a child is traversed then the child is of the subclass", async () => {
  await using tree = await makeTree();
  class Tagged extends File {
    override render_GET(request: Request): ReturnType<File["render_GET"]> {
      request.setHeader("X-Tagged", "yes");
      return super.render_GET(request);
    }
  }
  const site = new Resource();
  site.putChild("static", new Tagged(tree.root));
  const channel = new DummyChannel({ target: "/static/docs/index.html" });
  channel.serve(new Site(site));
  await within(channel.notifyFinish(), "the file");
  assert.equal(channel.responseHeaders?.get("x-tagged"), "yes");
  assert.equal(channel.text(), "docs index");
});

Deno.test("File given ignoredExts when a path names no file then serves the first file with an added extension", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/page" }, {
    ignoredExts: [".txt", ".html"],
  });
  assert.equal(channel.code, 200);
  assert.equal(channel.text(), "<p>page</p>");
  const exact = await get(tree.root, { target: "/static/hello" }, {
    ignoredExts: [".txt"],
  });
  assert.equal(exact.text(), "hello, world");
  const none = await get(tree.root, { target: "/static/page" });
  assert.equal(none.code, 404);
});

Deno.test("File given ignoredExts and a dot-dot path when requested then still answers 404", async () => {
  await using tree = await makeTree();
  const channel = await get(tree.root, { target: "/static/../secret" }, {
    ignoredExts: [".txt"],
  });
  assert.equal(channel.code, 404);
});

Deno.test("File given a settled small file when requested twice then sends it from memory with its head, without a producer", async () => {
  await using tree = await makeTree();
  const content = new Uint8Array(100 * 1024).map((_, i) => i % 251);
  await writeSettled(`${tree.root}/small.bin`, content);
  const root = new Resource();
  root.putChild("static", new File(tree.root));
  for (let i = 0; i < 2; i++) {
    const channel = new SlowChannel({ target: "/static/small.bin" });
    channel.serve(new Site(root));
    await within(channel.notifyFinish(), "the cached file");
    assert.equal(channel.code, 200);
    assert.equal(channel.registered.length, 0);
    assert.equal(channel.written.length, 1);
    assert.deepEqual(channel.body(), content);
    assert.equal(channel.responseHeaders?.get("content-length"), "102400");
  }
});

Deno.test("File given a cached file rewritten with the same size and a new mtime when requested then serves the new content and validators", async () => {
  await using tree = await makeTree();
  const path = `${tree.root}/note.txt`;
  await writeSettled(path, "first", 7_200_000);
  const first = await get(tree.root, { target: "/static/note.txt" });
  assert.equal(first.text(), "first");
  await writeSettled(path, "later");
  const second = await get(tree.root, { target: "/static/note.txt" });
  assert.equal(second.text(), "later");
  assert.notEqual(
    second.responseHeaders?.get("etag"),
    first.responseHeaders?.get("etag"),
  );
});

Deno.test("File given a file over cacheMaxFileSize when requested then streams it with a producer", async () => {
  await using tree = await makeTree();
  const content = new Uint8Array(2048).map((_, i) => i % 7);
  await writeSettled(`${tree.root}/over.bin`, content);
  const root = new Resource();
  root.putChild("static", new File(tree.root, { cacheMaxFileSize: 1024 }));
  const channel = new SlowChannel({ target: "/static/over.bin" });
  channel.serve(new Site(root));
  await resumeUntilFinished(channel);
  assert.equal(channel.registered.length, 1);
  assert.deepEqual(channel.body(), content);
});

Deno.test("File given a cached file deleted when requested then answers 404", async () => {
  await using tree = await makeTree();
  const path = `${tree.root}/gone.txt`;
  await writeSettled(path, "here");
  const file = new File(tree.root);
  const root = new Resource();
  root.putChild("static", file);
  const first = new DummyChannel({ target: "/static/gone.txt" });
  first.serve(new Site(root));
  await within(first.notifyFinish(), "the cached file");
  assert.equal(first.text(), "here");
  await Deno.remove(path);
  await pastStatTrust();
  const second = new DummyChannel({ target: "/static/gone.txt" });
  second.serve(new Site(root));
  await within(second.notifyFinish(), "the 404");
  assert.equal(second.code, 404);
});

Deno.test("File given a negative cacheMaxBytes when constructed then throws a RangeError", () => {
  assert.throws(
    () => new File(".", { cacheMaxBytes: -1 }),
    /cacheMaxBytes must be a non-negative integer: current value is -1/,
  );
});

Deno.test("File given statIntervalMs 0 and a cached file deleted when requested at once then answers 404", async () => {
  await using tree = await makeTree();
  const path = `${tree.root}/gone.txt`;
  await writeSettled(path, "here");
  const root = new Resource();
  root.putChild("static", new File(tree.root, { statIntervalMs: 0 }));
  const first = new DummyChannel({ target: "/static/gone.txt" });
  first.serve(new Site(root));
  await within(first.notifyFinish(), "the cached file");
  assert.equal(first.text(), "here");
  await Deno.remove(path);
  const second = new DummyChannel({ target: "/static/gone.txt" });
  second.serve(new Site(root));
  await within(second.notifyFinish(), "the 404");
  assert.equal(second.code, 404);
});

Deno.test("File given a negative statIntervalMs when constructed then throws a RangeError", () => {
  assert.throws(
    () => new File(".", { statIntervalMs: -1 }),
    /statIntervalMs must be a non-negative number of milliseconds: current value is -1/,
  );
});
