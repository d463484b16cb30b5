import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { LoopingCall } from "../../reactor/looping_call.ts";
import { Reactor, reactor as globalReactor } from "../../reactor/reactor.ts";
import { Clock } from "../../testing/clock.ts";

function loopOn<A extends unknown[]>(
  clock: Clock,
  f: (...args: A) => unknown,
  ...args: A
): LoopingCall<A> {
  const loop = new LoopingCall(f, ...args);
  loop.clock = clock;
  return loop;
}

Deno.test("LoopingCall() given no clock when created then schedules on the global reactor", () => {
  const loop = new LoopingCall(() => {});
  assert.equal(loop.clock, globalReactor);
  assert.equal(loop.running, false);
});

Deno.test("LoopingCall() given a non-function when created then throws TypeError", () => {
  assert.throws(() => new LoopingCall(42 as unknown as () => void), TypeError);
});

Deno.test("start() given now is true when started then calls f at once and every interval with its arguments", () => {
  const clock = new Clock();
  const seen: [number, string, number][] = [];
  const loop = loopOn(
    clock,
    (n: number, s: string) => {
      seen.push([n, s, clock.seconds()]);
    },
    1,
    "x",
  );
  loop.start(2);
  clock.pump([1, 1, 1, 1]);
  assert.deepEqual(seen, [[1, "x", 0], [1, "x", 2], [1, "x", 4]]);
  assert.equal(loop.interval, 2);
  loop.stop();
});

Deno.test("start() given now is false when started then makes the first call after one interval", () => {
  const clock = new Clock();
  const times: number[] = [];
  const loop = loopOn(clock, () => {
    times.push(clock.seconds());
  });
  loop.start(3, false);
  assert.deepEqual(times, []);
  clock.advance(3);
  assert.deepEqual(times, [3]);
  loop.stop();
});

Deno.test("start() given the clock jumps past several intervals when the call runs then skips to the next multiple of the interval", () => {
  const clock = new Clock();
  const times: number[] = [];
  const loop = loopOn(clock, () => {
    times.push(clock.seconds());
  });
  loop.start(1);
  clock.advance(3.5);
  assert.deepEqual(times, [0, 3.5]);
  assert.equal(loop.call?.getTime(), 4);
  clock.advance(0.5);
  assert.deepEqual(times, [0, 3.5, 4]);
  loop.stop();
});

Deno.test("start() given f returns a pending Deferred when intervals pass then waits for it before the next call", () => {
  const clock = new Clock();
  const pending: Deferred<void>[] = [];
  const loop = loopOn(clock, () => {
    const d = new Deferred<void>();
    pending.push(d);
    return d;
  });
  loop.start(1);
  clock.advance(5);
  assert.equal(pending.length, 1);
  assert.equal(clock.getDelayedCalls().length, 0);
  pending[0].callback(undefined);
  assert.equal(loop.call?.getTime(), 6);
  clock.advance(1);
  assert.equal(pending.length, 2);
  pending[1].callback(undefined);
  loop.stop();
});

