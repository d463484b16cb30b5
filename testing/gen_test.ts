/**
 * `genTest`: a Deno test body run on its own IOLoop with a time limit, as
 * Tornado's `AsyncTestCase` with `@gen_test`.
 *
 * @module
 */
import { TimeoutError } from "../deferred/errors.ts";
import type { ErrorClass } from "../deferred/failure.ts";
import { driveGenerator, isGenerator } from "../deferred/_drive_generator.ts";
import { IOLoop } from "../reactor/ioloop.ts";
import { Reactor } from "../reactor/reactor.ts";
import { disconnectAll } from "../reactor/_tcp.ts";
import { LogCapture, type LoggedError } from "./log_capture.ts";

/** Options of {@linkcode genTest}, as `@gen_test`'s keyword argument. */
export interface GenTestOptions {
  /**
   * Seconds the test may run before it fails with `TimeoutError`.
   * @default the `ASYNC_TEST_TIMEOUT` environment variable, else 5 (Tornado's)
   */
  timeout?: number;
}

/** What a {@linkcode genTest} body gets: its loop, and the logged errors. */
export interface GenTestContext {
  /** A fresh IOLoop on {@linkcode GenTestContext.reactor}, as `self.io_loop`. */
  readonly ioLoop: IOLoop;
  /** The fresh reactor the test runs on; its sockets are closed afterwards. */
  readonly reactor: Reactor;
  /**
   * Takes the errors of these types logged so far out of the report, as
   * trial's `flushLoggedErrors`; an error left there fails the test.
   */
  flushLoggedErrors(...errorTypes: ErrorClass[]): LoggedError[];
}

/** The body of a {@linkcode genTest}: a generator, async function or plain one. */
export type GenTestBody = (
  context: GenTestContext,
) => Generator<unknown, unknown, unknown> | PromiseLike<unknown> | unknown;

const DEFAULT_TIMEOUT = 5;

function defaultTimeout(): number {
  let text: string | undefined;
  try {
    text = Deno.env.get("ASYNC_TEST_TIMEOUT");
  } catch {
    // Without --allow-env the variable cannot be set either.
  }
  const seconds = text === undefined ? NaN : Number(text);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT;
}

/**
 * Wraps a test body for `Deno.test` the way Tornado's `@gen_test` wraps a
 * method of an `AsyncTestCase`: the body runs on a fresh `Reactor` and its
 * `IOLoop` (`runSync`), may be a generator that yields Deferreds or
 * Promises (as `inlineCallbacks`) or an async function, and fails with a
 * `TimeoutError` naming the test when it has not finished after `timeout`
 * seconds; a generator is then cancelled where it waits. Afterwards every
 * socket opened through the reactor is closed and its pending calls are
 * cancelled, so the sanitizers see nothing left behind, and, as in
 * Tornado's `AsyncTestCase` and trial's `TestCase`, an error logged by
 * Torsion during the test (an exception in an IOLoop callback, say) fails
 * it unless the body flushed it.
 *
 * @param body The test body.
 * @param options The time limit.
 * @returns A function to pass to `Deno.test`.
 * @throws {RangeError} `timeout` is not a positive finite number.
 *
 * @example A generator test on the IOLoop
 * ```ts
 * import assert from "node:assert/strict";
 * import { deferLater, wait } from "@torsion/torsion/deferred";
 * import { genTest } from "@torsion/torsion/testing";
 *
 * const test = genTest(function* ({ reactor }) {
 *   const value = yield* wait(deferLater(reactor, 0.01, () => 42));
 *   assert.equal(value, 42);
 * }, { timeout: 1 });
 * await test(); // Deno.test("...", test) in a test file
 * ```
 *
 * @example A test that never finishes fails clearly
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, TimeoutError } from "@torsion/torsion/deferred";
 * import { genTest } from "@torsion/torsion/testing";
 *
 * const stuck = genTest(function* waitsForever() {
 *   yield new Deferred();
 * }, { timeout: 0.05 });
 * await assert.rejects(stuck(), (error) =>
 *   error instanceof TimeoutError &&
 *   error.message === "waitsForever timed out after 0.05 seconds");
 * ```
 */
export function genTest(
  body: GenTestBody,
  options: GenTestOptions = {},
): () => Promise<void> {
  const timeout = options.timeout ?? defaultTimeout();
  if (
    typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0
  ) {
    throw new RangeError(
      `Cannot call genTest with a timeout that is not a positive number: current value is ${timeout}`,
    );
  }
  const name = body.name === "" ? "The test" : body.name;
  return async (): Promise<void> => {
    const reactor = new Reactor();
    const ioLoop = new IOLoop(reactor);
    await using logs = await LogCapture.start();
    const context: GenTestContext = {
      ioLoop,
      reactor,
      flushLoggedErrors: (...types) => logs.flushLoggedErrors(...types),
    };
    try {
      await ioLoop.runSync(() => {
        const result = body(context);
        return isGenerator(result) ? driveGenerator(result) : result;
      }, { timeout });
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new TimeoutError(`${name} timed out after ${timeout} seconds`);
      }
      throw error;
    } finally {
      for (const call of reactor.getDelayedCalls()) call.cancel();
      await disconnectAll(reactor);
    }
  };
}
