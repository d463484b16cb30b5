import assert from "node:assert/strict";
import type { IDelayedCall } from "../../deferred/mod.ts";
import { Clock } from "../../testing/mod.ts";
import { AlreadyCalled, AlreadyCancelled } from "../../reactor/errors.ts";

Deno.test("Clock.seconds() given a new Clock when read then is 0", () => {
  assert.equal(new Clock().seconds(), 0);
});

Deno.test("Clock.advance() given an amount when advanced then moves seconds() forward by it", () => {
  const clock = new Clock();
  clock.advance(1.5);
  clock.advance(2);
  assert.equal(clock.seconds(), 3.5);
});

Deno.test("Clock.callLater() given a delay when time reaches it then runs the call with its arguments", () => {
  const clock = new Clock();
  const calls: [number, string][] = [];
  clock.callLater(2, (n: number, s: string) => calls.push([n, s]), 1, "a");
  clock.advance(1.999);
  assert.deepEqual(calls, []);
  clock.advance(0.001);
  assert.deepEqual(calls, [[1, "a"]]);
});

Deno.test("Clock.callLater() given a delay of 0 when advanced by 0 then runs the call", () => {
  const clock = new Clock();
  let ran = false;
  clock.callLater(0, () => (ran = true));
  assert.equal(ran, false);
  clock.advance(0);
  assert.equal(ran, true);
});

Deno.test("Clock.advance() given calls at different times when advanced past them then runs them in time order", () => {
  const clock = new Clock();
  const order: string[] = [];
  clock.callLater(3, () => order.push("c"));
  clock.callLater(1, () => order.push("a"));
  clock.callLater(2, () => order.push("b"));
  clock.advance(5);
  assert.deepEqual(order, ["a", "b", "c"]);
});

