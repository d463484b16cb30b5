import assert from "node:assert/strict";
import {
  CancelledError,
  Deferred,
  DeferredList,
  fail,
  Failure,
  FailureGroup,
  FirstError,
  gatherResults,
  race,
  succeed,
} from "../../deferred/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";

// --- DeferredList ------------------------------------------------------------

Deno.test("DeferredList() given members when all succeed then fires with [true, value] entries in input order", () => {
  const a = new Deferred<number>();
  const b = new Deferred<string>();
  const list = new DeferredList([a, b]);
  b.callback("two");
  assertNoResult(list);
  a.callback(1);
  assert.deepEqual(successResultOf(list), [[true, 1], [true, "two"]]);
});

Deno.test("DeferredList() given a member that fails when all have fired then the entry is [false, failure] and the list succeeds", () => {
  const error = new Error("member failed");
  const failing = new Deferred<number>();
  const list = new DeferredList([succeed(1), failing], { consumeErrors: true });
  failing.errback(error);
  const [first, second] = successResultOf(list);
  assert.deepEqual(first, [true, 1]);
  assert.equal(second[0], false);
  assert.ok(second[1] instanceof Failure);
  assert.equal(second[1].value, error);
});

Deno.test("DeferredList() given an empty list when created then fires at once with []", () => {
  assert.deepEqual(successResultOf(new DeferredList([])), []);
});

Deno.test("DeferredList() given an empty list and fireOnOneCallback when created then never fires", () => {
  assertNoResult(new DeferredList([], { fireOnOneCallback: true }));
});

Deno.test("DeferredList() given fireOnOneCallback when a member succeeds then fires with [value, index]", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const list = new DeferredList([a, b], { fireOnOneCallback: true });
  b.callback(20);
  assert.deepEqual(successResultOf(list), [20, 1]);
  a.callback(10);
});

Deno.test("DeferredList() given fireOnOneCallback when a member fails then keeps waiting", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const list = new DeferredList([a, b], {
    fireOnOneCallback: true,
    consumeErrors: true,
  });
  a.errback(new Error("not this one"));
  assertNoResult(list);
  b.callback(2);
  assert.deepEqual(successResultOf(list), [2, 1]);
});

Deno.test("DeferredList() given fireOnOneErrback when a member fails then errbacks with FirstError holding its failure and index", () => {
  const error = new Error("first failure");
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const list = new DeferredList([a, b], {
    fireOnOneErrback: true,
    consumeErrors: true,
  });
  b.errback(error);
  const failure = failureResultOf(list, FirstError);
  const firstError = failure.value as FirstError;
  assert.equal(firstError.index, 1);
  assert.equal(firstError.subFailure.value, error);
  a.callback(1);
});

Deno.test("DeferredList() given fireOnOneErrback when all succeed then fires with every entry", () => {
  const list = new DeferredList([succeed(1), succeed(2)], {
    fireOnOneErrback: true,
  });
  assert.deepEqual(successResultOf(list), [[true, 1], [true, 2]]);
});

Deno.test("DeferredList() given consumeErrors when a member fails then the member's chain goes on with null", () => {
  const member = new Deferred<number>();
  const list = new DeferredList([member], { consumeErrors: true });
  member.errback(new Error("consumed"));
  assert.equal(successResultOf(member), null);
  successResultOf(list);
});

Deno.test("DeferredList() given no consumeErrors when a member fails then the failure stays in the member's chain", () => {
  const error = new Error("kept");
  const member = new Deferred<number>();
  const list = new DeferredList([member]);
  member.errback(error);
  assert.equal(failureResultOf(member).value, error);
  successResultOf(list);
});

Deno.test("DeferredList() given members when one succeeds then the member's chain keeps its value", () => {
  const member = new Deferred<number>();
  const list = new DeferredList([member]);
  member.callback(7);
  assert.equal(successResultOf(member), 7);
  successResultOf(list);
});

Deno.test("DeferredList() given already-fired members when created then fires at once", () => {
  const list = new DeferredList([succeed("a"), succeed("b")]);
  assert.deepEqual(successResultOf(list), [[true, "a"], [true, "b"]]);
});

