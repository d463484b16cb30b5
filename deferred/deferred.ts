/**
 * `Deferred`: a promise of a result that runs its callbacks synchronously,
 * as `twisted.internet.defer.Deferred`.
 *
 * @module
 */
import {
  alreadyCalledMessage,
  creationInfo,
  type DebugInfo,
  recordInvoker,
  trackResult,
} from "./_debug_info.ts";
import { AlreadyCalledError, CancelledError, TimeoutError } from "./errors.ts";
import { Failure } from "./failure.ts";
import { isThenable } from "../_util/thenable.ts";
import { describeValue, requireFunction } from "../_util/describe.ts";
import type { IReactorTime } from "./interfaces.ts";

type AnyFunction = (result: never, ...args: never[]) => unknown;

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * One callback/errback pair of a chain, with the extra arguments both share
 * (or a {@linkcode SplitArgs} when they differ). A continuation link has
 * {@linkcode CONTINUE} as its callback and, as its arguments, the Deferred
 * that waits for this one. The most common link, a callback alone without
 * extra arguments, is stored as the bare function: a chain then allocates
 * nothing per callback but its array slot.
 */
type Link = AnyFunction | FullLink;

/** A link that is more than a bare callback. */
interface FullLink {
  callback: AnyFunction | null;
  errback: AnyFunction | null;
  args: readonly unknown[] | SplitArgs | Deferred<unknown>;
}

/** The errback of `asPromise`: rejects with the error the Failure holds. */
function rejectWithValue(
  failure: Failure,
  reject: (reason: unknown) => void,
): undefined {
  reject(failure.value);
  return undefined;
}

/** Returned by `#adopt` when the chain must wait for another Deferred. */
const WAIT: unique symbol = Symbol("wait");

/** Marks a continuation link. */
function CONTINUE(): never {
  throw new Error("A continuation link is never called");
}

/** Extra arguments of `addCallbacks` when the callback's and the errback's differ. */
class SplitArgs {
  readonly callbackArgs: readonly unknown[];
  readonly errbackArgs: readonly unknown[];

  constructor(
    callbackArgs: readonly unknown[],
    errbackArgs: readonly unknown[],
  ) {
    this.callbackArgs = callbackArgs;
    this.errbackArgs = errbackArgs;
  }
}

/**
 * A canceller, the `canceller` argument of Twisted's `Deferred`: called by
 * `Deferred.cancel()` with the Deferred to stop the work that would fire it.
 * It may fire the Deferred itself; if it does not, `cancel()` errbacks it
 * with `CancelledError`.
 *
 * @typeParam T The type of the Deferred's result.
 *
 * @example Stopping a timer on cancel
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Canceller, Deferred } from "@torsion/torsion/deferred";
 * const stopTimer: Canceller<string> = () => clearTimeout(timer);
 * const d = new Deferred<string>(stopTimer);
 * const timer = setTimeout(() => d.callback("done"), 1000);
 * d.addErrback(() => "cancelled");
 * d.cancel(); // the timer is cleared: the test's sanitizer would report it otherwise
 * assert.equal(await d, "cancelled");
 * ```
 */
export type Canceller<T> = (deferred: Deferred<T>) => void;

