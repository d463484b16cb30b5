import assert from "node:assert/strict";
import {
  AlreadyCalledError,
  CancelledError,
  Deferred,
  fail,
  Failure,
  maybeDeferred,
  succeed,
} from "../../deferred/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";
import { sleep } from "../_support/mod.ts";

// --- Firing and the callback chain -----------------------------------------

Deno.test("Deferred.callback() given callbacks when fired then runs them before returning", () => {
  const d = new Deferred<number>();
  const seen: number[] = [];
  d.addCallback((n) => {
    seen.push(n);
  });
  d.callback(1);
  assert.deepEqual(seen, [1]);
});

Deno.test("Deferred.addCallback() given a fired Deferred when adding then runs the callback at once", () => {
  const d = succeed("ready");
  let seen: string | undefined;
  d.addCallback((s) => {
    seen = s;
  });
  assert.equal(seen, "ready");
});

Deno.test("Deferred.addCallback() given a Deferred when adding then returns the same Deferred", () => {
  const d = new Deferred<number>();
  assert.equal(d.addCallback((n) => n), d);
  assert.equal(d.addErrback(() => 0), d);
  assert.equal(d.addBoth((r) => r), d);
  assert.equal(d.addCallbacks((n) => n), d);
  d.callback(1);
});

Deno.test("Deferred.addCallback() given several callbacks when fired then each gets the previous result", () => {
  const d = new Deferred<number>();
  d.addCallback((n) => n + 1).addCallback((n) => n * 10).addCallback(String);
  d.callback(1);
  assert.equal(successResultOf(d), "20");
});

Deno.test("Deferred.addCallback() given extra arguments when fired then passes them after the result", () => {
  const d = new Deferred<number>();
  d.addCallback((n, a: number, b: string) => `${n}${a}${b}`, 2, "x");
  d.callback(1);
  assert.equal(successResultOf(d), "12x");
});

Deno.test("Deferred.addErrback() given extra arguments when fired then passes them after the Failure", () => {
  const d = new Deferred<string>();
  d.addErrback(
    (f, a: number, b: string) => `${f.getErrorMessage()}${a}${b}`,
    2,
    "x",
  );
  d.errback(new Error("e"));
  assert.equal(successResultOf(d), "e2x");
});

Deno.test("Deferred.addBoth() given extra arguments when fired then passes them on both paths", () => {
  const ok = new Deferred<number>();
  const bad = new Deferred<number>();
  const tag = (r: unknown, label: string): string =>
    `${label}:${r instanceof Failure ? "failure" : r}`;
  ok.addBoth(tag, "ok");
  bad.addBoth(tag, "bad");
  ok.callback(1);
  bad.errback(new Error("x"));
  assert.equal(successResultOf(ok), "ok:1");
  assert.equal(successResultOf(bad), "bad:failure");
});

Deno.test("Deferred.addCallbacks() given a success when fired then runs only the callback with callbackArgs", () => {
  const d = new Deferred<number>();
  const calls: string[] = [];
  d.addCallbacks(
    (n, extra: string) => {
      calls.push(`cb ${n} ${extra}`);
    },
    () => {
      calls.push("eb");
    },
    ["c"],
    [],
  );
  d.callback(1);
  assert.deepEqual(calls, ["cb 1 c"]);
});

Deno.test("Deferred.addCallbacks() given a failure when fired then runs only the errback with errbackArgs", () => {
  const d = new Deferred<number>();
  const calls: string[] = [];
  d.addCallbacks(
    () => {
      calls.push("cb");
    },
    (f, extra: string) => {
      calls.push(`eb ${f.getErrorMessage()} ${extra}`);
    },
    [],
    ["e"],
  );
  d.errback(new Error("boom"));
  assert.deepEqual(calls, ["eb boom e"]);
});

Deno.test("Deferred.addCallback() given a callback that throws when fired then the next errback gets the original error", () => {
  const error = new RangeError("bad");
  const d = new Deferred<number>();
  let skipped = true;
  d.addCallback((): number => {
    throw error;
  }).addCallback((n) => {
    skipped = false;
    return n;
  });
  d.callback(1);
  const failure = failureResultOf(d, RangeError);
  assert.equal(failure.value, error);
  assert.ok(skipped);
});

