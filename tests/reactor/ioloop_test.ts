import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { CancelledError, TimeoutError } from "../../deferred/errors.ts";
import { ReactorAlreadyRunning } from "../../reactor/errors.ts";
import { IOLoop } from "../../reactor/ioloop.ts";
import { Reactor, reactor as globalReactor } from "../../reactor/reactor.ts";
import { Clock } from "../../testing/clock.ts";
import { captureLogs, recordText, sleep } from "../_support/mod.ts";

function clockLoop(): { clock: Clock; loop: IOLoop } {
  const clock = new Clock();
  return { clock, loop: IOLoop.forReactor(clock) };
}

Deno.test("current() given repeated calls when called then returns the one IOLoop of the global reactor", () => {
  const loop = IOLoop.current();
  assert.equal(IOLoop.current(), loop);
  assert.equal(loop.reactor, globalReactor);
  assert.equal(IOLoop.forReactor(globalReactor), loop);
});

Deno.test("IOLoop() given a reactor without an IOLoop when constructed then becomes the one forReactor returns", () => {
  const clock = new Clock();
  const loop = new IOLoop(clock);
  assert.equal(IOLoop.forReactor(clock), loop);
  assert.notEqual(IOLoop.forReactor(new Clock()), loop);
});

Deno.test("time() given a Clock when it advances then follows the clock's seconds", () => {
  const { clock, loop } = clockLoop();
  clock.advance(12.5);
  assert.equal(loop.time(), 12.5);
});

Deno.test("time() given the global reactor when read then is close to Date.now() / 1000", () => {
  assert.ok(Math.abs(IOLoop.current().time() - Date.now() / 1000) < 1);
});

Deno.test("addCallback() given callbacks when the loop iterates then runs them in FIFO order with their arguments", () => {
  const { clock, loop } = clockLoop();
  const seen: string[] = [];
  loop.addCallback((s: string) => seen.push(s), "a");
  loop.spawnCallback(() => seen.push("b"));
  loop.addCallback((s: string, n: number) => seen.push(`${s}${n}`), "c", 1);
  assert.deepEqual(seen, []);
  clock.advance(0);
  assert.deepEqual(seen, ["a", "b", "c1"]);
});

Deno.test("addCallback() given calls scheduled through the reactor too when due then runs both in scheduling order", () => {
  const { clock, loop } = clockLoop();
  const seen: string[] = [];
  clock.callLater(0, () => seen.push("reactor 1"));
  loop.addCallback(() => seen.push("ioloop"));
  clock.callLater(0, () => seen.push("reactor 2"));
  clock.advance(0);
  assert.deepEqual(seen, ["reactor 1", "ioloop", "reactor 2"]);
});

Deno.test("addCallback() given a callback that throws when it runs then logs the error and runs the next callback", async () => {
  const { clock, loop } = clockLoop();
  let nextRan = false;
  const records = await captureLogs(() => {
    loop.addCallback(function broken(): never {
      throw new Error("callback failed");
    });
    loop.addCallback(() => {
      nextRan = true;
    });
    clock.advance(0);
  });
  assert.equal(nextRan, true);
  assert.equal(records.length, 1);
  assert.deepEqual(records[0].category, ["torsion", "ioloop"]);
  assert.match(
    recordText(records[0]),
    /^Exception in callback broken: Error: callback failed\n\s+at /,
  );
});

Deno.test("addCallback() given a callback whose Promise rejects when it settles then logs the error", async () => {
  const { clock, loop } = clockLoop();
  const records = await captureLogs(async () => {
    loop.addCallback(async function later(): Promise<never> {
      await Promise.resolve();
      throw new RangeError("async failure");
    });
    clock.advance(0);
    await sleep(0);
  });
  assert.equal(records.length, 1);
  assert.match(
    recordText(records[0]),
    /Exception in callback later: RangeError: async failure/,
  );
});

