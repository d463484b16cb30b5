import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import {
  deferToThread,
  shutdownDefaultPool,
  taskModule,
  WorkerPoolExecutor,
} from "../../executor/mod.ts";
import { IOLoop } from "../../reactor/ioloop.ts";
import { Reactor } from "../../reactor/reactor.ts";

type Tasks = typeof import("../executor/_tasks.ts");
const TASKS = new URL("../executor/_tasks.ts", import.meta.url);

Deno.test("IOLoop.runInExecutor() given a worker pool when a task runs then fires its Deferred with the task's result", async () => {
  await using pool = new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers: 1 });
  const loop = IOLoop.forReactor(new Reactor());
  const d = loop.runInExecutor(pool, "add", 2, 3);
  assert.ok(d instanceof Deferred);
  assert.equal(await d, 5);
});

Deno.test("IOLoop.runInExecutor() given null as the executor when a task runs then runs it in the default pool", async () => {
  try {
    const loop = IOLoop.forReactor(new Reactor());
    const tasks = taskModule<Tasks>(TASKS);
    const d = loop.runInExecutor(null, tasks.square, 7);
    assert.ok(d instanceof Deferred);
    assert.equal(await d, 49);
  } finally {
    await shutdownDefaultPool();
  }
});

Deno.test("IOLoop.runInExecutor() given null and a task name instead of a TaskRef when called then throws TypeError", () => {
  const loop = IOLoop.forReactor(new Reactor());
  assert.throws(
    // @ts-expect-error: the default pool needs a TaskRef, not a name
    () => loop.runInExecutor(null, "square", 7),
    TypeError,
  );
});

Deno.test("Reactor.suggestThreadPoolSize() given a size when deferToThread runs more tasks then runs at most that many at once", async () => {
  const reactor = new Reactor();
  try {
    reactor.suggestThreadPoolSize(1);
    const tasks = taskModule<Tasks>(TASKS);
    const started = performance.now();
    await Promise.all([
      deferToThread(tasks.napFor, 100),
      deferToThread(tasks.napFor, 100),
    ]);
    assert.ok(performance.now() - started >= 190);
  } finally {
    reactor.suggestThreadPoolSize(navigator.hardwareConcurrency);
    await shutdownDefaultPool();
  }
});

Deno.test("Reactor.suggestThreadPoolSize() given zero when called then throws RangeError", () => {
  assert.throws(() => new Reactor().suggestThreadPoolSize(0), RangeError);
});
