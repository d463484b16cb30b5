/**
 * The Deferred layer: `Deferred`, `Failure`, `DeferredList`,
 * `inlineCallbacks` and the coordination primitives of
 * `twisted.internet.defer`, with Twisted's semantics. It does no I/O: time
 * comes from whatever `IReactorTime` you pass (the reactor, or a `Clock` in
 * tests).
 *
 * @example Waiting for a Deferred in a generator
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, inlineCallbacks, wait } from "@torsion/torsion/deferred";
 * const d = new Deferred<number>();
 * const program = inlineCallbacks(function* () {
 *   const n = yield* wait(d);
 *   return n + 1;
 * });
 * const result = program(); // waits at the yield until d fires
 * d.callback(1);
 * assert.equal(await result, 2);
 * ```
 *
 * @module
 */
export {
  type Canceller,
  Deferred,
  fail,
  maybeDeferred,
  succeed,
} from "./deferred.ts";
export { type ErrorClass, Failure } from "./failure.ts";
export {
  AlreadyCalledError,
  CancelledError,
  FailureGroup,
  FirstError,
  QueueOverflow,
  QueueUnderflow,
  TimeoutError,
} from "./errors.ts";
export {
  DeferredList,
  type DeferredListEntries,
  type DeferredListEntry,
  type DeferredListOptions,
  type DeferredListResult,
  type DeferredValues,
  gatherResults,
  type GatherResultsOptions,
  race,
} from "./deferred_list.ts";
export {
  inlineCallbacks,
  type InlineCallbacksGenerator,
  wait,
} from "./inline_callbacks.ts";
export { ensureDeferred } from "./ensure_deferred.ts";
export { DeferredLock, DeferredSemaphore } from "./deferred_lock.ts";
export { DeferredQueue } from "./deferred_queue.ts";
export { deferLater } from "./defer_later.ts";
export { getDebugging, setDebugging } from "./_debug_info.ts";
export type { IDelayedCall, IReactorTime } from "./interfaces.ts";