Deno.test("Deferred.addCallback() given a callback returning a Failure when fired then the chain switches to errbacks", () => {
  const d = new Deferred<number>();
  const failure = new Failure(new Error("returned"));
  d.addCallback(() => failure);
  d.callback(1);
  assert.equal(failureResultOf(d), failure);
});

Deno.test("Deferred.addErrback() given an errback that returns when fired then the chain switches back to callbacks", () => {
  const d = new Deferred<string>();
  const seen: string[] = [];
  d.addErrback((f) => `recovered from ${f.getErrorMessage()}`)
    .addCallback((s) => {
      seen.push(s);
    });
  d.errback(new Error("boom"));
  assert.deepEqual(seen, ["recovered from boom"]);
});

Deno.test("Deferred.addErrback() given an errback that throws when fired then the next errback gets the new error", () => {
  const d = new Deferred<number>();
  d.addErrback(() => {
    throw new TypeError("second");
  });
  d.errback(new Error("first"));
  assert.equal(failureResultOf(d, TypeError).getErrorMessage(), "second");
});

Deno.test("Deferred.addCallback() given a failure when fired then skips callbacks until an errback", () => {
  const d = new Deferred<number>();
  const calls: string[] = [];
  d.addCallback(() => calls.push("cb1"))
    .addCallback(() => calls.push("cb2"))
    .addErrback(() => calls.push("eb"));
  d.errback(new Error("x"));
  assert.deepEqual(calls, ["eb"]);
});

Deno.test("Deferred.addCallback() given a callback returning a Failure when fired then skips the callbacks after it until an errback recovers", () => {
  const d = new Deferred<number>();
  const calls: string[] = [];
  d.addCallback(() => new Failure(new Error("returned")))
    .addCallback(() => calls.push("cb1"))
    .addCallback(() => calls.push("cb2"))
    .addErrback((f) => calls.push(`eb ${f.getErrorMessage()}`))
    .addCallback(() => calls.push("cb3"));
  d.callback(1);
  assert.deepEqual(calls, ["eb returned", "cb3"]);
});

Deno.test("Deferred.addCallbacks() given a failure reaching a link without an errback when fired then skips the callbacks after it too", () => {
  const d = new Deferred<number>();
  const calls: string[] = [];
  d.addCallbacks(() => calls.push("cbs"))
    .addCallback(() => calls.push("cb"))
    .addErrback(() => calls.push("eb"));
  d.errback(new Error("x"));
  assert.deepEqual(calls, ["eb"]);
});

Deno.test("Deferred.addErrback() given a success reaching an errback when fired then runs the callbacks after it", () => {
  const d = new Deferred<number>();
  const calls: string[] = [];
  d.addErrback(() => calls.push("eb"))
    .addCallback(() => calls.push("cb1"))
    .addCallback(() => calls.push("cb2"));
  d.callback(1);
  assert.deepEqual(calls, ["cb1", "cb2"]);
});

Deno.test("Deferred.addCallback() given a failed Deferred when callbacks and an errback are added later then only the errback and what follows it run", () => {
  const d = fail<number>(new Error("early"));
  const calls: string[] = [];
  d.addCallback(() => calls.push("cb1"));
  d.addCallback(() => calls.push("cb2"));
  d.addErrback(() => calls.push("eb"));
  d.addCallback(() => calls.push("cb3"));
  assert.deepEqual(calls, ["eb", "cb3"]);
});

Deno.test("Deferred.addBoth() given a success or a failure when fired then runs in both cases", () => {
  const ok = new Deferred<number>();
  const bad = new Deferred<number>();
  const seen: unknown[] = [];
  ok.addBoth((r) => seen.push(r));
  bad.addBoth((r) => seen.push(r instanceof Failure));
  ok.callback(1);
  bad.errback(new Error("x"));
  assert.deepEqual(seen, [1, true]);
});

