/**
 * Synchronous inspection of Deferreds in tests, as Twisted trial's
 * `SynchronousTestCase.successResultOf`, `failureResultOf` and
 * `assertNoResult`.
 *
 * @module
 */
import { AssertionError } from "node:assert";
import type { Deferred } from "../deferred/deferred.ts";
import { type ErrorClass, Failure } from "../deferred/failure.ts";

const NOTHING: unique symbol = Symbol("nothing");

/**
 * The result at the end of `d`'s chain now, or `NOTHING`. As in Twisted, it
 * is taken out of the chain (which goes on with `undefined`), so a failure
 * reported here is not also logged as unhandled.
 */
function takeResult(d: Deferred<unknown>): unknown {
  let result: unknown = NOTHING;
  d.addBoth((r) => {
    result = r;
  });
  return result;
}

function fail(message: string): never {
  throw new AssertionError({ message });
}

/**
 * The success result `d` has now. Mirrors trial's
 * `SynchronousTestCase.successResultOf`: test code that drives time with a
 * `Clock` and transports with a `StringTransport` never needs to wait, so
 * a Deferred without a result at this point is a failure of the test.
 *
 * @param d The Deferred; its chain goes on with `undefined`, as in Twisted.
 * @returns Its current result.
 * @throws {AssertionError} `d` has no result yet, or has failed (the message
 *   holds the failure's traceback).
 *
 * @example Reading a result synchronously
 * ```ts
 * import assert from "node:assert/strict";
 * import { succeed } from "@torsion/torsion/deferred";
 * import { successResultOf } from "@torsion/torsion/testing";
 * assert.equal(successResultOf(succeed(7).addCallback((n) => n * 6)), 42);
 * ```
 */
export function successResultOf<T>(d: Deferred<T>): T {
  const result = takeResult(d);
  if (result === NOTHING) {
    fail(`Success result expected on ${d}, found no result instead`);
  }
  if (result instanceof Failure) {
    fail(
      `Success result expected on ${d}, found failure result instead:\n${result.getTraceback()}`,
    );
  }
  return result as T;
}

/**
 * The failure result `d` has now. Mirrors trial's
 * `SynchronousTestCase.failureResultOf`: the failure is taken out of `d`'s
 * chain (which goes on with `undefined`), so it is not logged as unhandled.
 *
 * @param d The Deferred.
 * @param errorTypes The error classes to expect; none accepts any failure.
 * @returns The `Failure`.
 * @throws {AssertionError} `d` has no result yet, succeeded, or failed with
 *   an error of none of `errorTypes`.
 *
 * @example Expecting a failure of one type
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail } from "@torsion/torsion/deferred";
 * import { failureResultOf } from "@torsion/torsion/testing";
 * const failure = failureResultOf(fail(new RangeError("too big")), RangeError);
 * assert.equal(failure.getErrorMessage(), "too big");
 * ```
 */
export function failureResultOf(
  d: Deferred<unknown>,
  ...errorTypes: ErrorClass[]
): Failure {
  const result = takeResult(d);
  if (result === NOTHING) {
    fail(`Failure result expected on ${d}, found no result instead`);
  }
  if (!(result instanceof Failure)) {
    fail(`Failure result expected on ${d}, found success result instead`);
  }
  if (errorTypes.length > 0 && result.check(...errorTypes) === null) {
    fail(
      `Failure of type ${
        errorTypes.map((type) => type.name).join(" or ")
      } expected on ${d}, found type ${result.type.name} instead:\n${result.getTraceback()}`,
    );
  }
  return result;
}

/**
 * Checks that `d` has no result yet, leaving its chain as it was. Mirrors
 * trial's `SynchronousTestCase.assertNoResult`.
 *
 * @param d The Deferred.
 * @throws {AssertionError} `d` has a result; a failure result is then
 *   handled, so that the assertion is the only report.
 *
 * @example A result that needs time
 * ```ts
 * import assert from "node:assert/strict";
 * import { deferLater } from "@torsion/torsion/deferred";
 * import { assertNoResult, Clock, successResultOf } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * const d = deferLater(clock, 5, () => "done");
 * assertNoResult(d);
 * clock.advance(5);
 * assert.equal(successResultOf(d), "done");
 * ```
 */
export function assertNoResult(d: Deferred<unknown>): void {
  let result: unknown = NOTHING;
  d.addBoth((r) => {
    result = r;
    return r;
  });
  if (result === NOTHING) return;
  if (result instanceof Failure) d.addErrback(() => undefined);
  fail(`No result expected on ${d}, found ${String(result)} instead`);
}
