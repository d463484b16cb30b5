/**
 * `DeferredList`, `gatherResults` and `race`: waiting for several Deferreds
 * at once, as in `twisted.internet.defer`.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { logError } from "../_util/log_error.ts";
import { Deferred } from "./deferred.ts";
import { FailureGroup, FirstError } from "./errors.ts";
import { Failure } from "./failure.ts";

/**
 * How a `DeferredList` fires. Mirrors the keyword arguments of Twisted's
 * `DeferredList`.
 *
 * @example Firing on the first success
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeferredList, type DeferredListOptions, succeed } from "@torsion/torsion/deferred";
 * const options = { fireOnOneCallback: true } as const satisfies DeferredListOptions;
 * const [value, index] = await new DeferredList([succeed("a")], options);
 * assert.equal(value, "a");
 * assert.equal(index, 0);
 * ```
 */
export interface DeferredListOptions {
  /**
   * Fire with `[value, index]` as soon as one member succeeds, instead of
   * waiting for all of them. An empty list then never fires.
   *
   * @default false
   */
  readonly fireOnOneCallback?: boolean;
  /**
   * Errback with a `FirstError` (the member's Failure and its index) as soon
   * as one member fails, instead of waiting for all of them.
   *
   * @default false
   */
  readonly fireOnOneErrback?: boolean;
  /**
   * Handle the members' failures: each failed member's chain goes on with
   * `null` (Twisted's `None`), so its error is not reported as unhandled and
   * errbacks added to the member later do not see it. Without it the
   * failure stays in the member's chain, for the member's own errbacks (or
   * the unhandled-error report) to deal with.
   *
   * @default false
   */
  readonly consumeErrors?: boolean;
}

/**
 * The outcome of one member of a `DeferredList`: `[true, value]` when it
 * succeeded, `[false, failure]` when it failed. Mirrors the
 * `(success, result)` pairs of Twisted's `DeferredList`.
 *
 * @typeParam V The member's result type.
 *
 * @example Narrowing an entry
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DeferredListEntry } from "@torsion/torsion/deferred";
 * function describe(entry: DeferredListEntry<number>): string {
 *   const [ok, value] = entry;
 *   return ok ? `got ${value + 1}` : `failed: ${value.getErrorMessage()}`;
 * }
 * assert.equal(describe([true, 1]), "got 2");
 * ```
 */
export type DeferredListEntry<V> =
  | [success: true, value: V]
  | [success: false, failure: Failure];

/**
 * The result types of a list of Deferreds, position by position:
 * `[Deferred<number>, Deferred<string>]` gives `[number, string]`.
 *
 * @typeParam D The Deferreds, as a tuple or an array type.
 *
 * @example Result types of a tuple
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Deferred, DeferredValues } from "@torsion/torsion/deferred";
 * const values: DeferredValues<[Deferred<number>, Deferred<string>]> = [1, "a"];
 * assert.equal(values.length, 2);
 * ```
 */
export type DeferredValues<D extends readonly Deferred<unknown>[]> = {
  -readonly [K in keyof D]: D[K] extends Deferred<infer V> ? V : never;
};

/**
 * What a `DeferredList` over `D` fires with under options `O`: one
 * {@linkcode DeferredListEntry} per member in input order, or
 * `[value, index]` of the first success when `fireOnOneCallback` is set
 * (either shape when it is a plain `boolean`).
 *
 * @typeParam D The Deferreds, as a tuple or an array type.
 * @typeParam O The options' type.
 *
 * @example Typing a list's result
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Deferred, DeferredListResult } from "@torsion/torsion/deferred";
 * type Members = [Deferred<number>];
 * const first: DeferredListResult<Members, { fireOnOneCallback: true }> = [7, 0];
 * const all: DeferredListResult<Members, {}> = [[true, 7]];
 * assert.equal(first[0], all[0][1]);
 * ```
 */
export type DeferredListResult<
  D extends readonly Deferred<unknown>[],
  O extends DeferredListOptions,
> = [
  "fireOnOneCallback" extends keyof O ? O["fireOnOneCallback"] : false,
] extends [true] ? [value: DeferredValues<D>[number], index: number]
  : true extends
    ("fireOnOneCallback" extends keyof O ? O["fireOnOneCallback"] : false) ?
      | [value: DeferredValues<D>[number], index: number]
      | DeferredListEntries<D>
  : DeferredListEntries<D>;

/**
 * One {@linkcode DeferredListEntry} per Deferred of `D`, position by
 * position.
 *
 * @typeParam D The Deferreds, as a tuple or an array type.
 *
 * @example Entries of a tuple
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Deferred, DeferredListEntries } from "@torsion/torsion/deferred";
 * const entries: DeferredListEntries<[Deferred<string>]> = [[true, "ok"]];
 * assert.equal(entries[0][0], true);
 * ```
 */
