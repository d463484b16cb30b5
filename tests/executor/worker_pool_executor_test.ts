import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../deferred/errors.ts";
import {
  BrokenWorkerError,
  ExecutorShutdownError,
  type Future,
  RemoteError,
  WorkerPoolExecutor,
} from "../../executor/mod.ts";
import { captureLogs, sleep } from "../_support/mod.ts";

type Tasks = typeof import("./_tasks.ts");
const TASKS = new URL("./_tasks.ts", import.meta.url);

function pool(maxWorkers: number): WorkerPoolExecutor<Tasks> {
  return new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers });
}

/** The worker name in a `whereIs` result (`<worker>:<item>`). */
function workerOf(place: unknown): string {
  return String(place).split(":")[0];
}

Deno.test("submit() given several tasks when they finish then each Future fires with its task's result", async () => {
  await using executor = pool(5);
  const futures = [0, 1, 2, 3, 4].map((n) => executor.submit("square", n));
  const results = await Promise.all(futures.map((future) => future.result()));
  assert.deepEqual(results, [0, 1, 4, 9, 16]);
});

Deno.test("submit() given an async task when it finishes then the Future fires with the value its Promise resolved to", async () => {
  await using executor = pool(1);
  assert.equal(await executor.submit("slowSquare", 7, 1), 49);
});

Deno.test("submit() given several arguments when the task runs then it receives every one", async () => {
  await using executor = pool(1);
  assert.equal(await executor.submit("add", 2, 40), 42);
});

Deno.test("WorkerPoolExecutor() given maxWorkers when tasks are submitted then starts workers lazily up to maxWorkers", async () => {
  await using executor = pool(2);
  assert.equal(executor.workerCount, 0);
  await Promise.all(
    [1, 2, 3, 4, 5].map((n) => executor.submit("slowSquare", n, 10).result()),
  );
  assert.equal(executor.workerCount, 2);
});

Deno.test("WorkerPoolExecutor() given no maxWorkers when created then maxWorkers is navigator.hardwareConcurrency", async () => {
  await using executor = new WorkerPoolExecutor<Tasks>(TASKS);
  assert.equal(executor.maxWorkers, navigator.hardwareConcurrency);
});

Deno.test("WorkerPoolExecutor() given a maxWorkers below 1 when created then throws RangeError", () => {
  assert.throws(
    () => new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers: 0 }),
    (error: unknown) =>
      error instanceof RangeError && /current value is 0/.test(error.message),
  );
});

Deno.test("WorkerPoolExecutor() given a relative task module path when created then throws TypeError", () => {
  assert.throws(() => new WorkerPoolExecutor("./_tasks.ts"), TypeError);
});

Deno.test("submit() given a typed task module when type-checked then task names, arguments and results are typed", async () => {
  await using executor = pool(1);
  const checks = (): void => {
    const future: Future<number> = executor.submit("square", 3);
    const text: Future<string> = executor.submit("whereIs", 1);
    // @ts-expect-error: "cube" is not exported by the task module
    executor.submit("cube", 3);
    // @ts-expect-error: square takes a number
    executor.submit("square", "3");
    // @ts-expect-error: add takes two numbers
    executor.submit("add", 1);
    // @ts-expect-error: VERSION is a string, not a task
    executor.submit("VERSION");
    // @ts-expect-error: square returns a number
    const wrong: Future<string> = executor.submit("square", 3);
    // @ts-expect-error: add needs two arguments, so map cannot call it with one
    executor.map("add", [1, 2]);
    void [future, text, wrong];
  };
  assert.equal(typeof checks, "function");
  assert.equal(await executor.submit("square", 3), 9);
});

Deno.test("map() given later tasks that finish first when iterated then yields results in input order", async () => {
  await using executor = pool(4);
  await Promise.all(
    [0, 0, 0, 0].map((ms) => executor.submit("napFor", ms).result()),
  );
  const delays = [120, 80, 40, 0];
  const results = await Array.fromAsync(executor.map("finishedAt", delays));
  assert.deepEqual(results.map(([ms]) => ms), delays);
  const finishTimes = results.map(([, at]) => at);
  assert.deepEqual(finishTimes, [...finishTimes].sort((a, b) => b - a));
});

