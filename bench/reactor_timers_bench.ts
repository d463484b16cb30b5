/**
 * The reactor's timer heap against raw Deno timers: 100,000 calls scheduled
 * and fired, and 100,000 scheduled then cancelled. The reactor drives all
 * its calls from one Deno timer, so it should be no slower than one
 * `setTimeout` per call.
 *
 * Run with `deno bench --allow-all bench/reactor_timers_bench.ts`.
 *
 * @module
 */
import { Reactor } from "../reactor/reactor.ts";
import type { IDelayedCall } from "../reactor/interfaces.ts";

const CALLS = 100_000;

const reactor = new Reactor();

function firedAll(schedule: (done: () => void) => void): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  let fired = 0;
  const done = (): void => {
    if (++fired === CALLS) resolve();
  };
  schedule(done);
  return promise;
}

Deno.bench({
  name: "reactor.callLater(0): 100,000 scheduled and fired",
  group: "timers: 100,000 scheduled and fired",
  baseline: true,
  async fn(): Promise<void> {
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) reactor.callLater(0, done);
    });
  },
});

Deno.bench({
  name: "setTimeout(0): 100,000 scheduled and fired",
  group: "timers: 100,000 scheduled and fired",
  async fn(): Promise<void> {
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) setTimeout(done, 0);
    });
  },
});

Deno.bench({
  name: "reactor.callLater(1..100 ms): 100,000 scheduled and fired",
  group: "timers: 100,000 spread over 100 ms, fired",
  baseline: true,
  async fn(): Promise<void> {
    const keepAlive = setInterval(() => {}, 1000);
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) {
        reactor.callLater((1 + (i % 100)) / 1000, done);
      }
    });
    clearInterval(keepAlive);
  },
});

Deno.bench({
  name: "setTimeout(1..100 ms): 100,000 scheduled and fired",
  group: "timers: 100,000 spread over 100 ms, fired",
  async fn(): Promise<void> {
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) setTimeout(done, 1 + (i % 100));
    });
  },
});

const calls: IDelayedCall[] = new Array(CALLS);
const timers: ReturnType<typeof setTimeout>[] = new Array(CALLS);

function noop(): void {}

Deno.bench({
  name: "reactor.callLater(1 s) then cancel(): 100,000",
  group: "timers: 100,000 scheduled then cancelled",
  baseline: true,
  fn(): void {
    for (let i = 0; i < CALLS; i++) calls[i] = reactor.callLater(1, noop);
    for (let i = 0; i < CALLS; i++) calls[i].cancel();
  },
});

Deno.bench({
  name: "setTimeout(1 s) then clearTimeout(): 100,000",
  group: "timers: 100,000 scheduled then cancelled",
  fn(): void {
    for (let i = 0; i < CALLS; i++) timers[i] = setTimeout(noop, 1000);
    for (let i = 0; i < CALLS; i++) clearTimeout(timers[i]);
  },
});
