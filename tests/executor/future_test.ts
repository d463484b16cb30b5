import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../deferred/errors.ts";
import { Future, InvalidStateError } from "../../executor/mod.ts";
import { captureLogs } from "../_support/mod.ts";

Deno.test("Future.result() given setResult() was called when awaited then resolves with the value", async () => {
  const future = new Future<number>();
  future.setRunningOrNotifyCancel();
  future.setResult(42);
  assert.equal(await future.result(), 42);
  assert.equal(await future, 42);
});

Deno.test("Future.result() given setException() was called when awaited then rejects with the error", async () => {
  const future = new Future<number>();
  future.setException(new RangeError("boom"));
  await assert.rejects(future.result(), RangeError);
});

Deno.test("Future.exception() given a result or a failure when awaited then resolves with undefined or the error", async () => {
  const succeeded = new Future<number>();
  succeeded.setResult(1);
  assert.equal(await succeeded.exception(), undefined);
  const failed = new Future<number>();
  const error = new TypeError("bad");
  failed.setException(error);
  assert.equal(await failed.exception(), error);
});

Deno.test("Future.result(timeout) given a pending Future when the timeout passes then rejects with TimeoutError and leaves the Future pending", async () => {
  const future = new Future<number>();
  await assert.rejects(future.result(0.01), TimeoutError);
  await assert.rejects(future.exception(0), TimeoutError);
  assert.equal(future.done(), false);
});

Deno.test("Future.result(timeout) given a Future that finishes in time when it finishes then the timer is cleared", async () => {
  const future = new Future<string>();
  const waiting = future.result(60);
  future.setResult("in time");
  // The sanitizer fails this test if the 60-second timer is still pending.
  assert.equal(await waiting, "in time");
});

Deno.test("Future.result(timeout) given a TimeoutHandler when the timeout passes then calls it with the Future and the timeout", async () => {
  const calls: [Future<number>, number][] = [];
  const future = new Future<number>((f, seconds) => {
    calls.push([f, seconds]);
    f.setException(new TimeoutError("stopped"));
  });
  await assert.rejects(future.result(0.01), TimeoutError);
  assert.deepEqual(calls, [[future, 0.01]]);
  assert.equal(((await future.exception()) as Error).message, "stopped");
});

Deno.test("Future.result() given a negative timeout when called then rejects with RangeError", async () => {
  await assert.rejects(new Future<number>().result(-1), RangeError);
});

Deno.test("Future.cancel() given a pending Future when called then result() rejects with CancelledError", async () => {
  const future = new Future<number>();
  assert.equal(future.cancel(), true);
  assert.equal(future.cancel(), true);
  assert.ok(future.cancelled() && future.done() && !future.running());
  await assert.rejects(future.result(), CancelledError);
  await assert.rejects(future.exception(), CancelledError);
  assert.equal(future.setRunningOrNotifyCancel(), false);
});

Deno.test("Future.cancel() given a running or finished Future when called then returns false", () => {
  const running = new Future<number>();
  running.setRunningOrNotifyCancel();
  assert.equal(running.cancel(), false);
  assert.ok(running.running());
  running.setResult(1);
  assert.equal(running.cancel(), false);
  assert.ok(!running.cancelled());
});

Deno.test("Future.addDoneCallback() given a pending Future when it finishes then calls the callback with the Future", () => {
  const future = new Future<number>();
  const seen: Future<number>[] = [];
  future.addDoneCallback((f) => seen.push(f));
  assert.deepEqual(seen, []);
  future.setResult(1);
  assert.deepEqual(seen, [future]);
});

Deno.test("Future.addDoneCallback() given a done Future when called then calls the callback at once", () => {
  const future = new Future<number>();
  future.cancel();
  let calls = 0;
  future.addDoneCallback(() => calls++);
  assert.equal(calls, 1);
});

Deno.test("Future.addDoneCallback() given a callback that throws when the Future finishes then logs the error and runs the next callbacks", async () => {
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

Deno.test("Future.addDoneCallback() given a value that is not a function when called then throws TypeError", () => {
  assert.throws(
    () => new Future().addDoneCallback(null as unknown as () => void),
    TypeError,
  );
});

Deno.test("Future.setResult() given a done Future when called then throws InvalidStateError", () => {
  const future = new Future<number>();
  future.setResult(1);
  assert.throws(() => future.setResult(2), InvalidStateError);
  assert.throws(
    () => future.setException(new Error("late")),
    InvalidStateError,
  );
  assert.throws(() => future.setRunningOrNotifyCancel(), InvalidStateError);
});

Deno.test("Future.toString() given each state when called then shows the state and the result's type as Python's repr", () => {
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
