import assert from "node:assert/strict";
import type { Failure } from "../../deferred/failure.ts";
import type { IDelayedCall } from "../../deferred/interfaces.ts";
import { ClientFactory, Factory, Protocol } from "../../reactor/protocol.ts";
import { Reactor, reactor as globalReactor } from "../../reactor/reactor.ts";
import { captureLogs, evalScript, recordText, sleep } from "../_support/mod.ts";

// A reactor that is not running keeps nothing alive, so a test awaiting its
// calls holds the process open itself.
async function settle<T>(promise: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => {}, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(keepAlive);
  }
}

const REACTOR_URL = new URL("../../reactor/reactor.ts", import.meta.url).href;

Deno.test("reactor given the module when imported then is a Reactor", () => {
  assert.ok(globalReactor instanceof Reactor);
  assert.equal(globalReactor.running, false);
});

Deno.test("callLater() given arguments when the time comes then calls fn with them", async () => {
  const reactor = new Reactor();
  const { promise, resolve } = Promise.withResolvers<unknown[]>();
  reactor.callLater(0.01, (a: number, b: string) => resolve([a, b]), 1, "two");
  assert.deepEqual(await settle(promise), [1, "two"]);
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("callLater() given two calls due at the same time when the time comes then runs them in scheduling order", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const call = reactor.callLater(0.01, () => order.push("first"));
  reactor.callLater(call.getTime() - reactor.seconds(), () => {
    order.push("second");
    resolve();
  });
  await settle(promise);
  assert.deepEqual(order, ["first", "second"]);
});

Deno.test("callLater() given a call that throws when it runs then logs the error with its stack and runs the next call", async () => {
  const reactor = new Reactor();
  let nextRan = false;
  const records = await captureLogs(async () => {
    const { promise, resolve } = Promise.withResolvers<void>();
    reactor.callLater(0, function explode(): never {
      throw new Error("kaboom");
    });
    reactor.callLater(0, () => {
      nextRan = true;
      resolve();
    });
    await settle(promise);
  });
  assert.equal(nextRan, true);
  assert.equal(records.length, 1);
  assert.deepEqual(records[0].category, ["torsion", "reactor"]);
  assert.equal(records[0].level, "error");
  const text = recordText(records[0]);
  assert.match(text, /explode/);
  assert.match(text, /Error: kaboom\n\s+at /);
});

Deno.test("callLater() given many pending calls when each new one is the earliest then a single Deno timer is armed at a time", () => {
  const reactor = new Reactor();
  const live = new Set<ReturnType<typeof setTimeout>>();
  let armed = 0;
  const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } =
    globalThis;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    const handle = realSetTimeout(fn, ms);
    live.add(handle);
    armed++;
    return handle;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((handle?: ReturnType<typeof setTimeout>) => {
    if (handle !== undefined) live.delete(handle);
    realClearTimeout(handle);
  }) as typeof clearTimeout;
  try {
    const calls = [];
    for (let i = 100; i > 0; i--) calls.push(reactor.callLater(i, () => {}));
    assert.equal(armed, 100);
    assert.equal(live.size, 1);
    for (const call of calls) call.cancel();
    assert.equal(live.size, 0);
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
  }
});

Deno.test("callLater() given a delay beyond 2^31-1 ms when a tick passes then has not fired", async () => {
  const reactor = new Reactor();
  let fired = false;
  const call = reactor.callLater(2 ** 31 / 1000 + 10, () => {
    fired = true;
  });
  await sleep(20);
  assert.equal(fired, false);
  assert.equal(call.active(), true);
  call.cancel();
});

Deno.test("callLater() given a delay beyond 2^31-1 ms when armed then waits in one timer of 2^31-1 ms instead of spinning", async () => {
  const reactor = new Reactor();
  const delays: (number | undefined)[] = [];
  const realSetTimeout = globalThis.setTimeout;
  // setTimeout turns longer delays into 1 ms; a reactor that did not chain
  // would re-arm every millisecond.
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    delays.push(ms);
    return realSetTimeout(fn, ms);
  }) as typeof setTimeout;
  let call: IDelayedCall;
  try {
    call = reactor.callLater(2 ** 31 / 1000 + 10, () => {});
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  await sleep(20);
  assert.deepEqual(delays, [2 ** 31 - 1]);
  call.cancel();
});