Deno.test("spawnCallback() given a detached coroutine that rejects when it runs then logs the error and later callbacks still run", async () => {
  const { clock, loop } = clockLoop();
  let later = false;
  const records = await captureLogs(async () => {
    loop.spawnCallback(async function detached(): Promise<never> {
      await Promise.resolve();
      throw new TypeError("detached failure");
    });
    loop.addCallback(() => {
      later = true;
    });
    clock.advance(0);
    await sleep(0);
  });
  assert.equal(later, true);
  assert.equal(records.length, 1);
  assert.match(
    recordText(records[0]),
    /Exception in callback detached: TypeError: detached failure/,
  );
});

Deno.test("addCallback() given a callback whose Deferred fails when it fails then logs the error", async () => {
  const { clock, loop } = clockLoop();
  const d = new Deferred<void>();
  const records = await captureLogs(() => {
    loop.addCallback(() => d);
    clock.advance(0);
    d.errback(new Error("deferred failure"));
  });
  assert.equal(records.length, 1);
  assert.match(recordText(records[0]), /Error: deferred failure/);
});

Deno.test("addCallback() given a non-function when called then throws TypeError", () => {
  const { loop } = clockLoop();
  assert.throws(
    () => loop.addCallback(null as unknown as () => void),
    TypeError,
  );
});

Deno.test("callLater() given a delay when that many seconds pass then runs the callback", () => {
  const { clock, loop } = clockLoop();
  let ran = false;
  loop.callLater(2, () => {
    ran = true;
  });
  clock.advance(1.5);
  assert.equal(ran, false);
  clock.advance(0.5);
  assert.equal(ran, true);
});

Deno.test("callLater() given a negative delay when the loop iterates then runs the callback as soon as possible", () => {
  const { clock, loop } = clockLoop();
  let ran = false;
  loop.callLater(-3, () => {
    ran = true;
  });
  clock.advance(0);
  assert.equal(ran, true);
});

Deno.test("callLater() given a NaN delay when called then throws RangeError", () => {
  const { loop } = clockLoop();
  assert.throws(() => loop.callLater(NaN, () => {}), {
    name: "RangeError",
    message:
      "Cannot call callLater with a non-finite delay: current value is NaN",
  });
});

Deno.test("callAt() given a time in time() units when it comes then runs the callback", () => {
  const { clock, loop } = clockLoop();
  clock.advance(100);
  let ranAt: number | undefined;
  loop.callAt(105, () => {
    ranAt = loop.time();
  });
  clock.pump([4, 1]);
  assert.equal(ranAt, 105);
});

Deno.test("callAt() given a time in the past when the loop iterates then runs the callback as soon as possible", () => {
  const { clock, loop } = clockLoop();
  clock.advance(10);
  let ran = false;
  loop.callAt(3, () => {
    ran = true;
  });
  clock.advance(0);
  assert.equal(ran, true);
});

Deno.test("addTimeout() given an absolute deadline when it comes then runs the callback with its arguments", () => {
  const { clock, loop } = clockLoop();
  const seen: number[] = [];
  loop.addTimeout(loop.time() + 3, (n: number) => seen.push(n), 9);
  clock.advance(2.9);
  assert.deepEqual(seen, []);
  clock.advance(0.1);
  assert.deepEqual(seen, [9]);
});

Deno.test("addTimeout() given a { seconds } delta when that long passes then runs the callback", () => {
  const { clock, loop } = clockLoop();
  clock.advance(50);
  let ran = false;
  loop.addTimeout({ seconds: 2 }, () => {
    ran = true;
  });
  clock.advance(2);
  assert.equal(ran, true);
});

Deno.test("addTimeout() given a deadline that is neither a number nor { seconds } when called then throws TypeError", () => {
  const { loop } = clockLoop();
  assert.throws(
    () => loop.addTimeout("soon" as unknown as number, () => {}),
    {
      name: "TypeError",
      message:
        'Cannot call addTimeout with a deadline that is neither a number nor { seconds }: current value is "soon"',
    },
  );
});