Deno.test("DeferredList() given a member that is not a Deferred when created then throws TypeError", () => {
  assert.throws(
    () => new DeferredList([42 as unknown as Deferred<number>]),
    (error) => error instanceof TypeError && error.message.includes("index 0"),
  );
});

Deno.test("DeferredList.cancel() given unfired members when cancelled then cancels each and fires with their CancelledErrors", () => {
  const cancelled: number[] = [];
  const a = new Deferred<number>(() => cancelled.push(0));
  const b = new Deferred<number>(() => cancelled.push(1));
  const list = new DeferredList([a, b], { consumeErrors: true });
  list.cancel();
  assert.deepEqual(cancelled, [0, 1]);
  const entries = successResultOf(list);
  for (const [ok, failure] of entries) {
    assert.equal(ok, false);
    assert.ok(failure instanceof Failure && failure.check(CancelledError));
  }
});

Deno.test("DeferredList.cancel() given a fired list when cancelled then leaves the members alone", () => {
  let cancellerCalls = 0;
  const pending = new Deferred<number>(() => cancellerCalls++);
  const list = new DeferredList([succeed(1), pending], {
    fireOnOneCallback: true,
  });
  list.cancel();
  assert.equal(cancellerCalls, 0);
  assert.deepEqual(successResultOf(list), [1, 0]);
  pending.callback(2);
});

Deno.test("DeferredList.cancel() given a member whose canceller throws when cancelled then still cancels the others", () => {
  let bCancelled = false;
  const a = new Deferred<number>(() => {
    throw new Error("canceller broke");
  });
  const b = new Deferred<number>(() => (bCancelled = true));
  const list = new DeferredList([a, b], { consumeErrors: true });
  const stderr = captureStderr(() => list.cancel());
  assert.ok(bCancelled);
  assert.match(stderr, /Exception raised from user supplied canceller/);
  assert.match(stderr, /canceller broke/);
  assertNoResult(list);
  a.callback(1);
  successResultOf(list);
});

function captureStderr(fn: () => void): string {
  const chunks: Uint8Array[] = [];
  const original = Deno.stderr.writeSync;
  Deno.stderr.writeSync = (bytes: Uint8Array): number => {
    chunks.push(bytes.slice());
    return bytes.length;
  };
  try {
    fn();
  } finally {
    Deno.stderr.writeSync = original;
  }
  return chunks.map((chunk) => new TextDecoder().decode(chunk)).join("");
}

// --- gatherResults -----------------------------------------------------------

Deno.test("gatherResults() given members when all succeed then fires with their values in input order", () => {
  const a = new Deferred<number>();
  const b = new Deferred<string>();
  const gathered = gatherResults([a, b]);
  b.callback("b");
  a.callback(1);
  assert.deepEqual(successResultOf(gathered), [1, "b"]);
});

Deno.test("gatherResults() given an empty list when called then fires with []", () => {
  assert.deepEqual(successResultOf(gatherResults([])), []);
});

Deno.test("gatherResults() given a member that fails when it fails then errbacks with FirstError", () => {
  const error = new Error("gather failure");
  const a = new Deferred<number>();
  const gathered = gatherResults([succeed(0), a], { consumeErrors: true });
  a.errback(error);
  const firstError = failureResultOf(gathered, FirstError).value as FirstError;
  assert.equal(firstError.index, 1);
  assert.equal(firstError.subFailure.value, error);
  assert.equal(successResultOf(a), null);
});

Deno.test("gatherResults() given no consumeErrors when a member fails then the failure stays in the member", () => {
  const member = fail<number>(new Error("unconsumed"));
  const gathered = gatherResults([member]);
  failureResultOf(gathered, FirstError);
  failureResultOf(member, Error);
});

Deno.test("gatherResults() given unfired members when cancelled then cancels them", () => {
  let cancelled = false;
  const a = new Deferred<number>(() => (cancelled = true));
  const gathered = gatherResults([a], { consumeErrors: true });
  gathered.cancel();
  assert.ok(cancelled);
  const firstError = failureResultOf(gathered, FirstError).value as FirstError;
  assert.ok(firstError.subFailure.check(CancelledError));
});