Deno.test("map() given a chunksize when iterated then each chunk of items runs in a single worker", async () => {
  await using executor = pool(2);
  const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const results = await Array.fromAsync(
    executor.map("whereIs", items, { chunksize: 5 }),
  );
  assert.deepEqual(results.map((tag) => Number(tag.split(":")[1])), items);
  const workers = results.map((tag) => tag.split(":")[0]);
  assert.equal(new Set(workers.slice(0, 5)).size, 1);
  assert.equal(new Set(workers.slice(5)).size, 1);
});

Deno.test("map() given a chunksize that does not divide the input when iterated then yields every item", async () => {
  await using executor = pool(2);
  const results = await Array.fromAsync(
    executor.map("square", [1, 2, 3, 4, 5, 6, 7], { chunksize: 3 }),
  );
  assert.deepEqual(results, [1, 4, 9, 16, 25, 36, 49]);
});

Deno.test("map() given a chunksize below 1 when called then throws RangeError", async () => {
  await using executor = pool(1);
  assert.throws(
    () => executor.map("square", [1], { chunksize: 0 }),
    RangeError,
  );
});

Deno.test("map() given a task that throws when its result is reached then the iteration throws its error", async () => {
  await using executor = pool(2);
  const results: number[] = [];
  await assert.rejects(
    async () => {
      for await (
        const result of executor.map("validate", [1, 2, -3, 4])
      ) results.push(result);
    },
    (error: unknown) =>
      error instanceof RemoteError && error.name === "ValidationError",
  );
  assert.deepEqual(results, [1, 2]);
});

Deno.test("map() given a timeout when it passes then the iteration rejects with TimeoutError", async () => {
  await using executor = pool(1);
  await assert.rejects(
    Array.fromAsync(executor.map("napFor", [200, 200, 200], { timeout: 0.05 })),
    TimeoutError,
  );
});

Deno.test("map() given an iteration that stops early when it stops then the tasks not started are cancelled", async () => {
  await using executor = pool(1);
  const iterator = executor.map("tick", [10, 10, 10, 10]);
  assert.deepEqual(await iterator.next(), { value: 1, done: false });
  await iterator.return?.(undefined);
  // The second tick was running when the iteration stopped; the last two never ran.
  assert.equal(await executor.submit("tick", 0), 3);
});

Deno.test("WorkerPoolExecutor given a task that throws a RangeError when it fails then the caller gets a RangeError with its message and stack", async () => {
  await using executor = pool(1);
  const error = await executor.submit(
    "throwRange",
    "Index out of range: current value is 9",
  )
    .exception();
  assert.ok(error instanceof RangeError);
  assert.equal(error.name, "RangeError");
  assert.equal(error.message, "Index out of range: current value is 9");
  assert.match(error.stack ?? "", /_tasks\.ts/);
});

Deno.test("WorkerPoolExecutor given a task that throws an error of a worker-only class when it fails then the caller gets a RemoteError with its name, message, stack and fields", async () => {
  await using executor = pool(1);
  const error = await executor.submit("validate", -1).exception();
  assert.ok(error instanceof RemoteError);
  assert.equal(error.name, "ValidationError");
  assert.equal(error.message, "Age must not be negative: current value is -1");
  assert.match(
    error.stack ?? "",
    /ValidationError: Age must not be negative[\s\S]*_tasks\.ts/,
  );
  assert.equal((error as RemoteError & { code?: string }).code, "E_AGE");
});

Deno.test("WorkerPoolExecutor given a task that throws a value that is not an Error when it fails then the caller gets the value unchanged", async () => {
  await using executor = pool(1);
  await assert.rejects(
    executor.submit("throwString").result(),
    (error: unknown) => {
      assert.equal(error, "plain string");
      return true;
    },
  );
});

Deno.test("WorkerPoolExecutor given a result that cannot be cloned when the task returns then the Future fails with a DataCloneError", async () => {
  await using executor = pool(1);
  const error = await executor.submit("returnFunction").exception();
  assert.ok(error instanceof DOMException);
  assert.equal(error.name, "DataCloneError");
  assert.equal(await executor.submit("square", 2), 4);
});