Deno.test("Deferred.callback() given a Failure when fired then acts as errback", () => {
  const d = new Deferred<number>();
  const failure = new Failure(new Error("as errback"));
  const calls: string[] = [];
  d.addCallbacks(
    () => {
      calls.push("callback");
    },
    (f) => {
      calls.push("errback");
      return f;
    },
  );
  d.callback(failure);
  assert.deepEqual(calls, ["errback"]);
  assert.equal(failureResultOf(d), failure);
});

Deno.test("Deferred.errback() given a plain error when fired then wraps it in a Failure", () => {
  const d = new Deferred();
  const error = new Error("wrapped");
  d.errback(error);
  const failure = failureResultOf(d);
  assert.equal(failure.value, error);
});

Deno.test("Deferred.errback() given a Failure when fired then passes the same Failure", () => {
  const d = new Deferred();
  const failure = new Failure("text");
  d.errback(failure);
  assert.equal(failureResultOf(d), failure);
});

Deno.test("Deferred.errback() given no argument when fired then fails with an Error saying so", () => {
  const d = new Deferred();
  d.errback();
  assert.match(failureResultOf(d, Error).getErrorMessage(), /without an error/);
});

Deno.test("Deferred.addCallback() given a callback adding another callback when fired then runs it after, without recursion", () => {
  const d = new Deferred<number>();
  const order: string[] = [];
  d.addCallback((n) => {
    order.push("first start");
    d.addCallback((m) => {
      order.push(`added ${m}`);
      return m;
    });
    order.push("first end");
    return n + 1;
  });
  d.addCallback((n) => {
    order.push(`second ${n}`);
    return n;
  });
  d.callback(1);
  assert.deepEqual(order, ["first start", "first end", "second 2", "added 2"]);
});

Deno.test("Deferred.called given a new Deferred when fired then turns true", () => {
  const d = new Deferred<number>();
  assert.equal(d.called, false);
  d.callback(1);
  assert.equal(d.called, true);
});

// --- Chaining Deferreds and thenables ---------------------------------------

Deno.test("Deferred.addCallback() given a callback returning an unfired Deferred when fired then pauses until it fires", () => {
  const inner = new Deferred<string>();
  const outer = new Deferred<number>();
  const seen: string[] = [];
  outer.addCallback(() => inner).addCallback((s) => {
    seen.push(s);
  });
  outer.callback(1);
  assert.deepEqual(seen, []);
  assertNoResult(outer);
  inner.callback("inner result");
  assert.deepEqual(seen, ["inner result"]);
});

Deno.test("Deferred.addCallback() given a callback returning a fired Deferred when fired then continues with its result at once", () => {
  const inner = succeed("already");
  const outer = new Deferred<number>();
  outer.addCallback(() => inner);
  outer.callback(1);
  assert.equal(successResultOf(outer), "already");
});

Deno.test("Deferred.addCallback() given a returned Deferred when the outer takes its result then the inner goes on with undefined", () => {
  const inner = new Deferred<string>();
  const outer = succeed(1).addCallback(() => inner);
  inner.callback("taken");
  assert.equal(successResultOf(outer), "taken");
  assert.equal(successResultOf(inner), undefined);
});

Deno.test("Deferred.addCallback() given a returned Deferred that fails when it fires then the outer errbacks with its failure", () => {
  const inner = new Deferred<string>();
  const outer = succeed(1).addCallback(() => inner);
  const error = new Error("inner failed");
  inner.errback(error);
  assert.equal(failureResultOf(outer).value, error);
  assert.equal(successResultOf(inner), undefined);
});

