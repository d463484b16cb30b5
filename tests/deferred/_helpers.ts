/**
 * Synchronous inspection of Deferreds in tests, as Twisted's
 * `SynchronousTestCase.successResultOf`, `failureResultOf` and
 * `assertNoResult`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Deferred, type ErrorClass, Failure } from "../../deferred/mod.ts";

const NOTHING = Symbol("nothing");

function currentResult(d: Deferred<unknown>): unknown {
  let result: unknown = NOTHING;
  d.addBoth((r) => {
    result = r;
  });
  return result;
}

/** The result `d` has now; fails when it has none or has failed. */
export function successResultOf<T>(d: Deferred<T>): T {
  const result = currentResult(d);
  assert.notEqual(result, NOTHING, "Deferred has no result yet");
  if (result instanceof Failure) {
    assert.fail(`Deferred failed: ${result.getTraceback()}`);
  }
  return result as T;
}

/** The Failure `d` has now; fails when it has none, succeeded, or the type does not match. */
export function failureResultOf(
  d: Deferred<unknown>,
  ...types: ErrorClass[]
): Failure {
  const result = currentResult(d);
  assert.notEqual(result, NOTHING, "Deferred has no result yet");
  assert.ok(
    result instanceof Failure,
    `Deferred succeeded with ${String(result)}`,
  );
  if (types.length > 0) {
    assert.ok(
      result.check(...types) !== null,
      `Unexpected failure: ${result.getTraceback()}`,
    );
  }
  return result;
}

/** Fails when `d` has a result; leaves its chain untouched otherwise. */
export function assertNoResult(d: Deferred<unknown>): void {
  let fired = false;
  let failure: Failure | null = null;
  d.addBoth((r) => {
    fired = true;
    if (r instanceof Failure) failure = r;
    return r;
  });
  if (failure !== null) {
    // Handle it so the assertion is the only report.
    d.addErrback(() => undefined);
  }
  assert.equal(fired, false, "Deferred has a result");
}
