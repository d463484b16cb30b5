// deno-lint-ignore-file no-console
/**
 * The Torsion peer of bench/peers/run.ts (and the workloads of
 * bench/compare.ts), written as the Twisted and Tornado peers are: the
 * Twisted face with `Agent`, a persistent `HTTPConnectionPool`,
 * `inlineCallbacks` and `DeferredList`; the Tornado face with
 * `AsyncHTTPClient` (`maxClients` = the concurrency) and async/await.
 *
 * Usage: deno run -A bench/peers/torsion_peer.ts <workload> <base-url> [twisted|tornado]
 * Prints one JSON line: {"value", "unit", "seconds", "rss_mb"}.
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
import { peakRssMb, type WorkloadResult } from "./_common.ts";

type Face = "twisted" | "tornado";

function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}

async function keepaliveTwisted(base: string): Promise<WorkloadResult> {
  const total = 5000;
  const concurrency = 50;
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

async function keepaliveTornado(base: string): Promise<WorkloadResult> {
  const total = 5000;
  const concurrency = 50;
  const client = new AsyncHTTPClient({
    forceInstance: true,
    maxClients: concurrency,
  });
  const url = `${base}/1k`;
  let remaining = total;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining--;
      const response = await client.fetch(url);
      if (response.body.length !== 1024) {
        throw new Error(`Unexpected body size: ${response.body.length}`);
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = elapsed(start);
  await client.close();
  return { value: total / seconds, unit: "req/s", seconds };
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

function chain(): Promise<WorkloadResult> {
  const count = 100_000;
  chains(count / 10); // warm-up, as in every peer's chain workload
  const start = performance.now();
  chains(count);
  const seconds = elapsed(start);
  return Promise.resolve({ value: count / seconds, unit: "chains/s", seconds });
}

function timers(face: Face): Promise<WorkloadResult> {
  const count = 100_000;
  const loop = IOLoop.current();
  return new Promise((resolve) => {
    let fired = 0;
    const start = performance.now();
    const tick = (): void => {
      if (++fired === count) {
        const seconds = elapsed(start);
        resolve({ value: seconds, unit: "s", seconds });
      }
    };
    for (let i = 0; i < count; i++) {
      const delay = 0.001 * (i % 10);
      if (face === "twisted") reactor.callLater(delay, tick);
      else loop.callLater(delay, tick);
    }
  });
}

function timed(seconds: number): WorkloadResult {
  return { value: seconds, unit: "s", seconds };
}

const WORKLOADS: Record<
  string,
  (base: string, face: Face) => Promise<WorkloadResult>
> = {
  keepalive: (base, face) =>
    face === "twisted" ? keepaliveTwisted(base) : keepaliveTornado(base),
  delay: async (base, face) =>
    timed(
      await (face === "twisted" ? parallelTwisted : parallelTornado)(
        `${base}/delay?ms=500`,
        20,
      ),
    ),
  "delay-sequential": async (base, face) =>
    timed(
      await (face === "twisted" ? sequentialTwisted : sequentialTornado)(
        `${base}/delay?ms=500`,
        20,
      ),
    ),
  inflight: async (base, face) =>
    timed(
      await (face === "twisted" ? parallelTwisted : parallelTornado)(
        `${base}/1k`,
        2000,
      ),
    ),
  chain: () => chain(),
  timers: (_base, face) => timers(face),
};

const [workload, base = "", face = "twisted"] = Deno.args;
const run = WORKLOADS[workload];
if (run === undefined || (face !== "twisted" && face !== "tornado")) {
  console.error(`Unknown workload or face: ${workload} ${face}`);
  Deno.exit(2);
}
const result = await run(base, face);
console.log(JSON.stringify({ ...result, rss_mb: peakRssMb() }));
