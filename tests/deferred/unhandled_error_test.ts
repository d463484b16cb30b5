import assert from "node:assert/strict";
import { runScenario } from "./_run_scenario.ts";

const REPORT = "Unhandled error in Deferred:";

Deno.test("unhandled error given a failed Deferred that is dropped when it is garbage-collected then reports the error on stderr", async () => {
  const { code, stderr } = await runScenario("dropped");
  assert.equal(code, 0, stderr);
  const report = stderr.indexOf(REPORT);
  assert.notEqual(report, -1, stderr);
  assert.ok(stderr.includes("Error: dropped failure"), stderr);
  // Reported at collection, before the script finished, not at exit.
  assert.ok(report < stderr.indexOf("DONE"), stderr);
});

Deno.test("unhandled error given a failed Deferred still referenced when the process exits then reports the error on stderr", async () => {
  const { code, stderr } = await runScenario("kept-until-exit");
  assert.equal(code, 0, stderr);
  const report = stderr.indexOf(REPORT);
  assert.ok(report > stderr.indexOf("DONE"), stderr);
  assert.ok(stderr.includes("failure still pending at exit"), stderr);
});

Deno.test("unhandled error given failures handled by errbacks, consumeErrors, generators and await when collected or at exit then reports nothing", async () => {
  const { code, stderr } = await runScenario("handled");
  assert.equal(code, 0, stderr);
  assert.ok(!stderr.includes(REPORT), stderr);
});

Deno.test("unhandled error given a DeferredList without consumeErrors when a member fails then the member's failure is reported", async () => {
  const { stderr } = await runScenario("list-without-consume-errors");
  assert.ok(stderr.includes(REPORT), stderr);
  assert.ok(stderr.includes("member failure not consumed"), stderr);
});

Deno.test("unhandled error given LogTape configured when a failure is dropped then logs it at error level under torsion.deferred instead of stderr", async () => {
  const { code, stdout, stderr } = await runScenario("logtape");
  assert.equal(code, 0, stderr);
  assert.ok(!stderr.includes(REPORT), stderr);
  const records = stdout.trim().split("\n").map((line) => JSON.parse(line));
  const record = records.find((r) =>
    r.message.includes("failure logged through LogTape")
  );
  assert.ok(record, stdout);
  assert.deepEqual(record.category, ["torsion", "deferred"]);
  assert.equal(record.level, "error");
  assert.ok(record.message.startsWith(REPORT));
});