Deno.test("WorkerPoolExecutor given an argument that cannot be cloned when submitted then the Future fails with a DataCloneError", async () => {
  await using executor = new WorkerPoolExecutor(TASKS, { maxWorkers: 1 });
  const error = await executor.submit("echo", () => 1).exception();
  assert.ok(error instanceof DOMException);
  assert.equal(error.name, "DataCloneError");
});

Deno.test("WorkerPoolExecutor given a task name the module does not export when submitted then the Future fails with a TypeError", async () => {
  await using executor = new WorkerPoolExecutor(TASKS, { maxWorkers: 1 });
  const error = await executor.submit("VERSION").exception();
  assert.ok(error instanceof TypeError);
  assert.match(error.message, /Cannot run task "VERSION"/);
});

for (
  const [task, args, reason] of [
    ["closeWorker", [], /it called close\(\)/],
    ["exitWorker", [3], /it called Deno\.exit\(3\)/],
    ["throwLater", ["late boom"], /uncaught error/],
    ["rejectUnhandled", ["lost promise"], /unhandled promise rejection/],
  ] as const
) {
  Deno.test(`WorkerPoolExecutor given a worker that dies in ${task}() when its task runs then the task fails with BrokenWorkerError`, async () => {
    await using executor = new WorkerPoolExecutor(TASKS, { maxWorkers: 1 });
    const error = await executor.submit(task, ...args).exception(10);
    assert.ok(error instanceof BrokenWorkerError, String(error));
    assert.match(error.message, reason);
  });

  Deno.test(`WorkerPoolExecutor given a worker that died in ${task}() when the next task is submitted then a new worker runs it`, async () => {
    await using executor = new WorkerPoolExecutor(TASKS, { maxWorkers: 1 });
    const before = workerOf(await executor.submit("whereIs", 1).result(10));
    await executor.submit(task, ...args).exception(10);
    const after = workerOf(await executor.submit("whereIs", 2).result(10));
    assert.notEqual(after, before);
    assert.equal(executor.workerCount, 1);
  });
}

Deno.test("WorkerPoolExecutor given a worker killed by an asynchronous throw when its task fails then the BrokenWorkerError carries that error as the cause", async () => {
  await using executor = pool(1);
  const error = await executor.submit("throwLater", "late boom").exception();
  assert.ok(error instanceof BrokenWorkerError);
  assert.ok(error.cause instanceof Error);
  assert.equal(error.cause.message, "late boom");
});

Deno.test("result(timeout) given a hung task when the timeout passes then rejects with TimeoutError and the worker is replaced", async () => {
  await using executor = pool(1);
  const hung = executor.submit("spin");
  await assert.rejects(hung.result(0.1), TimeoutError);
  assert.ok(hung.done());
  assert.ok((await hung.exception()) instanceof TimeoutError);
  assert.equal(await executor.submit("square", 4), 16);
});

Deno.test("result(timeout) given a task still queued when the timeout passes then the task is dropped", async () => {
  await using executor = pool(1);
  const first = executor.submit("slowSquare", 2, 100);
  const queued = executor.submit("square", 3);
  await assert.rejects(queued.result(0.01), TimeoutError);
  assert.equal(await first, 4);
  assert.ok((await queued.exception()) instanceof TimeoutError);
});

Deno.test("cancel() given a task that has not started when called then the task never runs", async () => {
  await using executor = pool(1);
  const running = executor.submit("slowSquare", 2, 50);
  const queued = executor.submit("square", 3);
  assert.equal(queued.cancel(), true);
  assert.ok(queued.cancelled() && queued.done());
  await assert.rejects(queued.result(), CancelledError);
  assert.equal(await running, 4);
});

Deno.test("cancel() given a running task when called then returns false", async () => {
  await using executor = pool(1);
  const running = executor.submit("slowSquare", 2, 20);
  assert.ok(running.running());
  assert.equal(running.cancel(), false);
  assert.equal(await running, 4);
});

