import assert from "node:assert/strict";
import {
  CancelledError,
  Deferred,
  fail,
  Failure,
  inlineCallbacks,
  type InlineCallbacksGenerator as Program,
  succeed,
  wait,
} from "../../deferred/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";

Deno.test("inlineCallbacks() given a generator yielding fired Deferreds when called then returns a Deferred fired with its return value", () => {
  const add = inlineCallbacks(function* (a: number): Program<number> {
    const b = yield* wait(succeed(2));
    const c = yield* wait(succeed(3));
    return a + b + c;
  });
  assert.equal(successResultOf(add(1)), 6);
});

Deno.test("inlineCallbacks() given a yielded unfired Deferred when it fires then the generator resumes with its result", () => {
  const d = new Deferred<string>();
  const steps: string[] = [];
  const run = inlineCallbacks(function* (): Program<number> {
    steps.push("before");
    const value = yield* wait(d);
    steps.push(`after ${value}`);
    return value.length;
  });
  const result = run();
  assert.deepEqual(steps, ["before"]);
  assertNoResult(result);
  d.callback("abc");
  assert.deepEqual(steps, ["before", "after abc"]);
  assert.equal(successResultOf(result), 3);
});

Deno.test("inlineCallbacks() given a yielded plain value when resumed then gets the value back", () => {
  const run = inlineCallbacks(function* (): Program<number> {
    const value = yield* wait(41);
    return value + 1;
  });
  assert.equal(successResultOf(run()), 42);
});

Deno.test("inlineCallbacks() given a yielded failed Deferred when resumed then throws the original error at the yield", () => {
  const error = new RangeError("thrown in");
  let caught: unknown;
  const run = inlineCallbacks(function* (): Program<string> {
    try {
      yield fail(error);
    } catch (e) {
      caught = e;
    }
    return "recovered";
  });
  assert.equal(successResultOf(run()), "recovered");
  assert.equal(caught, error);
  assert.ok(!(caught instanceof Failure));
});

Deno.test("inlineCallbacks() given a yielded Deferred that fails later when it fails then throws the original error at the yield", () => {
  const d = new Deferred<number>();
  const error = new TypeError("later");
  let caught: unknown;
  const run = inlineCallbacks(function* (): Program<void> {
    try {
      yield d;
    } catch (e) {
      caught = e;
    }
  });
  const result = run();
  d.errback(error);
  assert.equal(caught, error);
  assert.equal(successResultOf(result), undefined);
});

Deno.test("inlineCallbacks() given a yielded Deferred when the generator takes its result then the Deferred goes on with undefined", () => {
  const yielded = fail(new Error("handled by the generator"));
  const run = inlineCallbacks(function* (): Program<void> {
    try {
      yield yielded;
    } catch {
      // handled
    }
  });
  successResultOf(run());
  assert.equal(successResultOf(yielded), undefined);
});

Deno.test("inlineCallbacks() given an error escaping the generator when it throws then errbacks the result with it", () => {
  const error = new Error("escaped");
  const run = inlineCallbacks(function* (): Program<void> {
    yield succeed(1);
    throw error;
  });
  assert.equal(failureResultOf(run()).value, error);
});

Deno.test("inlineCallbacks() given an error thrown before the first yield when called then errbacks instead of throwing", () => {
  const error = new Error("early");
  // deno-lint-ignore require-yield
  const run = inlineCallbacks(function* (): Program<void> {
    throw error;
  });
  assert.equal(failureResultOf(run()).value, error);
});

Deno.test("inlineCallbacks() given an uncaught failure of a yielded Deferred when it fails then errbacks the result with it", () => {
  const error = new Error("not caught");
  const run = inlineCallbacks(function* (): Program<string> {
    yield fail(error);
    return "unreachable";
  });
  assert.equal(failureResultOf(run()).value, error);
});

Deno.test("inlineCallbacks() given a yielded Promise when it resolves then resumes with its value", async () => {
  const run = inlineCallbacks(function* (): Program<string> {
    const value = yield* wait(Promise.resolve("promised"));
    return value.toUpperCase();
  });
  const result = run();
  assertNoResult(result);
  assert.equal(await result, "PROMISED");
});

Deno.test("inlineCallbacks() given a yielded Promise when it rejects then throws the original error at the yield", async () => {
  const error = new Error("rejected");
  const run = inlineCallbacks(function* (): Program<unknown> {
    try {
      yield Promise.reject(error);
    } catch (e) {
      return e;
    }
    return "unreachable";
  });
  assert.equal(await run(), error);
});

Deno.test("inlineCallbacks() given 100,000 yields of fired Deferreds when run then completes without RangeError", () => {
  const run = inlineCallbacks(function* (): Program<number> {
    let total = 0;
    for (let i = 0; i < 100_000; i++) total += yield* wait(succeed(1));
    return total;
  });
  assert.equal(successResultOf(run()), 100_000);
});

Deno.test("inlineCallbacks() given 100,000 Deferreds fired one after another when run then completes without RangeError", () => {
  const ds = Array.from({ length: 100_000 }, () => new Deferred<number>());
  const run = inlineCallbacks(function* (): Program<number> {
    let total = 0;
    for (const d of ds) total += yield* wait(d);
    return total;
  });
  const result = run();
  for (const d of ds) d.callback(1);
  assert.equal(successResultOf(result), 100_000);
});

