/**
 * Errors raised by the Deferred layer, mirroring `twisted.internet.defer`.
 *
 * @module
 */
import type { Failure } from "./failure.ts";

/**
 * A Deferred was cancelled. Mirrors Twisted's `defer.CancelledError`.
 *
 * @example Trapping a cancellation
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelledError, Deferred } from "@torsion/torsion/deferred";
 * const d = new Deferred<number>();
 * d.addErrback((f) => { f.trap(CancelledError); return 0; });
 * d.cancel();
 * assert.equal(await d, 0);
 * ```
 */
export class CancelledError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was cancelled.
   */
  constructor(message = "Deferred was cancelled") {
    super(message);
    this.name = "CancelledError";
  }
}

/**
 * `callback` or `errback` was called on a Deferred that has already fired.
 * Mirrors Twisted's `defer.AlreadyCalledError`.
 *
 * @example Firing twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { AlreadyCalledError, Deferred } from "@torsion/torsion/deferred";
 * const d = new Deferred<number>();
 * d.callback(1);
 * assert.throws(() => d.callback(2), AlreadyCalledError);
 * ```
 */
export class AlreadyCalledError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which Deferred was fired twice.
   */
  constructor(message = "Deferred has already been called") {
    super(message);
    this.name = "AlreadyCalledError";
  }
}

/**
 * An operation ran past its deadline. Mirrors Twisted's `defer.TimeoutError`
 * (raised by `Deferred.addTimeout`) and `internet.error.TimeoutError`; the
 * reactor and the HTTP client raise it too, with a message naming the phase.
 */
export class TimeoutError extends Error {
  /**
   * Creates the error.
   *
   * @param message What timed out, and after how long.
   */
  constructor(message = "Operation timed out") {
    super(message);
    this.name = "TimeoutError";
  }
}

/**
 * The first failure of a `DeferredList` with `fireOnOneErrback`, or of
 * `gatherResults`. Mirrors Twisted's `defer.FirstError`.
 *
 * @example Inspecting the first failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail, FirstError, gatherResults, succeed } from "@torsion/torsion/deferred";
 * const all = gatherResults([succeed(1), fail(new Error("boom"))], { consumeErrors: true });
 * await assert.rejects(all.asPromise(), (error: unknown) => {
 *   assert.ok(error instanceof FirstError);
 *   assert.equal(error.index, 1);
 *   assert.equal(error.subFailure.getErrorMessage(), "boom");
 *   return true;
 * });
 * ```
 */
export class FirstError extends Error {
  /** The failure of the member Deferred that failed first. */
  readonly subFailure: Failure;
  /** The position of that Deferred in the input list. */
  readonly index: number;

  /**
   * Creates the error from the member's failure and its index.
   *
   * @param subFailure The member's Failure.
   * @param index The member's position in the input list.
   */
  constructor(subFailure: Failure, index: number) {
    super(
      `FirstError at index ${index}: ${subFailure.getErrorMessage()}`,
      { cause: subFailure.value },
    );
    this.name = "FirstError";
    this.subFailure = subFailure;
    this.index = index;
  }
}

/**
 * Every Deferred given to `race` failed. Mirrors Twisted's
 * `defer.FailureGroup` (Twisted 23.8).
 *
 * @example Reading every failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail, FailureGroup, race } from "@torsion/torsion/deferred";
 * const first = race([fail(new Error("a")), fail(new Error("b"))]);
 * await assert.rejects(first.asPromise(), (error: unknown) => {
 *   assert.ok(error instanceof FailureGroup);
 *   assert.deepEqual(error.failures.map((f) => f.getErrorMessage()), ["a", "b"]);
 *   return true;
 * });
 * ```
 */
export class FailureGroup extends Error {
  /** The failures, in the order of the input list. */
  readonly failures: readonly Failure[];

  /**
   * Creates the error from the members' failures.
   *
   * @param failures One Failure per member, in input order.
   */
  constructor(failures: readonly Failure[]) {
    super(`All ${failures.length} Deferreds failed`);
    this.name = "FailureGroup";
    this.failures = failures;
  }
}

/**
 * `DeferredQueue.put` on a queue that is full. Mirrors Twisted's
 * `defer.QueueOverflow`.
 */
export class QueueOverflow extends Error {
  /**
   * Creates the error.
   *
   * @param message Which queue was full.
   */
  constructor(message = "Queue is full") {
    super(message);
    this.name = "QueueOverflow";
  }
}

/**
 * `DeferredQueue.get` while the backlog of waiting getters is full. Mirrors
 * Twisted's `defer.QueueUnderflow`.
 */
export class QueueUnderflow extends Error {
  /**
   * Creates the error.
   *
   * @param message Which queue's backlog was full.
   */
  constructor(message = "Too many pending get() calls on the queue") {
    super(message);
    this.name = "QueueUnderflow";
  }
}
