import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../deferred/errors.ts";
import { Future, InvalidStateError } from "../../executor/mod.ts";
import { captureLogs } from "../_support/mod.ts";

Deno.test("Future.result() resolves with the value given to setResult()", async () => {
  const future = new Future<number>();
  future.setRunningOrNotifyCancel();
  future.setResult(42);
  assert.equal(await future.result(), 42);
  assert.equal(await future, 42);
});

Deno.test("Future.result() rejects with the error given to setException()", async () => {
  const future = new Future<number>();
  future.setException(new RangeError("boom"));
  await assert.rejects(future.result(), RangeError);
});

Deno.test("Future.exception() returns undefined for a result and the error for a failure", async () => {
  const succeeded = new Future<number>();
  succeeded.setResult(1);
  assert.equal(await succeeded.exception(), undefined);
  const failed = new Future<number>();
  const error = new TypeError("bad");
  failed.setException(error);
  assert.equal(await failed.exception(), error);
});

Deno.test("Future.result(timeout) rejects with TimeoutError and leaves the Future pending", async () => {
  const future = new Future<number>();
  await assert.rejects(future.result(0.01), TimeoutError);
  await assert.rejects(future.exception(0), TimeoutError);
  assert.equal(future.done(), false);
});

Deno.test("Future.result(timeout) clears its timer when the Future finishes in time", async () => {
  const future = new Future<string>();
  const waiting = future.result(60);
  future.setResult("in time");
  // The sanitizer fails this test if the 60-second timer is still pending.
  assert.equal(await waiting, "in time");
});

Deno.test("Future.result(timeout) calls the TimeoutHandler with the Future and the timeout", async () => {
  const calls: [Future<number>, number][] = [];
  const future = new Future<number>((f, seconds) => {
    calls.push([f, seconds]);
    f.setException(new TimeoutError("stopped"));
  });
  await assert.rejects(future.result(0.01), TimeoutError);
  assert.deepEqual(calls, [[future, 0.01]]);
  assert.equal(((await future.exception()) as Error).message, "stopped");
});

Deno.test("Future.result() rejects with RangeError for a negative timeout", async () => {
  await assert.rejects(new Future<number>().result(-1), RangeError);
});

Deno.test("Future.cancel() cancels a pending Future and result() rejects with CancelledError", async () => {
  const future = new Future<number>();
  assert.equal(future.cancel(), true);
  assert.equal(future.cancel(), true);
  assert.ok(future.cancelled() && future.done() && !future.running());
  await assert.rejects(future.result(), CancelledError);
  await assert.rejects(future.exception(), CancelledError);
  assert.equal(future.setRunningOrNotifyCancel(), false);
});

Deno.test("Future.cancel() returns false once the Future is running or finished", () => {
  const running = new Future<number>();
  running.setRunningOrNotifyCancel();
  assert.equal(running.cancel(), false);
  assert.ok(running.running());
  running.setResult(1);
  assert.equal(running.cancel(), false);
  assert.ok(!running.cancelled());
});

Deno.test("Future.addDoneCallback() calls the callback with the Future when it finishes", () => {
  const future = new Future<number>();
  const seen: Future<number>[] = [];
  future.addDoneCallback((f) => seen.push(f));
  assert.deepEqual(seen, []);
  future.setResult(1);
  assert.deepEqual(seen, [future]);
});

Deno.test("Future.addDoneCallback() calls the callback at once on a done Future", () => {
  const future = new Future<number>();
  future.cancel();
  let calls = 0;
  future.addDoneCallback(() => calls++);
  assert.equal(calls, 1);
});

Deno.test("Future.addDoneCallback() logs a callback's error and still runs the next callbacks", async () => {
  await captureLogs((records) => {
    const future = new Future<number>();
    let later = 0;
    future.addDoneCallback(function explode(): never {
      throw new Error("callback failed");
    });
    future.addDoneCallback(() => later++);
    future.setResult(1);
    assert.equal(later, 1);
    assert.equal(records.length, 1);
    assert.deepEqual(records[0].category, ["torsion", "executor"]);
    assert.match(
      String(records[0].properties.message),
      /explode[\s\S]*callback failed/,
    );
  });
});

Deno.test("Future.addDoneCallback() rejects a callback that is not a function", () => {
  assert.throws(
    () => new Future().addDoneCallback(null as unknown as () => void),
    TypeError,
  );
});

Deno.test("Future.setResult() throws InvalidStateError on a done Future", () => {
  const future = new Future<number>();
  future.setResult(1);
  assert.throws(() => future.setResult(2), InvalidStateError);
  assert.throws(
    () => future.setException(new Error("late")),
    InvalidStateError,
  );
  assert.throws(() => future.setRunningOrNotifyCancel(), InvalidStateError);
});

Deno.test("Future.toString() shows the state and the result's type, as Python's repr", () => {
  const future = new Future<number>();
  assert.equal(String(future), "<Future state=pending>");
  future.setRunningOrNotifyCancel();
  assert.equal(String(future), "<Future state=running>");
  future.setResult(100);
  assert.equal(String(future), "<Future state=finished returned number>");
  const failed = new Future<number>();
  failed.setException(new RangeError("x"));
  assert.equal(String(failed), "<Future state=finished raised RangeError>");
  const cancelled = new Future<number>();
  cancelled.cancel();
  assert.equal(String(cancelled), "<Future state=cancelled>");
});
