// deno-lint-ignore-file no-console
/**
 * The task module of `examples/executor.ts`: the functions the seed
 * programs hand to `ThreadPoolExecutor` / `ProcessPoolExecutor`. Workers
 * import this module; the example only imports its type.
 *
 * @module
 */

/** The name the pool gave the worker running this code (Python's thread ident). */
function workerName(): string {
  return (globalThis as { name?: string }).name ?? "main";
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

/** Seed 002, 1.1 and 1.3: wait, print, return the square. */
export async function func(n: number): Promise<number> {
  await sleep(0.5);
  console.log(`${workerName()} printed: ${n}`);
  return n * n;
}

/** Seed 002, 1.2: print, wait 0.1 to 0.3 seconds, return the square. */
export async function task(n: number): Promise<number> {
  console.log(`${workerName()} is running`);
  await sleep((1 + Math.floor(Math.random() * 3)) / 10);
  return n ** 2;
}

/**
 * Seed 003: CPU-bound counting. The seed counts to 10,000,000 in CPython;
 * V8 is faster, so the example counts further to make the time visible.
 */
export function calc(ret: number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += 1;
  console.log(sum);
  return ret;
}