Deno.test("callLater() given a delay beyond 2^31-1 ms when its time comes then fires after the chained waits, not before", () => {
  let now = 1000;
  class SteppedReactor extends Reactor {
    override seconds(): number {
      return now;
    }
  }
  const reactor = new SteppedReactor();
  const armed: { fn: () => void; ms: number }[] = [];
  const handles: ReturnType<typeof setTimeout>[] = [];
  const realSetTimeout = globalThis.setTimeout;
  // Each timer is recorded and fired by hand, with the time moved to when
  // it would have fired; the real handle returned does nothing.
  globalThis.setTimeout = ((fn: () => void, ms = 0) => {
    armed.push({ fn, ms });
    const handle = realSetTimeout(() => {}, 0);
    handles.push(handle);
    return handle;
  }) as typeof setTimeout;
  let fired = false;
  try {
    const delay = 2 ** 31 / 1000 + 10;
    reactor.callLater(delay, () => {
      fired = true;
    });
    assert.equal(armed.length, 1);
    assert.equal(armed[0].ms, 2 ** 31 - 1);
    now += armed[0].ms / 1000;
    armed[0].fn();
    assert.equal(fired, false);
    assert.equal(armed.length, 2);
    assert.ok(
      armed[1].ms >= 10_000 && armed[1].ms <= 10_003,
      `re-armed for ${armed[1].ms} ms`,
    );
    now += armed[1].ms / 1000;
    armed[1].fn();
    assert.equal(fired, true);
    assert.equal(armed.length, 2);
  } finally {
    globalThis.setTimeout = realSetTimeout;
    for (const handle of handles) clearTimeout(handle);
  }
});

Deno.test("callLater() given a non-function when called then throws TypeError", () => {
  const reactor = new Reactor();
  assert.throws(
    () => reactor.callLater(1, "nope" as unknown as () => void),
    {
      name: "TypeError",
      message:
        'Cannot call callLater with a non-function: current value is "nope"',
    },
  );
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("callLater() given a zero-delay call scheduled by a running call when it is due then runs it on a later iteration", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  reactor.callLater(0, () => {
    order.push("first");
    reactor.callLater(0, () => {
      order.push("second");
      resolve();
    });
    queueMicrotask(() => order.push("microtask"));
  });
  await settle(promise);
  assert.deepEqual(order, ["first", "microtask", "second"]);
});

Deno.test("callLater() given a chain of zero-delay calls when run then is not slowed by timer clamping", async () => {
  const reactor = new Reactor();
  const hops = 250;
  const { promise, resolve } = Promise.withResolvers<void>();
  let count = 0;
  const hop = (): void => {
    if (++count === hops) resolve();
    else reactor.callLater(0, hop);
  };
  const started = performance.now();
  reactor.callLater(0, hop);
  await settle(promise);
  // Nested setTimeout(0) is clamped to 4 ms: 250 hops would take 1 s.
  assert.ok(
    performance.now() - started < 500,
    `took ${performance.now() - started} ms`,
  );
});

Deno.test("callLater() given a due call cancelled by an earlier call of the same pass when the pass runs then skips it", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  reactor.callLater(0, () => {
    order.push("first");
    victim.cancel();
  });
  const victim = reactor.callLater(0, () => order.push("cancelled"));
  reactor.callLater(0, () => {
    order.push("last");
    resolve();
  });
  await settle(promise);
  assert.deepEqual(order, ["first", "last"]);
});

Deno.test("callLater() given a due call delayed by an earlier call of the same pass when the pass runs then runs it at its new time", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  reactor.callLater(0, () => {
    order.push("first");
    postponed.delay(0.01);
  });
  const postponed = reactor.callLater(0, () => {
    order.push("postponed");
    resolve();
  });
  reactor.callLater(0, () => order.push("last"));
  await settle(promise);
  assert.deepEqual(order, ["first", "last", "postponed"]);
});

Deno.test("callLater() given every call cancelled when the test ends then leaves no timer behind", () => {
  const reactor = new Reactor();
  const calls = [10, 0.5].map((delay) => reactor.callLater(delay, () => {}));
  for (const call of calls) call.cancel();
  // The sanitizers fail this test if the underlying timer is still armed.
  assert.deepEqual(reactor.getDelayedCalls(), []);
});

Deno.test("callLater() given the reactor is not running when a call is pending then does not keep the process alive", async () => {
  const result = await evalScript(`
    const { reactor } = await import(${JSON.stringify(REACTOR_URL)});
    reactor.callLater(5, () => console.log("fired"));
    console.log("scheduled");
  `);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "scheduled\n");
  assert.ok(result.ms < 4000, `took ${result.ms} ms`);
});

// A script with LogTape printing Torsion's warnings to stdout.
function withWarningsOnStdout(body: string): string {
  return `
    const { configure } = await import("@logtape/logtape");
    await configure({
      sinks: { out: (r) => console.log(r.level + " " + r.category.join(".") + " " + r.message.join("")) },
      loggers: [
        { category: ["torsion"], sinks: ["out"], lowestLevel: "warning" },
        { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
      ],
    });
    const { Reactor, reactor } = await import(${JSON.stringify(REACTOR_URL)});
    ${body}
  `;
}

Deno.test("Reactor given calls scheduled on a reactor never run when the process exits then logs a warning naming the dropped calls", async () => {
  const result = await evalScript(withWarningsOnStdout(`
    reactor.callLater(5, function refreshCache() {});
    reactor.callLater(9, () => {});
  `));
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^warning torsion\.reactor The process is exiting with 2 delayed call\(s\) pending on a reactor that was never run, the first refreshCache due in 4\.\d+ s; they will not run: call run\(\) to keep the process alive until stop\(\)\n$/,
  );
});

