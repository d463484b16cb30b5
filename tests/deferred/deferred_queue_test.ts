import assert from "node:assert/strict";
import {
  CancelledError,
  DeferredQueue,
  QueueOverflow,
  QueueUnderflow,
} from "../../deferred/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";

Deno.test("DeferredQueue.get() given stored values when called then fires at once with the oldest", () => {
  const queue = new DeferredQueue<string>();
  queue.put("first");
  queue.put("second");
  assert.equal(successResultOf(queue.get()), "first");
  assert.equal(successResultOf(queue.get()), "second");
});

Deno.test("DeferredQueue.get() given an empty queue when called then waits for the next put", () => {
  const queue = new DeferredQueue<number>();
  const d = queue.get();
  assertNoResult(d);
  assert.equal(queue.waiting, 1);
  queue.put(7);
  assert.equal(successResultOf(d), 7);
  assert.equal(queue.waiting, 0);
  assert.deepEqual(queue.pending, []);
});

Deno.test("DeferredQueue.put() given several waiting gets when values are put then serves them in order", () => {
  const queue = new DeferredQueue<number>();
  const first = queue.get();
  const second = queue.get();
  queue.put(1);
  queue.put(2);
  assert.equal(successResultOf(first), 1);
  assert.equal(successResultOf(second), 2);
});

Deno.test("DeferredQueue.put() given a full queue when put then throws QueueOverflow", () => {
  const queue = new DeferredQueue<number>(1);
  queue.put(1);
  assert.throws(() => queue.put(2), QueueOverflow);
  assert.deepEqual(queue.pending, [1]);
});

Deno.test("DeferredQueue.put() given a size of 0 and a waiting get when put then hands the value over", () => {
  const queue = new DeferredQueue<number>(0);
  const d = queue.get();
  queue.put(1);
  assert.equal(successResultOf(d), 1);
  assert.throws(() => queue.put(2), QueueOverflow);
});

Deno.test("DeferredQueue.get() given a full backlog when called then throws QueueUnderflow", () => {
  const queue = new DeferredQueue<number>(undefined, 1);
  const waiting = queue.get();
  assert.throws(() => queue.get(), QueueUnderflow);
  queue.put(1);
  assert.equal(successResultOf(waiting), 1);
});

Deno.test("DeferredQueue.get() given a waiting get when cancelled then fails with CancelledError and leaves the queue", () => {
  const queue = new DeferredQueue<number>();
  const cancelled = queue.get();
  const next = queue.get();
  cancelled.cancel();
  failureResultOf(cancelled, CancelledError);
  assert.equal(queue.waiting, 1);
  queue.put(1);
  assert.equal(successResultOf(next), 1);
});

Deno.test("DeferredQueue.get() given a cancelled get when the backlog was full then frees its place", () => {
  const queue = new DeferredQueue<number>(undefined, 1);
  const d = queue.get();
  d.cancel();
  failureResultOf(d, CancelledError);
  const again = queue.get();
  queue.put(3);
  assert.equal(successResultOf(again), 3);
});

Deno.test("DeferredQueue() given size and backlog when created then exposes them", () => {
  const queue = new DeferredQueue<number>(5, 2);
  assert.equal(queue.size, 5);
  assert.equal(queue.backlog, 2);
  const unbounded = new DeferredQueue<number>();
  assert.equal(unbounded.size, undefined);
  assert.equal(unbounded.backlog, undefined);
});

Deno.test("DeferredQueue() given a negative or fractional limit when created then throws RangeError with the value", () => {
  assert.throws(
    () => new DeferredQueue(-1),
    (error) => error instanceof RangeError && error.message.includes("-1"),
  );
  assert.throws(() => new DeferredQueue(undefined, 1.5), RangeError);
});

Deno.test("DeferredQueue.pending given stored values when read then returns a copy", () => {
  const queue = new DeferredQueue<number>();
  queue.put(1);
  const snapshot = queue.pending as number[];
  snapshot.push(99);
  assert.deepEqual(queue.pending, [1]);
});
