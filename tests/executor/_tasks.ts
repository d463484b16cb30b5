/**
 * Tasks for the executor tests. Workers import this module; the tests only
 * import its type.
 *
 * @module
 */

/** Not a task: a constant, to check that only functions are task names. */
export const VERSION = "1";

/** Squares a number. */
export function square(n: number): number {
  return n * n;
}

/** Adds two numbers. */
export function add(a: number, b: number): number {
  return a + b;
}

/** Resolves with `value` after `ms` milliseconds. */
export function sleep<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

/** Resolves with `ms` after `ms` milliseconds. */
export function napFor(ms: number): Promise<number> {
  return sleep(ms, ms);
}

/** After `ms` milliseconds, returns `ms` and the time it finished. */
export async function finishedAt(ms: number): Promise<[number, number]> {
  await sleep(ms, undefined);
  return [ms, performance.timeOrigin + performance.now()];
}

let ticks = 0;

/** Counts the calls this worker ran, after `ms` milliseconds; returns the count. */
export async function tick(ms: number): Promise<number> {
  await sleep(ms, undefined);
  return ++ticks;
}

/** Returns its argument. */
export function echo<T>(value: T): T {
  return value;
}

/** Squares `n` after `ms` milliseconds. */
export async function slowSquare(n: number, ms = 0): Promise<number> {
  await sleep(ms, undefined);
  return n * n;
}

/** The name of the worker running the task, tagged with `item`. */
export function whereIs(item: number): string {
  return `${(globalThis as { name?: string }).name}:${item}`;
}

/** Throws a RangeError. */
export function throwRange(message: string): never {
  throw new RangeError(message);
}

/** An error class that exists only in the worker. */
export class ValidationError extends Error {
  /** A machine-readable code. */
  readonly code: string;

  /** Creates the error. */
  constructor(message: string, code: string) {
    super(message);
    this.name = "ValidationError";
    this.code = code;
  }
}

/** Throws a ValidationError. */
export function validate(age: number): number {
  if (age < 0) {
    throw new ValidationError(
      `Age must not be negative: current value is ${age}`,
      "E_AGE",
    );
  }
  return age;
}

/** Throws something that is not an Error. */
export function throwString(): never {
  throw "plain string";
}

/** Returns a value structured clone rejects. */
export function returnFunction(): () => number {
  return () => 1;
}

/** Closes its own worker. */
export function closeWorker(): Promise<never> {
  close();
  return new Promise(() => {});
}

/** Exits its own worker. */
export function exitWorker(code: number): never {
  Deno.exit(code);
}

/** Throws from a timer, after the task has started waiting. */
export function throwLater(message: string): Promise<never> {
  setTimeout(() => {
    throw new Error(message);
  }, 0);
  return new Promise(() => {});
}

/** Leaves a rejected Promise unhandled. */
export function rejectUnhandled(message: string): Promise<never> {
  Promise.reject(new Error(message));
  return new Promise(() => {});
}

/** Never returns, and never yields to the event loop. */
export function spin(): never {
  while (true) {
    // A hung task: only terminating the worker stops it.
  }
}

/** Counts to `n`, as the seed's CPU-bound `calc` does. */
export function count(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += 1;
  return sum;
}

/** Throws `Deno.errors.NotFound`, as a failed file read in a task would. */
export function throwNotFound(path: string): never {
  throw new Deno.errors.NotFound(`No such file: ${path}`);
}

/** Throws a TypeError caused by a ValidationError. */
export function throwWithCause(age: number): never {
  try {
    validate(age);
  } catch (cause) {
    throw new TypeError("Cannot register the user", { cause });
  }
  throw new TypeError(`Expected a negative age: current value is ${age}`);
}

/** Marks the object it received, and returns nothing. */
export function mark(target: { marked?: boolean }): void {
  target.marked = true;
}

/** Returns `value`, then closes its worker once the result is sent. */
export function closeAfterReturning<T>(value: T): T {
  setTimeout(() => close(), 0);
  return value;
}