Deno.test("Reactor given a reactor that ran when the process exits with calls pending then logs no warning", async () => {
  const result = await evalScript(withWarningsOnStdout(`
    const r = new Reactor();
    r.callWhenRunning(() => r.stop());
    await r.run();
    r.callLater(5, () => {});
  `));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
});

Deno.test("Reactor given a never-run reactor whose calls all ran or were cancelled when the process exits then logs no warning", async () => {
  const result = await evalScript(withWarningsOnStdout(`
    const r = new Reactor();
    r.callLater(5, () => {}).cancel();
    await new Promise((resolve) => {
      const keep = setTimeout(() => {}, 1000);
      r.callLater(0.01, () => { clearTimeout(keep); resolve(); });
    });
  `));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
});

Deno.test("stop() given a stopping reactor when called again then throws ReactorNotRunning", async () => {
  const reactor = new Reactor();
  const done = reactor.run();
  reactor.stop();
  assert.throws(() => reactor.stop(), {
    name: "ReactorNotRunning",
    message: "Cannot stop a reactor that is already stopping",
  });
  await done;
});

Deno.test("stop() given a shutdown trigger when called then runs it only after stop() has returned", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  reactor.addSystemEventTrigger(
    "before",
    "shutdown",
    () => order.push("before"),
  );
  const done = reactor.run();
  reactor.stop();
  order.push("stop returned");
  await done;
  assert.deepEqual(order, ["stop returned", "before"]);
});

Deno.test("stop() given a reactor that ran and a call still pending when shutdown ends then nothing keeps the process alive", async () => {
  const result = await evalScript(`
    const { reactor } = await import(${JSON.stringify(REACTOR_URL)});
    reactor.callLater(5, () => console.log("fired"));
    reactor.callWhenRunning(() => reactor.stop());
    await reactor.run();
    console.log("stopped");
  `);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "stopped\n");
  assert.ok(result.ms < 4000, `took ${result.ms} ms`);
});

Deno.test("run() given SIGINT while running when received then stops through the shutdown triggers and exits 0", async () => {
  const result = await evalScript(`
    const { reactor } = await import(${JSON.stringify(REACTOR_URL)});
    reactor.addSystemEventTrigger("before", "shutdown", () => console.log("before shutdown"));
    reactor.addSystemEventTrigger("after", "shutdown", () => console.log("after shutdown"));
    reactor.callWhenRunning(() => Deno.kill(Deno.pid, "SIGINT"));
    await reactor.run();
    console.log("run resolved");
  `);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "before shutdown\nafter shutdown\nrun resolved\n",
  );
});

Deno.test({
  name:
    "run() given SIGTERM while running when received then stops through the shutdown triggers",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const result = await evalScript(`
      const { reactor } = await import(${JSON.stringify(REACTOR_URL)});
      reactor.addSystemEventTrigger("during", "shutdown", () => console.log("during shutdown"));
      reactor.callWhenRunning(() => Deno.kill(Deno.pid, "SIGTERM"));
      await reactor.run();
      console.log("run resolved");
    `);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "during shutdown\nrun resolved\n");
  },
});

Deno.test("run() given the reactor is running when no call is pending then keeps the process alive until stop()", async () => {
  const result = await evalScript(`
    const { reactor } = await import(${JSON.stringify(REACTOR_URL)});
    const started = performance.now();
    // An unref'd timer: only the running reactor can keep the process alive.
    const timer = setTimeout(() => reactor.stop(), 300);
    Deno.unrefTimer(timer);
    await reactor.run();
    console.log(performance.now() - started >= 290 ? "stopped by timer" : "too early");
  `);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "stopped by timer\n");
});

Deno.test("stop() given a listening port and a connection when the reactor stops then closes both before the after phase", async () => {
  const reactor = new Reactor();
  const { promise: made, resolve: onMade } = Promise.withResolvers<void>();
  let lostWith: string | undefined;
  class Server extends Protocol {
    override connectionMade(): void {
      onMade();
    }
    override connectionLost(reason: Failure): void {
      lostWith = reason.type.name;
    }
  }
  const done = reactor.run();
  const port = reactor.listenTCP(0, Factory.forProtocol(Server), {
    interface: "127.0.0.1",
  });
  const portNumber = port.getHost().port;
  reactor.connectTCP(
    "127.0.0.1",
    portNumber,
    ClientFactory.forProtocol(Protocol),
  );
  await made;
  let seenInAfterPhase: string | undefined;
  reactor.addSystemEventTrigger("after", "shutdown", () => {
    seenInAfterPhase = lostWith;
  });
  reactor.stop();
  await done;
  assert.ok(seenInAfterPhase?.startsWith("Connection"), seenInAfterPhase);
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port: portNumber }),
    Deno.errors.ConnectionRefused,
  );
});
