// deno-lint-ignore-file no-console
/**
 * The plain-Deno peer of bench/peers/run.ts: `fetch` for the HTTP
 * workloads, a Promise chain for the Deferred one, `setTimeout` for timers.
 *
 * Usage: deno run -A bench/peers/deno_peer.ts <workload> <base-url>
 *   [count=N] [concurrency=N] [ms=N] [warmup=N]
 * The sizes default to the full benchmark's. Prints one JSON line:
 * {"value", "unit", "seconds", "rss_mb"}.
 *
 * @module
 */
import {
  afterWarmUp,
  elapsed,
  emit,
  keepaliveRate,
  medianChainRate,
  parsePeerArgs,
  type Sizes,
  timed,
  type WorkloadResult,
} from "./_common.ts";

/** GETs `url` and returns the body's size. */
type Get = (url: string) => Promise<number>;

/**
 * Runs `work` with a `fetch` client of its own, closed afterwards: Deno's
 * global client keeps connections pooled, and the measured run must not
 * inherit the warm-up's, as no other system's does.
 */
async function withOwnClient(
  work: (get: Get) => Promise<WorkloadResult>,
): Promise<WorkloadResult> {
  using client = Deno.createHttpClient({});
  return await work(async (url) => {
    const response = await fetch(url, { client });
    return (await response.arrayBuffer()).byteLength;
  });
}

async function parallel(
  get: Get,
  url: string,
  count: number,
): Promise<WorkloadResult> {
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, () => get(url)));
  return timed(elapsed(start));
}

async function sequential(
  get: Get,
  url: string,
  count: number,
): Promise<WorkloadResult> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await get(url);
  return timed(elapsed(start));
}

async function chains(count: number): Promise<void> {
  const inc = (x: number): number => x + 1;
  for (let i = 0; i < count; i++) {
    let p: Promise<number> = Promise.resolve(0);
    for (let j = 0; j < 10; j++) p = p.then(inc);
    if ((await p) !== 10) throw new Error("Chain lost a step");
  }
}

async function chain(count: number): Promise<WorkloadResult> {
  return await medianChainRate(count, () => chains(count));
}

function timers(count: number): Promise<WorkloadResult> {
  return new Promise((resolve) => {
    let fired = 0;
    const start = performance.now();
    const tick = (): void => {
      if (++fired === count) resolve(timed(elapsed(start)));
    };
    for (let i = 0; i < count; i++) setTimeout(tick, i % 10);
  });
}

const WORKLOADS: Record<
  string,
  (base: string, sizes: Sizes) => Promise<WorkloadResult>
> = {
  keepalive: (base, { count = 5000, concurrency = 50 }) =>
    withOwnClient((get) =>
      keepaliveRate(count, concurrency, () => get(`${base}/1k`))
    ),
  delay: (base, { count = 20, ms = 500 }) =>
    withOwnClient((get) => parallel(get, `${base}/delay?ms=${ms}`, count)),
  "delay-sequential": (base, { count = 20, ms = 500 }) =>
    withOwnClient((get) => sequential(get, `${base}/delay?ms=${ms}`, count)),
  inflight: (base, { count = 2000 }) =>
    withOwnClient((get) => parallel(get, `${base}/1k`, count)),
  chain: (_base, { count = 100_000 }) => chain(count),
  timers: (_base, { count = 100_000 }) => timers(count),
};

const { workload, base, sizes } = parsePeerArgs(Deno.args);
const run = WORKLOADS[workload];
if (run === undefined) {
  console.error(`Unknown workload: ${workload}`);
  Deno.exit(2);
}
emit(await afterWarmUp((sized) => run(base, sized), sizes));