export type DeferredListEntries<D extends readonly Deferred<unknown>[]> = {
  -readonly [K in keyof D]: DeferredListEntry<
    D[K] extends Deferred<infer V> ? V : never
  >;
};

/**
 * A Deferred that fires when the Deferreds it watches have fired. Mirrors
 * Twisted's `DeferredList`.
 *
 * By default it waits for every member and fires with one
 * `[success, valueOrFailure]` entry per member, in input order, whatever
 * order they fired in; it never errbacks. `fireOnOneCallback` makes it fire
 * with `[value, index]` on the first success, `fireOnOneErrback` makes it
 * errback with a `FirstError` on the first failure. An empty list fires at
 * once with `[]` (unless `fireOnOneCallback` is set).
 *
 * A `DeferredList` adds one callback/errback pair to each member; by default
 * a member's failure stays in the member's chain (and is reported as
 * unhandled if nothing else handles it). Set `consumeErrors` when the list
 * is where failures are dealt with. Cancelling the list cancels every
 * member.
 *
 * @typeParam D The member Deferreds, as a tuple or an array type.
 * @typeParam O The options' type.
 *
 * @example Waiting for everything, successes and failures alike
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeferredList, fail, succeed } from "@torsion/torsion/deferred";
 * const list = new DeferredList([succeed(1), fail(new Error("no"))], {
 *   consumeErrors: true,
 * });
 * const [[ok1, one], [ok2, failure]] = await list;
 * assert.equal(ok1, true);
 * assert.equal(one, 1);
 * assert.equal(ok2, false);
 * assert.equal(failure.getErrorMessage(), "no");
 * ```
 */
export class DeferredList<
  const D extends readonly Deferred<unknown>[],
  const O extends DeferredListOptions = Record<never, never>,
