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
  let waitingOn: Deferred<unknown> | null = null;
  let target = followable();

  function followable(): Deferred<Awaited<R>> {
    const d = new Deferred<Awaited<R>>(cancel);
    d.addBoth((result) => result === REDIRECT ? target : result);
    return d;
  }

  function cancel(d: Deferred<Awaited<R>>): void {
    const awaited = waitingOn;
    target = followable();
    d.callback(REDIRECT as Awaited<R>);
    // A cancel from inside the running generator has nothing to stop.
    if (awaited !== null) awaited.cancel();
  }

  function finish(value: unknown): void {
    const inner = toDeferred(value);
    if (inner !== null) {
      // `return someDeferred` from a generator: wait for it, as an async
      // function does for a returned Promise.
      waitingOn = inner;
      inner.addBoth((result) => {
        waitingOn = null;
        target.callback(result as Awaited<R>);
      });
      return;
    }
    target.callback(value as Awaited<R>);
  }

  // How the awaited Deferred's result comes back: into `settled` and
  // `syncResult` when it is already there (the loop goes on), through
  // step() when it arrives later. One function serves every yield: only one Deferred is
  // awaited at a time.
  let synchronous = false;
  let settled = false;
  let syncResult: unknown;

  function resume(outcome: unknown): undefined {
    if (synchronous) {
      settled = true;
      syncResult = outcome;
    } else {
      step(outcome);
    }
    // The generator owns the result now: the awaited chain goes on with
    // undefined, so a failure thrown into the generator is not unhandled.
    return undefined;
  }

  function step(input: unknown): void {
    let sent = input;
    for (;;) {
      waitingOn = null;
      let next: IteratorResult<unknown, R>;
      try {
        next = sent instanceof Failure ? gen.throw(sent.value) : gen.next(sent);
      } catch (error) {
        target.errback(Failure.from(error));
        return;
      }
      if (next.done) {
        finish(next.value);
        return;
      }
      const yielded = next.value;
      const awaited = toDeferred(yielded);
      if (awaited === null) {
        sent = yielded;
        continue;
      }
      synchronous = true;
      settled = false;
      try {
        awaited.addBoth(resume);
      } finally {
        synchronous = false;
      }
      if (!settled) {
        waitingOn = awaited;
        return;
      }
      sent = syncResult;
      syncResult = undefined;
    }
  }

  const result = target;
  step(undefined);
  return result;
}
