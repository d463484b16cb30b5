/**
 * The generator driver behind `inlineCallbacks` and `ensureDeferred`, the
 * job of Twisted's `_inlineCallbacks` and `_cancellableInlineCallbacks`.
 *
 * @module
 */
import { Deferred, toDeferred } from "./deferred.ts";
import { Failure } from "./failure.ts";

/** Passed to a cancelled result Deferred to make it follow its successor. */
const REDIRECT: unique symbol = Symbol("redirect");

/** Whether `value` is a generator object (what a `function*` returns). */
export function isGenerator(
  value: unknown,
): value is Generator<unknown, unknown, unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as Generator).next === "function" &&
    typeof (value as Generator).throw === "function" &&
    typeof (value as Generator)[Symbol.iterator] === "function";
}

/**
 * The state of one generator being driven. The callbacks that serve it are
 * functions shared by every driver, told which by their argument: a
 * Deferred awaited by thousands of generators at once then holds no
 * closures of its own but the result Deferred's canceller.
 */
class Driver {
  readonly gen: Generator<unknown, unknown, unknown>;
  /** The Deferred the generator waits on, or `null` while it runs. */
  waitingOn: Deferred<unknown> | null = null;
  /** What the generator's return value fires (see `followable`). */
  target: Deferred<unknown>;
  /** Cancels the result Deferreds this driver makes. */
  readonly cancel: (d: Deferred<unknown>) => void;
  // How the awaited Deferred's result comes back: into `settled` and
  // `syncResult` when it is already there (the loop goes on), through
  // step() when it arrives later. One function serves every yield: only
  // one Deferred is awaited at a time.
  synchronous = false;
  settled = false;
  syncResult: unknown = undefined;

  constructor(gen: Generator<unknown, unknown, unknown>) {
    this.gen = gen;
    this.cancel = (d) => cancel(this, d);
    this.target = followable(this);
  }
}

function followable(driver: Driver): Deferred<unknown> {
  const d = new Deferred<unknown>(driver.cancel);
  d.addBoth(follow, driver);
  return d;
}

function follow(result: unknown, driver: Driver): unknown {
  return result === REDIRECT ? driver.target : result;
}

function cancel(driver: Driver, d: Deferred<unknown>): void {
  const awaited = driver.waitingOn;
  driver.target = followable(driver);
  d.callback(REDIRECT);
  // A cancel from inside the running generator has nothing to stop.
  if (awaited !== null) awaited.cancel();
}

function finish(driver: Driver, value: unknown): void {
  const inner = toDeferred(value);
  if (inner !== null) {
    // `return someDeferred` from a generator: wait for it, as an async
    // function does for a returned Promise.
    driver.waitingOn = inner;
    inner.addBoth(finishWith, driver);
    return;
  }
  driver.target.callback(value);
}

function finishWith(result: unknown, driver: Driver): undefined {
  driver.waitingOn = null;
  driver.target.callback(result);
  return undefined;
}

function resume(outcome: unknown, driver: Driver): undefined {
  if (driver.synchronous) {
    driver.settled = true;
    driver.syncResult = outcome;
  } else {
    step(driver, outcome);
  }
  // The generator owns the result now: the awaited chain goes on with
  // undefined, so a failure thrown into the generator is not unhandled.
  return undefined;
}

function step(driver: Driver, input: unknown): void {
  const gen = driver.gen;
  let sent = input;
  for (;;) {
    driver.waitingOn = null;
    let next: IteratorResult<unknown, unknown>;
    try {
      next = sent instanceof Failure ? gen.throw(sent.value) : gen.next(sent);
    } catch (error) {
      driver.target.errback(Failure.from(error));
      return;
    }
    if (next.done) {
      finish(driver, next.value);
      return;
    }
    const yielded = next.value;
    const awaited = toDeferred(yielded);
    if (awaited === null) {
      sent = yielded;
      continue;
    }
    driver.synchronous = true;
    driver.settled = false;
    try {
      awaited.addBoth(resume, driver);
    } finally {
      driver.synchronous = false;
    }
    if (!driver.settled) {
      driver.waitingOn = awaited;
      return;
    }
    sent = driver.syncResult;
    driver.syncResult = undefined;
  }
}

/**
 * Runs `gen` to completion and returns a Deferred of its return value.
 *
 * Each yielded Deferred (or thenable, wrapped in one) is waited for; its
 * result is sent back into the generator, a Failure's original error is
 * thrown in at the `yield`. Any other yielded value is sent straight back.
 * Already-fired Deferreds are consumed by a loop, so any number of them
 * does not grow the stack.
 *
 * Cancelling the returned Deferred cancels the Deferred the generator is
 * waiting on; what the generator then does decides the result, so a
 * generator that catches the `CancelledError` may go on. To keep the
 * returned Deferred unfired meanwhile, its canceller fires it with a marker
 * that its first link (added here, before anyone else can add one) swaps for
 * a fresh Deferred the generator fires instead, as Twisted does.
 */
export function driveGenerator<R>(
  gen: Generator<unknown, R, unknown>,
): Deferred<Awaited<R>> {
  const driver = new Driver(gen);
  const result = driver.target;
  step(driver, undefined);
  return result as Deferred<Awaited<R>>;
}
