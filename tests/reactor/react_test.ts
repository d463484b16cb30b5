import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { react } from "../../reactor/react.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { ReactorAlreadyRunning } from "../../reactor/errors.ts";
import { captureLogs, evalScript, recordText } from "../_support/mod.ts";

const REACT_URL = new URL("../../reactor/react.ts", import.meta.url).href;

Deno.test("react() given main resolves when it settles then stops the reactor and exits 0", async () => {
  const reactor = new Reactor();
  const codes: number[] = [];
  let seen: unknown[] = [];
  let shutdown = false;
  reactor.addSystemEventTrigger("after", "shutdown", () => {
    shutdown = true;
  });
  await react(
    (r: Reactor, a: string, b: number) => {
      seen = [r, a, b, r.running];
      return new Promise((resolve) =>
        r.callLater(0.01, () => resolve(undefined))
      );
    },
    ["x", 2],
    reactor,
    { exit: (code) => codes.push(code) },
  );
  assert.deepEqual(codes, [0]);
  assert.deepEqual(seen, [reactor, "x", 2, false]);
  assert.equal(shutdown, true);
  assert.equal(reactor.running, false);
});

Deno.test("react() given main returns a plain value when called then exits 0", async () => {
  const codes: number[] = [];
  await react(() => 42, [], new Reactor(), {
    exit: (code) => codes.push(code),
  });
  assert.deepEqual(codes, [0]);
});

Deno.test("react() given main rejects when it settles then logs the error with its stack and exits 1", async () => {
  const codes: number[] = [];
  const records = await captureLogs(async () => {
    await react(
      () => Promise.reject(new Error("no route")),
      [],
      new Reactor(),
      { exit: (code) => codes.push(code) },
    );
  });
  assert.deepEqual(codes, [1]);
  assert.equal(records.length, 1);
  assert.deepEqual(records[0].category, ["torsion", "reactor"]);
  assert.match(
    recordText(records[0]),
    /^main function encountered error: Error: no route\n\s+at /,
  );
});

Deno.test("react() given main's Deferred is cancelled when it fails then exits 1", async () => {
  const codes: number[] = [];
  const records = await captureLogs(async () => {
    await react(
      (r: Reactor) => {
        const d = new Deferred<void>();
        r.callLater(0, () => d.cancel());
        return d;
      },
      [],
      new Reactor(),
      { exit: (code) => codes.push(code) },
    );
  });
  assert.deepEqual(codes, [1]);
  assert.match(recordText(records[0]), /CancelledError/);
});

Deno.test("react() given main throws synchronously when called then exits 1", async () => {
  const codes: number[] = [];
  const records = await captureLogs(async () => {
    await react(
      () => {
        throw new TypeError("bad argv");
      },
      [],
      new Reactor(),
      { exit: (code) => codes.push(code) },
    );
  });
  assert.deepEqual(codes, [1]);
  assert.match(recordText(records[0]), /TypeError: bad argv/);
});

Deno.test("react() given the reactor is stopped before main settles when shutdown ends then exits 0", async () => {
  const reactor = new Reactor();
  const codes: number[] = [];
  const never = new Deferred<void>();
  await react(
    (r: Reactor) => {
      r.callLater(0, () => r.stop());
      return never;
    },
    [],
    reactor,
    { exit: (code) => codes.push(code) },
  );
  assert.deepEqual(codes, [0]);
  // Settling main after the reactor stopped changes nothing.
  never.callback(undefined);
  assert.deepEqual(codes, [0]);
});

Deno.test("react() given a running reactor when called then rejects with ReactorAlreadyRunning without calling main", async () => {
  const reactor = new Reactor();
  const done = reactor.run();
  let called = false;
  const codes: number[] = [];
  await assert.rejects(
    react(
      () => {
        called = true;
      },
      [],
      reactor,
      { exit: (code) => codes.push(code) },
    ),
    ReactorAlreadyRunning,
  );
  assert.equal(called, false);
  assert.deepEqual(codes, []);
  reactor.stop();
  await done;
});

Deno.test("react() given the default reactor and exit when main fails then the process exits 1 with the error on stderr", async () => {
  const result = await evalScript(`
    const { react } = await import(${JSON.stringify(REACT_URL)});
    await react(() => Promise.reject(new Error("exploded")));
    console.log("not reached");
  `);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    /main function encountered error: Error: exploded/,
  );
});

Deno.test("react() given the default reactor and exit when main succeeds then the process exits 0", async () => {
  const result = await evalScript(`
    const { react } = await import(${JSON.stringify(REACT_URL)});
    await react((reactor) => new Promise((resolve) => reactor.callLater(0.01, () => {
      console.log("main done");
      resolve();
    })));
    console.log("not reached");
  `);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "main done\n");
});
