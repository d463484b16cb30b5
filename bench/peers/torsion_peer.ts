// deno-lint-ignore-file no-console
/**
 * The Torsion peer of bench/peers/run.ts (and the workloads of
 * bench/compare.ts), written as the Twisted and Tornado peers are: the
 * Twisted face with `Agent`, a persistent `HTTPConnectionPool`,
 * `inlineCallbacks` and `DeferredList`; the Tornado face with
 * `AsyncHTTPClient` (`maxClients` = the concurrency) and async/await.
 *
 * Usage: deno run -A bench/peers/torsion_peer.ts <workload> <base-url>
 *   [twisted|tornado] [count=N] [concurrency=N] [ms=N] [warmup=N]
 * The sizes default to the full benchmark's. Prints one JSON line:
 * {"value", "unit", "seconds", "rss_mb"}.
 *
 * @module
 */
import {
  Deferred,
  DeferredList,
  inlineCallbacks,
  wait,
} from "../../deferred/mod.ts";
import {
  Agent,
  AsyncHTTPClient,
  HTTPConnectionPool,
  readBody,
} from "../../http/mod.ts";
import { IOLoop, reactor } from "../../reactor/mod.ts";
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

type Face = "twisted" | "tornado";

async function keepaliveTwisted(
  base: string,
  total: number,
  concurrency: number,
): Promise<WorkloadResult> {
  const pool = new HTTPConnectionPool(reactor);
  pool.maxPersistentPerHost = concurrency;
  const agent = new Agent(reactor, { pool });
  const url = `${base}/1k`;
  let remaining = total;
  const worker = inlineCallbacks(function* (): Generator<unknown, void> {
    while (remaining > 0) {
      remaining--;
      const response = yield* wait(agent.request("GET", url));
      const body = yield* wait(readBody(response));
      if (body.length !== 1024) {
        throw new Error(`Unexpected body size: ${body.length}`);
      }
    }
  });
  const start = performance.now();
  await new DeferredList(Array.from({ length: concurrency }, () => worker()), {
    fireOnOneErrback: true,
    consumeErrors: true,
  });
  const seconds = elapsed(start);
  await pool.closeCachedConnections();
  return { value: total / seconds, unit: "req/s", seconds };
}

async function keepaliveTornado(
  base: string,
  total: number,
  concurrency: number,
): Promise<WorkloadResult> {
  const client = new AsyncHTTPClient({
    forceInstance: true,
    maxClients: concurrency,
  });
  const url = `${base}/1k`;
  const result = await keepaliveRate(
    total,
    concurrency,
    async () => (await client.fetch(url)).body.length,
  );
  await client.close();
  return result;
}

async function parallelTwisted(url: string, count: number): Promise<number> {
  // A fresh non-persistent pool: one connection per request, as a crawler.
  const agent = new Agent(reactor, {
    pool: new HTTPConnectionPool(reactor, false),
  });
  const one = inlineCallbacks(function* (): Generator<unknown, void> {
    const response = yield* wait(agent.request("GET", url));
    yield readBody(response);
  });
  const start = performance.now();
  await new DeferredList(Array.from({ length: count }, () => one()), {
    fireOnOneErrback: true,
    consumeErrors: true,
  });
  return elapsed(start);
}

async function parallelTornado(url: string, count: number): Promise<number> {
  const client = new AsyncHTTPClient({
    forceInstance: true,
    maxClients: count,
  });
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, () => client.fetch(url)));
  const seconds = elapsed(start);
  await client.close();
  return seconds;
}

async function sequentialTwisted(url: string, count: number): Promise<number> {
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await readBody(await agent.request("GET", url));
  }
  const seconds = elapsed(start);
  await pool.closeCachedConnections();
  return seconds;
}

async function sequentialTornado(url: string, count: number): Promise<number> {
  const client = new AsyncHTTPClient({ forceInstance: true });
  const start = performance.now();
  for (let i = 0; i < count; i++) await client.fetch(url);
  const seconds = elapsed(start);
  await client.close();
  return seconds;
}

function chains(count: number): void {
  const inc = (x: number): number => x + 1;
  let result = 0;
  // The tenth callback both increments and records: Deferreds have no
  // public result to read afterwards, as Twisted's `d.result`.
  const last = (x: number): void => {
    result = x + 1;
  };
  for (let i = 0; i < count; i++) {
    const d = new Deferred<number>();
    for (let j = 0; j < 9; j++) d.addCallback(inc);
    d.addCallback(last);
    d.callback(0);
    if (result !== 10) throw new Error("Chain lost a step");
  }
}

function chain(count: number): Promise<WorkloadResult> {
  return medianChainRate(count, () => chains(count));
}

function timers(face: Face, count: number): Promise<WorkloadResult> {
  const loop = IOLoop.current();
  return new Promise((resolve) => {
    let fired = 0;
    const start = performance.now();
    const tick = (): void => {
      if (++fired === count) resolve(timed(elapsed(start)));
    };
    for (let i = 0; i < count; i++) {
      const delay = 0.001 * (i % 10);
      if (face === "twisted") reactor.callLater(delay, tick);
      else loop.callLater(delay, tick);
    }
  });
}

const WORKLOADS: Record<
  string,
  (base: string, face: Face, sizes: Sizes) => Promise<WorkloadResult>
> = {
  keepalive: (base, face, { count = 5000, concurrency = 50 }) =>
    (face === "twisted" ? keepaliveTwisted : keepaliveTornado)(
      base,
      count,
      concurrency,
    ),
  delay: async (base, face, { count = 20, ms = 500 }) =>
    timed(
      await (face === "twisted" ? parallelTwisted : parallelTornado)(
        `${base}/delay?ms=${ms}`,
        count,
      ),
    ),
  "delay-sequential": async (base, face, { count = 20, ms = 500 }) =>
    timed(
      await (face === "twisted" ? sequentialTwisted : sequentialTornado)(
        `${base}/delay?ms=${ms}`,
        count,
      ),
    ),
  inflight: async (base, face, { count = 2000 }) =>
    timed(
      await (face === "twisted" ? parallelTwisted : parallelTornado)(
        `${base}/1k`,
        count,
      ),
    ),
  chain: (_base, _face, { count = 100_000 }) => chain(count),
  timers: (_base, face, { count = 100_000 }) => timers(face, count),
};

const { workload, base, words, sizes } = parsePeerArgs(Deno.args);
const [face = "twisted"] = words;
const run = WORKLOADS[workload];
if (run === undefined || (face !== "twisted" && face !== "tornado")) {
  console.error(`Unknown workload or face: ${workload} ${face}`);
  Deno.exit(2);
}
emit(await afterWarmUp((sized) => run(base, face, sized), sizes));
