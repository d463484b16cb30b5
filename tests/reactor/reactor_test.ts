import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import type { Failure } from "../../deferred/failure.ts";
import type { IDelayedCall } from "../../deferred/interfaces.ts";
import { ClientFactory, Factory, Protocol } from "../../reactor/protocol.ts";
import { Reactor, reactor as globalReactor } from "../../reactor/reactor.ts";
import {
  ReactorAlreadyRunning,
  ReactorNotRunning,
} from "../../reactor/errors.ts";
import { captureLogs, recordText } from "./_log_capture.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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
const CONFIG_PATH = new URL("../../deno.json", import.meta.url).pathname;

async function runScript(
  code: string,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", CONFIG_PATH, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    ms: performance.now() - started,
  };
}

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
  const result = await runScript(`
    const { reactor } = await import(${JSON.stringify(REACTOR_URL)});
    reactor.callLater(5, () => console.log("fired"));
    console.log("scheduled");
  `);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "scheduled\n");
  assert.ok(result.ms < 4000, `took ${result.ms} ms`);
});

Deno.test("run() given callWhenRunning before run when it starts then calls it with its arguments", async () => {
  const reactor = new Reactor();
  const seen: unknown[] = [];
  const id = reactor.callWhenRunning((a: number) => {
    seen.push(a, reactor.running);
    reactor.stop();
  }, 7);
  assert.equal(typeof id, "number");
  await reactor.run();
  assert.deepEqual(seen, [7, true]);
});

Deno.test("callWhenRunning() given a running reactor when called then calls fn at once", async () => {
  const reactor = new Reactor();
  let result: number | undefined | null = null;
  let ranAtOnce = false;
  reactor.callWhenRunning(() => {
    result = reactor.callWhenRunning(() => {
      ranAtOnce = true;
    });
    reactor.stop();
  });
  await reactor.run();
  assert.equal(ranAtOnce, true);
  assert.equal(result, undefined);
});

Deno.test("run() given startup triggers when it starts then runs them before, during, after", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  reactor.addSystemEventTrigger("after", "startup", () => order.push("after"));
  reactor.addSystemEventTrigger(
    "during",
    "startup",
    () => order.push("during"),
  );
  reactor.addSystemEventTrigger(
    "before",
    "startup",
    () => order.push("before"),
  );
  reactor.callWhenRunning(() => reactor.stop());
  await reactor.run();
  assert.deepEqual(order, ["before", "during", "after"]);
});

Deno.test("run() given a running reactor when called again then rejects with ReactorAlreadyRunning", async () => {
  const reactor = new Reactor();
  const done = reactor.run();
  await assert.rejects(reactor.run(), ReactorAlreadyRunning);
  reactor.stop();
  await done;
});

Deno.test("run() given a reactor that ran and stopped when run again then runs again without repeating callWhenRunning calls", async () => {
  const reactor = new Reactor();
  let whenRunning = 0;
  let startups = 0;
  reactor.callWhenRunning(() => whenRunning++);
  reactor.addSystemEventTrigger("during", "startup", () => startups++);
  for (let i = 0; i < 2; i++) {
    const done = reactor.run();
    assert.equal(reactor.running, true);
    reactor.stop();
    await done;
    assert.equal(reactor.running, false);
  }
  assert.equal(whenRunning, 1);
  assert.equal(startups, 2);
});

Deno.test("stop() given a reactor that is not running when called then throws ReactorNotRunning", () => {
  const reactor = new Reactor();
  assert.throws(() => reactor.stop(), ReactorNotRunning);
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

Deno.test("stop() given shutdown triggers when called then runs them after it returns, before, during, after, with running false from during", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  const record = (phase: string) => () =>
    order.push(`${phase}:${reactor.running}`);
  reactor.addSystemEventTrigger("after", "shutdown", record("after"));
  reactor.addSystemEventTrigger("during", "shutdown", record("during"));
  reactor.addSystemEventTrigger("before", "shutdown", record("before"));
  const done = reactor.run();
  reactor.stop();
  order.push("stop returned");
  await done;
  assert.deepEqual(order, [
    "stop returned",
    "before:true",
    "during:false",
    "after:false",
  ]);
});

Deno.test("stop() given a before-shutdown trigger returning a Deferred when it is pending then holds the during phase until it fires", async () => {
  const reactor = new Reactor();
  const order: string[] = [];
  const held = new Deferred<void>();
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    order.push("before");
    return held;
  });
  reactor.addSystemEventTrigger(
    "during",
    "shutdown",
    () => order.push("during"),
  );
  const done = reactor.run();
  reactor.stop();
  await sleep(10);
  assert.deepEqual(order, ["before"]);
  order.push("fired");
  held.callback(undefined);
  await done;
  assert.deepEqual(order, ["before", "fired", "during"]);
});

Deno.test("stop() given a trigger whose Promise rejects when shutting down then logs the error and finishes shutdown", async () => {
  const reactor = new Reactor();
  let afterRan = false;
  const records = await captureLogs(async () => {
    reactor.addSystemEventTrigger(
      "before",
      "shutdown",
      function flush(): Promise<never> {
        return Promise.reject(new Error("flush failed"));
      },
    );
    reactor.addSystemEventTrigger("after", "shutdown", () => {
      afterRan = true;
    });
    const done = reactor.run();
    reactor.stop();
    await done;
  });
  assert.equal(afterRan, true);
  assert.equal(records.length, 1);
  assert.match(
    recordText(records[0]),
    /before shutdown trigger flush: Error: flush failed/,
  );
});

Deno.test("stop() given a trigger that throws when shutting down then logs the error and runs the other triggers", async () => {
  const reactor = new Reactor();
  let otherRan = false;
  const records = await captureLogs(async () => {
    reactor.addSystemEventTrigger("during", "shutdown", () => {
      throw new RangeError("bad trigger");
    });
    reactor.addSystemEventTrigger("during", "shutdown", () => {
      otherRan = true;
    });
    const done = reactor.run();
    reactor.stop();
    await done;
  });
  assert.equal(otherRan, true);
  assert.equal(records.length, 1);
  assert.match(recordText(records[0]), /RangeError: bad trigger/);
});

Deno.test("removeSystemEventTrigger() given a trigger id when removed then the trigger does not run", async () => {
  const reactor = new Reactor();
  let ran = false;
  const id = reactor.addSystemEventTrigger("before", "shutdown", () => {
    ran = true;
  });
  reactor.removeSystemEventTrigger(id);
  const done = reactor.run();
  reactor.stop();
  await done;
  assert.equal(ran, false);
});

Deno.test("removeSystemEventTrigger() given an unknown id when called then throws RangeError", () => {
  const reactor = new Reactor();
  const id = reactor.addSystemEventTrigger("before", "shutdown", () => {});
  reactor.removeSystemEventTrigger(id);
  assert.throws(() => reactor.removeSystemEventTrigger(id), {
    name: "RangeError",
    message:
      `Cannot remove an unknown system event trigger: current value is ${id}`,
  });
});

Deno.test("addSystemEventTrigger() given an unknown phase when called then throws RangeError", () => {
  const reactor = new Reactor();
  assert.throws(
    () =>
      reactor.addSystemEventTrigger("middle" as "during", "shutdown", () => {}),
    {
      name: "RangeError",
      message:
        'Cannot add a system event trigger for an unknown phase: current value is "middle"',
    },
  );
});

Deno.test("run() given SIGINT while running when received then stops through the shutdown triggers and exits 0", async () => {
  const result = await runScript(`
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
    const result = await runScript(`
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
  const result = await runScript(`
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
