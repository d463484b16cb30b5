/**
 * The fulfilled Promise that handler methods done before they return hand
 * back, shared so such a call allocates no Promise and its caller can skip
 * waiting on it.
 *
 * @module
 */

/** A Promise already fulfilled with nothing; shared, never rejected. */
export const SETTLED: Promise<void> = Promise.resolve();