Deno.test("Deferred.addCallback() given a callback returning a Promise when fired then pauses until it resolves", async () => {
  const d = new Deferred<number>();
  let resolve!: (s: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  d.addCallback(() => promise);
  d.callback(1);
  assertNoResult(d);
  resolve("from promise");
  await promise;
  await Promise.resolve();
  assert.equal(successResultOf(d), "from promise");
});

Deno.test("Deferred.addCallback() given a callback returning a rejected Promise when it rejects then errbacks with the original error", async () => {
  const error = new Error("rejected");
  const d = succeed(1).addCallback(() => Promise.reject(error));
  await sleep(0);
  assert.equal(failureResultOf(d).value, error);
});

Deno.test("Deferred.addCallback() given a callback returning a custom thenable when it settles then continues with its value", () => {
  const thenable = {
    then(onFulfilled: (value: string) => void): void {
      onFulfilled("thenable value");
    },
  };
  const d = succeed(1).addCallback(() => thenable);
  assert.equal(successResultOf(d), "thenable value");
});

Deno.test("Deferred.addCallback() given a callback returning a custom thenable that settles later when fired then pauses until it settles", () => {
  let settle!: (value: string) => void;
  const thenable = {
    then(onFulfilled: (value: string) => void): void {
      settle = onFulfilled;
    },
  };
  const d = new Deferred<number>();
  const seen: string[] = [];
  d.addCallback(() => thenable).addCallback((s) => {
    seen.push(s);
  });
  d.callback(1);
  assert.deepEqual(seen, []);
  assert.equal(d.paused, 1);
  settle("settled later");
  assert.deepEqual(seen, ["settled later"]);
  assert.equal(d.paused, 0);
});

Deno.test("Deferred.addCallback() given a callback returning the same Deferred when fired then fails with TypeError instead of hanging", () => {
  const d = new Deferred<number>();
  d.addCallback(() => d);
  d.callback(1);
  assert.match(failureResultOf(d, TypeError).getErrorMessage(), /itself/);
});

Deno.test("Deferred.chainDeferred() given another Deferred when fired then it gets the result and this chain goes on with undefined", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  a.chainDeferred(b);
  a.callback(5);
  assert.equal(successResultOf(b), 5);
  assert.equal(successResultOf(a), undefined);
});

Deno.test("Deferred.chainDeferred() given a failure when fired then the other Deferred errbacks", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  a.chainDeferred(b);
  const error = new Error("chained");
  a.errback(error);
  assert.equal(failureResultOf(b).value, error);
});

// --- Stack depth -----------------------------------------------------------

Deno.test("Deferred.callback() given 1,000,000 callbacks when fired then runs them all without RangeError", () => {
  const d = new Deferred<number>();
  for (let i = 0; i < 1_000_000; i++) d.addCallback((n: number) => n + 1);
  d.callback(0);
  assert.equal(successResultOf(d), 1_000_000);
});

Deno.test("Deferred.callback() given 100,000 Deferreds each waiting on the next when the last fires then the result reaches the first without RangeError", () => {
  const count = 100_000;
  const ds = Array.from({ length: count }, () => new Deferred<unknown>());
  for (let i = 0; i < count - 1; i++) {
    const next = ds[i + 1];
    ds[i].addCallback(() => next);
  }
  for (let i = 0; i < count - 1; i++) ds[i].callback(i);
  assertNoResult(ds[0]);
  ds[count - 1].callback("deep");
  assert.equal(successResultOf(ds[0]), "deep");
});

Deno.test("Deferred.callback() given 100,000 fired Deferreds returned from callbacks when fired then runs without RangeError", () => {
  const d = new Deferred<number>();
  for (let i = 0; i < 100_000; i++) {
    d.addCallback((n: number) => succeed(n + 1));
  }
  d.callback(0);
  assert.equal(successResultOf(d), 100_000);
});

Deno.test("Deferred.cancel() given 100,000 Deferreds each waiting on the next when the first is cancelled then the innermost is cancelled", () => {
  const count = 100_000;
  let innerCancelled = false;
  const ds = Array.from(
    { length: count },
    (_, i) =>
      new Deferred<unknown>(
        i === count - 1 ? () => (innerCancelled = true) : undefined,
      ),
  );
  for (let i = 0; i < count - 1; i++) {
    const next = ds[i + 1];
    ds[i].addCallback(() => next);
  }
  for (let i = 0; i < count - 1; i++) ds[i].callback(i);
  ds[0].cancel();
  assert.ok(innerCancelled);
  failureResultOf(ds[0], CancelledError);
});

// --- await, Promises --------------------------------------------------------

Deno.test("Deferred.then() given a Deferred that succeeds when awaited then resolves with the result", async () => {
  const d = new Deferred<number>();
  setTimeout(() => d.callback(42), 0);
  assert.equal(await d, 42);
});

