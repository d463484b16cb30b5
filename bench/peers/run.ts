// deno-lint-ignore-file no-console
/**
 * `deno task bench:peers`: Torsion against the systems it ports, on the same
 * workloads, each measurement in a fresh process, median of `--runs`
 * (default 3), every HTTP client talking to one local server run as a
 * separate process (bench/_server.ts):
 *
 * - keepalive: 5,000 GETs of a 1 KiB body at concurrency 50 with
 *   keep-alive (Twisted: `Agent` with a persistent `HTTPConnectionPool`,
 *   `maxPersistentPerHost` 50; Tornado: `AsyncHTTPClient(max_clients=50)`,
 *   which cannot keep connections alive);
 * - delay: 20 concurrent GETs of a response delayed by 500 ms (the
 *   crawler of the seed);
 * - inflight: 2,000 concurrent GETs, time and peak RSS;
 * - chain: a Deferred fired through 10 callbacks, 100,000 times (Tornado:
 *   a Future through 10 done-callbacks; Deno: a Promise through 10 `then`s),
 *   timed in 5 rounds of which each system reports its median;
 * - timers: 100,000 timers over 10 ms (`callLater`, `IOLoop.call_later`,
 *   `setTimeout`).
 *
 * The sizes are defined here only and passed to every peer script as
 * `count=N concurrency=N ms=N warmup=N`, so that every system runs the same
 * work. Each process first runs its workload untimed at a tenth of the count
 * (`warmup`), so that what is measured is the work, not compiling the code
 * that does it.
 *
 * Peers: Twisted and Tornado on `/usr/bin/python3` (Debian's
 * python3-twisted and python3-tornado; a missing one is skipped with a
 * message), and Deno's own `fetch`/Promise/`setTimeout`. On the HTTP
 * workloads a floor runs too: bare Deno sockets with no HTTP library
 * (peers/socket_peer.ts). A verdict that misses a target says what the floor
 * reaches against the same peer, which tells whether any client written on
 * `Deno.connect` could meet it on this machine. Prints one table and writes it to
 * bench/peers/RESULTS.md with the date and machine.
 *
 * Usage: deno run -A bench/peers/run.ts [--runs 3] [--python /usr/bin/python3]
 *   [--quick] [--out bench/peers/RESULTS.md]
 *
 * `--quick` runs every workload once at a tiny size (a smoke test of every
 * script, in seconds); it judges no target and writes no file unless `--out`
 * is given.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startBenchServer } from "../_bench_server.ts";
import {
  advantage,
  denoSystem,
  formatValue,
  machine,
  markdownTable,
  type Measurement,
  mediansOf,
  pythonSystem,
  type System,
} from "../_runner.ts";
import type { Sizes } from "./_common.ts";

const INSTALL = "apt-get install python3-twisted python3-tornado";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string" },
    python: { type: "string", default: "/usr/bin/python3" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const QUICK = flags.quick;
const RUNS = Number(flags.runs ?? (QUICK ? "1" : "3"));
if (!Number.isInteger(RUNS) || RUNS < 1) {
  throw new TypeError(
    `--runs must be a positive integer: current value is ${flags.runs}`,
  );
}
const PYTHON = flags.python;
const OUT = flags.out ??
  (QUICK ? undefined : new URL("./RESULTS.md", import.meta.url).pathname);

/** One workload: its name in the peer scripts, its sizes, its title. */
interface Workload {
  readonly name: string;
  readonly sizes: Sizes;
  readonly title: string;
}

function thousands(n: number | undefined): string {
  return (n ?? 0).toLocaleString("en-US");
}

function workload(name: string, sizes: Sizes): Workload {
  const { count, concurrency, ms } = sizes;
  const titles: Record<string, string> = {
    keepalive: `${
      thousands(count)
    } GETs of 1 KiB, concurrency ${concurrency}, keep-alive`,
    delay: `${count} concurrent GETs delayed ${ms} ms`,
    inflight: `${thousands(count)} requests in flight at once`,
    chain: `Deferred through 10 callbacks (×${thousands(count)})`,
    timers: `${thousands(count)} timers over 10 ms`,
  };
  return { name, sizes, title: titles[name] };
}

