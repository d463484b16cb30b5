import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import type { Failure } from "../../deferred/failure.ts";
import {
  deferToThread,
  deferToThreadPool,
  Future,
  futureToDeferred,
  shutdownDefaultPool,
  suggestThreadPoolSize,
  taskModule,
  WorkerPoolExecutor,
} from "../../executor/mod.ts";

type Tasks = typeof import("./_tasks.ts");
const TASKS = new URL("./_tasks.ts", import.meta.url);
const tasks = taskModule<Tasks>(TASKS);

Deno.test("deferToThread() given a task when it returns then the Deferred fires with its result", async () => {
  try {
    const d = deferToThread(tasks.square, 12);
    assert.ok(d instanceof Deferred);
    const results: number[] = [];
    d.addCallback((n) => results.push(n));
    await d;
    assert.deepEqual(results, [144]);
  } finally {
    await shutdownDefaultPool();
  }
});

Deno.test("deferToThread() given a task when it throws then the Deferred errbacks with its error", async () => {
  try {
    const d = deferToThread(tasks.throwRange, "too far");
    const failure = await new Promise<Failure>((resolve) =>
      d.addErrback(resolve)
    );
    assert.ok(failure.check(RangeError));
    assert.equal(failure.getErrorMessage(), "too far");
  } finally {
    await shutdownDefaultPool();
  }
});

Deno.test("deferToThread() given a TaskRef when type-checked then its arguments and result are typed", async () => {
  try {
    const checks = (): void => {
      const d: Deferred<number> = deferToThread(tasks.add, 1, 2);
      // @ts-expect-error: add takes numbers
      deferToThread(tasks.add, "1", 2);
      // @ts-expect-error: "cube" is not exported by the task module
      deferToThread(tasks.cube, 3);
      // @ts-expect-error: VERSION is not a task
      deferToThread(tasks.VERSION);
      void d;
    };
    assert.equal(typeof checks, "function");
    assert.equal(await deferToThread(tasks.add, 1, 2), 3);
  } finally {
    await shutdownDefaultPool();
  }
});

Deno.test("deferToThread() given something that is not a TaskRef when called then throws TypeError", () => {
  assert.throws(
    () => deferToThread("square" as unknown as typeof tasks.square, 1),
    TypeError,
  );
});

Deno.test("deferToThread() given calls made one after another when they run then they reuse one worker", async () => {
  try {
    const first = await deferToThread(tasks.whereIs, 1);
    const second = await deferToThread(tasks.whereIs, 2);
    assert.equal(first.split(":")[0], second.split(":")[0]);
  } finally {
    await shutdownDefaultPool();
  }
});

Deno.test("deferToThread() given shutdownDefaultPool() was called when called again then runs the task", async () => {
  assert.equal(await deferToThread(tasks.square, 2), 4);
  await shutdownDefaultPool();
  assert.equal(await deferToThread(tasks.square, 3), 9);
  await shutdownDefaultPool();
});

Deno.test("suggestThreadPoolSize() given a size when the default pool is busy then it runs at most that many workers", async () => {
  try {
    suggestThreadPoolSize(1);
    const places = await Promise.all(
      [1, 2, 3].map((n) => deferToThread(tasks.whereIs, n)),
    );
    assert.equal(new Set(places.map((place) => place.split(":")[0])).size, 1);
  } finally {
    suggestThreadPoolSize(navigator.hardwareConcurrency);
    await shutdownDefaultPool();
  }
});

Deno.test("suggestThreadPoolSize() given a size below 1 when called then throws RangeError", () => {
  assert.throws(() => suggestThreadPoolSize(0), RangeError);
});

Deno.test("deferToThreadPool() given an executor when called then the task runs there and the Deferred fires with its result", async () => {
  await using pool = new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers: 1 });
  const d = deferToThreadPool(pool, "add", 20, 22);
  assert.ok(d instanceof Deferred);
  assert.equal(await d, 42);
});

Deno.test("futureToDeferred() given a pending Future when setResult() is called then the Deferred fires after, not during, the call", async () => {
  const future = new Future<string>();
  const d = futureToDeferred(future);
  future.setResult("done");
  assert.equal(d.called, false);
  assert.equal(await d, "done");
});

Deno.test("futureToDeferred() given a pending Future when it is cancelled then the Deferred errbacks with CancelledError", async () => {
  const future = new Future<string>();
  const d = futureToDeferred(future);
  future.cancel();
  await assert.rejects(d.asPromise(), CancelledError);
});

Deno.test("futureToDeferred() given a task that has not started when its Deferred is cancelled then the task is cancelled", async () => {
  await using pool = new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers: 1 });
  const running = pool.submit("napFor", 30);
  const queued = pool.submit("square", 3);
  const d = futureToDeferred(queued);
  d.cancel();
  assert.ok(queued.cancelled());
  await assert.rejects(d.asPromise(), CancelledError);
  assert.equal(await running, 30);
});

Deno.test("futureToDeferred() given a running task when its Deferred is cancelled then it errbacks at once and the late result is dropped", async () => {
  await using pool = new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers: 1 });
  const running = pool.submit("napFor", 20);
  const d = futureToDeferred(running);
  d.cancel();
  await assert.rejects(d.asPromise(), CancelledError);
  assert.equal(await running, 20);
});
