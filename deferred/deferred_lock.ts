/**
 * `DeferredLock` and `DeferredSemaphore`: mutual exclusion and bounded
 * concurrency for Deferred-returning code, as in `twisted.internet.defer`.
 *
 * @module
 */
import { type Deferred, maybeDeferred, succeed } from "./deferred.ts";
import { enqueueWaiter } from "./_waiters.ts";
import { requireFunction } from "../_util/describe.ts";
import type { Failure } from "./failure.ts";

/**
 * A lock whose `acquire` returns a Deferred that fires when the lock is
 * yours. Mirrors Twisted's `DeferredLock`: waiters get the lock in the order
 * they asked for it, and cancelling a pending `acquire` takes the waiter out
 * of the queue. Nothing is tied to a thread or task: whoever holds the lock
 * must `release` it, which `run` does for you.
 *
 * @example Serialising access to a resource
 * ```ts
 * import { DeferredLock, succeed } from "@torsion/torsion/deferred";
 * const lock = new DeferredLock();
 * lock.run(() => succeed("first")).addCallback((v) => console.assert(v === "first"));
 * console.assert(!lock.locked);
 * ```
 */
export class DeferredLock {
  // A lock is a semaphore of one token that hands out the lock itself.
  readonly #slot = new DeferredSemaphore(1);

  /** Whether someone holds the lock. */
  get locked(): boolean {
    return this.#slot.tokens === 0;
  }

  /**
   * Asks for the lock. Mirrors `DeferredLock.acquire`.
   *
   * @returns A Deferred that fires with this lock once it is yours: at once
   *   when it is free, otherwise when every earlier waiter has released it.
   *   Cancelling it while it waits gives up the place in the queue.
   *
   * @example Taking the lock
   * ```ts
   * import { DeferredLock } from "@torsion/torsion/deferred";
   * const lock = new DeferredLock();
   * lock.acquire().addCallback((held) => held.release());
   * ```
   */
  acquire(): Deferred<DeferredLock> {
    // The same Deferred, so cancelling it reaches the semaphore's waiter.
    return this.#slot.acquire().addCallback(() => this);
  }

  /**
   * Releases the lock, handing it to the first waiter if there is one.
   * Mirrors `DeferredLock.release`.
   *
   * @throws {RangeError} The lock is not locked.
   *
   * @example Releasing the lock
   * ```ts
   * import { DeferredLock } from "@torsion/torsion/deferred";
   * const lock = new DeferredLock();
   * lock.acquire();
   * lock.release();
   * ```
   */
  release(): void {
    if (!this.locked) {
      throw new RangeError("Cannot release a DeferredLock that is not locked");
    }
    this.#slot.release();
  }

  /**
   * Acquires the lock, calls `fn(...args)`, and releases the lock when its
   * result (a value, a throw, a Deferred or a Promise) is in. Mirrors
   * `DeferredLock.run`.
   *
   * @param fn The function to run under the lock.
   * @param args Its arguments.
   * @returns A Deferred of `fn`'s result or failure.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Running under the lock
   * ```ts
   * import { DeferredLock } from "@torsion/torsion/deferred";
   * const lock = new DeferredLock();
   * lock.run((n: number) => n * 2, 21).addCallback((v) => console.assert(v === 42));
   * ```
   */
  run<R, A extends unknown[]>(
    fn: (...args: A) => R,
    ...args: A
  ): Deferred<Awaited<R>> {
    return runHolding(this, fn, args);
  }
}

/**
 * A semaphore of `tokens` slots whose `acquire` returns a Deferred that
 * fires when a slot is yours. Mirrors Twisted's `DeferredSemaphore`: use it
 * to run at most `tokens` operations at once, waiters being served in the
 * order they asked; cancelling a pending `acquire` takes the waiter out of
 * the queue.
 *
 * @example Running at most two downloads at once
 * ```ts
 * import { DeferredSemaphore, succeed } from "@torsion/torsion/deferred";
 * const semaphore = new DeferredSemaphore(2);
 * for (const url of ["a", "b", "c"]) {
 *   semaphore.run((u: string) => succeed(`got ${u}`), url);
 * }
 * console.assert(semaphore.tokens === 2);
 * ```
 */
