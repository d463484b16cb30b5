// deno-lint-ignore-file no-console
/**
 * `deno task bench:compare`: Torsion's two HTTP faces against Deno's own
 * `fetch`, all talking to one local server run as a separate process
 * (bench/_server.ts), each measurement in a fresh process, median of
 * `--runs` (default 5):
 *
 * - 5,000 GETs of a 1 KiB body at concurrency 50 over keep-alive
 *   (`Agent` with a pool of 50, `AsyncHTTPClient` with `maxClients` 50,
 *   `fetch`);
 * - 20 GETs of a response delayed by 500 ms, concurrently (median) and
 *   one after another (one run: it takes 10 s);
 * - 2,000 requests in flight at once: time and peak RSS.
 *
 * Usage: deno run -A bench/compare.ts [--runs 5] (the CPU model in /proc needs -A)
 *
 * @module
 */
import { startBenchServer } from "./_bench_server.ts";
import {
  advantage,
  denoSystem,
  formatValue,
  machine,
  markdownTable,
  type Measurement,
  mediansOf,
  type System,
} from "./_runner.ts";

const runsFlag = Deno.args.indexOf("--runs");
const RUNS = runsFlag >= 0 ? Number(Deno.args[runsFlag + 1]) : 5;

const AGENT = denoSystem("Torsion Agent", "peers/torsion_peer.ts", [
  "twisted",
]);
const TORNADO = denoSystem(
  "Torsion AsyncHTTPClient",
  "peers/torsion_peer.ts",
  ["tornado"],
);
const FETCH = denoSystem("Deno fetch", "peers/deno_peer.ts");
const SYSTEMS: readonly System[] = [AGENT, TORNADO, FETCH];

const WORKLOADS: readonly [string, string, number][] = [
  ["keepalive", "5,000 GETs of 1 KiB, concurrency 50, keep-alive", RUNS],
  ["delay", "20 GETs delayed 500 ms, concurrent", RUNS],
  ["delay-sequential", "20 GETs delayed 500 ms, sequential", 1],
  ["inflight", "2,000 requests in flight at once", RUNS],
];

const TARGETS: Record<
  string,
  (m: Measurement, fetch: Measurement) => [boolean, string]
> = {
  keepalive: (m, fetch) => [m.value >= fetch.value, "≥ Deno fetch's req/s"],
  delay: (m) => [m.value < 0.55, "< 0.55 s"],
  inflight: (m) => [m.value < 0.6, "< 0.6 s"],
};

await using server = await startBenchServer();
console.log(
  `Benchmark server at ${server.url}; ${machine()}; Deno ${Deno.version.deno}`,
);
const rows: string[][] = [];
const verdicts: string[] = [];
for (const [workload, title, runs] of WORKLOADS) {
  const results = await mediansOf(runs, SYSTEMS, workload, server.url);
  for (const [system, m] of results) {
    console.log(`  ${title} / ${system.name}: ${formatValue(m)}`);
  }
  const fetch = results.get(FETCH)!;
  for (const system of SYSTEMS) {
    const m = results.get(system)!;
    rows.push([
      title,
      system.name,
      formatValue(m),
      `${m.rss_mb.toFixed(0)} MiB`,
      system === FETCH ? "1.00x" : `${advantage(m, fetch).toFixed(2)}x`,
    ]);
    const target = TARGETS[workload];
    if (target !== undefined && system !== FETCH) {
      const [met, goal] = target(m, fetch);
      verdicts.push(
        `${met ? "met" : "MISSED"}: ${system.name}, ${title}: ${
          formatValue(m)
        } (target ${goal})`,
      );
    }
  }
}
console.log();
console.log(
  markdownTable(
    ["Workload", "System", `Median of ${RUNS}`, "Peak RSS", "vs Deno fetch"],
    rows,
  ),
);
console.log();
for (const verdict of verdicts) console.log(verdict);
