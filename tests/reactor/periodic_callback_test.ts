import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { IOLoop } from "../../reactor/ioloop.ts";
import { PeriodicCallback } from "../../reactor/periodic_callback.ts";
import { reactor as globalReactor } from "../../reactor/reactor.ts";
import { Clock } from "../../testing/clock.ts";
import { captureLogs, recordText, sleep } from "../_support/mod.ts";

function setup(): { clock: Clock; loop: IOLoop } {
  const clock = new Clock();
  return { clock, loop: IOLoop.forReactor(clock) };
}

function withRandom<T>(value: number, body: () => T): T {
  const original = Math.random;
  Math.random = () => value;
  try {
    return body();
  } finally {
    Math.random = original;
  }
}

/** A PeriodicCallback on a Clock that records the time of each run. */
function timedCallback(callbackTime: number): {
  clock: Clock;
  times: number[];
  pc: PeriodicCallback;
} {
  const { clock, loop } = setup();
  const times: number[] = [];
  const pc = new PeriodicCallback(
    () => times.push(clock.seconds()),
    callbackTime,
    0,
    loop,
  );
  return { clock, times, pc };
}

Deno.test("start() given a period in milliseconds when time passes then calls back once per period, starting one period after start", () => {
  const { clock, times, pc } = timedCallback(250);
  pc.start();
  assert.equal(pc.isRunning(), true);
  clock.pump([0.2, 0.05, 0.25, 0.25]);
  assert.deepEqual(times, [0.25, 0.5, 0.75]);
  pc.stop();
});

Deno.test("start() given a run that ends after missed periods when it schedules the next then skips to the next point of the grid", () => {
  const { clock, times, pc } = timedCallback(1000);
  pc.start();
  clock.advance(3.5);
  assert.deepEqual(times, [3.5]);
  assert.equal(clock.getDelayedCalls()[0].getTime(), 4);
  clock.advance(0.5);
  assert.deepEqual(times, [3.5, 4]);
  pc.stop();
});

Deno.test("start() given a callback returning a pending Deferred when periods pass then waits for it before scheduling the next run", () => {
  const { clock, loop } = setup();
  const pending: Deferred<void>[] = [];
  const pc = new PeriodicCallback(
    () => {
      const d = new Deferred<void>();
      pending.push(d);
      return d;
    },
    1000,
    0,
    loop,
  );
  pc.start();
  clock.advance(1);
  clock.advance(3);
  assert.equal(pending.length, 1);
  assert.deepEqual(clock.getDelayedCalls(), []);
  clock.advance(0.5);
  pending[0].callback(undefined);
  assert.equal(clock.getDelayedCalls()[0].getTime(), 5);
  pc.stop();
});

Deno.test("start() given a callback returning a Promise when it resolves then schedules the next run", async () => {
  const { clock, loop } = setup();
  let runs = 0;
  const pc = new PeriodicCallback(
    async () => {
      runs++;
      await Promise.resolve();
    },
    1000,
    0,
    loop,
  );
  pc.start();
  clock.advance(1);
  assert.deepEqual(clock.getDelayedCalls(), []);
  await sleep(0);
  clock.advance(1);
  assert.equal(runs, 2);
  pc.stop();
});

Deno.test("start() given a callback that throws when it runs then logs the error and keeps calling", async () => {
  const { clock, loop } = setup();
  let runs = 0;
  const records = await captureLogs(() => {
    const pc = new PeriodicCallback(
      function flaky(): never {
        runs++;
        throw new Error("flaky failure");
      },
      1000,
      0,
      loop,
    );
    pc.start();
    clock.pump([1, 1]);
    pc.stop();
  });
  assert.equal(runs, 2);
  assert.equal(records.length, 2);
  assert.deepEqual(records[0].category, ["torsion", "ioloop"]);
  assert.match(
    recordText(records[0]),
    /^Exception in callback flaky: Error: flaky failure\n\s+at /,
  );
});

Deno.test("start() given a callback whose Deferred fails when it fails then logs the failure and keeps calling", async () => {
  const { clock, loop } = setup();
  let runs = 0;
  const records = await captureLogs(() => {
    const pc = new PeriodicCallback(
      () => {
        runs++;
        const d = new Deferred<void>();
        d.errback(new TypeError("deferred failure"));
        return d;
      },
      1000,
      0,
      loop,
    );
    pc.start();
    clock.pump([1, 1]);
    pc.stop();
  });
  assert.equal(runs, 2);
  assert.match(recordText(records[0]), /TypeError: deferred failure/);
});

Deno.test("start() given jitter when scheduling then scales each period by 1 + jitter * (random - 0.5)", () => {
  const { clock, loop } = setup();
  const pc = new PeriodicCallback(() => {}, 1000, 0.5, loop);
  withRandom(1, () => pc.start());
  assert.equal(clock.getDelayedCalls()[0].getTime(), 1.25);
  pc.stop();
  withRandom(0, () => pc.start());
  assert.equal(clock.getDelayedCalls()[0].getTime(), 0.75);
  pc.stop();
});

Deno.test("stop() given a started PeriodicCallback when stopped then cancels the pending run", () => {
  const { clock, loop } = setup();
  let runs = 0;
  const pc = new PeriodicCallback(() => runs++, 1000, 0, loop);
  pc.start();
  pc.stop();
  clock.advance(5);
  assert.equal(runs, 0);
  assert.equal(pc.isRunning(), false);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("stop() given a run waiting on its Deferred when stopped then no run follows once it fires", () => {
  const { clock, loop } = setup();
  const work = new Deferred<void>();
  let runs = 0;
  const pc = new PeriodicCallback(
    () => {
      runs++;
      return work;
    },
    1000,
    0,
    loop,
  );
  pc.start();
  clock.advance(1);
  pc.stop();
  work.callback(undefined);
  clock.advance(5);
  assert.equal(runs, 1);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("start() given a started PeriodicCallback when started again then keeps a single schedule", () => {
  const { clock, loop } = setup();
  let runs = 0;
  const pc = new PeriodicCallback(() => runs++, 1000, 0, loop);
  pc.start();
  pc.start();
  assert.equal(clock.getDelayedCalls().length, 1);
  clock.advance(1);
  assert.equal(runs, 1);
  pc.stop();
});

Deno.test("start() given no IOLoop when started then schedules on the current IOLoop", () => {
  const pc = new PeriodicCallback(() => {}, 60_000);
  const before = globalReactor.getDelayedCalls().length;
  pc.start();
  assert.equal(globalReactor.getDelayedCalls().length, before + 1);
  pc.stop();
  assert.equal(globalReactor.getDelayedCalls().length, before);
  assert.equal(IOLoop.current().reactor, globalReactor);
});

Deno.test("PeriodicCallback() given a callbackTime that is not positive when created then throws RangeError", () => {
  for (const callbackTime of [0, -5, NaN]) {
    assert.throws(
      () => new PeriodicCallback(() => {}, callbackTime),
      RangeError,
    );
  }
});

Deno.test("PeriodicCallback() given a negative jitter when created then throws RangeError", () => {
  assert.throws(() => new PeriodicCallback(() => {}, 10, -0.1), RangeError);
});

Deno.test("PeriodicCallback() given a non-function when created then throws TypeError", () => {
  assert.throws(
    () => new PeriodicCallback("tick" as unknown as () => void, 10),
    TypeError,
  );
});
