/**
 * Executor benchmarks: the round trip of a trivial task through a warm
 * worker (against a bare `postMessage` echo), and the throughput of 1,000
 * tiny tasks on `navigator.hardwareConcurrency` workers, one message per
 * task and in chunks.
 *
 * Run: deno bench --allow-read bench/executor_bench.ts
 *
 * @module
 */
import {
  deferToThread,
  taskModule,
  WorkerPoolExecutor,
} from "../executor/mod.ts";

type Tasks = { echo<T>(value: T): T };
const TASKS = "data:text/javascript,export const echo = (value) => value;";
const ITEMS = Array.from({ length: 1000 }, (_, i) => i);

// The pools live for the whole run: deno bench ends the process after the last
// bench, and idleTimeout would end their workers anyway.
const single = new WorkerPoolExecutor<Tasks>(TASKS, {
  maxWorkers: 1,
  idleTimeout: 1,
});
const wide = new WorkerPoolExecutor<Tasks>(TASKS, { idleTimeout: 1 });
await Promise.all([
  single.submit("echo", 0).result(),
  ...Array.from(
    { length: wide.maxWorkers },
    () => wide.submit("echo", 0).result(),
  ),
]);

const echoWorker = new Worker(
  "data:text/javascript,onmessage = (event) => postMessage(event.data);",
  { type: "module" },
);
function rawEcho(value: number): Promise<unknown> {
  return new Promise((resolve) => {
    echoWorker.onmessage = (event): void => resolve(event.data);
    echoWorker.postMessage(value);
  });
}
await rawEcho(0);

Deno.bench("raw Worker postMessage echo (baseline)", {
  group: "latency",
  baseline: true,
}, async () => {
  await rawEcho(1);
});

Deno.bench("submit() round trip of a trivial task, 1 warm worker", {
  group: "latency",
}, async () => {
  await single.submit("echo", 1).result();
});

const tasks = taskModule<Tasks>(TASKS);
Deno.bench(
  "deferToThread() round trip (default pool)",
  { group: "latency" },
  async () => {
    await deferToThread(tasks.echo, 1);
  },
);

Deno.bench(`1,000 tiny tasks via submit() on ${wide.maxWorkers} workers`, {
  group: "throughput",
  baseline: true,
}, async () => {
  await Promise.all(ITEMS.map((i) => wide.submit("echo", i).result()));
});

Deno.bench(`1,000 tiny tasks via map() on ${wide.maxWorkers} workers`, {
  group: "throughput",
}, async () => {
  await Array.fromAsync(wide.map("echo", ITEMS));
});

Deno.bench(
  `1,000 tiny tasks via map({ chunksize: 100 }) on ${wide.maxWorkers} workers`,
  { group: "throughput" },
  async () => {
    await Array.fromAsync(wide.map("echo", ITEMS, { chunksize: 100 }));
  },
);