Deno.test("Deferred.then() given a Deferred that fails when awaited then throws the original error", async () => {
  const error = new TypeError("original");
  const d = fail<number>(error);
  await assert.rejects(
    async () => {
      await d;
    },
    (thrown) => thrown === error,
  );
});

Deno.test("Deferred.then() given an awaited Deferred when awaited then its chain goes on with undefined", async () => {
  const d = succeed("consumed");
  assert.equal(await d, "consumed");
  assert.equal(successResultOf(d), undefined);
});

Deno.test("Deferred.asPromise() given a Deferred when it fires then the Promise resolves with the result", async () => {
  const d = new Deferred<string>();
  const promise = d.asPromise();
  d.callback("value");
  assert.equal(await promise, "value");
});

Deno.test("Deferred.asPromise() given a failing Deferred when it fails then the Promise rejects with the original error and the failure is handled", async () => {
  const error = new Error("promised");
  const d = new Deferred<string>();
  const promise = d.asPromise();
  d.errback(error);
  await assert.rejects(promise, (thrown) => thrown === error);
  assert.equal(successResultOf(d), undefined);
});

Deno.test("Deferred.fromPromise() given a Promise when it resolves then the Deferred fires with its value", async () => {
  const d = Deferred.fromPromise(Promise.resolve("resolved"));
  assertNoResult(d);
  await Promise.resolve();
  assert.equal(successResultOf(d), "resolved");
});

Deno.test("Deferred.fromPromise() given a Promise when it rejects then the Deferred errbacks with the original error", async () => {
  const error = new Error("rejected");
  const d = Deferred.fromPromise(Promise.reject(error));
  await sleep(0);
  assert.equal(failureResultOf(d).value, error);
});

Deno.test("Deferred.fromPromise() given a Promise rejected with undefined when it rejects then the Failure value is undefined", async () => {
  const d = Deferred.fromPromise(Promise.reject(undefined));
  await sleep(0);
  assert.equal(failureResultOf(d).value, undefined);
});

Deno.test("Deferred.fromPromise() given a thenable whose then throws when wrapped then errbacks with that error", () => {
  const error = new Error("then threw");
  const d = Deferred.fromPromise({
    then(): never {
      throw error;
    },
  });
  assert.equal(failureResultOf(d).value, error);
});

Deno.test("Deferred.fromPromise() given a cancelled Deferred when the Promise resolves later then the result is ignored", async () => {
  let resolve!: (n: number) => void;
  const promise = new Promise<number>((r) => (resolve = r));
  const d = Deferred.fromPromise(promise);
  d.cancel();
  resolve(1);
  await promise;
  await Promise.resolve();
  failureResultOf(d, CancelledError);
});

Deno.test("Promise.resolve() given a Deferred when it fires then adopts its result", async () => {
  const d = new Deferred<number>();
  const promise = Promise.resolve(d);
  d.callback(3);
  assert.equal(await promise, 3);
});

// --- Cancellation ----------------------------------------------------------

Deno.test("Deferred.cancel() given a canceller when cancelled then calls it with the Deferred", () => {
  const seen: Deferred<number>[] = [];
  const d = new Deferred<number>((cancelled) => {
    seen.push(cancelled);
  });
  d.cancel();
  assert.deepEqual(seen, [d]);
  failureResultOf(d, CancelledError);
});

Deno.test("Deferred.cancel() given no canceller when cancelled then errbacks with CancelledError", () => {
  const d = new Deferred<number>();
  d.cancel();
  failureResultOf(d, CancelledError);
});

Deno.test("Deferred.cancel() given a canceller that fires the Deferred when cancelled then keeps that result", () => {
  const d = new Deferred<string>((self) => self.callback("stopped cleanly"));
  d.cancel();
  assert.equal(successResultOf(d), "stopped cleanly");
});

Deno.test("Deferred.cancel() given no canceller when the producer calls callback once later then the call is ignored", () => {
  const d = new Deferred<number>();
  d.cancel();
  d.callback(1);
  failureResultOf(d, CancelledError);
});

