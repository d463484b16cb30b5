/**
 * One suite for `IReactorTime`, run against `Clock`, `MemoryReactor` and a
 * real `Reactor`, so that code tested with a test double behaves the same
 * on the reactor.
 */
import assert from "node:assert/strict";
import type { IReactorTime } from "../../deferred/interfaces.ts";
import { AlreadyCalled, AlreadyCancelled } from "../../reactor/errors.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { Clock } from "../../testing/clock.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";

interface Driver {
  readonly time: IReactorTime;
  /** One unit of time in the scheduler's seconds: large for real timers. */
  readonly unit: number;
  /** Lets `units` units of time pass and runs what became due. */
  advance(units: number): Promise<void>;
}

interface Implementation {
  readonly name: string;
  create(): Driver;
}

/** A driver for a `Clock`, or a test double built on one. */
function clockDriver(clock: Clock): Driver {
  return {
    time: clock,
    unit: 1,
    advance(units: number): Promise<void> {
      clock.advance(units);
      return Promise.resolve();
    },
  };
}

const implementations: Implementation[] = [
  { name: "Clock", create: () => clockDriver(new Clock()) },
  { name: "MemoryReactor", create: () => clockDriver(new MemoryReactor()) },
  {
    name: "Reactor",
    create(): Driver {
      const unit = 0.05;
      return {
        time: new Reactor(),
        unit,
        // The margin lets the reactor's timer fire before the wait ends, and
        // stays well under a unit so "not yet" checks hold.
        advance(units: number): Promise<void> {
          return new Promise((resolve) =>
            setTimeout(resolve, units * unit * 1000 + 10)
          );
        },
      };
    },
  },
];

function conformance(
  name: string,
  fn: (driver: Driver) => Promise<void> | void,
): void {
  for (const implementation of implementations) {
    Deno.test(`[${implementation.name}] ${name}`, async () => {
      const driver = implementation.create();
      await fn(driver);
      // Every test leaves its scheduler empty, or the sanitizers complain.
      assert.deepEqual(driver.time.getDelayedCalls(), []);
    });
  }
}

conformance(
  "callLater() given calls at different delays when time passes then runs them in time order",
  async ({ time, unit, advance }) => {
    const order: string[] = [];
    time.callLater(3 * unit, () => order.push("c"));
    time.callLater(1 * unit, () => order.push("a"));
    time.callLater(2 * unit, () => order.push("b"));
    await advance(4);
    assert.deepEqual(order, ["a", "b", "c"]);
  },
);

