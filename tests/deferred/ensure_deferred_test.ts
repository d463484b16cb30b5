import assert from "node:assert/strict";
import {
  CancelledError,
  Deferred,
  ensureDeferred,
  succeed,
  wait,
} from "../../deferred/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";
import { sleep } from "../_support/mod.ts";

Deno.test("ensureDeferred() given a Deferred when called then returns the same Deferred", () => {
  const d = new Deferred<number>();
  assert.equal(ensureDeferred(d), d);
  d.callback(1);
});

Deno.test("ensureDeferred() given a Promise when it resolves then the Deferred fires with its value", async () => {
  async function answer(): Promise<number> {
    await Promise.resolve();
    return 42;
  }
  const d = ensureDeferred(answer());
  assert.ok(d instanceof Deferred);
  assertNoResult(d);
  assert.equal(await d, 42);
});

Deno.test("ensureDeferred() given a Promise when it rejects then the Deferred errbacks with the original error", async () => {
  const error = new Error("async failure");
  const d = ensureDeferred(Promise.reject(error));
  await sleep(0);
  assert.equal(failureResultOf(d).value, error);
});

Deno.test("ensureDeferred() given a generator object when called then drives it like inlineCallbacks", () => {
  const inner = new Deferred<number>();
  function* program(): Generator<unknown, number, unknown> {
    const a = yield* wait(succeed(1));
    const b = yield* wait(inner);
    return a + b;
  }
  const d = ensureDeferred(program());
  assertNoResult(d);
  inner.callback(2);
  assert.equal(successResultOf(d), 3);
});

Deno.test("ensureDeferred() given a generator object when its Deferred is cancelled then cancels the wait", () => {
  let cancelled = false;
  const inner = new Deferred<number>(() => (cancelled = true));
  function* program(): Generator<unknown, number, unknown> {
    return yield* wait(inner);
  }
  const d = ensureDeferred(program());
  d.cancel();
  assert.ok(cancelled);
  failureResultOf(d, CancelledError);
});

Deno.test("ensureDeferred() given a value that is none of these when called then throws TypeError naming it", () => {
  assert.throws(
    () => ensureDeferred(42 as unknown as Promise<number>),
    (error) => error instanceof TypeError && error.message.includes("42"),
  );
  assert.throws(
    () => ensureDeferred("text" as unknown as Promise<string>),
    TypeError,
  );
  assert.throws(
    () => ensureDeferred(null as unknown as Promise<string>),
    TypeError,
  );
});