Deno.test("Deferred.cancel() given no canceller when the producer calls errback once later then the call is ignored", () => {
  const d = new Deferred<number>();
  d.cancel();
  d.errback(new Error("late"));
  failureResultOf(d, CancelledError);
});

Deno.test("Deferred.cancel() given no canceller when the producer fires twice later then the second call raises AlreadyCalledError", () => {
  const d = new Deferred<number>();
  d.cancel();
  d.callback(1);
  assert.throws(() => d.callback(2), AlreadyCalledError);
  failureResultOf(d, CancelledError);
});

Deno.test("Deferred.cancel() given a canceller that does not fire when the producer fires later then raises AlreadyCalledError", () => {
  const d = new Deferred<number>(() => {});
  d.cancel();
  assert.throws(() => d.callback(1), AlreadyCalledError);
  failureResultOf(d, CancelledError);
});

Deno.test("Deferred.cancel() given a fired Deferred when cancelled then does nothing", () => {
  let cancellerCalls = 0;
  const d = new Deferred<number>(() => cancellerCalls++);
  d.callback(1);
  d.cancel();
  assert.equal(cancellerCalls, 0);
  assert.equal(successResultOf(d), 1);
});

Deno.test("Deferred.cancel() given a Deferred fired while paused when cancelled then drops the canceller and keeps the result", () => {
  let cancellerCalls = 0;
  const d = new Deferred<number>(() => cancellerCalls++);
  d.pause();
  d.callback(1);
  d.cancel();
  d.unpause();
  assert.equal(cancellerCalls, 0);
  assert.equal(successResultOf(d), 1);
});

Deno.test("Deferred.cancel() given a Deferred waiting on another when cancelled then cancels the inner one", () => {
  let innerCancelled = false;
  const inner = new Deferred<string>(() => (innerCancelled = true));
  const outer = succeed(1).addCallback(() => inner);
  outer.cancel();
  assert.ok(innerCancelled);
  failureResultOf(outer, CancelledError);
});

Deno.test("Deferred.cancel() given a Deferred waiting on another whose canceller succeeds when cancelled then the outer continues with that value", () => {
  const inner = new Deferred<string>((self) => self.callback("fallback"));
  const outer = succeed(1).addCallback(() => inner);
  outer.cancel();
  assert.equal(successResultOf(outer), "fallback");
});

// --- Misuse ----------------------------------------------------------------

Deno.test("Deferred.callback() given a fired Deferred when called again then throws AlreadyCalledError", () => {
  const d = new Deferred<number>();
  d.callback(1);
  assert.throws(() => d.callback(2), AlreadyCalledError);
  assert.equal(successResultOf(d), 1);
});

Deno.test("Deferred.errback() given a fired Deferred when called then throws AlreadyCalledError", () => {
  const d = new Deferred<number>();
  d.callback(1);
  assert.throws(() => d.errback(new Error("late")), AlreadyCalledError);
});

Deno.test("Deferred.callback() given a failed Deferred when called then throws AlreadyCalledError", () => {
  const d = new Deferred<number>();
  d.errback(new Error("first"));
  assert.throws(() => d.callback(1), AlreadyCalledError);
  failureResultOf(d);
});

Deno.test("Deferred.callback() given a Deferred as the result when called then throws TypeError", () => {
  const d = new Deferred<unknown>();
  assert.throws(() => d.callback(new Deferred()), TypeError);
  assert.equal(d.called, false);
});

Deno.test("Deferred.addCallback() given a non-function when adding then throws TypeError naming the value", () => {
  const d = new Deferred<number>();
  assert.throws(
    () => d.addCallback(42 as unknown as () => void),
    {
      name: "TypeError",
      message:
        "Cannot call addCallback with a non-function: current value is 42",
    },
  );
  assert.throws(() => d.addErrback(null as unknown as () => void), TypeError);
  assert.throws(() => d.addBoth("x" as unknown as () => void), TypeError);
  assert.throws(
    () => d.addCallbacks(() => 1, 5 as unknown as () => void),
    TypeError,
  );
});