conformance(
  "callLater() given calls with the same delay when time passes then runs them in scheduling order",
  async ({ time, unit, advance }) => {
    const order: number[] = [];
    for (let i = 0; i < 5; i++) time.callLater(unit, () => order.push(i));
    await advance(2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  },
);

conformance(
  "callLater() given a delay when less time has passed then has not run the call",
  async ({ time, unit, advance }) => {
    let ran = false;
    const call = time.callLater(2 * unit, () => {
      ran = true;
    });
    await advance(1);
    assert.equal(ran, false);
    assert.equal(call.active(), true);
    call.cancel();
  },
);

conformance(
  "callLater() given a zero delay when time moves on then runs the call",
  async ({ time, advance }) => {
    let ran = false;
    time.callLater(0, () => {
      ran = true;
    });
    await advance(0);
    assert.equal(ran, true);
  },
);

conformance(
  "callLater() given arguments when the call runs then passes them",
  async ({ time, unit, advance }) => {
    let seen: unknown[] = [];
    time.callLater(
      unit,
      (a: number, b: string) => {
        seen = [a, b];
      },
      1,
      "b",
    );
    await advance(2);
    assert.deepEqual(seen, [1, "b"]);
  },
);

conformance(
  "callLater() given a negative, NaN or infinite delay when called then throws RangeError",
  ({ time }) => {
    for (const delay of [-1, NaN, Infinity]) {
      assert.throws(() => time.callLater(delay, () => {}), RangeError);
    }
    assert.throws(() => time.callLater(-1, () => {}), {
      message:
        "Cannot call callLater with a negative delay: current value is -1",
    });
  },
);

conformance(
  "getTime() given a call when scheduled then is seconds() plus the delay",
  ({ time, unit }) => {
    const before = time.seconds();
    const call = time.callLater(unit, () => {});
    const after = time.seconds();
    assert.ok(
      call.getTime() >= before + unit && call.getTime() <= after + unit,
    );
    call.cancel();
  },
);

conformance(
  "seconds() given time passes when read again then has not gone backwards",
  async ({ time, advance }) => {
    const first = time.seconds();
    await advance(1);
    assert.ok(time.seconds() >= first);
  },
);

conformance(
  "cancel() given a pending call when cancelled then the call never runs and is inactive",
  async ({ time, unit, advance }) => {
    let ran = false;
    const call = time.callLater(unit, () => {
      ran = true;
    });
    call.cancel();
    assert.equal(call.active(), false);
    await advance(2);
    assert.equal(ran, false);
  },
);

conformance(
  "cancel() given a cancelled call when cancelled again then throws AlreadyCancelled",
  ({ time, unit }) => {
    const call = time.callLater(unit, () => {});
    call.cancel();
    assert.throws(() => call.cancel(), AlreadyCancelled);
  },
);

conformance(
  "cancel() given a call that has run when cancelled then throws AlreadyCalled",
  async ({ time, unit, advance }) => {
    const call = time.callLater(unit, () => {});
    await advance(2);
    assert.equal(call.active(), false);
    assert.throws(() => call.cancel(), AlreadyCalled);
  },
);

conformance(
  "reset() given a pending call when reset then runs it that long after the reset",
  async ({ time, unit, advance }) => {
    let ran = false;
    const call = time.callLater(unit, () => {
      ran = true;
    });
    call.reset(3 * unit);
    await advance(2);
    assert.equal(ran, false);
    await advance(2);
    assert.equal(ran, true);
  },
);

conformance(
  "delay() given a pending call when delayed then runs it that much later",
  async ({ time, unit, advance }) => {
    let ran = false;
    const call = time.callLater(unit, () => {
      ran = true;
    });
    const original = call.getTime();
    call.delay(2 * unit);
    assert.equal(call.getTime(), original + 2 * unit);
    await advance(2);
    assert.equal(ran, false);
    await advance(2);
    assert.equal(ran, true);
  },
);

conformance(
  "delay() and reset() given a call that has run or was cancelled when called then throw AlreadyCalled or AlreadyCancelled",
  async ({ time, unit, advance }) => {
    const called = time.callLater(0, () => {});
    const cancelled = time.callLater(unit, () => {});
    cancelled.cancel();
    await advance(0);
    assert.throws(() => called.delay(1), AlreadyCalled);
    assert.throws(() => called.reset(1), AlreadyCalled);
    assert.throws(() => cancelled.delay(1), AlreadyCancelled);
    assert.throws(() => cancelled.reset(1), AlreadyCancelled);
  },
);

conformance(
  "delay() and reset() given a negative or NaN amount when called then throw RangeError",
  ({ time, unit }) => {
    const call = time.callLater(unit, () => {});
    assert.throws(() => call.delay(-1), RangeError);
    assert.throws(() => call.reset(NaN), RangeError);
    assert.throws(() => call.reset(Infinity), RangeError);
    assert.equal(call.active(), true);
    call.cancel();
  },
);

conformance(
  "getDelayedCalls() given pending, cancelled and run calls when read then lists the pending ones earliest first",
  async ({ time, unit, advance }) => {
    const late = time.callLater(4 * unit, () => {});
    const early = time.callLater(2 * unit, () => {});
    time.callLater(0, () => {});
    time.callLater(3 * unit, () => {}).cancel();
    await advance(0);
    assert.deepEqual(time.getDelayedCalls(), [early, late]);
    late.cancel();
    early.cancel();
  },
);