Deno.test("inlineCallbacks() given a generator returning a Deferred when it returns then the result follows that Deferred", () => {
  const inner = new Deferred<string>();
  const run = inlineCallbacks(function* (): Program<Deferred<string>> {
    yield succeed(undefined);
    return inner;
  });
  const result = run();
  assertNoResult(result);
  inner.callback("flattened");
  assert.equal(successResultOf(result), "flattened");
});

Deno.test("inlineCallbacks() given arguments and this when called then passes both to the generator", () => {
  const counter = {
    step: 10,
    add: inlineCallbacks(
      function* (this: { step: number }, n: number): Program<number> {
        yield succeed(undefined);
        return n + this.step;
      },
    ),
  };
  assert.equal(successResultOf(counter.add(5)), 15);
});

Deno.test("inlineCallbacks() given a non-function when applied then throws TypeError", () => {
  assert.throws(
    () => inlineCallbacks(42 as unknown as () => Generator<unknown, void>),
    TypeError,
  );
});

Deno.test("inlineCallbacks() given a function that does not return a generator when called then throws TypeError", () => {
  const notAGenerator = inlineCallbacks(
    (() => 5) as unknown as () => Generator<unknown, number>,
  );
  assert.throws(() => notAGenerator(), /must return a generator/);
});

// --- Cancellation ------------------------------------------------------------

Deno.test("inlineCallbacks() given a generator waiting on a Deferred when the result is cancelled then cancels that Deferred", () => {
  let cancelled = false;
  const awaited = new Deferred<number>(() => (cancelled = true));
  const run = inlineCallbacks(function* (): Program<number> {
    return yield* wait(awaited);
  });
  const result = run();
  result.cancel();
  assert.ok(cancelled);
  failureResultOf(result, CancelledError);
});

Deno.test("inlineCallbacks() given a cancelled wait when the generator catches CancelledError then it may go on", () => {
  const first = new Deferred<number>();
  const second = new Deferred<string>();
  const run = inlineCallbacks(function* (): Program<string> {
    try {
      yield first;
    } catch (e) {
      assert.ok(e instanceof CancelledError);
    }
    const value = yield* wait(second);
    return `went on with ${value}`;
  });
  const result = run();
  result.cancel();
  assertNoResult(result);
  second.callback("second");
  assert.equal(successResultOf(result), "went on with second");
});

Deno.test("inlineCallbacks() given a generator that went on after a cancel when cancelled again then cancels the new wait", () => {
  let secondCancelled = false;
  const first = new Deferred<number>();
  const second = new Deferred<number>(() => (secondCancelled = true));
  const run = inlineCallbacks(function* (): Program<string> {
    try {
      yield first;
    } catch {
      // go on
    }
    yield second;
    return "unreachable";
  });
  const result = run();
  result.cancel();
  result.cancel();
  assert.ok(secondCancelled);
  failureResultOf(result, CancelledError);
});

Deno.test("inlineCallbacks() given a waited Deferred whose canceller succeeds when cancelled then the generator gets that value", () => {
  const awaited = new Deferred<string>((self) => self.callback("fallback"));
  const run = inlineCallbacks(function* (): Program<string> {
    const value = yield* wait(awaited);
    return `got ${value}`;
  });
  const result = run();
  result.cancel();
  assert.equal(successResultOf(result), "got fallback");
});

Deno.test("inlineCallbacks() given a finished generator when the result is cancelled then nothing changes", () => {
  const run = inlineCallbacks(function* (): Program<string> {
    yield succeed(1);
    return "done";
  });
  const result = run();
  result.cancel();
  assert.equal(successResultOf(result), "done");
});

Deno.test("inlineCallbacks() given a generator cancelling its own result while running when it goes on then its return value wins", () => {
  const holder: { self?: Deferred<string> } = {};
  const pending = new Deferred<void>();
  const run = inlineCallbacks(function* (): Program<string> {
    yield pending;
    holder.self?.cancel();
    return "kept running";
  });
  holder.self = run();
  pending.callback();
  assert.equal(successResultOf(holder.self), "kept running");
});

Deno.test("inlineCallbacks() given a generator waiting on a returned Deferred when cancelled then cancels it", () => {
  let cancelled = false;
  const inner = new Deferred<string>(() => (cancelled = true));
  const run = inlineCallbacks(function* (): Program<Deferred<string>> {
    yield succeed(undefined);
    return inner;
  });
  const result = run();
  result.cancel();
  assert.ok(cancelled);
  failureResultOf(result, CancelledError);
});

// --- Types (checked by `deno check`) -------------------------------------------

Deno.test("wait() given a Deferred when delegated to with yield* then types the result from it", () => {
  const run = inlineCallbacks(
    function* (): Program<readonly [number, number, number]> {
      const n = yield* wait(succeed(1));
      const s = yield* wait(Promise.resolve("s").then((x) => x));
      const bare = yield succeed(2);
      // @ts-expect-error a bare yield gives unknown
      const notTyped: number = bare;
      return [n + 1, s.length, notTyped] as const;
    },
  );
  const result = run();
  result.addCallback((tuple) => {
    const first: number = tuple[0];
    return first;
  });
  result.addErrback(() => undefined);
  result.cancel();
});