Deno.test("removeTimeout() given a pending timeout when removed then the callback never runs", () => {
  const { clock, loop } = clockLoop();
  let ran = false;
  const handle = loop.addTimeout({ seconds: 1 }, () => {
    ran = true;
  });
  loop.removeTimeout(handle);
  clock.advance(2);
  assert.equal(ran, false);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("removeTimeout() given a timeout that ran or was removed when removed again then does nothing", () => {
  const { clock, loop } = clockLoop();
  const ran = loop.callLater(1, () => {});
  clock.advance(1);
  const removed = loop.callLater(1, () => {});
  loop.removeTimeout(removed);
  loop.removeTimeout(ran);
  loop.removeTimeout(removed);
  assert.equal(ran.active(), false);
  assert.equal(removed.active(), false);
});

Deno.test("addFuture() given a Promise when it settles then calls the callback on a later iteration with the same Promise", async () => {
  const { clock, loop } = clockLoop();
  const { promise, resolve } = Promise.withResolvers<number>();
  let received: Promise<number> | undefined;
  loop.addFuture(promise, (future) => {
    received = future;
  });
  resolve(5);
  await sleep(0);
  assert.equal(received, undefined);
  clock.advance(0);
  assert.equal(received, promise);
  assert.equal(await received, 5);
});

Deno.test("addFuture() given a rejected Promise when it settles then calls the callback and leaves no unhandled rejection", async () => {
  const { clock, loop } = clockLoop();
  const promise = Promise.reject(new Error("refused"));
  let received: Promise<never> | undefined;
  loop.addFuture(promise, (future) => {
    received = future;
  });
  await sleep(0);
  clock.advance(0);
  assert.equal(received, promise);
  await assert.rejects(promise, /refused/);
});

Deno.test("addFuture() given a Deferred when it fires then calls the callback with the Deferred still holding its result", async () => {
  const { clock, loop } = clockLoop();
  const d = new Deferred<string>();
  let received: Deferred<string> | undefined;
  loop.addFuture(d, (future) => {
    received = future;
  });
  d.callback("value");
  clock.advance(0);
  assert.equal(received, d);
  assert.equal(await d, "value");
});

Deno.test("addFuture() given a value that is not a thenable when called then throws TypeError", () => {
  const { loop } = clockLoop();
  assert.throws(
    () => loop.addFuture(42 as unknown as Promise<number>, () => {}),
    TypeError,
  );
});

Deno.test("start() given a Clock when stop() is called then resolves", async () => {
  const { loop } = clockLoop();
  let resolved = false;
  const done = loop.start().then(() => {
    resolved = true;
  });
  await sleep(0);
  assert.equal(resolved, false);
  loop.stop();
  await done;
  assert.equal(resolved, true);
});

Deno.test("start() given a started IOLoop when called again then rejects with ReactorAlreadyRunning", async () => {
  const { loop } = clockLoop();
  const done = loop.start();
  await assert.rejects(loop.start(), {
    name: "ReactorAlreadyRunning",
    message: "Cannot start an IOLoop that is already running",
  });
  loop.stop();
  await done;
});

Deno.test("stop() given an IOLoop that is not started when start() follows then start() still waits for the next stop()", async () => {
  const { loop } = clockLoop();
  loop.stop();
  let resolved = false;
  const done = loop.start().then(() => {
    resolved = true;
  });
  await sleep(0);
  assert.equal(resolved, false);
  loop.stop();
  await done;
});

Deno.test("start() given a reactor that is not running when started then runs the reactor until stop()", async () => {
  const reactor = new Reactor();
  const loop = IOLoop.forReactor(reactor);
  let runningInside = false;
  let shutdownRan = false;
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    shutdownRan = true;
  });
  loop.callLater(0.01, () => {
    runningInside = reactor.running;
    loop.stop();
  });
  await loop.start();
  assert.equal(runningInside, true);
  assert.equal(shutdownRan, true);
  assert.equal(reactor.running, false);
});