// --- race -------------------------------------------------------------------

Deno.test("race() given members when one succeeds then fires with [index, value] and cancels the others", () => {
  const cancelled: string[] = [];
  const a = new Deferred<string>(() => cancelled.push("a"));
  const b = new Deferred<string>(() => cancelled.push("b"));
  const c = new Deferred<string>(() => cancelled.push("c"));
  const result = race([a, b, c]);
  b.callback("winner");
  assert.deepEqual(successResultOf(result), [1, "winner"]);
  assert.deepEqual(cancelled, ["a", "c"]);
});

Deno.test("race() given a winner when the others are cancelled then the winner is not cancelled", () => {
  let winnerCancelled = false;
  const winner = new Deferred<number>(() => (winnerCancelled = true));
  const loser = new Deferred<number>();
  race([winner, loser]);
  winner.callback(1);
  assert.equal(winnerCancelled, false);
  assert.equal(successResultOf(loser), undefined);
});

Deno.test("race() given a member that fails when others are pending then keeps waiting", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const result = race([a, b]);
  a.errback(new Error("not over yet"));
  assertNoResult(result);
  b.callback(2);
  assert.deepEqual(successResultOf(result), [1, 2]);
});

Deno.test("race() given members when all fail then errbacks with FailureGroup of failures in input order", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const result = race([a, b]);
  const errorB = new Error("b");
  const errorA = new Error("a");
  b.errback(errorB);
  a.errback(errorA);
  const group = failureResultOf(result, FailureGroup).value as FailureGroup;
  assert.deepEqual(group.failures.map((f) => f.value), [errorA, errorB]);
});

Deno.test("race() given failing members when they fail then their failures are handled", () => {
  const a = new Deferred<number>();
  const result = race([a]);
  a.errback(new Error("handled by race"));
  assert.equal(successResultOf(a), undefined);
  failureResultOf(result, FailureGroup);
});

Deno.test("race() given a pending race when cancelled then cancels every member", () => {
  const cancelled: number[] = [];
  const a = new Deferred<number>(() => cancelled.push(0));
  const b = new Deferred<number>(() => cancelled.push(1));
  const result = race([a, b]);
  result.cancel();
  assert.deepEqual(cancelled, [0, 1]);
  const group = failureResultOf(result, FailureGroup).value as FailureGroup;
  assert.ok(group.failures.every((f) => f.check(CancelledError)));
});

Deno.test("race() given a loser whose canceller succeeds when the winner fires then only the first success counts", () => {
  const winner = new Deferred<string>();
  const loser = new Deferred<string>((self) => self.callback("late"));
  const result = race([winner, loser]);
  winner.callback("first");
  assert.deepEqual(successResultOf(result), [0, "first"]);
});

Deno.test("race() given an already-fired member when called then fires at once with it", () => {
  let cancelled = false;
  const pending = new Deferred<number>(() => (cancelled = true));
  const result = race([pending, succeed(5)]);
  assert.deepEqual(successResultOf(result), [1, 5]);
  assert.ok(cancelled);
});

Deno.test("race() given an empty list when called then never fires", () => {
  assertNoResult(race([]));
});

Deno.test("race() given a member that is not a Deferred when called then throws TypeError", () => {
  assert.throws(
    () => race([Promise.resolve(1) as unknown as Deferred<number>]),
    TypeError,
  );
});

// --- Types (checked by `deno check`) ------------------------------------------

Deno.test("DeferredList() given a tuple of Deferreds when typed then each entry carries its member's type", () => {
  const list = new DeferredList([succeed(1), succeed("s")]);
  const [[ok1, first], [ok2, second]] = successResultOf(list);
  if (ok1 && ok2) {
    const n: number = first;
    const s: string = second;
    // @ts-expect-error the second member is a string, not a number
    const wrong: number = second;
    assert.deepEqual([n, s, wrong], [1, "s", "s"]);
  }
  const pair = successResultOf(
    new DeferredList([succeed(1), succeed("s")], { fireOnOneCallback: true }),
  );
  const [value, index]: [number | string, number] = pair;
  assert.deepEqual([value, index], [1, 0]);
});
