import assert from "node:assert/strict";
import {
  afterWarmUp,
  CHAIN_ROUNDS,
  medianChainRate,
  parsePeerArgs,
  type Sizes,
  timed,
  type WorkloadResult,
} from "../../bench/peers/_common.ts";

Deno.test("parsePeerArgs given warmup=N when read then returns it with the other sizes", () => {
  const { sizes } = parsePeerArgs([
    "inflight",
    "http://127.0.0.1:1",
    "count=2000",
    "warmup=200",
  ]);
  assert.deepEqual(sizes, { count: 2000, warmup: 200 });
});

Deno.test("parsePeerArgs given an unknown size when read then throws a TypeError naming warmup among the known ones", () => {
  assert.throws(
    () => parsePeerArgs(["inflight", "http://127.0.0.1:1", "rounds=3"]),
    (error: unknown) =>
      error instanceof TypeError && /warmup=N/.test(error.message),
  );
});

Deno.test("afterWarmUp given a warmup size when run then runs the warm-up count first and measures the full sizes without it", async () => {
  const runs: Sizes[] = [];
  const result = await afterWarmUp((sizes) => {
    runs.push(sizes);
    return Promise.resolve(timed(sizes.count ?? 0));
  }, { count: 2000, concurrency: 50, warmup: 200 });
  assert.deepEqual(runs, [
    { count: 200, concurrency: 50 },
    { count: 2000, concurrency: 50 },
  ]);
  assert.equal(result.seconds, 2000);
});

Deno.test("afterWarmUp given no warmup size when run then runs the workload once", async () => {
  const runs: Sizes[] = [];
  await afterWarmUp((sizes): Promise<WorkloadResult> => {
    runs.push(sizes);
    return Promise.resolve(timed(1));
  }, { count: 20 });
  assert.deepEqual(runs, [{ count: 20 }]);
});

Deno.test("medianChainRate given three short rounds and two long ones when timed then reports a short round's rate", async () => {
  const pauses = [300, 1, 300, 1, 1];
  assert.equal(pauses.length, CHAIN_ROUNDS);
  let round = 0;
  const result = await medianChainRate(1000, () => {
    const until = performance.now() + pauses[round++];
    while (performance.now() < until) { /* a round of known length */ }
  });
  assert.equal(round, CHAIN_ROUNDS);
  assert.equal(result.unit, "chains/s");
  // The mean would be 120 ms and the slowest 300 ms: only the median is short.
  assert.ok(
    result.seconds >= 0.001 && result.seconds < 0.1,
    `median round ${result.seconds} s`,
  );
  assert.equal(result.value, 1000 / result.seconds);
});
