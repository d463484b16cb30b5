// deno-lint-ignore-file no-console
/**
 * The concurrent.futures programs of the seed tutorials, on Torsion's
 * `WorkerPoolExecutor`: submitting five tasks and collecting the results,
 * `map`, `addDoneCallback`, then the CPU-bound sum on one worker and on
 * every core, and the same work through Twisted's `deferToThread`.
 *
 * ```sh
 * deno run --allow-read examples/executor.ts [--count 400000000]
 * ```
 *
 * Workers need read access to their own code and to the task module.
 * `--count` is how far each of the four CPU-bound tasks counts.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  deferToThread,
  type Future,
  shutdownDefaultPool,
  taskModule,
  WorkerPoolExecutor,
} from "../executor/mod.ts";

type Tasks = typeof import("./_tasks.ts");
const TASKS = new URL("./_tasks.ts", import.meta.url);

const { values } = parseArgs({
  args: Deno.args,
  options: { count: { type: "string", default: "400000000" } },
});
const COUNT = Number(values.count);
if (!Number.isInteger(COUNT) || COUNT < 0) {
  throw new TypeError(
    `--count must be a non-negative integer: current value is ${values.count}`,
  );
}

// 1.1 Simple use: submit five tasks, shut down, then read the results.
{
  const tpool = new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers: 5 });
  const futures: Future<number>[] = [];
  for (let i = 0; i < 5; i++) {
    futures.push(tpool.submit("func", i)); // a ticket for a result, not the result
  }
  await tpool.shutdown(); // close + join: waits for every task
  console.log("main thread");
  for (const future of futures) console.log(">>>>", await future.result());
}

// 1.2 map replaces the for + submit loop; results come back in input order.
{
  await using executor = new WorkerPoolExecutor<Tasks>(TASKS, {
    maxWorkers: 3,
  });
  const s = executor.map("task", [1, 2, 3, 4]);
  console.log(await Array.fromAsync(s));
}

// 1.3 A done callback receives the Future and reads its result.
{
  await using tpool = new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers: 5 });
  const callBack = async (m: Future<number>): Promise<void> => {
    console.log(`result is: ${await m.result()}`);
  };
  for (let i = 0; i < 5; i++) tpool.submit("func", i).addDoneCallback(callBack);
}

// Seed 003: CPU-bound work, on one worker and then on every core.
async function timeCalc(maxWorkers: number): Promise<number> {
  const start = performance.now();
  const fs: Future<number>[] = [];
  {
    await using executor = new WorkerPoolExecutor<Tasks>(TASKS, { maxWorkers });
    for (let i = 0; i < 4; i++) {
      // The Future is not the result yet, only the claim on it: asynchronous.
      fs.push(executor.submit("calc", i + 100, COUNT));
    }
  }
  for (const f of fs) console.log(String(f), await f.result());
  return (performance.now() - start) / 1000;
}

const oneWorker = await timeCalc(1);
const cores = navigator.hardwareConcurrency;
const allCores = await timeCalc(cores);
console.log(`4 x calc on 1 worker: ${oneWorker.toFixed(2)} s`);
console.log(`4 x calc on ${cores} workers: ${allCores.toFixed(2)} s`);

// Twisted's way: deferToThread returns a Deferred; the default pool needs no shutdown.
const tasks = taskModule<Tasks>(TASKS);
const d = deferToThread(tasks.calc, 7, 1_000_000);
d.addCallback((ret) => console.log(`deferToThread fired with ${ret}`));
await d;
await shutdownDefaultPool(); // optional: the default pool ends idle workers itself