Deno.test("addDoneCallback() given a submitted task when it finishes then calls the callback with the Future", async () => {
  await using executor = pool(2);
  const seen: string[] = [];
  const done = Promise.withResolvers<void>();
  const futures = [1, 2, 3].map((n) => executor.submit("square", n));
  for (const future of futures) {
    future.addDoneCallback(async (f) => {
      assert.equal(f, future);
      seen.push(`result: ${await f.result()}`);
      if (seen.length === 3) done.resolve();
    });
  }
  await done.promise;
  assert.deepEqual(seen.sort(), ["result: 1", "result: 4", "result: 9"]);
});

Deno.test("submit() given shutdown() was called when called then throws ExecutorShutdownError", async () => {
  const executor = pool(1);
  await executor.shutdown();
  assert.throws(
    () => executor.submit("square", 1),
    (error: unknown) =>
      error instanceof ExecutorShutdownError &&
      error.message === "Cannot schedule new futures after shutdown",
  );
  assert.throws(() => executor.map("square", [1]), ExecutorShutdownError);
});

Deno.test("shutdown() given running and queued tasks when called then waits for them and terminates the workers", async () => {
  const executor = pool(1);
  const futures = [1, 2, 3].map((n) => executor.submit("slowSquare", n, 10));
  await executor.shutdown();
  assert.ok(futures.every((future) => future.done()));
  assert.deepEqual(await Promise.all(futures.map((f) => f.result())), [
    1,
    4,
    9,
  ]);
  assert.equal(executor.workerCount, 0);
});

Deno.test("shutdown({ cancelFutures: true }) given tasks that have not started when called then cancels them", async () => {
  const executor = pool(1);
  const running = executor.submit("slowSquare", 2, 20);
  const queued = executor.submit("square", 3);
  await executor.shutdown({ cancelFutures: true });
  assert.equal(await running, 4);
  assert.ok(queued.cancelled());
});

Deno.test("shutdown({ wait: false }) given submitted tasks when called then resolves at once and lets them finish", async () => {
  const executor = pool(1);
  const future = executor.submit("slowSquare", 5, 20);
  await executor.shutdown({ wait: false });
  assert.equal(future.done(), false);
  assert.equal(await future, 25);
  await executor.shutdown();
  assert.equal(executor.workerCount, 0);
});

Deno.test("WorkerPoolExecutor given idleTimeout when workers stay idle that long then they are terminated", async () => {
  await using executor = new WorkerPoolExecutor<Tasks>(TASKS, {
    maxWorkers: 1,
    idleTimeout: 0.02,
  });
  assert.equal(await executor.submit("square", 2), 4);
  assert.equal(executor.workerCount, 1);
  await sleep(100);
  assert.equal(executor.workerCount, 0);
  assert.equal(await executor.submit("square", 3), 9);
});

Deno.test("WorkerPoolExecutor given await using when the block ends then the pool is shut down", async () => {
  let escaped: WorkerPoolExecutor<Tasks>;
  {
    await using executor = pool(1);
    escaped = executor;
    executor.submit("square", 1);
  }
  assert.equal(escaped.workerCount, 0);
  assert.throws(() => escaped.submit("square", 1), ExecutorShutdownError);
});

Deno.test("await using given a task still running at the end of the block when the block ends then waits for it, as Python's with", async () => {
  let future: Future<number>;
  {
    await using executor = pool(1);
    future = executor.submit("slowSquare", 6, 50);
  }
  assert.ok(future.done());
  assert.equal(await future.result(0), 36);
});

Deno.test("WorkerPoolExecutor given a task module that fails to load when tasks are submitted then each fails with the loading error", async () => {
  await using executor = new WorkerPoolExecutor(
    "data:text/javascript,throw new SyntaxError('Broken task module')",
    { maxWorkers: 1 },
  );
  for (let i = 0; i < 2; i++) {
    const error = await executor.submit("anything").exception();
    assert.ok(error instanceof SyntaxError);
    assert.equal(error.message, "Broken task module");
  }
});

Deno.test("map() given an empty iterable when iterated then yields nothing and starts no worker", async () => {
  await using executor = pool(2);
  assert.deepEqual(await Array.fromAsync(executor.map("square", [])), []);
  assert.equal(executor.workerCount, 0);
});