Deno.test("start() given a running reactor when the IOLoop stops then resolves and leaves the reactor running", async () => {
  const reactor = new Reactor();
  const running = reactor.run();
  const loop = IOLoop.forReactor(reactor);
  loop.addCallback(() => loop.stop());
  await loop.start();
  assert.equal(reactor.running, true);
  reactor.stop();
  await running;
});

Deno.test("start() given a running reactor when the reactor stops then resolves", async () => {
  const reactor = new Reactor();
  const running = reactor.run();
  const loop = IOLoop.forReactor(reactor);
  const started = loop.start();
  reactor.callLater(0, () => reactor.stop());
  await started;
  await running;
  assert.equal(reactor.running, false);
});

Deno.test("runSync() given an async function on a reactor when it resolves then resolves with its value and stops the reactor", async () => {
  const reactor = new Reactor();
  const loop = IOLoop.forReactor(reactor);
  const value = await loop.runSync(async () => {
    await new Promise((resolve) => reactor.callLater(0.01, resolve, undefined));
    return reactor.running ? "ran inside" : "ran outside";
  });
  assert.equal(value, "ran inside");
  assert.equal(reactor.running, false);
});

Deno.test("runSync() given a function returning a plain value when run then resolves with it", async () => {
  const loop = IOLoop.forReactor(new Reactor());
  assert.equal(await loop.runSync(() => 7), 7);
});

Deno.test("runSync() given a function that throws when run then rejects with its error", async () => {
  const loop = IOLoop.forReactor(new Reactor());
  const error = new SyntaxError("bad input");
  await assert.rejects(
    loop.runSync(() => {
      throw error;
    }),
    (reason) => reason === error,
  );
});

Deno.test("runSync() given work that outlasts the timeout when it expires then cancels the work and rejects with TimeoutError", async () => {
  const loop = IOLoop.forReactor(new Reactor());
  let cancelled = false;
  await assert.rejects(
    loop.runSync(() =>
      new Deferred<void>(() => {
        cancelled = true;
      }), { timeout: 0.02 }),
    (error) =>
      error instanceof TimeoutError &&
      error.message === "Operation timed out after 0.02 seconds",
  );
  assert.equal(cancelled, true);
});

Deno.test("runSync() given a previous runSync timed out when called again then runs normally", async () => {
  const loop = IOLoop.forReactor(new Reactor());
  await assert.rejects(
    loop.runSync(() => new Deferred<void>(), { timeout: 0.01 }),
    TimeoutError,
  );
  assert.equal(await loop.runSync(() => "again", { timeout: 1 }), "again");
});

Deno.test("runSync() given a Clock when the clock passes the timeout then rejects with TimeoutError", async () => {
  const { clock, loop } = clockLoop();
  const result = loop.runSync(() => new Deferred<void>(), { timeout: 5 });
  let settled = false;
  result.catch(() => {}).finally(() => {
    settled = true;
  });
  clock.advance(0);
  clock.advance(4.9);
  await sleep(0);
  assert.equal(settled, false);
  clock.advance(0.1);
  await assert.rejects(result, TimeoutError);
  assert.deepEqual(clock.getDelayedCalls(), []);
});

Deno.test("runSync() given a started IOLoop when called then rejects with ReactorAlreadyRunning", async () => {
  const { loop } = clockLoop();
  const done = loop.start();
  await assert.rejects(loop.runSync(() => 1), ReactorAlreadyRunning);
  loop.stop();
  await done;
});

Deno.test("runSync() given a negative timeout when called then rejects with RangeError", async () => {
  const { loop } = clockLoop();
  await assert.rejects(loop.runSync(() => 1, { timeout: -1 }), RangeError);
});

Deno.test("runSync() given the reactor is stopped while the work is pending when it stops then cancels the work and rejects with CancelledError", async () => {
  const reactor = new Reactor();
  const loop = IOLoop.forReactor(reactor);
  await assert.rejects(
    loop.runSync(() => {
      reactor.callLater(0, () => reactor.stop());
      return new Deferred<void>();
    }),
    CancelledError,
  );
  assert.equal(reactor.running, false);
});
