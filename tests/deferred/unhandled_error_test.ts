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
  const { record, beforeDone } = findRecord(
    stdout,
    "failure logged through LogTape",
  );
  assert.deepEqual(record.category, ["torsion", "deferred"]);
  assert.equal(record.level, "error");
  assert.ok(record.message.startsWith(REPORT));
  // Logged at collection, not at exit.
  assert.ok(beforeDone, stdout);
});

Deno.test("unhandled error given LogTape configured and a failure still pending when the process exits then logs it under torsion.deferred instead of stderr", async () => {
  const { code, stdout, stderr } = await runScenario("logtape-at-exit");
  assert.equal(code, 0, stderr);
  assert.ok(!stderr.includes(REPORT), stderr);
  const { record, beforeDone } = findRecord(
    stdout,
    "failure logged through LogTape at exit",
  );
  assert.deepEqual(record.category, ["torsion", "deferred"]);
  assert.equal(record.level, "error");
  assert.ok(record.message.startsWith(REPORT));
  assert.ok(!beforeDone, stdout);
});

Deno.test("unhandled error given an error whose stack getter throws when reported at exit then reports its type and message without crashing", async () => {
  const { code, stderr } = await runScenario("hostile-error-at-exit");
  assert.equal(code, 0, stderr);
  assert.ok(
    stderr.includes(`${REPORT}\nError: error with a throwing stack getter`),
    stderr,
  );
  assert.ok(!stderr.includes("stack getter broke"), stderr);
});

Deno.test("unhandled error given a LogTape filter that throws when a failure is reported then falls back to stderr without crashing", async () => {
  const { code, stderr } = await runScenario("logtape-broken-filter");
  assert.equal(code, 0, stderr);
  assert.ok(stderr.includes(REPORT), stderr);
  assert.ok(stderr.includes("failure LogTape could not log"), stderr);
});

interface CapturedRecord {
  category: string[];
  level: string;
  message: string;
}

/**
 * The LogTape record whose message includes `text`, among the JSON lines the
 * scenario printed, and whether it came before the scenario's DONE marker.
 */
function findRecord(
  stdout: string,
  text: string,
): { record: CapturedRecord; beforeDone: boolean } {
  const lines: (CapturedRecord | { marker: string })[] = stdout.trim().split(
    "\n",
  ).map((line) => JSON.parse(line));
  const index = lines.findIndex((line) =>
    "message" in line && line.message.includes(text)
  );
  assert.notEqual(index, -1, stdout);
  const done = lines.findIndex((line) => "marker" in line);
  assert.notEqual(done, -1, stdout);
  return { record: lines[index] as CapturedRecord, beforeDone: index < done };
}
