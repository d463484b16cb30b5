import assert from "node:assert/strict";
import { CancelledError, deferLater, succeed } from "../../deferred/mod.ts";
import { Clock } from "../../testing/mod.ts";
import {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "../../testing/success_result_of.ts";

Deno.test("deferLater() given a function when the delay passes then fires with its result", () => {
  const clock = new Clock();
  const d = deferLater(clock, 5, (a: number, b: string) => `${a}${b}`, 1, "x");
  clock.advance(4.9);
  assertNoResult(d);
  clock.advance(0.1);
  assert.equal(successResultOf(d), "1x");
});

Deno.test("deferLater() given no function when the delay passes then fires with undefined", () => {
  const clock = new Clock();
  const d = deferLater(clock, 1);
  clock.advance(1);
  assert.equal(successResultOf(d), undefined);
});

Deno.test("deferLater() given a function when called then does not run it before the delay", () => {
  const clock = new Clock();
  let ran = false;
  deferLater(clock, 2, () => {
    ran = true;
  });
  assert.equal(ran, false);
  clock.advance(2);
  assert.equal(ran, true);
});

Deno.test("deferLater() given a function that throws when the delay passes then errbacks with its error", () => {
  const clock = new Clock();
  const error = new Error("later failure");
  const d = deferLater(clock, 1, () => {
    throw error;
  });
  clock.advance(1);
  assert.equal(failureResultOf(d).value, error);
});

Deno.test("deferLater() given a function returning a Deferred when the delay passes then follows it", () => {
  const clock = new Clock();
  const d = deferLater(clock, 1, () => succeed("chained"));
  clock.advance(1);
  assert.equal(successResultOf(d), "chained");
});

Deno.test("deferLater() given a pending call when cancelled then cancels the delayed call and errbacks with CancelledError", () => {
  const clock = new Clock();
  let ran = false;
  const d = deferLater(clock, 3, () => {
    ran = true;
  });
  assert.equal(clock.getDelayedCalls().length, 1);
  d.cancel();
  failureResultOf(d, CancelledError);
  assert.equal(clock.getDelayedCalls().length, 0);
  clock.advance(3);
  assert.equal(ran, false);
});

Deno.test("deferLater() given a negative delay when called then throws RangeError", () => {
  const clock = new Clock();
  assert.throws(() => deferLater(clock, -1), RangeError);
});

Deno.test("deferLater() given a non-function when called then throws TypeError", () => {
  const clock = new Clock();
  assert.throws(
    () => deferLater(clock, 1, "nope" as unknown as () => void),
    TypeError,
  );
  assert.equal(clock.getDelayedCalls().length, 0);
});
