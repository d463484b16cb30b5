import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

const COUNT = 2_000_000;

let cached: Promise<string> | undefined;

/** Runs the example once; every test reads the same output. */
function runExecutorExample(): Promise<string> {
  cached ??= runOnce();
  return cached;
}

async function runOnce(): Promise<string> {
  const { code, stdout, stderr } = await runExample(
    "executor.ts",
    ["--count", String(COUNT)],
    ["--allow-read"],
  );
  assert.equal(code, 0, stderr);
  return stdout;
}

Deno.test("examples/executor.ts given seed 002's submit program when run then prints the five squares after shutdown", async () => {
  const stdout = await runExecutorExample();
  const lines = stdout.split("\n");
  const main = lines.indexOf("main thread");
  assert.ok(main > 0, stdout);
  assert.deepEqual(lines.slice(main + 1, main + 6), [
    ">>>> 0",
    ">>>> 1",
    ">>>> 4",
    ">>>> 9",
    ">>>> 16",
  ]);
  assert.equal(
    lines.slice(0, main).filter((line) => / printed: \d$/.test(line)).length,
    5,
  );
});

Deno.test("examples/executor.ts given seed 002's map program when run then prints the squares in input order", async () => {
  const stdout = await runExecutorExample();
  assert.match(stdout, /^\[ 1, 4, 9, 16 \]$/m);
  assert.equal(stdout.match(/ is running$/gm)?.length, 4);
});

Deno.test("examples/executor.ts given seed 002's done-callback program when run then prints each result from its callback", async () => {
  const stdout = await runExecutorExample();
  const results = [...stdout.matchAll(/^result is: (\d+)$/gm)].map((m) =>
    Number(m[1])
  );
  assert.deepEqual(results.sort((a, b) => a - b), [0, 1, 4, 9, 16]);
});

Deno.test("examples/executor.ts given seed 003's CPU-bound sum when run then prints its time on 1 worker and on every core", async () => {
  const stdout = await runExecutorExample();
  assert.equal(
    stdout.match(new RegExp(`^${COUNT}$`, "gm"))?.length,
    8,
    "four tasks counted, twice",
  );
  assert.equal(
    stdout.match(/^<Future state=finished returned number> 10[0-3]$/gm)
      ?.length,
    8,
  );
  assert.match(stdout, /^4 x calc on 1 worker: \d+\.\d\d s$/m);
  assert.match(
    stdout,
    new RegExp(
      `^4 x calc on ${navigator.hardwareConcurrency} workers: \\d+\\.\\d\\d s$`,
      "m",
    ),
  );
});

Deno.test("examples/executor.ts given deferToThread when run then prints the Deferred's result", async () => {
  const stdout = await runExecutorExample();
  assert.match(stdout, /^deferToThread fired with 7$/m);
});

Deno.test("examples/executor.ts given a negative --count when run then exits with the value it refused", async () => {
  const { code, stderr } = await runExample(
    "executor.ts",
    ["--count=-1"],
    ["--allow-read"],
  );
  assert.notEqual(code, 0);
  assert.match(
    stderr,
    /--count must be a non-negative integer: current value is -1/,
  );
});
