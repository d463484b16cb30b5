/**
 * `DeferredQueue`: a queue whose `get` returns a Deferred, as
 * `twisted.internet.defer.DeferredQueue`.
 *
 * @module
 */
import { type Deferred, succeed } from "./deferred.ts";
import { enqueueWaiter } from "./_waiters.ts";
import { QueueOverflow, QueueUnderflow } from "./errors.ts";

/**
 * A FIFO queue for handing values from producers to consumers that wait for
 * them with Deferreds. Mirrors Twisted's `DeferredQueue`: `put` hands the
 * value to the oldest waiting `get` (synchronously firing its Deferred), or
 * stores it; `get` returns a Deferred fired at once with the oldest stored
 * value, or when the next value is put. `size` bounds the stored values and
 * `backlog` the waiting getters; cancelling a waiting `get` takes it out of
 * the queue.
 *
 * @typeParam T The type of the values.
 *
 * @example Producer and consumer
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeferredQueue } from "@torsion/torsion/deferred";
 * const queue = new DeferredQueue<string>();
 * const line = queue.get(); // nothing stored yet: waits
 * queue.put("hello"); // fires the waiting get
 * assert.equal(await line, "hello");
 * ```
 */
export class DeferredQueue<T> {
  /** The most values stored at once, or `undefined` for no limit. */
  readonly size: number | undefined;
  /** The most getters waiting at once, or `undefined` for no limit. */
  readonly backlog: number | undefined;
  readonly #pending: T[] = [];
  readonly #waiting: Deferred<T>[] = [];

  /**
   * Creates an empty queue.
   *
   * @param size The most values to store; `undefined` for no limit.
   * @param backlog The most getters to keep waiting; `undefined` for no
   *   limit.
   * @throws {RangeError} `size` or `backlog` is not a non-negative integer.
   */
  constructor(size?: number, backlog?: number) {
    requireLimit(size, "size");
    requireLimit(backlog, "backlog");
    this.size = size;
    this.backlog = backlog;
  }

  /** The values stored and not yet taken, oldest first (a copy). */
  get pending(): readonly T[] {
    return [...this.#pending];
  }

  /** How many `get` Deferreds are waiting for a value. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Adds a value: fires the oldest waiting `get` with it, or stores it.
   * Mirrors `DeferredQueue.put`.
   *
   * @param value The value.
   * @throws {QueueOverflow} Nobody waits and `size` values are stored.
   *
   * @example A bounded queue overflowing
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredQueue, QueueOverflow } from "@torsion/torsion/deferred";
   * const queue = new DeferredQueue<number>(1);
   * queue.put(1);
   * assert.throws(() => queue.put(2), QueueOverflow);
   * ```
   */
  put(value: T): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) {
      waiter.callback(value);
    } else if (this.size === undefined || this.#pending.length < this.size) {
      this.#pending.push(value);
    } else {
      throw new QueueOverflow(
        `Cannot put into a full DeferredQueue: size is ${this.size}`,
      );
    }
  }

  /**
   * Takes the oldest value. Mirrors `DeferredQueue.get`.
   *
   * @returns A Deferred fired with the oldest stored value at once, or with
   *   the next value put. Cancelling it while it waits removes it from the
   *   queue.
   * @throws {QueueUnderflow} Nothing is stored and `backlog` getters wait.
   *
   * @example Taking a stored value
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredQueue } from "@torsion/torsion/deferred";
   * const queue = new DeferredQueue<number>();
   * queue.put(7);
   * assert.equal(await queue.get(), 7);
   * ```
   */
  get(): Deferred<T> {
    if (this.#pending.length > 0) return succeed(this.#pending.shift() as T);
    if (this.backlog !== undefined && this.#waiting.length >= this.backlog) {
      throw new QueueUnderflow(
        `Cannot wait on a DeferredQueue whose backlog is full: backlog is ${this.backlog}`,
      );
    }
    return enqueueWaiter(this.#waiting);
  }
}

function requireLimit(value: number | undefined, name: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot create a DeferredQueue with a ${name} that is not a non-negative integer: current value is ${value}`,
    );
  }
}
