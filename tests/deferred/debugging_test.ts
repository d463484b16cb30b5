import assert from "node:assert/strict";
import {
  AlreadyCalledError,
  Deferred,
  getDebugging,
  setDebugging,
} from "../../deferred/mod.ts";
import { runScenario } from "./_run_scenario.ts";

Deno.test("setDebugging() given true or false when set then getDebugging() reports it", () => {
  const before = getDebugging();
  try {
    setDebugging(true);
    assert.equal(getDebugging(), true);
    setDebugging(false);
    assert.equal(getDebugging(), false);
  } finally {
    setDebugging(before);
  }
});

Deno.test("getDebugging() given a fresh process when read then is off", () => {
  assert.equal(getDebugging(), false);
});

Deno.test("setDebugging() given debugging on when an unhandled failure is reported then shows where the Deferred was created and first fired", async () => {
  const { stderr } = await runScenario("debug-dropped");
  assert.ok(stderr.includes("Unhandled error in Deferred:"), stderr);
  assert.ok(stderr.includes("failure with debug info"), stderr);
  const created = stderr.indexOf("Deferred was created");
  const invoked = stderr.indexOf("First Invoker was");
  assert.notEqual(created, -1, stderr);
  assert.notEqual(invoked, -1, stderr);
  // The creation stack names the caller, not the Deferred's own internals.
  const creationStack = stderr.slice(created, invoked);
  assert.ok(creationStack.includes("dropFailed"), creationStack);
  assert.ok(!creationStack.includes("new Deferred"), creationStack);
});

Deno.test("setDebugging() given a Deferred created in one function and fired in another when reported then the first-invoker stack names the firing function", async () => {
  const { stderr } = await runScenario("debug-created-and-fired-apart");
  assert.ok(stderr.includes("fired apart from its creation"), stderr);
  const created = stderr.indexOf("Deferred was created");
  const invoked = stderr.indexOf("First Invoker was");
  assert.ok(created !== -1 && invoked > created, stderr);
  const creationStack = stderr.slice(created, invoked);
  const invokerStack = stderr.slice(invoked, stderr.indexOf("Error: fired"));
  assert.ok(creationStack.includes("createPending"), creationStack);
  assert.ok(!creationStack.includes("fireWithError"), creationStack);
  assert.ok(invokerStack.includes("fireWithError"), invokerStack);
  assert.ok(!invokerStack.includes("createPending"), invokerStack);
});

Deno.test("setDebugging() given debugging off when an unhandled failure is reported then shows no creation stack", async () => {
  const { stderr } = await runScenario("dropped");
  assert.ok(stderr.includes("Unhandled error in Deferred:"), stderr);
  assert.ok(!stderr.includes("Deferred was created"), stderr);
});

Deno.test("AlreadyCalledError given debugging on when a Deferred is fired twice then the message shows where it was created and first fired", () => {
  const before = getDebugging();
  setDebugging(true);
  try {
    const d = createdHere();
    firstFiredHere(d);
    assert.throws(() => d.callback(2), (error) => {
      assert.ok(error instanceof AlreadyCalledError);
      const { message } = error;
      assert.match(
        message,
        /^Deferred has already been called\n C: Deferred was created:\n C:/,
      );
      const created = message.indexOf(" C: Deferred was created:");
      const invoked = message.indexOf(" I: First Invoker was:");
      assert.ok(created !== -1 && invoked > created, message);
      assert.match(message.slice(created, invoked), /C:.*createdHere/);
      assert.match(message.slice(invoked), /I:.*firstFiredHere/);
      return true;
    });
  } finally {
    setDebugging(before);
  }
});

Deno.test("AlreadyCalledError given debugging off when a Deferred is fired twice then the message is the plain one", () => {
  const d = new Deferred<number>();
  d.callback(1);
  assert.throws(() => d.errback(new Error("late")), {
    name: "AlreadyCalledError",
    message: "Deferred has already been called",
  });
});

function createdHere(): Deferred<number> {
  return new Deferred<number>();
}

function firstFiredHere(d: Deferred<number>): void {
  d.callback(1);
}
