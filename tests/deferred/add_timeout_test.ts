import assert from "node:assert/strict";
import {
  CancelledError,
  Deferred,
  Failure,
  TimeoutError,
} from "../../deferred/mod.ts";
import { Clock } from "../../testing/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";

Deno.test("Deferred.addTimeout() given an unfired Deferred when the timeout passes then errbacks with TimeoutError", () => {
  const clock = new Clock();
  const d = new Deferred<number>().addTimeout(5, clock);
  clock.advance(4);
  assertNoResult(d);
  clock.advance(1);
  const failure = failureResultOf(d, TimeoutError);
  assert.match(failure.getErrorMessage(), /5 seconds/);
});

Deno.test("Deferred.addTimeout() given a timeout when it passes then calls the canceller", () => {
  const clock = new Clock();
  let cancelled = false;
  const d = new Deferred<number>(() => (cancelled = true)).addTimeout(1, clock);
  clock.advance(1);
  assert.ok(cancelled);
  failureResultOf(d, TimeoutError);
});

Deno.test("Deferred.addTimeout() given callbacks added before it when it times out then they see CancelledError and later ones TimeoutError", () => {
  const clock = new Clock();
  const d = new Deferred<number>();
  const seen: string[] = [];
  d.addErrback((f) => {
    seen.push(f.check(CancelledError) ? "before: cancelled" : "before: other");
    return f;
  });
  d.addTimeout(1, clock);
  d.addErrback((f) => {
    seen.push(f.check(TimeoutError) ? "after: timeout" : "after: other");
  });
  clock.advance(1);
  assert.deepEqual(seen, ["before: cancelled", "after: timeout"]);
});

Deno.test("Deferred.addTimeout() given a callback added before it that waits on another Deferred when it times out then cancels that one too", () => {
  const clock = new Clock();
  let innerCancelled = false;
  const inner = new Deferred<string>(() => (innerCancelled = true));
  const d = new Deferred<number>();
  d.addCallback(() => inner);
  d.addTimeout(2, clock);
  d.callback(1);
  clock.advance(2);
  assert.ok(innerCancelled);
  failureResultOf(d, TimeoutError);
});

Deno.test("Deferred.addTimeout() given onTimeoutCancel when it times out then its return value becomes the result", () => {
  const clock = new Clock();
  const calls: [unknown, number][] = [];
  const d = new Deferred<string>().addTimeout(
    3,
    clock,
    (resultOrFailure, seconds) => {
      calls.push([resultOrFailure, seconds]);
      return "fallback";
    },
  );
  clock.advance(3);
  assert.equal(successResultOf(d), "fallback");
  assert.equal(calls.length, 1);
  assert.ok(calls[0][0] instanceof Failure);
  assert.ok((calls[0][0] as Failure).check(CancelledError));
  assert.equal(calls[0][1], 3);
});

Deno.test("Deferred.addTimeout() given a Deferred that fires in time when it fires then cancels the delayed call and keeps the result", () => {
  const clock = new Clock();
  const d = new Deferred<number>().addTimeout(5, clock);
  assert.equal(clock.getDelayedCalls().length, 1);
  d.callback(7);
  assert.equal(clock.getDelayedCalls().length, 0);
  clock.advance(10);
  assert.equal(successResultOf(d), 7);
});

Deno.test("Deferred.addTimeout() given a Deferred that fails in time when it fails then keeps its own failure", () => {
  const clock = new Clock();
  const error = new Error("own failure");
  const d = new Deferred<number>().addTimeout(5, clock);
  d.errback(error);
  assert.equal(clock.getDelayedCalls().length, 0);
  assert.equal(failureResultOf(d).value, error);
});

Deno.test("Deferred.addTimeout() given a cancel before the timeout when cancelled then the CancelledError is not converted and onTimeoutCancel is not called", () => {
  const clock = new Clock();
  let onTimeoutCalls = 0;
  const d = new Deferred<number>().addTimeout(5, clock, (r) => {
    onTimeoutCalls++;
    return r;
  });
  d.cancel();
  failureResultOf(d, CancelledError);
  assert.equal(onTimeoutCalls, 0);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("Deferred.addTimeout() given a canceller that fires with a value when it times out then the value passes unconverted", () => {
  const clock = new Clock();
  const d = new Deferred<string>((self) => self.callback("cancelled cleanly"))
    .addTimeout(1, clock);
  clock.advance(1);
  assert.equal(successResultOf(d), "cancelled cleanly");
});

Deno.test("Deferred.addTimeout() given a canceller that fails with another error when it times out then that error passes", () => {
  const clock = new Clock();
  const d = new Deferred<string>((self) => self.errback(new RangeError("odd")))
    .addTimeout(1, clock);
  clock.advance(1);
  failureResultOf(d, RangeError);
});

Deno.test("Deferred.addTimeout() given a Deferred when called then returns the same Deferred", () => {
  const clock = new Clock();
  const d = new Deferred<number>();
  assert.equal(d.addTimeout(1, clock), d);
  d.callback(1);
});

Deno.test("Deferred.addTimeout() given a Deferred that has already fired when called then leaves no call scheduled", () => {
  const clock = new Clock();
  const d = new Deferred<number>();
  d.callback(7);
  d.addTimeout(5, clock);
  assert.equal(clock.getDelayedCalls().length, 0);
  assert.equal(successResultOf(d), 7);
});
