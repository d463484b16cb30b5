// deno-lint-ignore-file no-console
/**
 * The crawler of the seed's "evolution of asynchronous code", on Torsion:
 * the same N GETs to a slow API (by default 20 to an embedded server that
 * answers each after 500 ms), done one after another, then concurrently in
 * four styles (Deferreds with callbacks and a `DeferredList`,
 * `inlineCallbacks`, async/await over Deferreds, and `AsyncHTTPClient`
 * with `maxClients` ≥ N). Each mode prints the seed's line
 * `Request Times: N, Total Cost: S seconds`; a summary table follows.
 *
 * ```sh
 * deno run --allow-net examples/crawler.ts [--n 20] [--delay 0.5] [--url URL]
 * ```
 *
 * `--url` fetches that URL N times instead of the embedded server (whose
 * `/delay?ms=M` answers after M milliseconds); `--delay` then does nothing.
 * The concurrent modes take about one delay, the sequential one N of them.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  type Deferred,
  DeferredList,
  inlineCallbacks,
  wait,
} from "../deferred/mod.ts";
import { AsyncHTTPClient, getPage } from "../http/mod.ts";
import { startLocalServer } from "./_local_server.ts";

interface Options {
  n: number;
  delay: number;
  url: string | undefined;
}

/**
 * Parses `--n N`, `--delay SECONDS` and `--url URL` (also as `--n=N`).
 *
 * @throws {TypeError} An unknown option, or a count or delay out of range.
 */
function parseOptions(args: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...args],
    options: {
      n: { type: "string", default: "20" },
      delay: { type: "string", default: "0.5" },
      url: { type: "string" },
    },
  });
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(
      `--n must be a positive integer: current value is ${values.n}`,
    );
  }
  const delay = Number(values.delay);
  if (!(delay >= 0)) {
    throw new TypeError(
      `--delay must be a non-negative number of seconds: current value is ${values.delay}`,
    );
  }
  return { n, delay, url: values.url };
}

function report(results: readonly unknown[], start: number): number {
  const cost = (performance.now() - start) / 1000;
  console.log(
    `Request Times: ${results.length}, Total Cost: ${
      Number(cost.toFixed(9))
    } seconds`,
  );
  return cost;
}

/** 1. One after another, as the blocking single-process version. */
async function sequential(urls: readonly string[]): Promise<number> {
  const results: Uint8Array[] = [];
  const start = performance.now();
  for (const url of urls) results.push(await getPage(url));
  return report(results, start);
}

/** 2. The reactor's callbacks: every request sent at once, a DeferredList to join. */
function callbacks(urls: readonly string[]): Deferred<number> {
  const results: Uint8Array[] = [];
  const start = performance.now();
  const requests = urls.map((url) =>
    getPage(url).addCallback((body) => {
      results.push(body);
    })
  );
  return new DeferredList(requests, {
    fireOnOneErrback: true,
    consumeErrors: true,
  })
    .addCallback(() => report(results, start));
}

/** 3. Generator coroutines: one inlineCallbacks task per request. */
function generators(urls: readonly string[]): Deferred<number> {
  const results: Uint8Array[] = [];
  const task = inlineCallbacks(
    function* (url: string): Generator<unknown, void> {
      const body = yield* wait(getPage(url));
      results.push(body);
    },
  );
  const start = performance.now();
  const main = inlineCallbacks(function* (): Generator<unknown, number> {
    yield new DeferredList(urls.map((url) => task(url)), {
      fireOnOneErrback: true,
      consumeErrors: true,
    });
    return report(results, start);
  });
  return main();
}

/** 4. Native coroutines: async/await over the same Deferreds. */
async function coroutines(urls: readonly string[]): Promise<number> {
  const fetchOne = async (url: string): Promise<Uint8Array> =>
    await getPage(url);
  const start = performance.now();
  const results = await Promise.all(urls.map(fetchOne));
  return report(results, start);
}

/** 5. Tornado's AsyncHTTPClient, with room for every request at once. */
async function tornado(urls: readonly string[]): Promise<number> {
  const client = new AsyncHTTPClient({
    forceInstance: true,
    maxClients: Math.max(urls.length, 10),
  });
  try {
    const start = performance.now();
    const results = await Promise.all(urls.map((url) => client.fetch(url)));
    return report(results, start);
  } finally {
    await client.close();
  }
}

const MODES: readonly [
  string,
  (urls: readonly string[]) => PromiseLike<number>,
][] = [
  ["sequential (one after another)", sequential],
  ["callbacks (Deferred + DeferredList)", callbacks],
  ["generators (inlineCallbacks)", generators],
  ["async/await over Deferreds", coroutines],
  ["AsyncHTTPClient (maxClients >= N)", tornado],
];

const options = parseOptions(Deno.args);
const server = options.url === undefined ? startLocalServer() : undefined;
const url = options.url ??
  `${server!.url}/delay?ms=${Math.round(options.delay * 1000)}`;
const urls = Array.from({ length: options.n }, () => url);

const costs: [string, number][] = [];
try {
  for (const [name, run] of MODES) {
    console.log(`# ${name}`);
    costs.push([name, await run(urls)]);
  }
} finally {
  await server?.close();
}

const sequentialCost = costs[0][1];
const width = Math.max(...costs.map(([name]) => name.length));
console.log();
console.log(`${"mode".padEnd(width)} | seconds  | speed-up`);
console.log(`${"-".repeat(width)} | -------- | --------`);
for (const [name, cost] of costs) {
  console.log(
    `${name.padEnd(width)} | ${cost.toFixed(3).padStart(8)} | ${
      (sequentialCost / cost).toFixed(1).padStart(7)
    }x`,
  );
}