Deno.test("Failure.trap() given a non-matching type in an errback when fired then the next errback gets the same Failure", () => {
  const d = new Deferred<number>();
  const failure = new Failure(new TypeError("not a range error"));
  d.addErrback((f) => {
    f.trap(RangeError);
    return 0;
  });
  d.errback(failure);
  assert.equal(failureResultOf(d), failure);
});

Deno.test("Failure.trap() given a matching type in an errback when fired then the chain recovers", () => {
  const d = new Deferred<number>();
  d.addErrback((f) => {
    f.trap(RangeError);
    return 0;
  });
  d.errback(new RangeError("handled"));
  assert.equal(successResultOf(d), 0);
});

// --- pause / unpause -------------------------------------------------------

Deno.test("Deferred.pause() given a paused Deferred when fired then holds the callbacks until unpause", () => {
  const d = new Deferred<number>();
  const seen: number[] = [];
  d.addCallback((n) => {
    seen.push(n);
  });
  d.pause();
  d.callback(1);
  assert.deepEqual(seen, []);
  assert.equal(d.paused, 1);
  d.unpause();
  assert.deepEqual(seen, [1]);
  assert.equal(d.paused, 0);
});

Deno.test("Deferred.pause() given two pauses when unpaused once then still holds the callbacks", () => {
  const d = new Deferred<number>();
  let ran = false;
  d.addCallback(() => {
    ran = true;
  });
  d.pause();
  d.pause();
  d.callback(1);
  d.unpause();
  assert.equal(ran, false);
  d.unpause();
  assert.equal(ran, true);
});

Deno.test("Deferred.unpause() given a Deferred that is not paused when called then throws RangeError", () => {
  const d = new Deferred<number>();
  assert.throws(() => d.unpause(), RangeError);
  assert.equal(d.paused, 0);
});

// --- succeed, fail, maybeDeferred -------------------------------------------

Deno.test("succeed() given a value when called then returns a Deferred fired with it", () => {
  const d = succeed({ a: 1 });
  assert.ok(d.called);
  assert.deepEqual(successResultOf(d), { a: 1 });
});

Deno.test("fail() given an error when called then returns a failed Deferred", () => {
  const error = new Error("failed");
  assert.equal(failureResultOf(fail(error)).value, error);
});

Deno.test("maybeDeferred() given a function returning a value when called then returns a fired Deferred", () => {
  assert.equal(successResultOf(maybeDeferred((a: number) => a + 1, 1)), 2);
});

Deno.test("maybeDeferred() given a function that throws when called then returns a failed Deferred", () => {
  const d = maybeDeferred(JSON.parse, "{bad");
  failureResultOf(d, SyntaxError);
});

Deno.test("maybeDeferred() given a function returning a Deferred when called then returns that Deferred", () => {
  const inner = new Deferred<number>();
  assert.equal(maybeDeferred(() => inner), inner);
  inner.callback(1);
});

Deno.test("maybeDeferred() given a function returning a Failure when called then returns a Deferred failed with it", () => {
  const failure = new Failure(new Error("returned failure"));
  assert.equal(failureResultOf(maybeDeferred(() => failure)), failure);
});

Deno.test("maybeDeferred() given a function returning a Promise when it resolves then the Deferred fires", async () => {
  const d = maybeDeferred(() => Promise.resolve("async"));
  assertNoResult(d);
  await Promise.resolve();
  assert.equal(successResultOf(d), "async");
});

Deno.test("maybeDeferred() given a non-function when called then throws TypeError", () => {
  assert.throws(
    () => maybeDeferred(undefined as unknown as () => void),
    TypeError,
  );
});

// --- Description -----------------------------------------------------------

Deno.test("Deferred.toString() given each state when described then states it", () => {
  const d = new Deferred<string>();
  assert.equal(String(d), "<Deferred>");
  d.callback("x");
  assert.equal(String(d), '<Deferred current result: "x">');
  const waiting = succeed(1).addCallback(() => new Deferred());
  assert.equal(String(waiting), "<Deferred waiting on Deferred>");
  const failed = fail(new TypeError("bad"));
  assert.match(String(failed), /Failure instance: TypeError: bad/);
  failed.addErrback(() => undefined);
});
