import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("examples/tornado_fetch.ts given local pages when run then prints each URL and each page and exits 0", async () => {
  const { code, stdout, stderr } = await runExample("tornado_fetch.ts");
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, 4, stdout);
  assert.match(lines[0], /^http:\/\/127\.0\.0\.1:\d+\/www\.baidu\.com$/);
  assert.match(lines[1], /^http:\/\/127\.0\.0\.1:\d+\/www\.bing\.com$/);
  const pages = lines.slice(2).sort();
  assert.match(
    pages[0],
    /^<html>.*A local stand-in for www\.baidu\.com.*<\/html>$/,
  );
  assert.match(
    pages[1],
    /^<html>.*A local stand-in for www\.bing\.com.*<\/html>$/,
  );
});

Deno.test("examples/tornado_fetch.ts given an unreachable URL when run then prints Error: for it and still ends", async () => {
  const { code, stdout, stderr } = await runExample("tornado_fetch.ts", [
    "http://127.0.0.1:1/",
  ]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 1), ["http://127.0.0.1:1/"]);
  assert.equal(lines.length, 2, stdout);
  assert.match(
    lines[1],
    /^Error: ConnectionRefusedError: Connection was refused/,
  );
});
