import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { getConfig, getLogger } from "@logtape/logtape";
import { IOLoop } from "../../reactor/ioloop.ts";
import { Clock } from "../../testing/clock.ts";
import { LogCapture } from "../../testing/log_capture.ts";

function throwInCallback(clock: Clock, error: unknown): void {
  IOLoop.forReactor(clock).addCallback(function explode(): never {
    throw error;
  });
  clock.advance(0);
}

Deno.test("LogCapture given an error logged by an IOLoop callback when flushed by its type then returns it with its Failure and category", async () => {
  await using logs = await LogCapture.start();
  throwInCallback(new Clock(), new RangeError("out of range"));
  const flushed = logs.flushLoggedErrors(RangeError);
  assert.equal(flushed.length, 1);
  assert.deepEqual(flushed[0].category, ["torsion", "ioloop"]);
  assert.equal(flushed[0].failure?.getErrorMessage(), "out of range");
  assert.match(flushed[0].message, /Exception in callback explode/);
  assert.deepEqual(logs.loggedErrors, []);
});

Deno.test("LogCapture given an unexpected logged error when disposed then fails listing it", async () => {
  const logs = await LogCapture.start();
  throwInCallback(new Clock(), new TypeError("not expected"));
  await assert.rejects(
    logs[Symbol.asyncDispose](),
    (error) =>
      error instanceof AssertionError &&
      /^1 unexpected error was logged:\n\[torsion\.ioloop\] Exception in callback explode[\s\S]*TypeError: not expected/
        .test(error.message),
  );
  assert.equal(getConfig(), null, "LogTape is reset even when it fails");
});

Deno.test("LogCapture given errors of two types when one type is flushed then only the other remains", async () => {
  const logs = await LogCapture.start();
  const clock = new Clock();
  throwInCallback(clock, new RangeError("a"));
  throwInCallback(clock, new TypeError("b"));
  assert.equal(logs.flushLoggedErrors(TypeError).length, 1);
  assert.deepEqual(
    logs.loggedErrors.map((e) => e.failure?.getErrorMessage()),
    ["a"],
  );
  assert.equal(logs.flushLoggedErrors().length, 1);
  await logs[Symbol.asyncDispose]();
});

Deno.test("LogCapture given an error record without an error object when flushed by type then matches the type named in its text", async () => {
  await using logs = await LogCapture.start();
  getLogger(["torsion", "http"]).error("{message}", {
    message: "Unhandled error: RangeError: far away",
  });
  assert.equal(logs.flushLoggedErrors(TypeError).length, 0);
  const [logged] = logs.flushLoggedErrors(RangeError);
  assert.equal(logged.failure, null);
  assert.equal(logged.message, "Unhandled error: RangeError: far away");
});

Deno.test("LogCapture given records below error level when captured then keeps them in records and does not fail", async () => {
  await using logs = await LogCapture.start({ lowestLevel: "info" });
  getLogger(["torsion", "reactor"]).debug("dropped");
  getLogger(["torsion", "reactor"]).warn("kept");
  getLogger(["other"]).error("not Torsion's");
  assert.deepEqual(logs.records.map((r) => r.message.join("")), ["kept"]);
});

Deno.test("LogCapture given an existing LogTape configuration when stopped then puts it back", async () => {
  const { configure, reset } = await import("@logtape/logtape");
  const outer: string[] = [];
  await configure({
    sinks: { outer: (record) => outer.push(String(record.message.join(""))) },
    loggers: [
      { category: ["app"], sinks: ["outer"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    const logs = await LogCapture.start();
    getLogger(["app"]).info("during");
    await logs.stop();
    getLogger(["app"]).info("after");
    assert.deepEqual(outer, ["after"]);
  } finally {
    await reset();
  }
});
