/**
 * `AbortSignal` support for the one-call faces (`getPage`,
 * `AsyncHTTPClient.fetch`): aborting the signal is cancelling the request's
 * Deferred, as std's `delay` and `deadline` take a signal where Twisted
 * takes a canceller.
 *
 * @module
 */
import { type Deferred, fail } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";

/** The error of a request whose signal was aborted before it started. */
export function abortedError(
  what: string,
  signal: AbortSignal,
): CancelledError {
  const reason = signal.reason instanceof Error
    ? signal.reason.message
    : String(signal.reason);
  return new CancelledError(`${what} was aborted by its signal: ${reason}`);
}

/**
 * Cancels `deferred` when `signal` aborts. The listener is removed as soon
 * as `deferred` fires, so a long-lived signal shared by many requests does
 * not keep them alive.
 *
 * @returns `deferred` itself.
 */
export function cancelOnAbort<T>(
  deferred: Deferred<T>,
  signal: AbortSignal | undefined,
): Deferred<T> {
  if (signal === undefined || deferred.called) return deferred;
  const onAbort = (): void => deferred.cancel();
  signal.addEventListener("abort", onAbort, { once: true });
  return deferred.addBoth((outcome: unknown) => {
    signal.removeEventListener("abort", onAbort);
    return outcome;
  }) as Deferred<T>;
}

/** A Deferred already failed with the `CancelledError` of an aborted signal. */
export function abortedDeferred<T>(
  what: string,
  signal: AbortSignal,
): Deferred<T> {
  return fail<T>(abortedError(what, signal));
}
