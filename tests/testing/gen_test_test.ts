import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { Deferred, succeed } from "../../deferred/deferred.ts";
import { deferLater } from "../../deferred/defer_later.ts";
import { TimeoutError } from "../../deferred/errors.ts";
import { wait } from "../../deferred/inline_callbacks.ts";
import { Factory, Protocol } from "../../reactor/protocol.ts";
import { genTest } from "../../testing/gen_test.ts";

Deno.test("genTest() given a generator body when it yields Deferreds then sends back their results on the test's reactor", async () => {
  const seen: unknown[] = [];
  await genTest(
    function* ({ ioLoop, reactor }): Generator<unknown, void, unknown> {
      assert.equal(ioLoop.reactor, reactor);
      seen.push(yield* wait(succeed(1)));
      seen.push(yield* wait(deferLater(reactor, 0.01, () => 2)));
    },
    { timeout: 2 },
  )();
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("genTest() given an async body when it awaits the IOLoop then resolves", async () => {
  let ran = false;
  await genTest(async ({ ioLoop }) => {
    await new Promise<void>((resolve) =>
      ioLoop.callLater(0.01, () => resolve())
    );
    ran = true;
  })();
  assert.equal(ran, true);
});

Deno.test("genTest() given a body that never finishes when the timeout passes then fails with TimeoutError naming the body", async () => {
  let cancelled = false;
  const started = performance.now();
  await assert.rejects(
    genTest(function* waitsForever(): Generator<unknown, void, unknown> {
      try {
        yield new Deferred();
      } finally {
        cancelled = true;
      }
    }, { timeout: 0.05 })(),
    (error) =>
      error instanceof TimeoutError &&
      error.message === "waitsForever timed out after 0.05 seconds",
  );
  assert.equal(cancelled, true, "the generator was cancelled where it waited");
  assert.ok(performance.now() - started < 2000);
});

Deno.test("genTest() given a body that throws when run then rejects with its error", async () => {
  await assert.rejects(
    genTest(() => {
      throw new RangeError("bad");
    })(),
    RangeError,
  );
});

Deno.test("genTest() given an IOLoop callback that throws when the test ends then fails with the logged error", async () => {
  await assert.rejects(
    genTest(function* ({ ioLoop }): Generator<unknown, void, unknown> {
      ioLoop.addCallback(function explode(): never {
        throw new TypeError("in a callback");
      });
      yield* wait(deferLater(ioLoop.reactor, 0.01));
    })(),
    (error) =>
      error instanceof AssertionError &&
      /unexpected error was logged[\s\S]*TypeError: in a callback/.test(
        error.message,
      ),
  );
});

Deno.test("genTest() given a logged error the body flushes when the test ends then passes", async () => {
  await genTest(
    function* (
      { ioLoop, flushLoggedErrors },
    ): Generator<unknown, void, unknown> {
      ioLoop.addCallback(() => {
        throw new TypeError("expected");
      });
      yield* wait(deferLater(ioLoop.reactor, 0.01));
      assert.equal(flushLoggedErrors(TypeError).length, 1);
    },
  )();
});

Deno.test("genTest() given a listener and a pending call left by the body when the test ends then closes and cancels them", async () => {
  await genTest(({ reactor }) => {
    reactor.listenTCP(0, Factory.forProtocol(Protocol), {
      interface: "127.0.0.1",
    });
    reactor.callLater(60, () => {});
  })();
});

Deno.test("genTest() given a timeout that is not a positive number when called then throws RangeError", () => {
  for (const timeout of [0, -1, NaN, Infinity]) {
    assert.throws(() => genTest(() => {}, { timeout }), RangeError);
  }
});
