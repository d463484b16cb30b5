import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("examples/twisted_fetch.ts given four local pages when run then prints them and done and exits 0", async () => {
  const { code, stdout, stderr } = await runExample("twisted_fetch.ts");
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, 5, stdout);
  for (const line of lines.slice(0, 4)) {
    assert.match(
      line,
      /^<html>.*A local stand-in for www\.cnblogs\.com.*<\/html>$/,
    );
  }
  assert.equal(lines[4], "done");
});

Deno.test("examples/twisted_fetch.ts given an unreachable URL when run then prints its error and still ends", async () => {
  const { code, stdout, stderr } = await runExample("twisted_fetch.ts", [
    "http://127.0.0.1:1/",
  ]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2, stdout);
  assert.match(lines[0], /^Error: Connection was refused/);
  assert.equal(lines[1], "done");
});