const WORKLOADS: readonly Workload[] = QUICK
  ? [
    workload("keepalive", { count: 200, concurrency: 10 }),
    workload("delay", { count: 5, ms: 50 }),
    workload("inflight", { count: 100 }),
    workload("chain", { count: 2000 }),
    workload("timers", { count: 2000 }),
  ]
  : [
    workload("keepalive", { count: 5000, concurrency: 50 }),
    workload("delay", { count: 20, ms: 500 }),
    workload("inflight", { count: 2000 }),
    workload("chain", { count: 100_000 }),
    workload("timers", { count: 100_000 }),
  ];

/**
 * The peer scripts' arguments for `sizes`, with an untimed warm-up run of
 * a tenth of the count first.
 */
function sizeArguments(sizes: Sizes): string[] {
  const warmup = Math.max(1, Math.floor((sizes.count ?? 0) / 10));
  return Object.entries({ ...sizes, warmup }).map(([key, value]) =>
    `${key}=${value}`
  );
}

async function pythonVersionOf(module: string): Promise<string | null> {
  try {
    const output = await new Deno.Command(PYTHON, {
      args: [
        "-c",
        `import ${module}; print(${module}.version if hasattr(${module}, "version") and isinstance(${module}.version, str) else ${module}.__version__)`,
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    return output.success
      ? new TextDecoder().decode(output.stdout).trim()
      : null;
  } catch {
    return null;
  }
}

const TORSION_TWISTED = denoSystem(
  "Torsion (Twisted face)",
  "peers/torsion_peer.ts",
  ["twisted"],
);
const TORSION_TORNADO = denoSystem(
  "Torsion (Tornado face)",
  "peers/torsion_peer.ts",
  ["tornado"],
);
const DENO = denoSystem(
  "Deno (fetch, Promise, setTimeout)",
  "peers/deno_peer.ts",
);
const FLOOR = denoSystem(
  "Floor: bare Deno sockets, no HTTP library",
  "peers/socket_peer.ts",
);
/** The workloads the floor runs: it has no Deferreds and no timers. */
const FLOOR_WORKLOADS = new Set(["keepalive", "delay", "inflight"]);
const peers: System[] = [];
const versions: string[] = [`Deno ${Deno.version.deno}`];

/** The Python peer importing `module`, or undefined (with a message) when it cannot. */
async function pythonPeer(
  module: string,
  label: string,
): Promise<System | undefined> {
  const version = await pythonVersionOf(module);
  if (version === null) {
    console.log(
      `Skipping ${label}: ${PYTHON} cannot import ${module}. Install the Python peers with: ${INSTALL}`,
    );
    return undefined;
  }
  const system = pythonSystem(
    `${label} ${version}`,
    PYTHON,
    `peers/${module}_peer.py`,
  );
  peers.push(system);
  versions.push(system.name);
  return system;
}

const TWISTED = await pythonPeer("twisted", "Twisted");
const TORNADO = await pythonPeer("tornado", "Tornado");
if (peers.length > 0) {
  const output = await new Deno.Command(PYTHON, {
    args: ["--version"],
    stdout: "piped",
  }).output();
  versions.push(new TextDecoder().decode(output.stdout).trim());
}
peers.push(DENO);

await using server = await startBenchServer();
console.log(
  `Benchmark server at ${server.url}; ${machine()}; ${versions.join(", ")}`,
);

const rows: string[][] = [];
const verdicts: string[] = [];
function verdict(met: boolean, text: string): void {
  verdicts.push(`- ${met ? "met" : "**missed**"}: ${text}`);
}

/**
 * What bare sockets reach against `peer`: a target above it is beyond any
 * client written on `Deno.connect` on this machine, measured this way.
 */
function reachable(
  results: Map<System, Measurement>,
  peer: System,
): string {
  const floor = results.get(FLOOR);
  if (floor === undefined) return "";
  return ` (the floor, bare Deno sockets, reaches ${
    advantage(floor, results.get(peer)!).toFixed(2)
  }x)`;
}

/** The targets of the issue, judged on one workload's medians. */
function judge(
  { name, title, sizes }: Workload,
  results: Map<System, Measurement>,
  twistedFace: Measurement,
  tornadoFace: Measurement,
): void {
  const best = advantage(twistedFace, tornadoFace) >= 1
    ? twistedFace
    : tornadoFace;
  for (const peer of [TWISTED, TORNADO]) {
    if (peer === undefined) continue;
    const ratio = advantage(best, results.get(peer)!);
    const text = `Torsion ahead of ${peer.name} on ${title}: ${
      ratio.toFixed(3)
    }x`;
    if (Math.abs(ratio - 1) < 0.02) {
      // Within run-to-run noise: on the delayed GETs every system waits for
      // the same delay, so neither side can be called ahead.
      verdicts.push(`- tie (within 2%): ${text}${reachable(results, peer)}`);
    } else {
      verdict(ratio > 1, text);
    }
  }
  if (name === "keepalive" || name === "inflight") {
    for (
      const [peer, face, factor] of [
        [TWISTED, twistedFace, 2],
        [TORNADO, tornadoFace, 4],
      ] as const
    ) {
      if (peer === undefined) continue;
      const ratio = advantage(face, results.get(peer)!);
      verdict(
        ratio >= factor,
        `≥ ${factor}x ${peer.name}'s throughput (${title}, matching face): ${
          ratio.toFixed(2)
        }x${ratio >= factor ? "" : reachable(results, peer)}`,
      );
    }
  }
  if (name === "chain" && TWISTED !== undefined) {
    const ratio = advantage(twistedFace, results.get(TWISTED)!);
    verdict(
      ratio >= 50,
      `Deferred chain ≥ 50x Twisted's on CPython: ${ratio.toFixed(1)}x`,
    );
  }
  if (name === "delay") {
    const limit = 1.1 * (sizes.ms ?? 0) / 1000;
    for (const m of [twistedFace, tornadoFace]) {
      verdict(
        m.value <= limit,
        `concurrent crawler within 10% of one delay (≤ ${
          limit.toFixed(2)
        } s): ${m.value.toFixed(3)} s`,
      );
    }
  }
}

for (const work of WORKLOADS) {
  // One Deferred serves both faces: the chain is measured once.
  const torsions = work.name === "chain"
    ? [TORSION_TWISTED]
    : [TORSION_TWISTED, TORSION_TORNADO];
  const systems = [
    ...torsions,
    ...peers,
    ...(FLOOR_WORKLOADS.has(work.name) ? [FLOOR] : []),
  ];
  const results = await mediansOf(
    RUNS,
    systems,
    work.name,
    server.url,
    sizeArguments(work.sizes),
  );
  for (const [system, m] of results) {
    console.log(`  ${work.title} / ${system.name}: ${formatValue(m)}`);
  }
  const twistedFace = results.get(TORSION_TWISTED)!;
  const tornadoFace = results.get(torsions.at(-1)!)!;
  for (const [system, m] of results) {
    const isTorsion = torsions.includes(system);
    rows.push([
      work.title,
      work.name === "chain" && isTorsion ? "Torsion (Deferred)" : system.name,
      formatValue(m),
      `${m.rss_mb.toFixed(0)} MiB`,
      isTorsion ? "" : `${advantage(twistedFace, m).toFixed(2)}x`,
      isTorsion ? "" : `${advantage(tornadoFace, m).toFixed(2)}x`,
    ]);
  }
  if (!QUICK) judge(work, results, twistedFace, tornadoFace);
}

const table = markdownTable(
  [
    "Workload",
    "System",
    RUNS === 1 ? "One run" : `Median of ${RUNS}`,
    "Peak RSS",
    "Torsion (Twisted face) ×",
    "Torsion (Tornado face) ×",
  ],
  rows,
);
console.log();
console.log(table);
console.log();
const targets = QUICK
  ? "Not judged: a --quick run measures tiny workloads."
  : verdicts.join("\n");
console.log(targets);

if (OUT !== undefined) {
  const date = new Date().toISOString().slice(0, 10);
  const command = `deno task bench:peers${QUICK ? " --quick" : ""}`;
  const figure = RUNS === 1 ? "one run" : `the median of ${RUNS} runs`;
  await Deno.writeTextFile(
    OUT,
    `# Torsion against its peers

Measured ${date} on ${machine()} with ${versions.join(", ")} by
\`${command}\` (bench/peers/run.ts): each figure is ${figure}, each
run a fresh process; every HTTP client talks to the same local server
(bench/_server.ts, a separate Deno process) and every system runs the same
sizes, after an untimed warm-up run of a tenth of the count in the same
process; the Deferred chain is the median of 5 rounds. "×" columns say how
many times better Torsion's face does than the row's system (above 1:
Torsion wins); higher req/s and chains/s are better, fewer seconds are
better. The floor is bare Deno sockets writing a fixed
request and reading to the end of the body, with no HTTP library: what no
client written on \`Deno.connect\` can beat. Tornado's \`simple_httpclient\` sends
\`Connection: close\`, so it cannot keep connections alive.

${table}

Targets:

${targets}
`,
  );
  console.log(`\nWrote ${OUT}`);
}
