import assert from "node:assert/strict";
import {
  CancelledError,
  Deferred,
  DeferredLock,
  DeferredSemaphore,
  fail,
} from "../../deferred/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";

// --- DeferredLock ----------------------------------------------------------------

Deno.test("DeferredLock.acquire() given a free lock when acquired then fires at once with the lock and locks it", () => {
  const lock = new DeferredLock();
  assert.equal(lock.locked, false);
  assert.equal(successResultOf(lock.acquire()), lock);
  assert.equal(lock.locked, true);
});

Deno.test("DeferredLock.acquire() given a held lock when acquired then waits until release", () => {
  const lock = new DeferredLock();
  lock.acquire();
  const second = lock.acquire();
  assertNoResult(second);
  lock.release();
  assert.equal(successResultOf(second), lock);
  assert.equal(lock.locked, true);
});

Deno.test("DeferredLock.release() given several waiters when released then serves them in order", () => {
  const lock = new DeferredLock();
  const order: number[] = [];
  lock.acquire();
  for (const n of [1, 2, 3]) {
    lock.acquire().addCallback(() => {
      order.push(n);
    });
  }
  lock.release();
  lock.release();
  lock.release();
  assert.deepEqual(order, [1, 2, 3]);
  lock.release();
  assert.equal(lock.locked, false);
});

Deno.test("DeferredLock.release() given an unlocked lock when released then throws RangeError", () => {
  const lock = new DeferredLock();
  assert.throws(() => lock.release(), RangeError);
});

Deno.test("DeferredLock.acquire() given a waiting acquire when cancelled then fails with CancelledError and leaves the queue", () => {
  const lock = new DeferredLock();
  lock.acquire();
  const waiting = lock.acquire();
  waiting.cancel();
  failureResultOf(waiting, CancelledError);
  lock.release();
  assert.equal(lock.locked, false);
});

Deno.test("DeferredLock.acquire() given a cancelled waiter among others when released then the next waiter gets the lock", () => {
  const lock = new DeferredLock();
  lock.acquire();
  const cancelled = lock.acquire();
  const next = lock.acquire();
  cancelled.cancel();
  failureResultOf(cancelled, CancelledError);
  lock.release();
  assert.equal(successResultOf(next), lock);
});

Deno.test("DeferredLock.run() given a function when run then returns its result and releases the lock", () => {
  const lock = new DeferredLock();
  const result = lock.run((a: number, b: number) => a + b, 1, 2);
  assert.equal(successResultOf(result), 3);
  assert.equal(lock.locked, false);
});

Deno.test("DeferredLock.run() given a function that throws when run then fails with its error and releases the lock", () => {
  const lock = new DeferredLock();
  const error = new Error("inside lock");
  const result = lock.run(() => {
    throw error;
  });
  assert.equal(failureResultOf(result).value, error);
  assert.equal(lock.locked, false);
});

Deno.test("DeferredLock.run() given a function returning a failed Deferred when run then fails and releases the lock", () => {
  const lock = new DeferredLock();
  const result = lock.run(() => fail(new Error("async inside lock")));
  failureResultOf(result, Error);
  assert.equal(lock.locked, false);
});

Deno.test("DeferredLock.run() given a function returning an unfired Deferred when run then holds the lock until it fires", () => {
  const lock = new DeferredLock();
  const inner = new Deferred<string>();
  const first = lock.run(() => inner);
  let secondRan = false;
  const second = lock.run(() => {
    secondRan = true;
  });
  assert.equal(lock.locked, true);
  assert.equal(secondRan, false);
  inner.callback("done");
  assert.equal(successResultOf(first), "done");
  assert.equal(secondRan, true);
  successResultOf(second);
  assert.equal(lock.locked, false);
});

Deno.test("DeferredLock.run() given a held lock when the run is cancelled then the function never runs", () => {
  const lock = new DeferredLock();
  lock.acquire();
  let ran = false;
  const result = lock.run(() => {
    ran = true;
  });
  result.cancel();
  failureResultOf(result, CancelledError);
  lock.release();
  assert.equal(ran, false);
  assert.equal(lock.locked, false);
});

Deno.test("DeferredLock.run() given a non-function when run then throws TypeError", () => {
  const lock = new DeferredLock();
  assert.throws(() => lock.run(7 as unknown as () => void), TypeError);
  assert.equal(lock.locked, false);
});

// --- DeferredSemaphore -------------------------------------------------------------

Deno.test("DeferredSemaphore() given tokens when created then exposes tokens and limit", () => {
  const semaphore = new DeferredSemaphore(3);
  assert.equal(semaphore.tokens, 3);
  assert.equal(semaphore.limit, 3);
});

Deno.test("DeferredSemaphore() given fewer than 1 token when created then throws RangeError with the value", () => {
  assert.throws(
    () => new DeferredSemaphore(0),
    (error) => error instanceof RangeError && error.message.includes("0"),
  );
  assert.throws(() => new DeferredSemaphore(-2), RangeError);
  assert.throws(() => new DeferredSemaphore(1.5), RangeError);
  assert.throws(() => new DeferredSemaphore(NaN), RangeError);
});

Deno.test("DeferredSemaphore.acquire() given free tokens when acquired then fires at once and takes a token", () => {
  const semaphore = new DeferredSemaphore(2);
  assert.equal(successResultOf(semaphore.acquire()), semaphore);
  assert.equal(semaphore.tokens, 1);
});

Deno.test("DeferredSemaphore.acquire() given no free tokens when acquired then waits for a release", () => {
  const semaphore = new DeferredSemaphore(1);
  semaphore.acquire();
  const waiting = semaphore.acquire();
  assertNoResult(waiting);
  semaphore.release();
  assert.equal(successResultOf(waiting), semaphore);
  assert.equal(semaphore.tokens, 0);
});

Deno.test("DeferredSemaphore.release() given every token free when released then throws RangeError", () => {
  const semaphore = new DeferredSemaphore(2);
  assert.throws(() => semaphore.release(), RangeError);
  assert.equal(semaphore.tokens, 2);
});

Deno.test("DeferredSemaphore.acquire() given a waiting acquire when cancelled then leaves the queue", () => {
  const semaphore = new DeferredSemaphore(1);
  semaphore.acquire();
  const waiting = semaphore.acquire();
  waiting.cancel();
  failureResultOf(waiting, CancelledError);
  semaphore.release();
  assert.equal(semaphore.tokens, 1);
});

Deno.test("DeferredSemaphore.run() given more jobs than tokens when run then at most `tokens` run at once", () => {
  const semaphore = new DeferredSemaphore(2);
  const jobs = [0, 1, 2, 3].map(() => new Deferred<void>());
  let running = 0;
  let peak = 0;
  const results = jobs.map((job) =>
    semaphore.run(() => {
      running++;
      peak = Math.max(peak, running);
      return job.addCallback(() => {
        running--;
      });
    })
  );
  assert.equal(running, 2);
  for (const job of jobs) job.callback();
  assert.equal(peak, 2);
  for (const result of results) successResultOf(result);
  assert.equal(semaphore.tokens, 2);
});

Deno.test("DeferredSemaphore.run() given a function that throws when run then releases its token", () => {
  const semaphore = new DeferredSemaphore(1);
  const result = semaphore.run(() => {
    throw new TypeError("inside semaphore");
  });
  failureResultOf(result, TypeError);
  assert.equal(semaphore.tokens, 1);
});
