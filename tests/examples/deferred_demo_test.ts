import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("examples/deferred_demo.ts given no arguments when run then prints every part of the tour in order and reports no unhandled error", async () => {
  const { code, stdout, stderr } = await runExample("deferred_demo.ts", [], []);
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout.trim().split("\n"), [
    "errback caught: 42 is too big",
    "chain finished with 0",
    "looked up glyph: id 5",
    "recovered from: avatar service is down",
    'profile: {"id":5,"name":"glyph","karma":35}',
    'member 0: ok "alpha"',
    "member 1: failed: beta broke",
    'member 2: ok "gamma"',
    "summary: 2 of 3 succeeded",
    "slow request cancelled",
    "deferLater after 5 s: hello later",
  ]);
  assert.ok(!stderr.includes("Unhandled error in Deferred"), stderr);
});
