import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { Application, StaticFileHandler } from "../../web/mod.ts";
import { captureLogs, pastStatTrust, writeSettled } from "../_support/mod.ts";
import { serve } from "./_fake_channel.ts";

async function withRoot(
  body: (root: string, app: Application) => Promise<void>,
  settings = {},
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "torsion-static-" });
  try {
    await Deno.writeTextFile(`${root}/hello.txt`, "hello static");
    await Deno.writeTextFile(
      `${root}/page.html`,
      "<p>" + "x".repeat(2000) + "</p>",
    );
    await Deno.mkdir(`${root}/dir`);
    await Deno.writeTextFile(`${root}/dir/index.html`, "index");
    await Deno.writeFile(`${root}/blob.unknownext`, new Uint8Array([1, 2, 3]));
    const app = new Application([
      ["/s/(.*)", StaticFileHandler, { path: root }],
      ["/d/(.*)", StaticFileHandler, {
        path: root,
        defaultFilename: "index.html",
      }],
    ], settings);
    await captureLogs(() => body(root, app));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("StaticFileHandler given a file when requested then sends it with its type, length and validators", async () => {
  await withRoot(async (_root, app) => {
    const channel = await serve(app, { target: "/s/hello.txt" });
    assert.equal(channel.code, 200);
    assert.equal(channel.text(), "hello static");
    assert.equal(channel.headers.get("content-type"), "text/plain");
    assert.equal(channel.headers.get("content-length"), "12");
    assert.equal(channel.headers.get("accept-ranges"), "bytes");
    assert.ok(channel.headers.get("etag"));
    assert.ok(channel.headers.get("last-modified"));
  });
});

Deno.test("StaticFileHandler given an unknown extension when requested then sends application/octet-stream", async () => {
  await withRoot(async (_root, app) => {
    const channel = await serve(app, { target: "/s/blob.unknownext" });
    assert.equal(
      channel.headers.get("content-type"),
      "application/octet-stream",
    );
    assert.deepEqual([...channel.body()], [1, 2, 3]);
  });
});

Deno.test("StaticFileHandler given a matching If-None-Match when requested then answers 304 without a body", async () => {
  await withRoot(async (_root, app) => {
    const first = await serve(app, { target: "/s/hello.txt" });
    const etag = first.headers.get("etag")!;
    const second = await serve(app, {
      target: "/s/hello.txt",
      headers: { "If-None-Match": etag },
    });
    assert.equal(second.code, 304);
    assert.equal(second.body().length, 0);
  });
});

for (const [what, settled] of [["a file", false], ["a cached file", true]]) {
  Deno.test(`StaticFileHandler given a Range on ${what} when requested then answers 206 with the part`, async () => {
    await withRoot(async (root, app) => {
      if (settled) await writeSettled(`${root}/hello.txt`, "hello static");
      const channel = await serve(app, {
        target: "/s/hello.txt",
        headers: { Range: "bytes=6-" },
      });
      assert.equal(channel.code, 206);
      assert.equal(channel.text(), "static");
      assert.equal(channel.headers.get("content-range"), "bytes 6-11/12");
    });
  });
}

Deno.test("StaticFileHandler given an unsatisfiable Range when requested then answers 416", async () => {
  await withRoot(async (_root, app) => {
    const channel = await serve(app, {
      target: "/s/hello.txt",
      headers: { Range: "bytes=50-" },
    });
    assert.equal(channel.code, 416);
    assert.equal(channel.headers.get("content-range"), "bytes */12");
  });
});

Deno.test("StaticFileHandler given HEAD when requested then sends the headers only", async () => {
  await withRoot(async (_root, app) => {
    const channel = await serve(app, {
      target: "/s/hello.txt",
      method: "HEAD",
    });
    assert.equal(channel.code, 200);
    assert.equal(channel.headers.get("content-length"), "12");
    assert.equal(channel.body().length, 0);
  });
});

Deno.test("StaticFileHandler given paths that leave the root when requested then answers 403 or 404", async () => {
  await withRoot(async (root, app) => {
    await Deno.symlink("/etc", `${root}/escape`);
    for (
      const target of [
        "/s/../secret",
        "/s/%2e%2e/secret",
        "/s/dir/%2E%2E/%2E%2E/etc/passwd",
        "/s//etc/passwd",
        "/s/escape/hostname",
      ]
    ) {
      const channel = await serve(app, { target });
      assert.ok(
        [403, 404].includes(channel.code ?? 0),
        `${target} answered ${channel.code}`,
      );
      assert.doesNotMatch(channel.text(), /root:/);
    }
  });
});

Deno.test("StaticFileHandler given a missing file when requested then answers 404", async () => {
  await withRoot(async (_root, app) => {
    assert.equal((await serve(app, { target: "/s/none.txt" })).code, 404);
  });
});

Deno.test("StaticFileHandler given a directory without defaultFilename when requested then answers 403", async () => {
  await withRoot(async (_root, app) => {
    assert.equal((await serve(app, { target: "/s/dir" })).code, 403);
  });
});

Deno.test("StaticFileHandler given a directory with defaultFilename when requested then redirects to the slash and serves the index", async () => {
  await withRoot(async (_root, app) => {
    const redirect = await serve(app, { target: "/d/dir" });
    assert.equal(redirect.code, 301);
    assert.equal(redirect.headers.get("location"), "/d/dir/");
    const index = await serve(app, { target: "/d/dir/" });
    assert.equal(index.text(), "index");
  });
});

Deno.test("StaticFileHandler given a v query argument when requested then sends a ten-year Cache-Control", async () => {
  await withRoot(async (_root, app) => {
    const channel = await serve(app, { target: "/s/hello.txt?v=abc" });
    assert.equal(channel.headers.get("cache-control"), "max-age=315360000");
  });
});

Deno.test("StaticFileHandler given compressResponse and an HTML file when gzip is accepted then streams gzip", async () => {
  await withRoot(async (_root, app) => {
    const channel = await serve(app, {
      target: "/s/page.html",
      headers: { "Accept-Encoding": "gzip" },
    });
    assert.equal(channel.headers.get("content-encoding"), "gzip");
    assert.equal(channel.headers.hasHeader("content-length"), false);
    assert.equal(
      new TextDecoder().decode(gunzipSync(channel.body())).length,
      2007,
    );
  }, { compressResponse: true });
});

Deno.test("Application given staticPath when requested then serves it under staticUrlPrefix", async () => {
  const root = await Deno.makeTempDir({ prefix: "torsion-static-" });
  try {
    await Deno.writeTextFile(`${root}/app.css`, "body{}");
    await Deno.writeTextFile(`${root}/robots.txt`, "User-agent: *");
    const app = new Application([], {
      staticPath: root,
      staticUrlPrefix: "/assets/",
    });
    assert.equal(
      (await serve(app, { target: "/assets/app.css" })).text(),
      "body{}",
    );
    assert.equal(
      (await serve(app, { target: "/robots.txt" })).text(),
      "User-agent: *",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticFileHandler.makeStaticUrl given a file when asked then adds the MD5 of its content, cached until reset", async () => {
  const root = await Deno.makeTempDir({ prefix: "torsion-static-" });
  try {
    await Deno.writeTextFile(`${root}/a.js`, "one");
    const settings = { staticPath: root, staticUrlPrefix: "/s/" };
    const first = StaticFileHandler.makeStaticUrl(settings, "a.js");
    assert.equal(first, "/s/a.js?v=f97c5d29941bfb1b2fdab0874906ab82");
    await Deno.writeTextFile(`${root}/a.js`, "two");
    assert.equal(StaticFileHandler.makeStaticUrl(settings, "a.js"), first);
    StaticFileHandler.reset();
    assert.notEqual(StaticFileHandler.makeStaticUrl(settings, "a.js"), first);
    assert.equal(
      StaticFileHandler.makeStaticUrl(settings, "missing.js"),
      "/s/missing.js",
    );
    assert.equal(
      StaticFileHandler.makeStaticUrl(settings, "../x", true),
      "/s/../x",
    );
  } finally {
    StaticFileHandler.reset();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticFileHandler given a settled file of 100 KiB when requested then sends it from memory in one write with its head", async () => {
  await withRoot(async (root, app) => {
    const content = new Uint8Array(100 * 1024).map((_, i) => i % 251);
    await writeSettled(`${root}/small.bin`, content);
    for (let i = 0; i < 2; i++) {
      const channel = await serve(app, { target: "/s/small.bin" });
      assert.equal(channel.code, 200);
      assert.equal(channel.written.length, 1);
      assert.deepEqual(channel.body(), content);
    }
  });
});

Deno.test("StaticFileHandler given a file over cacheMaxFileSize when requested then streams it in pieces", async () => {
  const root = await Deno.makeTempDir({ prefix: "torsion-static-" });
  try {
    const content = new Uint8Array(100 * 1024).map((_, i) => i % 251);
    await writeSettled(`${root}/big.bin`, content);
    const app = new Application([
      ["/s/(.*)", StaticFileHandler, { path: root, cacheMaxFileSize: 1024 }],
    ]);
    await captureLogs(async () => {
      const channel = await serve(app, { target: "/s/big.bin" });
      assert.equal(channel.code, 200);
      assert.ok(channel.written.length >= 2, `${channel.written.length}`);
      assert.deepEqual(channel.body(), content);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("StaticFileHandler given a cached file rewritten with the same size and a new mtime when requested then serves the new content", async () => {
  await withRoot(async (root, app) => {
    await writeSettled(`${root}/note.txt`, "first", 7_200_000);
    const first = await serve(app, { target: "/s/note.txt" });
    assert.equal(first.text(), "first");
    await writeSettled(`${root}/note.txt`, "later");
    await pastStatTrust();
    const second = await serve(app, { target: "/s/note.txt" });
    assert.equal(second.text(), "later");
    assert.notEqual(second.headers.get("etag"), first.headers.get("etag"));
  });
});

Deno.test("StaticFileHandler given a cached file deleted when requested then answers 404", async () => {
  await withRoot(async (root, app) => {
    await writeSettled(`${root}/gone.txt`, "here");
    assert.equal((await serve(app, { target: "/s/gone.txt" })).text(), "here");
    await Deno.remove(`${root}/gone.txt`);
    await pastStatTrust();
    assert.equal((await serve(app, { target: "/s/gone.txt" })).code, 404);
  });
});

Deno.test("StaticFileHandler given statIntervalMs 0 and a cached file rewritten when requested at once then serves the new content", async () => {
  const root = await Deno.makeTempDir({ prefix: "torsion-static-" });
  try {
    const app = new Application([
      ["/s/(.*)", StaticFileHandler, { path: root, statIntervalMs: 0 }],
    ]);
    await writeSettled(`${root}/note.txt`, "first", 7_200_000);
    assert.equal((await serve(app, { target: "/s/note.txt" })).text(), "first");
    await writeSettled(`${root}/note.txt`, "later");
    assert.equal((await serve(app, { target: "/s/note.txt" })).text(), "later");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