/**
 * A result that is not there yet, and the chain of callbacks and errbacks that
 * will process it. Mirrors Twisted's `Deferred`.
 *
 * Unlike a Promise, a Deferred runs its chain synchronously: `callback()`
 * runs every callback before it returns, and a callback added to a fired
 * Deferred runs at once. Each callback's return value is the next one's
 * input; a throw (or a returned `Failure`) switches to the errback path, and
 * an errback that returns normally switches back. A callback that returns a
 * Deferred or any thenable pauses the chain until that settles. The chain is
 * run by a loop, not by recursion, so a million callbacks or a hundred
 * thousand nested Deferreds do not grow the stack.
 *
 * `addCallback` and friends mutate the chain and return the same Deferred,
 * re-typed for the next step.
 *
 * Cancellation is Twisted's: `cancel()` and the constructor's canceller.
 * Deferreds take no `AbortSignal`, since any holder of one can already
 * cancel it; to bridge the two, cancel the Deferred from the signal's
 * `abort` event, or abort a controller from the canceller (see the
 * examples).
 *
 * @typeParam T The type of the result the chain currently carries.
 *
 * @example Firing a chain
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@torsion/torsion/deferred";
 * const d = new Deferred<number>();
 * const seen: number[] = [];
 * d.addCallback((n) => n * 2).addCallback((n) => { seen.push(n); });
 * d.callback(21);
 * assert.deepEqual(seen, [42]); // the chain ran before callback() returned
 * ```
 *
 * @example Cancelling from an AbortSignal, and aborting from a canceller
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelledError, Deferred } from "@torsion/torsion/deferred";
 * // The work: stopped through an AbortController when the Deferred is cancelled.
 * const work = new AbortController();
 * const d = new Deferred<string>(() => work.abort());
 * // The caller: cancels the Deferred when its own signal aborts.
 * const caller = new AbortController();
 * caller.signal.addEventListener("abort", () => d.cancel(), { once: true });
 * d.addErrback((f) => f.trap(CancelledError));
 * caller.abort();
 * assert.equal(work.signal.aborted, true);
 * ```
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  #called = false;
  #paused = 0;
  #result: unknown = undefined;
  // Created on the first link, as a literal holding it: an empty literal
  // would start with small-integer elements and pay a transition per
  // Deferred on its first push.
  #links: Link[] | null = null;
  #next = 0;
  #running = false;
  #suppressAlreadyCalled = false;
  // Stored without T so that Deferred<T> stays covariant in T.
  #canceller: ((deferred: never) => void) | null;
  #chainedTo: Deferred<unknown> | null = null;
  #debugInfo: DebugInfo | undefined = creationInfo();

  /**
   * Creates an unfired Deferred. Whoever starts the work keeps it to fire
   * it and hands it out for others to add callbacks to.
   *
   * @param canceller Called by `cancel()` to stop the underlying work; see
   *   {@linkcode Deferred.prototype.cancel} for what happens without one.
   */
  constructor(canceller?: Canceller<T>) {
    this.#canceller = (canceller ?? null) as ((deferred: never) => void) | null;
  }

  /** Whether `callback` or `errback` has been called. */
  get called(): boolean {
    return this.#called;
  }

  /** How many times the chain is paused; 0 when it runs. Mirrors `Deferred.paused`. */
  get paused(): number {
    return this.#paused;
  }

  /**
   * Wraps a Promise (or any thenable) in a Deferred that fires when it
   * settles. Mirrors `Deferred.fromFuture`. Cancelling the Deferred cannot
   * stop the Promise: it errbacks with `CancelledError` and ignores the
   * Promise's later result.
   *
   * @param promise The Promise to follow.
   * @returns A Deferred of its value.
   *
   * @example Following a Promise
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const d = Deferred.fromPromise(Promise.resolve(7));
   * assert.equal(await d, 7);
   * ```
   */
  static fromPromise<V>(promise: PromiseLike<V>): Deferred<V> {
    const d = new Deferred<V>();
    try {
      promise.then(
        (value) => d.callback(value),
        (error) => d.errback(Failure.from(error)),
      );
    } catch (error) {
      d.errback(Failure.from(error));
    }
    return d;
  }

  /**
   * Fires the chain with a result. Passing a `Failure` is the same as
   * `errback(failure)`. Mirrors `Deferred.callback`.
   *
   * @param result The result.
   * @throws {AlreadyCalledError} The Deferred has already fired; under
   *   `setDebugging(true)` the message shows where it was created and first
   *   fired.
   * @throws {TypeError} `result` is a Deferred: chain it instead.
   *
   * @example Firing with a value
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const d = new Deferred<string>();
   * d.addCallback((s) => s.toUpperCase());
   * d.callback("hi");
   * assert.equal(await d, "HI");
   * ```
   */
  callback(result: T | Failure): void {
    if (result instanceof Deferred) {
      throw new TypeError(
        "Cannot call callback with a Deferred: return it from a callback to chain it",
      );
    }
    this.#start(result);
  }

  /**
   * Fires the chain with an error; a value that is not a `Failure` is
   * wrapped in one, kept exactly as given (`await` and `Failure.value` give
   * it back). Mirrors `Deferred.errback`.
   *
   * Twisted's `errback()` without an argument wraps the exception being
   * handled; JavaScript has no such thing, so here `errback()` (and
   * `errback(undefined)`) fails with an `Error` whose message says that no
   * error was given and whose stack shows the call.
   *
   * @param error The error (or Failure).
   * @throws {AlreadyCalledError} The Deferred has already fired; under
   *   `setDebugging(true)` the message shows where it was created and first
   *   fired.
   *
   * @example Failing a Deferred
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const d = new Deferred<string>();
   * d.addErrback((f) => f.getErrorMessage());
   * d.errback(new Error("boom"));
   * assert.equal(await d, "boom"); // the errback's result goes down the callback side
   * ```
   */
  errback(error?: unknown): void {
    const failure = error === undefined
      ? new Failure(new Error("Deferred.errback was called without an error"))
      : Failure.from(error);
    this.#start(failure);
  }

  /**
   * Adds a callback and an errback at the same level of the chain: exactly
   * one of them runs. Mirrors `Deferred.addCallbacks`.
   *
   * @param callback Runs on success with the result and `callbackArgs`.
   * @param errback Runs on failure with the Failure and `errbackArgs`; when
   *   omitted the failure passes through.
   * @param callbackArgs Extra arguments for the callback.
   * @param errbackArgs Extra arguments for the errback.
   * @returns This Deferred, typed for the next step.
   * @throws {TypeError} A callback or errback is not a function.
   *
   * @example Handling both outcomes at one step
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const d = new Deferred<number>();
   * d.addCallbacks((n) => `ok ${n}`, (f) => `failed: ${f.getErrorMessage()}`);
   * d.callback(1);
   * assert.equal(await d, "ok 1");
   * ```
   */
  addCallbacks<
    R1,
    R2 = never,
    A1 extends unknown[] = [],
    A2 extends unknown[] = [],
  >(
    callback: (result: T, ...args: A1) => R1,
    errback?: ((failure: Failure, ...args: A2) => R2) | null,
    callbackArgs?: A1,
    errbackArgs?: A2,
  ): Deferred<Awaited<R1> | Awaited<R2>> {
    requireFunction(callback, "addCallbacks");
    if (errback !== undefined && errback !== null) {
      requireFunction(errback, "addCallbacks");
    }
    const cbArgs: readonly unknown[] = callbackArgs ?? NO_ARGS;
    const ebArgs: readonly unknown[] = errbackArgs ?? NO_ARGS;
    return this.#addLink(
      callback as unknown as AnyFunction,
      (errback ?? null) as unknown as AnyFunction | null,
      errback === undefined || errback === null || cbArgs === ebArgs
        ? cbArgs
        : cbArgs.length === 0 && ebArgs.length === 0
        ? NO_ARGS
        : new SplitArgs(cbArgs, ebArgs),
    );
  }

  /**
   * Adds a callback; a failure passes it by. Mirrors `Deferred.addCallback`.
   *
   * @param callback Runs with the result and `args`.
   * @param args Extra arguments for the callback.
   * @returns This Deferred, typed for the callback's result.
   * @throws {TypeError} `callback` is not a function.
   *
   * @example Transforming the result
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const d = new Deferred<number>();
   * d.addCallback((n, by: number) => n * by, 3);
   * d.callback(2);
   * assert.equal(await d, 6);
   * ```
   */
  addCallback<R, A extends unknown[] = []>(
    callback: (result: T, ...args: A) => R,
    ...args: A
  ): Deferred<Awaited<R>>;
  addCallback(callback: AnyFunction): Deferred<unknown> {
    if (typeof callback !== "function") {
      requireFunction(callback, "addCallback");
    }
    // Extra arguments are read from `arguments` rather than a rest
    // parameter: most callbacks take none, and this spares them an array.
    // `arguments` is only indexed, never passed on: once it escapes, V8
    // allocates it on every call, which made each addCallback cost an
    // object as soon as a program somewhere passed extra arguments.
    const count = arguments.length;
    if (count === 1) {
      this.#push(callback);
      if (this.#called) this.#runCallbacks();
      return this;
    }
    const args = new Array<unknown>(count - 1);
    for (let i = 1; i < count; i++) args[i - 1] = arguments[i];
    return this.#addLink(callback, null, args);
  }

  /**
   * Adds an errback; a success passes it by. Mirrors `Deferred.addErrback`.
   * Returning normally handles the failure; throwing (or `failure.trap`)
   * keeps the chain failing.
   *
   * @param errback Runs with the Failure and `args`.
   * @param args Extra arguments for the errback.
   * @returns This Deferred.
   * @throws {TypeError} `errback` is not a function.
   *
   * @example Recovering from a failure
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const d = new Deferred<number>();
   * d.addErrback(() => 0);
   * d.errback(new Error("boom"));
   * assert.equal(await d, 0);
   * ```
   */
  addErrback<R, A extends unknown[] = []>(
    errback: (failure: Failure, ...args: A) => R,
    ...args: A
  ): Deferred<T | Awaited<R>>;
  addErrback(errback: AnyFunction): Deferred<unknown> {
    requireFunction(errback, "addErrback");
    const count = arguments.length;
    if (count === 1) return this.#addLink(null, errback, NO_ARGS);
    const args = new Array<unknown>(count - 1);
    for (let i = 1; i < count; i++) args[i - 1] = arguments[i];
    return this.#addLink(null, errback, args);
  }

  /**
   * Adds a function that runs on success and on failure alike. Mirrors
   * `Deferred.addBoth`.
   *
   * @param callback Runs with the result or the Failure, and `args`.
   * @param args Extra arguments.
   * @returns This Deferred, typed for the function's result.
   * @throws {TypeError} `callback` is not a function.
   *
   * @example Cleaning up on success or failure
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * let closed = 0;
   * const d = new Deferred<number>();
   * d.addBoth((resultOrFailure) => { closed += 1; return resultOrFailure; });
   * d.errback(new Error("lost"));
   * assert.equal(closed, 1);
   * await assert.rejects(d.asPromise(), { message: "lost" }); // the failure goes on down the chain
   * ```
   */
  addBoth<R, A extends unknown[] = []>(
    callback: (result: T | Failure, ...args: A) => R,
    ...args: A
  ): Deferred<Awaited<R>>;
  addBoth(callback: AnyFunction): Deferred<unknown> {
    requireFunction(callback, "addBoth");
    const count = arguments.length;
    if (count === 1) return this.#addLink(callback, callback, NO_ARGS);
    const args = new Array<unknown>(count - 1);
    for (let i = 1; i < count; i++) args[i - 1] = arguments[i];
    return this.#addLink(callback, callback, args);
  }

  /**
   * Makes `other` fire with this chain's result at this point, and this
   * chain go on with `undefined`. Mirrors `Deferred.chainDeferred`.
   *
   * @param other The Deferred to fire.
   * @returns This Deferred, whose chain goes on with `undefined`.
   *
   * @example Forwarding a result to another Deferred
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const a = new Deferred<number>();
   * const b = new Deferred<number>();
   * a.chainDeferred(b);
   * a.callback(5);
   * assert.equal(await b, 5);
   * assert.equal(await a, undefined);
   * ```
   */
  chainDeferred(other: Deferred<T>): Deferred<undefined> {
    return this.addCallbacks(
      (result: T): undefined => {
        other.callback(result);
      },
      (failure: Failure): undefined => {
        other.errback(failure);
      },
    );
  }

  /**
   * Stops the chain from running until `unpause()`. Mirrors `Deferred.pause`.
   *
   * @example Holding a fired chain
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const seen: number[] = [];
   * const d = new Deferred<number>();
   * d.addCallback((n) => { seen.push(n); });
   * d.pause();
   * d.callback(1);
   * assert.deepEqual(seen, []); // callbacks wait
   * d.unpause();
   * assert.deepEqual(seen, [1]); // and run now
   * ```
   */
  pause(): void {
    this.#paused++;
  }

  /**
   * Undoes one `pause()`; the chain runs when no pause is left. Mirrors
   * `Deferred.unpause`.
   *
   * @throws {RangeError} The Deferred is not paused.
   *
   * @example Letting a held chain run
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * const d = new Deferred<number>();
   * d.pause();
   * d.pause();
   * d.callback(1);
   * d.unpause();
   * d.unpause(); // the chain runs once no pause is left
   * assert.equal(await d, 1);
   * assert.throws(() => d.unpause(), RangeError); // more unpauses than pauses
   * ```
   */
  unpause(): void {
    if (this.#paused === 0) {
      throw new RangeError("Cannot unpause a Deferred that is not paused");
    }
    this.#paused--;
    if (this.#paused === 0 && this.#called) this.#runCallbacks();
  }

  /**
   * Cancels the work behind an unfired Deferred. Mirrors `Deferred.cancel`.
   *
   * On an unfired Deferred it calls the canceller given to the constructor,
   * which should stop the work and may fire the Deferred itself (with a
   * fallback value, or a more precise error); if the Deferred is still
   * unfired afterwards, `cancel()` errbacks it with `CancelledError`.
   *
   * What happens to the producer's late `callback`/`errback` follows
   * Twisted exactly:
   * - Without a canceller, nothing told the producer to stop, so it will
   *   still fire once: that first late `callback` or `errback` is silently
   *   ignored, so the producer does not crash. Any further call raises
   *   `AlreadyCalledError`, as on any fired Deferred.
   * - With a canceller, the canceller is trusted to have stopped the work: a
   *   late `callback`/`errback` raises `AlreadyCalledError`, even when the
   *   canceller did not fire the Deferred itself.
   *
   * On a Deferred whose chain waits for another Deferred (a callback
   * returned it), it cancels that one instead, and this chain goes on with
   * whatever that one fires with. On a fired Deferred it does nothing.
   *
   * @throws {unknown} Whatever the canceller throws; the Deferred then stays
   *   unfired.
   *
   * @example Cancelling work that has a canceller
   * ```ts
   * import assert from "node:assert/strict";
   * import { CancelledError, Deferred } from "@torsion/torsion/deferred";
   * const timer = setTimeout(() => d.callback(1), 60_000);
   * const d = new Deferred<number>(() => clearTimeout(timer));
   * d.cancel(); // clears the timer, then errbacks with CancelledError
   * await assert.rejects(d.asPromise(), CancelledError);
   * ```
   *
   * @example A late result after cancelling without a canceller
   * ```ts
   * import assert from "node:assert/strict";
   * import { AlreadyCalledError, Deferred } from "@torsion/torsion/deferred";
   * const d = new Deferred<number>();
   * d.addErrback(() => -1);
   * d.cancel();
   * d.callback(1); // the producer's late result is ignored once
   * assert.throws(() => d.callback(2), AlreadyCalledError);
   * ```
   */
  cancel(): void {
    // Walk down to the innermost Deferred of a chain of waiting ones with a
    // loop, so a deep chain does not grow the stack. A subclass that
    // overrides cancel() on the way gets the call instead.
    let target = this as Deferred<unknown>;
    while (target.#called) {
      const inner = target.#chainedTo;
      if (inner === null) return;
      if (inner.cancel !== baseCancel) {
        inner.cancel();
        return;
      }
      target = inner;
    }
    const canceller = target.#canceller;
    if (canceller !== null) {
      (canceller as Canceller<unknown>)(target);
    } else {
      // Nothing stops the producer: eat the result it will deliver later.
      target.#suppressAlreadyCalled = true;
    }
    if (!target.#called) target.errback(new Failure(new CancelledError()));
  }

  /**
   * Cancels this Deferred if it has not fired after `seconds`, turning the
   * resulting `CancelledError` into `TimeoutError`. The conversion is added to
   * the chain now, so it covers the callbacks added before it. Mirrors
   * `Deferred.addTimeout`.
   *
   * @param seconds The timeout.
   * @param clock What schedules the timeout: the reactor, or a `Clock` in tests.
   * @param onTimeoutCancel Replaces the conversion: called with the result
   *   (or Failure) and the timeout when the timeout fired.
   * @returns This Deferred.
   * @throws {RangeError} `seconds` is negative or not finite (from `clock`).
   *
   * @example Timing out with a Clock
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred, TimeoutError } from "@torsion/torsion/deferred";
   * import { Clock } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * const d = new Deferred<number>().addTimeout(5, clock);
   * clock.advance(5);
   * await assert.rejects(d.asPromise(), TimeoutError);
   * ```
   */
  addTimeout(
    seconds: number,
    clock: IReactorTime,
    onTimeoutCancel?: (resultOrFailure: unknown, seconds: number) => unknown,
  ): Deferred<T> {
    let timedOut = false;
    const delayedCall = clock.callLater(seconds, () => {
      timedOut = true;
      this.cancel();
    });
    this.addBoth((resultOrFailure: T | Failure) => {
      if (!timedOut) return resultOrFailure;
      if (onTimeoutCancel !== undefined) {
        return onTimeoutCancel(resultOrFailure, seconds);
      }
      if (resultOrFailure instanceof Failure) {
        resultOrFailure.trap(CancelledError);
        throw new TimeoutError(`Deferred timed out after ${seconds} seconds`);
      }
      return resultOrFailure;
    });
    this.addBoth((resultOrFailure: unknown) => {
      if (delayedCall.active()) delayedCall.cancel();
      return resultOrFailure;
    });
    return this as Deferred<T>;
  }

  /**
   * A Promise of the chain's result at this point; the chain goes on with
   * `undefined`, as with Twisted's `asFuture`: the Promise now owns the
   * result, and its rejection carries the Failure's original error.
   *
   * @returns A Promise of the result.
   *
   * @example Handing a result to async code
   * ```ts
   * import assert from "node:assert/strict";
   * import { succeed } from "@torsion/torsion/deferred";
   * assert.equal(await succeed(3).asPromise(), 3);
   * ```
   */
  asPromise(): Promise<T> {
    // The resolving functions are the callbacks themselves: every `await`
    // of a Deferred comes here, and closures around them would be made for
    // each.
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.addCallbacks(resolve, rejectWithValue, undefined, [reject]);
    return promise;
  }

  /**
   * Makes `await deferred` work: resolves with the result, or rejects with
   * the Failure's original error. Consumes the result as `asPromise` does.
   *
   * @param onfulfilled Called with the result.
   * @param onrejected Called with the error.
   * @returns A Promise, as `Promise.prototype.then`.
   *
   * @example Awaiting a Deferred
   * ```ts
   * import assert from "node:assert/strict";
   * import { succeed } from "@torsion/torsion/deferred";
   * const value = await succeed("ready");
   * assert.equal(value, "ready");
   * ```
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onfulfilled, onrejected);
  }

  /**
   * A one-line description, as Twisted's `repr(deferred)`.
   *
   * @returns `<Deferred ...>` with its state.
   *
   * @example Describing a Deferred
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@torsion/torsion/deferred";
   * assert.equal(String(new Deferred()), "<Deferred>");
   * ```
   */
  toString(): string {
    if (this.#chainedTo !== null) return "<Deferred waiting on Deferred>";
    if (!this.#called) return "<Deferred>";
    const result = this.#result instanceof Failure
      ? this.#result.toString()
      : describeValue(this.#result);
    return `<Deferred current result: ${result}>`;
  }

  #addLink<R>(
    callback: AnyFunction | null,
    errback: AnyFunction | null,
    args: readonly unknown[] | SplitArgs,
  ): Deferred<R> {
    this.#push({ callback, errback, args });
    if (this.#called) this.#runCallbacks();
    return this as unknown as Deferred<R>;
  }

  #push(link: Link): void {
    const links = this.#links;
    if (links === null) {
      this.#links = [link];
    } else if (links.length <= 2 && !this.#running) {
      // push() would grow a one- or two-link array to nineteen slots, held
      // as long as the Deferred waits, and most chains are that short. A
      // running chain reads the array it started with: it gets push().
      this.#links = links.length === 1
        ? [links[0], link]
        : [links[0], links[1], link];
    } else {
      links.push(link);
    }
  }

  #start(result: unknown): void {
    if (this.#called) {
      if (this.#suppressAlreadyCalled) {
        this.#suppressAlreadyCalled = false;
        return;
      }
      throw new AlreadyCalledError(alreadyCalledMessage(this.#debugInfo));
    }
    recordInvoker(this.#debugInfo);
    this.#called = true;
    this.#result = result;
    this.#canceller = null;
    this.#runCallbacks();
  }

  /**
   * What a callback's object result means for the chain: a thenable becomes
   * a Deferred; a Deferred that has its result gives it up; one that does
   * not makes this one wait for it ({@linkcode WAIT}).
   */
  #adopt(value: unknown): unknown {
    let inner = value;
    if (!(inner instanceof Deferred) && isThenable(inner)) {
      inner = Deferred.fromPromise(inner);
    }
    if (!(inner instanceof Deferred)) return inner;
    if (inner === this) {
      // Waiting on itself would hang the chain forever.
      return new Failure(
        new TypeError(
          "Cannot chain a Deferred to itself: a callback returned the Deferred it was added to",
        ),
      );
    }
    const other = inner as Deferred<unknown>;
    if (
      !other.#called || other.#paused > 0 || other.#chainedTo !== null ||
      other.#running
    ) {
      this.#waitFor(other);
      return WAIT;
    }
    const result = other.#result;
    other.#result = undefined;
    other.#debugInfo = trackResult(other, other.#debugInfo, null);
    return result;
  }

  /** Appends to `inner` a link that hands its result back to `this`. */
  #waitFor(inner: Deferred<unknown>): void {
    this.#paused++;
    this.#chainedTo = inner;
    // inner is not running its callbacks, so a direct append is safe.
    inner.#push({ callback: CONTINUE, errback: null, args: this });
  }

  /**
   * Runs this Deferred's links from where it stopped, until they are all
   * done or one makes it wait for another Deferred, or up to a continuation
   * link: then it returns the Deferred waiting for this one's result.
   *
   * The loop keeps the result and the position in locals and stores them
   * back when it stops; #running keeps anyone from reading them meanwhile (a
   * Deferred returned while running is waited for). The try block encloses
   * the whole loop, which resumes after an exception.
   *
   * A bare function link is a callback alone, so it runs without testing the
   * result: whenever the result becomes a Failure, `skipCallbacks` moves past
   * the bare links at once. On the common path of callbacks returning plain
   * values, each link then costs its call and one type test of what it
   * returned.
   */
  #runLinks(): Deferred<unknown> | null {
    const links = this.#links;
    if (links === null) return null;
    let result = this.#result;
    let next = this.#next;
    let chainee: Deferred<unknown> | null = null;
    if (isFailure(result)) next = skipCallbacks(links, next);
    this.#running = true;
    for (;;) {
      try {
        while (next < links.length) {
          const link = links[next++];
          if (typeof link === "function") {
            result = (link as (result: unknown) => unknown)(result);
          } else {
            if (link.callback === CONTINUE) {
              chainee = link.args as Deferred<unknown>;
              break;
            }
            const isFailure = result instanceof Failure;
            const fn = (isFailure ? link.errback : link.callback) as
              | ((result: unknown, ...rest: unknown[]) => unknown)
              | null;
            if (fn === null) {
              if (isFailure) next = skipCallbacks(links, next);
              continue;
            }
            const extra = link.args as readonly unknown[] | SplitArgs;
            if ((extra as readonly unknown[]).length === 0) {
              result = fn(result);
            } else {
              const args = extra instanceof SplitArgs
                ? isFailure ? extra.errbackArgs : extra.callbackArgs
                : extra as readonly unknown[];
              result = fn(result, ...args);
            }
          }
          if (
            result !== null &&
            (typeof result === "object" || typeof result === "function")
          ) {
            result = this.#adopt(result);
            if (result === WAIT) {
              result = this.#chainedTo;
              break;
            }
            if (result instanceof Failure) next = skipCallbacks(links, next);
          }
        }
        break;
      } catch (error) {
        result = Failure.from(error);
        next = skipCallbacks(links, next);
      }
    }
    this.#next = next;
    this.#result = result;
    this.#running = false;
    return chainee;
  }

  /**
   * Runs the chain with an explicit stack of Deferreds instead of recursion:
   * when a callback returns an unfired Deferred the outer one pauses and a
   * continuation link is appended to the inner one; when the inner one
   * reaches that link, it hands its result over and the outer one becomes
   * the current Deferred, the inner one waiting on the stack to go on.
   */
  #runCallbacks(): void {
    if (this.#running) return;
    let current = this as Deferred<unknown>;
    let stack: Deferred<unknown>[] | null = null;
    for (;;) {
      if (current.#paused > 0) return;
      current.#chainedTo = null;
      const chainee = current.#runLinks();
      const result = current.#result;
      if (chainee !== null) {
        // Hand the result to the Deferred that waits for this one, run it,
        // then come back for this one's remaining links.
        chainee.#result = result;
        current.#result = undefined;
        current.#debugInfo = trackResult(current, current.#debugInfo, null);
        chainee.#paused--;
        (stack ??= []).push(current);
        current = chainee;
        continue;
      }
      if (current.#links !== null && current.#next >= current.#links.length) {
        current.#links = null;
        current.#next = 0;
      }
      const failed = isFailure(current.#result);
      if (failed || current.#debugInfo !== undefined) {
        current.#debugInfo = trackResult(
          current,
          current.#debugInfo,
          failed ? current.#result as Failure : null,
        );
      }
      if (stack === null || stack.length === 0) return;
      current = stack.pop() as Deferred<unknown>;
    }
  }
}

const baseCancel = Deferred.prototype.cancel;

/**
 * Whether `value` is a Failure. The type test comes first: most results are
 * not objects, and it spares them the prototype lookup of `instanceof`.
 */
function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null &&
    value instanceof Failure;
}

/**
 * The index of the first link from `next` on that is not a bare callback:
 * what a failing chain runs next.
 */
function skipCallbacks(links: readonly Link[], next: number): number {
  while (next < links.length && typeof links[next] === "function") next++;
  return next;
}

/**
 * A Deferred that has already fired with `result`. Mirrors `defer.succeed`.
 *
 * @param result The result.
 * @returns A fired Deferred.
 *
 * @example Returning a result that is already there
 * ```ts
 * import assert from "node:assert/strict";
 * import { succeed } from "@torsion/torsion/deferred";
 * let seen: number | undefined;
 * succeed(1).addCallback((n) => { seen = n; });
 * assert.equal(seen, 1); // the callback ran at once
 * ```
 */
export function succeed<T>(result: T): Deferred<T> {
  const d = new Deferred<T>();
  d.callback(result);
  return d;
}

/**
 * A Deferred that has already failed with `error`. Mirrors `defer.fail`.
 *
 * @param error The error (or Failure).
 * @returns A failed Deferred.
 *
 * @example Returning a failure that is already there
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail } from "@torsion/torsion/deferred";
 * let message: string | undefined;
 * fail(new Error("nope")).addErrback((f) => { message = f.getErrorMessage(); });
 * assert.equal(message, "nope");
 * ```
 */
export function fail<T = never>(error: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(error);
  return d;
}

/**
 * Calls `fn(...args)` and returns its outcome as a Deferred, whatever shape
 * it takes: a plain value, a throw, a Promise or a Deferred. Mirrors
 * `defer.maybeDeferred`.
 *
 * @param fn The function to call.
 * @param args Its arguments.
 * @returns A Deferred of its result.
 *
 * @example Calling code of any shape
 * ```ts
 * import assert from "node:assert/strict";
 * import { maybeDeferred, succeed } from "@torsion/torsion/deferred";
 * assert.equal(await maybeDeferred((n: number) => n + 1, 1), 2); // a plain value
 * assert.equal(await maybeDeferred(() => succeed("d")), "d"); // a Deferred
 * await assert.rejects(maybeDeferred(JSON.parse, "{bad").asPromise(), SyntaxError); // a throw
 * ```
 */
export function maybeDeferred<R, A extends unknown[]>(
  fn: (...args: A) => R,
  ...args: A
): Deferred<Awaited<R>> {
  requireFunction(fn, "maybeDeferred");
  let result: unknown;
  try {
    result = fn(...args);
  } catch (error) {
    return fail(error);
  }
  const d = toDeferred(result);
  if (d !== null) return d as Deferred<Awaited<R>>;
  if (result instanceof Failure) return fail(result);
  return succeed(result as Awaited<R>);
}

/**
 * `value` itself when it is a Deferred, a Deferred following it when it is
 * a thenable, otherwise `null`. For the functions that take either shape;
 * `#adopt` keeps its own inline check, as it runs for every callback result.
 * Internal, so `mod.ts` does not re-export it.
 */
export function toDeferred(value: unknown): Deferred<unknown> | null {
  if (value instanceof Deferred) return value as Deferred<unknown>;
  return isThenable(value) ? Deferred.fromPromise(value) : null;
}
