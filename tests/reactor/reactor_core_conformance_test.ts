/**
 * One suite for `IReactorCore` (run, stop, system event triggers,
 * callWhenRunning), run against a real `Reactor` and `MemoryReactor`, so
 * that code tested with the test double behaves the same on the reactor.
 */
import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import {
  ReactorAlreadyRunning,
  ReactorNotRunning,
} from "../../reactor/errors.ts";
import type { IReactorCore } from "../../reactor/interfaces.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { captureLogs, recordText, sleep } from "../_support/mod.ts";

const implementations: { name: string; create(): IReactorCore }[] = [
  { name: "Reactor", create: () => new Reactor() },
  { name: "MemoryReactor", create: () => new MemoryReactor() },
];

function conformance(
  name: string,
  fn: (reactor: IReactorCore) => Promise<void> | void,
): void {
  for (const implementation of implementations) {
    Deno.test(`[${implementation.name}] ${name}`, async () => {
      await fn(implementation.create());
    });
  }
}

/** Runs the reactor, stops it at once, and waits for the shutdown. */
async function runAndStop(reactor: IReactorCore): Promise<void> {
  const done = reactor.run();
  reactor.stop();
  await done;
}

conformance(
  "run() given callWhenRunning before run when it starts then calls it with its arguments",
  async (reactor) => {
    const seen: unknown[] = [];
    const id = reactor.callWhenRunning((a: number) => {
      seen.push(a, reactor.running);
      reactor.stop();
    }, 7);
    assert.equal(typeof id, "number");
    await reactor.run();
    assert.deepEqual(seen, [7, true]);
  },
);

conformance(
  "callWhenRunning() given a running reactor when called then calls fn at once",
  async (reactor) => {
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
  },
);

conformance(
  "callWhenRunning() given a non-function when called then throws TypeError",
  (reactor) => {
    assert.throws(
      () => reactor.callWhenRunning("nope" as unknown as () => void),
      {
        name: "TypeError",
        message:
          'Cannot call callWhenRunning with a non-function: current value is "nope"',
      },
    );
  },
);

conformance(
  "run() given startup triggers and a callWhenRunning call when it starts then runs them before, during, after",
  async (reactor) => {
    const order: string[] = [];
    reactor.callWhenRunning(() => order.push("whenRunning"));
    reactor.addSystemEventTrigger(
      "after",
      "startup",
      () => order.push("after"),
    );
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
    await runAndStop(reactor);
    assert.deepEqual(order, ["before", "during", "whenRunning", "after"]);
  },
);

conformance(
  "run() given a before-startup trigger returning a Deferred when it is pending then holds the during phase until it fires",
  async (reactor) => {
    const order: string[] = [];
    const held = new Deferred<void>();
    reactor.addSystemEventTrigger("before", "startup", () => {
      order.push("before");
      return held;
    });
    reactor.addSystemEventTrigger(
      "during",
      "startup",
      () => order.push("during"),
    );
    const done = reactor.run();
    await sleep(10);
    assert.deepEqual(order, ["before"]);
    held.callback(undefined);
    reactor.stop();
    await done;
    assert.deepEqual(order, ["before", "during"]);
  },
);

conformance(
  "run() given a running reactor when called again then rejects with ReactorAlreadyRunning",
  async (reactor) => {
    const done = reactor.run();
    await assert.rejects(reactor.run(), ReactorAlreadyRunning);
    reactor.stop();
    await done;
  },
);

conformance(
  "run() given a reactor that ran and stopped when run again then runs again without repeating callWhenRunning calls",
  async (reactor) => {
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
  },
);

conformance(
  "stop() given a reactor that is not running when called then throws ReactorNotRunning",
  (reactor) => {
    assert.throws(() => reactor.stop(), ReactorNotRunning);
  },
);

conformance(
  "stop() given a reactor already told to stop when called again then throws ReactorNotRunning",
  async (reactor) => {
    const done = reactor.run();
    reactor.stop();
    assert.throws(() => reactor.stop(), ReactorNotRunning);
    await done;
  },
);

conformance(
  "stop() given shutdown triggers when run() resolves then they ran before, during, after, with running false from during",
  async (reactor) => {
    const order: string[] = [];
    const record = (phase: string) => () =>
      order.push(`${phase}:${reactor.running}`);
    reactor.addSystemEventTrigger("after", "shutdown", record("after"));
    reactor.addSystemEventTrigger("during", "shutdown", record("during"));
    reactor.addSystemEventTrigger("before", "shutdown", record("before"));
    await runAndStop(reactor);
    assert.deepEqual(order, ["before:true", "during:false", "after:false"]);
  },
);

conformance(
  "stop() given a before-shutdown trigger returning a Deferred when it is pending then holds the during phase until it fires",
  async (reactor) => {
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
  },
);

conformance(
  "stop() given a trigger whose Promise rejects when shutting down then logs the error and finishes shutdown",
  async (reactor) => {
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
      await runAndStop(reactor);
    });
    assert.equal(afterRan, true);
    assert.equal(records.length, 1);
    assert.match(
      recordText(records[0]),
      /before shutdown trigger flush: Error: flush failed/,
    );
  },
);

conformance(
  "stop() given a trigger that throws when shutting down then logs the error and runs the other triggers",
  async (reactor) => {
    let otherRan = false;
    const records = await captureLogs(async () => {
      reactor.addSystemEventTrigger("during", "shutdown", () => {
        throw new RangeError("bad trigger");
      });
      reactor.addSystemEventTrigger("during", "shutdown", () => {
        otherRan = true;
      });
      await runAndStop(reactor);
    });
    assert.equal(otherRan, true);
    assert.equal(records.length, 1);
    assert.equal(records[0].level, "error");
    assert.match(recordText(records[0]), /RangeError: bad trigger/);
  },
);

conformance(
  "removeSystemEventTrigger() given a trigger id when removed then the trigger does not run",
  async (reactor) => {
    let ran = false;
    const id = reactor.addSystemEventTrigger("before", "shutdown", () => {
      ran = true;
    });
    reactor.removeSystemEventTrigger(id);
    await runAndStop(reactor);
    assert.equal(ran, false);
  },
);

conformance(
  "removeSystemEventTrigger() given an unknown id when called then throws RangeError",
  (reactor) => {
    const id = reactor.addSystemEventTrigger("before", "shutdown", () => {});
    reactor.removeSystemEventTrigger(id);
    assert.throws(() => reactor.removeSystemEventTrigger(id), {
      name: "RangeError",
      message:
        `Cannot remove an unknown system event trigger: current value is ${id}`,
    });
  },
);

conformance(
  "addSystemEventTrigger() given an unknown phase when called then throws RangeError",
  (reactor) => {
    assert.throws(
      () =>
        reactor.addSystemEventTrigger(
          "middle" as "during",
          "shutdown",
          () => {},
        ),
      {
        name: "RangeError",
        message:
          'Cannot add a system event trigger for an unknown phase: current value is "middle"',
      },
    );
  },
);

conformance(
  "addSystemEventTrigger() given an unknown event when called then throws RangeError",
  (reactor) => {
    assert.throws(
      () =>
        reactor.addSystemEventTrigger(
          "before",
          "reboot" as "startup",
          () => {},
        ),
      {
        name: "RangeError",
        message:
          'Cannot add a system event trigger for an unknown event: current value is "reboot"',
      },
    );
  },
);
