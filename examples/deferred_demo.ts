// deno-lint-ignore-file no-console
/**
 * A tour of the Deferred layer: a callback chain, an `inlineCallbacks`
 * program waiting on timers, a `DeferredList` summary, and `deferLater`
 * driven by a `Clock`.
 *
 * Run with `deno run examples/deferred_demo.ts`.
 *
 * @module
 */
import {
  CancelledError,
  deferLater,
  Deferred,
  DeferredList,
  type Failure,
  inlineCallbacks,
  type InlineCallbacksGenerator,
  wait,
} from "../deferred/mod.ts";
import { Clock } from "../testing/mod.ts";

/** A Deferred fired with `value` after `ms` milliseconds; cancelling it clears the timer. */
function sleep<T>(ms: number, value: T): Deferred<T> {
  const d = new Deferred<T>(() => clearTimeout(timer));
  const timer = setTimeout(() => d.callback(value), ms);
  return d;
}

/** A Deferred that fails with `message` after `ms` milliseconds. */
function failLater(ms: number, message: string): Deferred<never> {
  const d = new Deferred<never>(() => clearTimeout(timer));
  const timer = setTimeout(() => d.errback(new Error(message)), ms);
  return d;
}

// 1. A chain runs synchronously the moment the Deferred fires.
const chain = new Deferred<number>();
chain
  .addCallback((n) => n * 2)
  .addCallback((n) => {
    if (n > 40) throw new RangeError(`${n} is too big`);
    return n;
  })
  .addErrback((failure: Failure) => {
    console.log(`errback caught: ${failure.getErrorMessage()}`);
    return 0;
  })
  .addCallback((n) => console.log(`chain finished with ${n}`));
chain.callback(21);

// 2. inlineCallbacks: sequential code over Deferreds fired by timers.
interface Profile {
  id: number;
  name: string;
  karma: number;
}

const lookUp = inlineCallbacks(function* (
  name: string,
): InlineCallbacksGenerator<Profile> {
  const id = yield* wait(sleep(20, name.length));
  console.log(`looked up ${name}: id ${id}`);
  const profile = yield* wait(sleep(20, { id, name, karma: id * 7 }));
  try {
    yield failLater(10, "avatar service is down");
  } catch (error) {
    console.log(`recovered from: ${(error as Error).message}`);
  }
  return profile;
});

const profile = await lookUp("glyph");
console.log(`profile: ${JSON.stringify(profile)}`);

// 3. DeferredList: wait for everything, successes and failures alike.
const entries = await new DeferredList([
  sleep(10, "alpha"),
  failLater(15, "beta broke"),
  sleep(5, "gamma"),
], { consumeErrors: true });
for (const [index, [ok, value]] of entries.entries()) {
  const text = ok
    ? `ok ${JSON.stringify(value)}`
    : `failed: ${(value as Failure).getErrorMessage()}`;
  console.log(`member ${index}: ${text}`);
}
const succeeded = entries.filter(([ok]) => ok).length;
console.log(`summary: ${succeeded} of ${entries.length} succeeded`);

// 4. Cancelling stops the work: the canceller clears the timer.
const slow = sleep(60_000, "never needed");
slow.addErrback((failure: Failure) => {
  failure.trap(CancelledError);
  console.log("slow request cancelled");
});
slow.cancel();

// 5. deferLater on a Clock, where time moves only when told to.
const clock = new Clock();
deferLater(clock, 5, (who: string) => `hello ${who}`, "later")
  .addCallback((greeting) => console.log(`deferLater after 5 s: ${greeting}`));
clock.advance(5);
