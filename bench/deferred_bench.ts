/**
 * Deferred chains against native Promises and async functions.
 *
 * Run with `deno bench bench/deferred_bench.ts`.
 *
 * @module
 */
import {
  Deferred,
  inlineCallbacks,
  type InlineCallbacksGenerator,
  succeed,
} from "../deferred/mod.ts";

const STEPS = 10;

function increment(n: number): number {
  return n + 1;
}

let last = 0;

function store(n: number): void {
  last = n;
}

Deno.bench({
  name: "Deferred: 10 callbacks, fired",
  group: "10-step chain",
  baseline: true,
  fn(): void {
    const d = new Deferred<number>();
    for (let i = 0; i < STEPS; i++) d.addCallback(increment);
    d.addCallback(store);
    d.callback(0);
    if (last !== STEPS) throw new Error(`Wrong result: ${last}`);
  },
});

Deno.bench({
  name: "Promise: 10 .then() steps",
  group: "10-step chain",
  async fn(): Promise<void> {
    let p = Promise.resolve(0);
    for (let i = 0; i < STEPS; i++) p = p.then(increment);
    const result = await p;
    if (result !== STEPS) throw new Error(`Wrong result: ${result}`);
  },
});

Deno.bench({
  name: "async function: 10 awaited steps",
  group: "10-step chain",
  async fn(): Promise<void> {
    let n = 0;
    for (let i = 0; i < STEPS; i++) n = await increment(n);
    if (n !== STEPS) throw new Error(`Wrong result: ${n}`);
  },
});

// Ten closures made afresh for each chain, as real callbacks are (a method
// bound to its caller, a lambda over a request), so that the engine cannot
// treat the chain as one shared function called ten times.
function freshClosures(offset: number): ((n: number) => number)[] {
  const steps: ((n: number) => number)[] = [];
  for (let i = 0; i < STEPS; i++) steps.push((n) => n + 1 + offset * i);
  return steps;
}

Deno.bench({
  name: "Plain calls: 10 fresh closures",
  group: "10 fresh closures",
  baseline: true,
  fn(): void {
    const steps = freshClosures(0);
    let n = 0;
    for (const step of steps) n = step(n);
    store(n);
    if (last !== STEPS) throw new Error(`Wrong result: ${last}`);
  },
});

Deno.bench({
  name: "Deferred: 10 fresh closures, fired",
  group: "10 fresh closures",
  fn(): void {
    const steps = freshClosures(0);
    const d = new Deferred<number>();
    for (const step of steps) d.addCallback(step);
    d.addCallback(store);
    d.callback(0);
    if (last !== STEPS) throw new Error(`Wrong result: ${last}`);
  },
});

// What any callback list pays, Deferred or not: the closures pushed to an
// array and called from one loop inside a try block. That one call site sees
// every callback (here the closures and `store`), so V8 cannot inline them
// as it does the plain calls above, which call `store` from a site of its own.
type Step = (result: unknown) => unknown;

function runList(links: Step[]): void {
  let result: unknown = 0;
  let next = 0;
  for (;;) {
    try {
      while (next < links.length) result = links[next++](result);
      break;
    } catch (error) {
      result = error;
    }
  }
}

// A Deferred must also look at each result: a Failure switches to the
// errbacks, a Deferred or a Promise makes the chain wait.
function runCheckedList(links: Step[]): void {
  let result: unknown = 0;
  let next = 0;
  for (;;) {
    try {
      while (next < links.length) {
        result = links[next++](result);
        if (
          result !== null &&
          (typeof result === "object" || typeof result === "function")
        ) break;
      }
      break;
    } catch (error) {
      result = error;
    }
  }
}

function listOfFreshClosures(): Step[] {
  const links: Step[] = [];
  for (const step of freshClosures(0)) links.push(step as Step);
  links.push(store as Step);
  return links;
}

Deno.bench({
  name: "Floor: 10 fresh closures in an array, called in a try loop",
  group: "10 fresh closures",
  fn(): void {
    runList(listOfFreshClosures());
    if (last !== STEPS) throw new Error(`Wrong result: ${last}`);
  },
});

Deno.bench({
  name: "Floor: 10 fresh closures in an array, each result tested",
  group: "10 fresh closures",
  fn(): void {
    runCheckedList(listOfFreshClosures());
    if (last !== STEPS) throw new Error(`Wrong result: ${last}`);
  },
});

Deno.bench({
  name: "Promise: 10 .then() of fresh closures",
  group: "10 fresh closures",
  async fn(): Promise<void> {
    const steps = freshClosures(0);
    let p = Promise.resolve(0);
    for (const step of steps) p = p.then(step);
    const result = await p;
    if (result !== STEPS) throw new Error(`Wrong result: ${result}`);
  },
});

const tenYields = inlineCallbacks(function* (): InlineCallbacksGenerator<
  number
> {
  let n = 0;
  for (let i = 0; i < STEPS; i++) n = (yield succeed(n + 1)) as number;
  return n;
});

Deno.bench({
  name: "inlineCallbacks: 10 yields of fired Deferreds",
  group: "10 waits",
  baseline: true,
  fn(): void {
    tenYields().addCallback(store);
    if (last !== STEPS) throw new Error(`Wrong result: ${last}`);
  },
});

async function tenAwaits(): Promise<number> {
  let n = 0;
  for (let i = 0; i < STEPS; i++) n = await Promise.resolve(n + 1);
  return n;
}

Deno.bench({
  name: "async function: 10 awaits of resolved Promises",
  group: "10 waits",
  async fn(): Promise<void> {
    const result = await tenAwaits();
    if (result !== STEPS) throw new Error(`Wrong result: ${result}`);
  },
});

Deno.bench({
  name: "Deferred: 1,000,000 callbacks, fired",
  group: "1,000,000 callbacks",
  n: 20,
  warmup: 2,
  fn(): void {
    const d = new Deferred<number>();
    for (let i = 0; i < 1_000_000; i++) d.addCallback(increment);
    d.addCallback(store);
    d.callback(0);
    if (last !== 1_000_000) throw new Error(`Wrong result: ${last}`);
  },
});