> extends Deferred<DeferredListResult<D, O>> {
  readonly #deferreds: Deferred<unknown>[];
  readonly #results: DeferredListEntry<unknown>[];
  readonly #fireOnOneCallback: boolean;
  readonly #fireOnOneErrback: boolean;
  readonly #consumeErrors: boolean;
  #finished = 0;

  /**
   * Starts watching `deferreds`.
   *
   * @param deferreds The Deferreds to wait for.
   * @param options When to fire and whether to handle the members' errors.
   * @throws {TypeError} A member is not a Deferred.
   */
  constructor(deferreds: D, options?: O) {
    super();
    this.#deferreds = copyDeferreds(deferreds, "watch a DeferredList member");
    this.#results = new Array(this.#deferreds.length);
    this.#fireOnOneCallback = options?.fireOnOneCallback ?? false;
    this.#fireOnOneErrback = options?.fireOnOneErrback ?? false;
    this.#consumeErrors = options?.consumeErrors ?? false;
    if (this.#deferreds.length === 0 && !this.#fireOnOneCallback) {
      this.callback([] as unknown as DeferredListResult<D, O>);
    }
    // One function for every member, told which by its arguments: a list
    // of thousands of members then holds no closures.
    const members = this.#deferreds;
    for (let index = 0; index < members.length; index++) {
      members[index].addBoth(DeferredList.#memberSettled, this, index);
    }
  }

  static #memberSettled(
    result: unknown,
    list: DeferredList<readonly Deferred<unknown>[], DeferredListOptions>,
    index: number,
  ): unknown {
    return list.#memberFired(index, !(result instanceof Failure), result);
  }

  /**
   * Cancels every member that has not fired, which usually fires the list.
   * Exceptions from the members' cancellers are logged, not raised. On a
   * list that has fired it does what `Deferred.cancel` does. Mirrors
   * `DeferredList.cancel`.
   *
   * @example Cancelling every member
   * ```ts
   * import assert from "node:assert/strict";
   * import { CancelledError, Deferred, DeferredList } from "@torsion/torsion/deferred";
   * const list = new DeferredList([new Deferred<number>()], { consumeErrors: true });
   * list.cancel();
   * const [[ok, failure]] = await list;
   * assert.equal(ok, false);
   * assert.equal(failure.check(CancelledError), CancelledError);
   * ```
   */
  override cancel(): void {
    if (this.called) {
      super.cancel();
      return;
    }
    for (const deferred of this.#deferreds) {
      try {
        deferred.cancel();
      } catch (error) {
        logError(
          ["torsion", "deferred"],
          `Exception raised from user supplied canceller:\n${
            Failure.from(error).getTraceback()
          }`,
          error,
        );
      }
    }
  }

  #memberFired(index: number, succeeded: boolean, result: unknown): unknown {
    this.#results[index] = [succeeded, result] as DeferredListEntry<unknown>;
    this.#finished++;
    if (!this.called) {
      if (succeeded && this.#fireOnOneCallback) {
        this.callback([result, index] as DeferredListResult<D, O>);
      } else if (!succeeded && this.#fireOnOneErrback) {
        this.errback(new Failure(new FirstError(result as Failure, index)));
      } else if (this.#finished === this.#results.length) {
        this.callback(this.#results as DeferredListResult<D, O>);
      }
    }
    if (!succeeded && this.#consumeErrors) return null;
    return result;
  }
}

/**
 * Options of {@linkcode gatherResults}.
 *
 * @example Consuming the members' errors
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail, gatherResults, FirstError } from "@torsion/torsion/deferred";
 * const member = fail(new Error("x"));
 * const all = gatherResults([member], { consumeErrors: true });
 * await assert.rejects(all.asPromise(), FirstError);
 * assert.equal(await member, null); // handled: no "Unhandled error in Deferred" report
 * ```
 */
export interface GatherResultsOptions {
  /**
   * Handle the members' failures, as `DeferredList`'s `consumeErrors`.
   *
   * @default false
   */
  readonly consumeErrors?: boolean;
}

/**
 * A Deferred of all the members' results, in input order, or of the first
 * failure. Mirrors Twisted's `gatherResults`: the `Promise.all` of
 * Deferreds.
 *
 * @typeParam D The member Deferreds, as a tuple or an array type.
 * @param deferreds The Deferreds to wait for.
 * @param options Whether to handle the members' errors.
 * @returns A Deferred of the results; it errbacks with a `FirstError`
 *   holding the first member failure and its index. Cancelling it cancels
 *   every member.
 * @throws {TypeError} A member is not a Deferred.
 *
 * @example Waiting for every result
 * ```ts
 * import assert from "node:assert/strict";
 * import { gatherResults, succeed } from "@torsion/torsion/deferred";
 * const [one, two] = await gatherResults([succeed(1), succeed("two")]);
 * assert.equal(one, 1);
 * assert.equal(two, "two");
 * ```
 */
export function gatherResults<const D extends readonly Deferred<unknown>[]>(
  deferreds: D,
  options?: GatherResultsOptions,
): Deferred<DeferredValues<D>> {
  const list = new DeferredList(deferreds, {
    fireOnOneErrback: true,
    consumeErrors: options?.consumeErrors ?? false,
  });
  return list.addCallback((entries) =>
    entries.map((entry) => entry[1]) as DeferredValues<D>
  );
}

/**
 * A Deferred of the first member to succeed, as `[index, value]`; the other
 * members are cancelled then. Mirrors Twisted's `race` (Twisted 23.8).
 *
 * Failures do not end the race: it errbacks with a `FailureGroup` of every
 * member's Failure, in input order, only when all of them have failed.
 * Cancelling the race cancels every member (and so usually errbacks it with
 * a `FailureGroup` of `CancelledError`s). The members' failures are handled
 * by the race; an empty race never fires.
 *
 * @typeParam D The member Deferreds, as a tuple or an array type.
 * @param deferreds The Deferreds that compete.
 * @returns A Deferred of `[index, value]` of the winner.
 * @throws {TypeError} A member is not a Deferred.
 *
 * @example Taking the first answer
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, race } from "@torsion/torsion/deferred";
 * const slow = new Deferred<string>();
 * const fast = new Deferred<string>();
 * const first = race([slow, fast]);
 * slow.addErrback(() => undefined);
 * fast.callback("fast"); // slow is cancelled
 * assert.deepEqual(await first, [1, "fast"]);
 * ```
 */
export function race<const D extends readonly Deferred<unknown>[]>(
  deferreds: D,
): Deferred<[index: number, value: DeferredValues<D>[number]]> {
  type Winner = [index: number, value: DeferredValues<D>[number]];
  const members = copyDeferreds(deferreds, "race a value");
  let winner: Deferred<unknown> | null = null;
  const failures: Failure[] = new Array(members.length);
  let failed = 0;
  const result = new Deferred<Winner>(() => {
    for (const member of members) member.cancel();
  });
  members.forEach((member, index) => {
    member.addCallbacks(
      (value: unknown): undefined => {
        // A canceller may fire its Deferred with a success: only the first
        // success counts.
        if (winner !== null) return;
        winner = member;
        for (const other of members) {
          if (other !== winner) other.cancel();
        }
        if (!result.called) result.callback([index, value] as Winner);
      },
      (failure: Failure): undefined => {
        failures[index] = failure;
        failed++;
        if (failed === members.length && !result.called) {
          result.errback(new Failure(new FailureGroup(failures)));
        }
      },
    );
  });
  return result;
}

/**
 * A copy of `deferreds`, so later changes to the caller's array do not
 * matter, checked to hold only Deferreds.
 */
function copyDeferreds(
  deferreds: readonly Deferred<unknown>[],
  action: string,
): Deferred<unknown>[] {
  const copy = [...deferreds];
  copy.forEach((deferred, index) => {
    if (!(deferred instanceof Deferred)) {
      throw new TypeError(
        `Cannot ${action} that is not a Deferred: current value at index ${index} is ${
          describeValue(deferred)
        }`,
      );
    }
  });
  return copy;
}
