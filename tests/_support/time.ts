/**
 * Waiting in tests, always bounded: a pause, a deadline on a promise, and a
 * poll for a condition, so that a broken test ends instead of hanging.
 *
 * @module
 */

/** Resolves after `ms` milliseconds (`0`: after one macrotask turn). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for `promise`, failing after `ms` so that a broken test ends
 * instead of hanging; the timer is cleared either way.
 */
export async function within<T>(
  promise: PromiseLike<T>,
  what: string,
  ms = 5000,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every few milliseconds until it holds, within `ms`. */
export async function until(
  condition: () => boolean,
  what: string,
  ms = 5000,
): Promise<void> {
  let expired = false;
  try {
    await within(
      (async () => {
        while (!expired && !condition()) await sleep(5);
      })(),
      what,
      ms,
    );
  } finally {
    expired = true;
  }
}