Deno.test("submit() given a Map, a Date and a Uint8Array when a task echoes them then they arrive intact by structured clone", async () => {
  await using executor = pool(1);
  const value = {
    map: new Map([["answer", 42]]),
    date: new Date(86_400_000),
    bytes: new Uint8Array([1, 2, 3]),
  };
  // A generic task's result type is unknown: TypeScript cannot instantiate it.
  const echoed = await executor.submit("echo", value) as typeof value;
  assert.ok(echoed.map instanceof Map);
  assert.ok(echoed.date instanceof Date);
  assert.ok(echoed.bytes instanceof Uint8Array);
  assert.deepEqual(echoed, value);
});

Deno.test("submit() given an object when the task mutates its argument then the caller's object is unchanged", async () => {
  await using executor = pool(1);
  const target: { marked?: boolean } = {};
  await executor.submit("mark", target);
  assert.equal(target.marked, undefined);
});

Deno.test("submit() given a task that returns its argument when awaited then the result is a copy, not the same object", async () => {
  await using executor = pool(1);
  const value = { n: 1 };
  const echoed = await executor.submit("echo", value);
  assert.notEqual(echoed, value);
  assert.deepEqual(echoed, value);
});

Deno.test("submit() given a task that throws Deno.errors.NotFound when awaited then rejects with Deno.errors.NotFound", async () => {
  await using executor = pool(1);
  const error = await executor.submit("throwNotFound", "/missing.txt")
    .exception();
  assert.ok(error instanceof Deno.errors.NotFound);
  assert.equal(error.message, "No such file: /missing.txt");
});

Deno.test("submit() given a task error with a cause when awaited then the cause crosses with its own name and message", async () => {
  await using executor = pool(1);
  const error = await executor.submit("throwWithCause", -5).exception();
  assert.ok(error instanceof TypeError);
  assert.ok(error.cause instanceof RemoteError);
  assert.equal(error.cause.name, "ValidationError");
  assert.equal(
    error.cause.message,
    "Age must not be negative: current value is -5",
  );
});

Deno.test("Future given a task running in a worker when it finishes then running() turns false and done() true", async () => {
  await using executor = pool(1);
  const future = executor.submit("napFor", 30);
  assert.deepEqual([future.running(), future.done()], [true, false]);
  await future;
  assert.deepEqual(
    [future.running(), future.done(), future.cancelled()],
    [false, true, false],
  );
});

Deno.test("Future given every worker busy when a task is submitted then it waits, neither running nor done", async () => {
  await using executor = pool(1);
  const busy = executor.submit("napFor", 30);
  const queued = executor.submit("square", 5);
  assert.deepEqual([queued.running(), queued.done()], [false, false]);
  await busy;
  assert.equal(await queued, 25);
});

Deno.test("map() given chunksize 2 when the later chunk finishes first then yields results in input order", async () => {
  await using executor = pool(2);
  await Promise.all([0, 0].map((ms) => executor.submit("napFor", ms).result()));
  const delays = [60, 60, 0, 0];
  const results = await Array.fromAsync(
    executor.map("finishedAt", delays, { chunksize: 2 }),
  );
  assert.deepEqual(results.map(([ms]) => ms), delays);
  assert.ok(results[0][1] > results[3][1], "the first chunk finished last");
});

Deno.test("WorkerPoolExecutor given a worker that closes itself after its task returned when the next task comes then a new worker runs it", async () => {
  await using executor = pool(1);
  await captureLogs(async (records) => {
    const first = await executor.submit("closeAfterReturning", "kept");
    assert.equal(first, "kept");
    await sleep(100);
    assert.equal(executor.workerCount, 0);
    assert.match(
      records.map((r) => String(r.properties.message)).join("\n"),
      /died while idle: it called close\(\)/,
    );
    assert.equal(await executor.submit("square", 7).result(10), 49);
  });
});

Deno.test("WorkerPoolExecutor given a task queued behind one that kills its worker when the worker dies then a new worker runs the queued task", async () => {
  await using executor = pool(1);
  const dying = executor.submit("exitWorker", 1);
  const queued = executor.submit("square", 8);
  assert.ok((await dying.exception(10)) instanceof BrokenWorkerError);
  assert.equal(await queued.result(10), 64);
});
