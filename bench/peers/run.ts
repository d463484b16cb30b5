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
 *   a Future through 10 done-callbacks; Deno: a Promise through 10 `then`s);
 * - timers: 100,000 timers over 10 ms (`callLater`, `IOLoop.call_later`,
 *   `setTimeout`).
 *
 * Peers: Twisted and Tornado on `/usr/bin/python3` (Debian's
 * python3-twisted and python3-tornado; a missing one is skipped with a
 * message), and Deno's own `fetch`/Promise/`setTimeout`. Prints one table
 * and writes it to bench/peers/RESULTS.md with the date and machine.
 *
 * Usage: deno run -A bench/peers/run.ts [--runs 3] [--python /usr/bin/python3]
 *
 * @module
 */
import { startBenchServer } from "../_bench_server.ts";
import {
  advantage,
  denoSystem,
  formatValue,
  machine,
  markdownTable,
  mediansOf,
  pythonSystem,
  type System,
} from "../_runner.ts";

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && Deno.args[i + 1] !== undefined ? Deno.args[i + 1] : fallback;
}

const RUNS = Number(flag("--runs", "3"));
const PYTHON = flag("--python", "/usr/bin/python3");

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
  [
    "twisted",
  ],
);
const TORSION_TORNADO = denoSystem(
  "Torsion (Tornado face)",
  "peers/torsion_peer.ts",
  [
    "tornado",
  ],
);
const DENO = denoSystem(
  "Deno (fetch, Promise, setTimeout)",
  "peers/deno_peer.ts",
);
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
      `Skipping ${label}: ${PYTHON} cannot import ${module} (apt-get install python3-${module})`,
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
  })
    .output();
  versions.push(new TextDecoder().decode(output.stdout).trim());
}
peers.push(DENO);

const WORKLOADS: readonly [string, string][] = [
  ["keepalive", "5,000 GETs of 1 KiB, concurrency 50, keep-alive"],
  ["delay", "20 concurrent GETs delayed 500 ms"],
  ["inflight", "2,000 requests in flight at once"],
  ["chain", "Deferred through 10 callbacks (×100,000)"],
  ["timers", "100,000 timers over 10 ms"],
];

await using server = await startBenchServer();
console.log(
  `Benchmark server at ${server.url}; ${machine()}; ${versions.join(", ")}`,
);

const rows: string[][] = [];
const verdicts: string[] = [];
function verdict(met: boolean, text: string): void {
  verdicts.push(`- ${met ? "met" : "**missed**"}: ${text}`);
}

for (const [workload, title] of WORKLOADS) {
  // One Deferred serves both faces: the chain is measured once.
  const torsions = workload === "chain"
    ? [TORSION_TWISTED]
    : [TORSION_TWISTED, TORSION_TORNADO];
  const results = await mediansOf(
    RUNS,
    [...torsions, ...peers],
    workload,
    server.url,
  );
  for (const [system, m] of results) {
    console.log(`  ${title} / ${system.name}: ${formatValue(m)}`);
  }
  const twistedFace = results.get(TORSION_TWISTED)!;
  const tornadoFace = results.get(torsions.at(-1)!)!;
  for (const [system, m] of results) {
    const isTorsion = torsions.includes(system);
    rows.push([
      title,
      workload === "chain" && isTorsion ? "Torsion (Deferred)" : system.name,
      formatValue(m),
      `${m.rss_mb.toFixed(0)} MiB`,
      isTorsion ? "" : `${advantage(twistedFace, m).toFixed(2)}x`,
      isTorsion ? "" : `${advantage(tornadoFace, m).toFixed(2)}x`,
    ]);
  }
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
      // the same 500 ms, so neither side can be called ahead.
      verdicts.push(`- tie (within 2%): ${text}`);
    } else {
      verdict(ratio > 1, text);
    }
  }
  if (workload === "keepalive" || workload === "inflight") {
    for (
      const [peer, face, factor] of [[TWISTED, twistedFace, 2], [
        TORNADO,
        tornadoFace,
        4,
      ]] as const
    ) {
      if (peer === undefined) continue;
      const ratio = advantage(face, results.get(peer)!);
      verdict(
        ratio >= factor,
        `≥ ${factor}x ${peer.name}'s throughput (${title}, matching face): ${
          ratio.toFixed(2)
        }x`,
      );
    }
  }
  if (workload === "chain" && TWISTED !== undefined) {
    const ratio = advantage(twistedFace, results.get(TWISTED)!);
    verdict(
      ratio >= 50,
      `Deferred chain ≥ 50x Twisted's on CPython: ${ratio.toFixed(1)}x`,
    );
  }
  if (workload === "delay") {
    for (const m of [twistedFace, tornadoFace]) {
      verdict(
        m.value <= 0.55,
        `concurrent crawler within 10% of one delay (≤ 0.55 s): ${
          m.value.toFixed(3)
        } s`,
      );
    }
  }
}

const table = markdownTable(
  [
    "Workload",
    "System",
    `Median of ${RUNS}`,
    "Peak RSS",
    "Torsion (Twisted face) ×",
    "Torsion (Tornado face) ×",
  ],
  rows,
);
console.log();
console.log(table);
console.log();
console.log(verdicts.join("\n"));

const date = new Date().toISOString().slice(0, 10);
const results = `# Torsion against its peers

Measured ${date} on ${machine()} with ${versions.join(", ")} by
\`deno task bench:peers\` (bench/peers/run.ts): each figure is the median of
${RUNS} runs, each run a fresh process; every HTTP client talks to the same
local server (bench/_server.ts, a separate Deno process). "×" columns say how
many times better Torsion's face does than the row's system (above 1:
Torsion wins); higher req/s and chains/s are better, fewer seconds are better.
Tornado's \`simple_httpclient\` sends \`Connection: close\`, so it cannot keep
connections alive.

${table}

Targets:

${verdicts.join("\n")}
`;
await Deno.writeTextFile(new URL("./RESULTS.md", import.meta.url), results);
console.log("\nWrote bench/peers/RESULTS.md");