Deno.test("Clock.advance() given calls at the same time when advanced then runs them in scheduling order", () => {
  const clock = new Clock();
  const order: number[] = [];
  for (let i = 0; i < 5; i++) clock.callLater(1, () => order.push(i));
  clock.advance(1);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

Deno.test("Clock.advance() given a call that schedules another due now when advanced then runs both in the same advance", () => {
  const clock = new Clock();
  const order: string[] = [];
  clock.callLater(1, () => {
    order.push("first");
    clock.callLater(0, () => order.push("scheduled by first"));
    clock.callLater(10, () => order.push("much later"));
  });
  clock.advance(2);
  assert.deepEqual(order, ["first", "scheduled by first"]);
  assert.equal(clock.getDelayedCalls().length, 1);
});

Deno.test("Clock.advance() given a call that throws when advanced then the error propagates and later calls stay pending", () => {
  const clock = new Clock();
  let laterRan = false;
  clock.callLater(1, () => {
    throw new Error("call failed");
  });
  clock.callLater(2, () => (laterRan = true));
  assert.throws(() => clock.advance(2), /call failed/);
  assert.equal(laterRan, false);
  clock.advance(0);
  assert.equal(laterRan, true);
});

Deno.test("Clock.advance() given a negative or non-finite amount when advanced then throws RangeError with the value", () => {
  const clock = new Clock();
  assert.throws(
    () => clock.advance(-1),
    (error) => error instanceof RangeError && error.message.includes("-1"),
  );
  assert.throws(() => clock.advance(Infinity), RangeError);
  assert.throws(() => clock.advance(NaN), RangeError);
  assert.equal(clock.seconds(), 0);
});

Deno.test("Clock.callLater() given a negative delay when scheduling then throws RangeError", () => {
  assert.throws(() => new Clock().callLater(-0.5, () => {}), RangeError);
});

Deno.test("Clock.callLater() given a non-function when scheduling then throws TypeError naming the value", () => {
  const clock = new Clock();
  assert.throws(
    () => clock.callLater(1, "nope" as unknown as () => void),
    (error) =>
      error instanceof TypeError &&
      error.message.includes('current value is "nope"'),
  );
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("Clock.pump() given several amounts when pumped then advances by each in turn", () => {
  const clock = new Clock();
  const times: number[] = [];
  clock.callLater(1, () => times.push(clock.seconds()));
  clock.callLater(2.5, () => times.push(clock.seconds()));
  clock.pump([1, 1, 1]);
  assert.equal(clock.seconds(), 3);
  assert.deepEqual(times, [1, 3]);
});

Deno.test("Clock.getDelayedCalls() given pending calls when listed then returns them earliest first", () => {
  const clock = new Clock();
  clock.callLater(5, () => {});
  clock.callLater(1, () => {});
  clock.callLater(3, () => {});
  assert.deepEqual(clock.getDelayedCalls().map((c) => c.getTime()), [1, 3, 5]);
});

Deno.test("Clock.getDelayedCalls() given calls that ran or were cancelled when listed then omits them", () => {
  const clock = new Clock();
  const cancelled = clock.callLater(5, () => {});
  clock.callLater(1, () => {});
  const pending = clock.callLater(3, () => {});
  cancelled.cancel();
  clock.advance(1);
  assert.deepEqual(clock.getDelayedCalls(), [pending]);
});

// --- IDelayedCall ---------------------------------------------------------------

Deno.test("IDelayedCall.getTime() given a call scheduled after time moved when read then is now plus the delay", () => {
  const clock = new Clock();
  clock.advance(10);
  assert.equal(clock.callLater(2, () => {}).getTime(), 12);
});

Deno.test("IDelayedCall.cancel() given a pending call when cancelled then it never runs and is not active", () => {
  const clock = new Clock();
  let ran = false;
  const call = clock.callLater(1, () => (ran = true));
  assert.equal(call.active(), true);
  call.cancel();
  assert.equal(call.active(), false);
  clock.advance(2);
  assert.equal(ran, false);
});

Deno.test("IDelayedCall.cancel() given a cancelled call when cancelled again then throws AlreadyCancelled", () => {
  const call = new Clock().callLater(1, () => {});
  call.cancel();
  assert.throws(() => call.cancel(), AlreadyCancelled);
});

Deno.test("IDelayedCall.cancel() given a call that ran when cancelled then throws AlreadyCalled", () => {
  const clock = new Clock();
  const call = clock.callLater(1, () => {});
  clock.advance(1);
  assert.equal(call.active(), false);
  assert.throws(() => call.cancel(), AlreadyCalled);
});

Deno.test("IDelayedCall.delay() given a pending call when delayed then runs that much later", () => {
  const clock = new Clock();
  let ran = false;
  const call = clock.callLater(1, () => (ran = true));
  call.delay(2);
  assert.equal(call.getTime(), 3);
  clock.advance(2);
  assert.equal(ran, false);
  clock.advance(1);
  assert.equal(ran, true);
});

Deno.test("IDelayedCall.reset() given a pending call when reset then runs that long after now", () => {
  const clock = new Clock();
  let ran = false;
  const call = clock.callLater(10, () => (ran = true));
  clock.advance(4);
  call.reset(1);
  assert.equal(call.getTime(), 5);
  clock.advance(1);
  assert.equal(ran, true);
});

Deno.test("IDelayedCall.reset() given a call rescheduled to the same time as another when advanced then runs after the one already due", () => {
  const clock = new Clock();
  const order: string[] = [];
  const moved = clock.callLater(1, () => order.push("moved"));
  clock.callLater(2, () => order.push("other"));
  moved.reset(2);
  clock.advance(2);
  assert.deepEqual(order, ["other", "moved"]);
});

Deno.test("IDelayedCall.delay() given a call that ran or was cancelled when delayed or reset then throws", () => {
  const clock = new Clock();
  const ran = clock.callLater(1, () => {});
  clock.advance(1);
  assert.throws(() => ran.delay(1), AlreadyCalled);
  assert.throws(() => ran.reset(1), AlreadyCalled);
  const cancelled = clock.callLater(1, () => {});
  cancelled.cancel();
  assert.throws(() => cancelled.delay(1), AlreadyCancelled);
});

Deno.test("IDelayedCall.delay() given a negative amount when delayed then throws RangeError", () => {
  const call = new Clock().callLater(1, () => {});
  assert.throws(() => call.delay(-1), RangeError);
  assert.throws(() => call.reset(-1), RangeError);
  assert.equal(call.getTime(), 1);
});

Deno.test("IDelayedCall.active() given a call running now when read inside it then is false", () => {
  const clock = new Clock();
  let activeInside: boolean | undefined;
  const call: IDelayedCall = clock.callLater(1, () => {
    activeInside = call.active();
  });
  clock.advance(1);
  assert.equal(activeInside, false);
});
