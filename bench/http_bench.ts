/**
 * HTTP client throughput: 5,000 GETs of a 1 KiB body at concurrency 50
 * over keep-alive connections, against one local server run as a separate
 * process (bench/_server.ts) so that serving does not share the client's
 * thread. Deno's `fetch` is the baseline of each group.
 *
 * Run with `deno bench -A bench/http_bench.ts`; each iteration is the
 * whole batch, so requests/s = 5,000 / the iteration's time.
 *
 * @module
 */
import { Agent, HTTPConnectionPool, readBody } from "../http/mod.ts";
import { performRequest } from "../http/_engine.ts";
import { reactor } from "../reactor/mod.ts";
import { startBenchServer } from "./_bench_server.ts";

const TOTAL = 5000;
const CONCURRENCY = 50;
const GROUP = "5,000 GETs of 1 KiB, concurrency 50, keep-alive";

const server = await startBenchServer();
const url = `${server.url}/1k`;

/** Runs `one` TOTAL times, CONCURRENCY at a time. */
async function batch(one: () => Promise<number>): Promise<void> {
  let remaining = TOTAL;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining--;
      const length = await one();
      if (length !== 1024) throw new Error(`Unexpected body size: ${length}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const fetchClient = Deno.createHttpClient({});
const pool = new HTTPConnectionPool(reactor);
pool.maxPersistentPerHost = CONCURRENCY;
const agent = new Agent(reactor, { pool });

Deno.bench({
  name: "Deno fetch",
  group: GROUP,
  baseline: true,
  n: 5,
  warmup: 1,
  async fn(): Promise<void> {
    await batch(async () => {
      const response = await fetch(url, { client: fetchClient });
      return (await response.arrayBuffer()).byteLength;
    });
  },
});

Deno.bench({
  name: "Torsion Agent + readBody",
  group: GROUP,
  n: 5,
  warmup: 1,
  async fn(): Promise<void> {
    await batch(async () =>
      (await readBody(await agent.request("GET", url))).length
    );
  },
});

Deno.bench({
  name: "Torsion engine (performRequest, the Tornado face's path)",
  group: GROUP,
  n: 5,
  warmup: 1,
  async fn(): Promise<void> {
    await batch(async () =>
      (await performRequest(pool, { method: "GET", url })).body.length
    );
  },
});

globalThis.addEventListener("unload", () => {
  pool.closeCachedConnections();
  fetchClient.close();
  server.close();
});