Deno.test("stop() given a running loop when stopped then fires the start Deferred with the loop and cancels the pending call", () => {
  const clock = new Clock();
  const loop = loopOn(clock, () => {});
  const d = loop.start(1);
  let result: unknown = null;
  d.addCallback((value) => {
    result = value;
  });
  loop.stop();
  assert.equal(result, loop);
  assert.equal(loop.running, false);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("stop() given f's Deferred is pending when stopped then fires the start Deferred once it settles", () => {
  const clock = new Clock();
  const work = new Deferred<void>();
  const loop = loopOn(clock, () => work);
  let stopped = false;
  loop.start(1).addCallback(() => {
    stopped = true;
  });
  loop.stop();
  assert.equal(stopped, false);
  work.callback(undefined);
  assert.equal(stopped, true);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("start() given f throws when called then fails the start Deferred with the error and stops", () => {
  const clock = new Clock();
  const error = new Error("broken");
  let calls = 0;
  const loop = loopOn(clock, () => {
    if (++calls === 2) throw error;
  });
  let failure: unknown = null;
  loop.start(1).addErrback((f) => {
    failure = f.value;
  });
  clock.advance(1);
  assert.equal(failure, error);
  assert.equal(loop.running, false);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("start() given f returns a rejected Promise when it settles then fails the start Deferred with its reason", async () => {
  const clock = new Clock();
  const error = new RangeError("async failure");
  const loop = loopOn(clock, () => Promise.reject(error));
  await assert.rejects(loop.start(1).asPromise(), (reason) => reason === error);
  assert.equal(loop.running, false);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("start() given a running loop when started again then throws TypeError", () => {
  const clock = new Clock();
  const loop = loopOn(clock, () => {});
  loop.start(1);
  assert.throws(() => loop.start(1), {
    name: "TypeError",
    message: "Cannot start a LoopingCall that is already running",
  });
  loop.stop();
});

Deno.test("start() given a negative interval when started then throws RangeError and stays stopped", () => {
  const loop = loopOn(new Clock(), () => {});
  assert.throws(() => loop.start(-1), {
    name: "RangeError",
    message:
      "Cannot start a LoopingCall with a negative interval: current value is -1",
  });
  assert.throws(() => loop.start(NaN), RangeError);
  assert.equal(loop.running, false);
});

Deno.test("stop() given a loop that is not running when stopped then throws TypeError", () => {
  const loop = loopOn(new Clock(), () => {});
  assert.throws(() => loop.stop(), {
    name: "TypeError",
    message: "Cannot stop a LoopingCall that is not running",
  });
});

Deno.test("reset() given a running loop when reset then schedules the next call one interval from now", () => {
  const clock = new Clock();
  const times: number[] = [];
  const loop = loopOn(clock, () => {
    times.push(clock.seconds());
  });
  loop.start(10);
  clock.advance(4);
  loop.reset();
  assert.equal(loop.call?.getTime(), 14);
  clock.advance(10);
  assert.deepEqual(times, [0, 14]);
  loop.stop();
});

/** A `withCount` loop on a Clock that records each count it is given. */
function countingLoop(): {
  clock: Clock;
  counts: number[];
  loop: LoopingCall<[]>;
} {
  const clock = new Clock();
  const counts: number[] = [];
  const loop = LoopingCall.withCount((count) => {
    counts.push(count);
  });
  loop.clock = clock;
  return { clock, counts, loop };
}

Deno.test("withCount() given regular intervals when called then passes a count of 1", () => {
  const { clock, counts, loop } = countingLoop();
  loop.start(1);
  clock.pump([1, 1]);
  assert.deepEqual(counts, [1, 1, 1]);
  loop.stop();
});

Deno.test("withCount() given the clock jumps several intervals when called then passes the number of intervals elapsed", () => {
  const { clock, counts, loop } = countingLoop();
  loop.start(1);
  clock.advance(1);
  clock.advance(3);
  clock.advance(1);
  assert.deepEqual(counts, [1, 1, 3, 1]);
  loop.stop();
});

Deno.test("withCount() given now is false when the first call comes then passes a count of 1", () => {
  const { clock, counts, loop } = countingLoop();
  loop.start(2, false);
  clock.advance(2);
  assert.deepEqual(counts, [1]);
  loop.stop();
});

Deno.test("start() given a zero interval on a real reactor when running then calls f on every iteration until stopped", async () => {
  const reactor = new Reactor();
  let calls = 0;
  const loop = new LoopingCall(() => {
    if (++calls === 5) loop.stop();
  });
  loop.clock = reactor;
  const keepAlive = setInterval(() => {}, 1000);
  try {
    assert.equal(await loop.start(0).asPromise(), loop);
  } finally {
    clearInterval(keepAlive);
  }
  assert.equal(calls, 5);
  assert.deepEqual(reactor.getDelayedCalls(), []);
});
