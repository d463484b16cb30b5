import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";

Deno.test("successResultOf() given a Deferred with a result when called then returns it and the chain goes on with undefined", () => {
  const d = succeed(42);
  assert.equal(successResultOf(d), 42);
  let after: unknown = "unset";
  d.addCallback((r) => {
    after = r;
  });
  assert.equal(after, undefined);
});

Deno.test("successResultOf() given a Deferred without a result when called then fails naming the Deferred", () => {
  assert.throws(() => successResultOf(new Deferred<number>()), {
    name: "AssertionError",
    message: "Success result expected on <Deferred>, found no result instead",
  });
});

Deno.test("successResultOf() given a failed Deferred when called then fails with the traceback and handles the failure", () => {
  const d = fail(new RangeError("too big"));
  assert.throws(
    () => successResultOf(d),
    (error) =>
      error instanceof AssertionError &&
      /found failure result instead:\n[\s\S]*RangeError: too big/.test(
        error.message,
      ),
  );
  let after: unknown = "unset";
  d.addBoth((r) => {
    after = r;
  });
  assert.equal(after, undefined);
});

Deno.test("failureResultOf() given a failed Deferred of an expected type when called then returns the Failure", () => {
  const failure = failureResultOf(
    fail(new RangeError("bad")),
    TypeError,
    RangeError,
  );
  assert.ok(failure instanceof Failure);
  assert.equal(failure.getErrorMessage(), "bad");
});

Deno.test("failureResultOf() given no expected types when the Deferred failed then returns any Failure", () => {
  assert.equal(failureResultOf(fail(new Error("x"))).getErrorMessage(), "x");
});

Deno.test("failureResultOf() given a failure of another type when called then fails naming both types", () => {
  assert.throws(() => failureResultOf(fail(new RangeError("bad")), TypeError), {
    name: "AssertionError",
    message:
      /Failure of type TypeError expected on <Deferred[^>]*>, found type RangeError instead/,
  });
});

Deno.test("failureResultOf() given a succeeded Deferred when called then fails", () => {
  assert.throws(() => failureResultOf(succeed(1)), {
    name: "AssertionError",
    message: /found success result instead/,
  });
});

Deno.test("failureResultOf() given a Deferred without a result when called then fails", () => {
  assert.throws(() => failureResultOf(new Deferred()), {
    name: "AssertionError",
    message: "Failure result expected on <Deferred>, found no result instead",
  });
});

Deno.test("assertNoResult() given a pending Deferred when called then passes and the later result is untouched", () => {
  const d = new Deferred<string>();
  assertNoResult(d);
  d.callback("later");
  assert.equal(successResultOf(d), "later");
});

Deno.test("assertNoResult() given a Deferred with a result when called then fails showing the result", () => {
  assert.throws(() => assertNoResult(succeed("here")), {
    name: "AssertionError",
    message:
      /No result expected on <Deferred current result: "here">, found here instead/,
  });
});

Deno.test("assertNoResult() given a failed Deferred when called then fails and handles the failure", () => {
  const d = fail(new Error("boom"));
  assert.throws(() => assertNoResult(d), AssertionError);
  let after: unknown = "unset";
  d.addBoth((r) => {
    after = r;
  });
  assert.equal(after, undefined);
});