export class DeferredSemaphore {
  /** How many holders the semaphore allows at once. */
  readonly limit: number;
  #tokens: number;
  readonly #waiting: Deferred<DeferredSemaphore>[] = [];

  /**
   * Creates a semaphore with `tokens` free slots.
   *
   * @param tokens How many holders to allow at once.
   * @throws {RangeError} `tokens` is not an integer of at least 1.
   */
  constructor(tokens: number) {
    if (!Number.isInteger(tokens) || tokens < 1) {
      throw new RangeError(
        `Cannot create a DeferredSemaphore with fewer than 1 token or a fractional count: current value is ${tokens}`,
      );
    }
    this.limit = tokens;
    this.#tokens = tokens;
  }

  /** How many slots are free now. */
  get tokens(): number {
    return this.#tokens;
  }

  /**
   * Asks for a slot. Mirrors `DeferredSemaphore.acquire`.
   *
   * @returns A Deferred that fires with this semaphore once a slot is yours.
   *   Cancelling it while it waits gives up the place in the queue.
   *
   * @example Taking a slot
   * ```ts
   * import { DeferredSemaphore } from "@torsion/torsion/deferred";
   * const semaphore = new DeferredSemaphore(1);
   * semaphore.acquire().addCallback((held) => held.release());
   * ```
   */
  acquire(): Deferred<DeferredSemaphore> {
    if (this.#tokens === 0) return enqueueWaiter(this.#waiting);
    this.#tokens--;
    return succeed<DeferredSemaphore>(this);
  }

  /**
   * Frees a slot, handing it to the first waiter if there is one. Mirrors
   * `DeferredSemaphore.release`.
   *
   * @throws {RangeError} Every slot is already free.
   *
   * @example Releasing a slot
   * ```ts
   * import { DeferredSemaphore } from "@torsion/torsion/deferred";
   * const semaphore = new DeferredSemaphore(1);
   * semaphore.acquire();
   * semaphore.release();
   * ```
   */
  release(): void {
    if (this.#tokens >= this.limit) {
      throw new RangeError(
        `Cannot release a DeferredSemaphore more times than it was acquired: tokens is already ${this.#tokens}`,
      );
    }
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#tokens++;
    } else {
      next.callback(this);
    }
  }

  /**
   * Acquires a slot, calls `fn(...args)`, and releases the slot when its
   * result (a value, a throw, a Deferred or a Promise) is in. Mirrors
   * `DeferredSemaphore.run`.
   *
   * @param fn The function to run in a slot.
   * @param args Its arguments.
   * @returns A Deferred of `fn`'s result or failure.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Running in a slot
   * ```ts
   * import { DeferredSemaphore } from "@torsion/torsion/deferred";
   * const semaphore = new DeferredSemaphore(3);
   * semaphore.run(() => "done").addCallback((v) => console.assert(v === "done"));
   * ```
   */
  run<R, A extends unknown[]>(
    fn: (...args: A) => R,
    ...args: A
  ): Deferred<Awaited<R>> {
    return runHolding(this, fn, args);
  }
}

/** What `run` needs of a lock or semaphore. */
interface Holdable {
  acquire(): Deferred<unknown>;
  release(): void;
}

function runHolding<R, A extends unknown[]>(
  primitive: Holdable,
  fn: (...args: A) => R,
  args: A,
): Deferred<Awaited<R>> {
  requireFunction(fn, "run");
  return primitive.acquire().addCallback(() =>
    maybeDeferred(fn, ...args).addBoth(
      (result: Awaited<R> | Failure): Awaited<R> => {
        primitive.release();
        // A Failure returned here keeps the chain failing.
        return result as Awaited<R>;
      },
    )
  );
}
