import assert from "node:assert/strict";
import { makeStaticCache, StaticCache } from "../../web/_static_cache.ts";
import { writeSettled } from "../_support/mod.ts";

const HOUR = 3_600_000;

interface Dir extends AsyncDisposable {
  /** Writes `text` to `name`, modified `age` ms ago; returns its path. */
  write(name: string, text: string, age?: number): Promise<string>;
}

async function makeDir(): Promise<Dir> {
  const dir = await Deno.makeTempDir({ prefix: "torsion-cache-" });
  return {
    async write(name: string, text: string, age = HOUR): Promise<string> {
      const path = `${dir}/${name}`;
      await writeSettled(path, text, age);
      return path;
    },
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

function cache(
  maxBytes = 1024,
  maxEntries = 8,
  maxFileSize = 256,
): StaticCache {
  return new StaticCache({ maxBytes, maxEntries, maxFileSize });
}

const text = (bytes: Uint8Array | undefined): string =>
  new TextDecoder().decode(bytes);

Deno.test("StaticCache given a settled file when asked twice then reads it once and holds it", async () => {
  await using dir = await makeDir();
  const path = await dir.write("a.txt", "aaaa");
  const c = cache();
  const first = c.get(path, Deno.statSync(path));
  assert.equal(text(first?.bytes), "aaaa");
  assert.equal(c.get(path, Deno.statSync(path)), first);
  assert.equal(c.size, 1);
  assert.equal(c.bytes, 4);
});

Deno.test("StaticCache given a file rewritten with the same size and a new mtime when asked then reads the new content", async () => {
  await using dir = await makeDir();
  const path = await dir.write("a.txt", "aaaa", 2 * HOUR);
  const c = cache();
  c.get(path, Deno.statSync(path));
  await dir.write("a.txt", "bbbb");
  const fresh = c.get(path, Deno.statSync(path));
  assert.equal(text(fresh?.bytes), "bbbb");
  assert.equal(c.bytes, 4);
});

Deno.test("StaticCache given a file replaced by another inode with the same size and mtime when asked then reads the new one", async () => {
  await using dir = await makeDir();
  const path = await dir.write("a.txt", "aaaa");
  const c = cache();
  c.get(path, Deno.statSync(path));
  const other = await dir.write("b.txt", "bbbb");
  Deno.renameSync(other, path);
  assert.equal(text(c.get(path, Deno.statSync(path))?.bytes), "bbbb");
});

Deno.test("StaticCache given a file changed in the last two seconds when asked then holds nothing so it is streamed", async () => {
  await using dir = await makeDir();
  const path = await dir.write("a.txt", "aaaa", 0);
  const c = cache();
  assert.equal(c.get(path, Deno.statSync(path)), null);
  assert.equal(c.size, 0);
});

Deno.test("StaticCache given a file over maxFileSize when asked then holds nothing so it is streamed", async () => {
  await using dir = await makeDir();
  const path = await dir.write("big.txt", "x".repeat(257));
  const c = cache();
  assert.equal(c.get(path, Deno.statSync(path)), null);
  assert.equal(c.size, 0);
});

Deno.test("StaticCache given a held file that grew over maxFileSize when asked then drops it", async () => {
  await using dir = await makeDir();
  const path = await dir.write("a.txt", "aaaa", 2 * HOUR);
  const c = cache();
  c.get(path, Deno.statSync(path));
  await dir.write("a.txt", "x".repeat(300));
  assert.equal(c.get(path, Deno.statSync(path)), null);
  assert.equal(c.size, 0);
  assert.equal(c.bytes, 0);
});

Deno.test("StaticCache given more files than maxBytes holds when asked then evicts the least recently used and stays within its bound", async () => {
  await using dir = await makeDir();
  const c = cache(250, 8, 100);
  const paths: string[] = [];
  for (const name of ["a", "b", "c", "d"]) {
    paths.push(await dir.write(name, name.repeat(100)));
  }
  c.get(paths[0], Deno.statSync(paths[0]));
  c.get(paths[1], Deno.statSync(paths[1]));
  const a = c.get(paths[0], Deno.statSync(paths[0]));
  c.get(paths[2], Deno.statSync(paths[2]));
  assert.ok(c.bytes <= 250, `${c.bytes} bytes held`);
  assert.equal(c.size, 2);
  assert.equal(c.get(paths[0], Deno.statSync(paths[0])), a, "a was used last");
  for (const path of paths) {
    c.get(path, Deno.statSync(path));
    assert.ok(c.bytes <= 250, `${c.bytes} bytes held`);
  }
});

Deno.test("StaticCache given more files than maxEntries when asked then holds maxEntries at most", async () => {
  await using dir = await makeDir();
  const c = cache(1024, 3, 100);
  for (let i = 0; i < 10; i++) {
    const path = await dir.write(`f${i}`, "x");
    c.get(path, Deno.statSync(path));
    assert.ok(c.size <= 3, `${c.size} files held`);
  }
  assert.equal(c.size, 3);
  assert.equal(c.bytes, 3);
});

Deno.test("StaticCache given maxBytes 0 when asked then holds nothing", async () => {
  await using dir = await makeDir();
  const path = await dir.write("a.txt", "aaaa");
  const c = makeStaticCache({ cacheMaxBytes: 0 });
  assert.equal(c.get(path, Deno.statSync(path)), null);
  assert.equal(c.size, 0);
});

Deno.test("StaticCache given a held file deleted when asked with its last metadata then throws NotFound", async () => {
  await using dir = await makeDir();
  const path = await dir.write("a.txt", "aaaa", 2 * HOUR);
  const c = cache();
  const info = Deno.statSync(path);
  c.get(path, info);
  Deno.removeSync(path);
  const stale = { ...info, mtime: new Date(0) };
  assert.throws(() => c.get(path, stale), Deno.errors.NotFound);
  assert.equal(c.size, 0);
});

Deno.test("makeStaticCache given a negative or fractional bound then throws a RangeError naming the option", () => {
  assert.throws(
    () => makeStaticCache({ cacheMaxBytes: -1 }),
    /cacheMaxBytes must be a non-negative integer: current value is -1/,
  );
  assert.throws(
    () => makeStaticCache({ cacheMaxFileSize: 1.5 }),
    /cacheMaxFileSize must be a non-negative integer: current value is 1.5/,
  );
});
