/**
 * The client suite of bench/peers/run.ts: Torsion's HTTP clients, Deferreds
 * and timers against Twisted's, Tornado's and Deno's own, each measurement
 * in a fresh process, median of `runs`, every HTTP client talking to one
 * local server run as a separate process (bench/_server.ts):
 *
 * - keepalive: 5,000 GETs of a 1 KiB body at concurrency 50 with
 *   keep-alive (Twisted: `Agent` with a persistent `HTTPConnectionPool`,
 *   `maxPersistentPerHost` 50; Tornado: `AsyncHTTPClient(max_clients=50)`,
 *   which cannot keep connections alive);
 * - delay: 20 concurrent GETs of a response delayed by 500 ms (the
 *   crawler of the seed);
 * - inflight: 2,000 concurrent GETs, time and peak RSS;
 * - held: 2,000 concurrent GETs each delayed 500 ms by the server, so that
 *   all of them are in flight together: peak RSS (the memory target);
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
 * that does it. On the HTTP workloads a floor runs too: bare Deno sockets
 * with no HTTP library (peers/socket_peer.ts). A verdict that misses a
 * target says what the floor reaches against the same peer.
 *
 * @module
 */
import { startBenchServer } from "../_bench_server.ts";
import {
  advantage,
  denoSystem,
  formatValue,
  markdownTable,
  type Measurement,
  mediansOf,
  pythonSystem,
  type System,
} from "../_runner.ts";
import type { Sizes } from "./_common.ts";
import {
  type PythonPeers,
  selected,
  type Selection,
  type SuiteReport,
  thousands,
  verdictLine,
} from "./_suite.ts";

/**
 * One workload: its name, the peer scripts' workload that runs it (the
 * same unless said), its sizes, its title.
 */
interface Workload {
  readonly name: string;
  readonly script: string;
  readonly sizes: Sizes;
  readonly title: string;
}

function workload(name: string, sizes: Sizes): Workload {
  const { count = 0, concurrency, ms } = sizes;
  const titles: Record<string, string> = {
    keepalive: `${
      thousands(count)
    } GETs of 1 KiB, concurrency ${concurrency}, keep-alive`,
    delay: `${count} concurrent GETs delayed ${ms} ms`,
    inflight: `${thousands(count)} requests in flight at once`,
    held: `${thousands(count)} requests held in flight ${ms} ms`,
    chain: `Deferred through 10 callbacks (×${thousands(count)})`,
    timers: `${thousands(count)} timers over 10 ms`,
  };
  // Holding requests is the delayed GETs at a larger count: the peers run
  // it as `delay`.
  const script = name === "held" ? "delay" : name;
  return { name, script, sizes, title: titles[name] };
}

function workloads(quick: boolean): readonly Workload[] {
  return quick
    ? [
      workload("keepalive", { count: 200, concurrency: 10 }),
      workload("delay", { count: 5, ms: 50 }),
      workload("inflight", { count: 100 }),
      workload("held", { count: 100, ms: 50 }),
      workload("chain", { count: 2000 }),
      workload("timers", { count: 2000 }),
    ]
    : [
      workload("keepalive", { count: 5000, concurrency: 50 }),
      workload("delay", { count: 20, ms: 500 }),
      workload("inflight", { count: 2000 }),
      workload("held", { count: 2000, ms: 500 }),
      workload("chain", { count: 100_000 }),
      workload("timers", { count: 100_000 }),
    ];
}

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

/** The workloads the floor runs: it has no Deferreds and no timers. */
const FLOOR_WORKLOADS = new Set(["keepalive", "delay", "inflight", "held"]);

/** Issue 11's bound on a client's peak RSS with 2,000 requests held. */
const HELD_PEAK_MIB = 75;

/** How the client suite runs. */
export interface ClientSuiteOptions {
  /** Fresh processes per system and workload; the median is kept. */
  runs: number;
  /** Tiny sizes, no verdicts. */
  quick: boolean;
  /** The Python peers found. */
  peers: PythonPeers;
  /** `--systems` (deno, twisted, tornado, floor; Torsion always runs) and `--workloads`. */
  selection: Selection;
  /** Prints a progress line. */
  log(line: string): void;
}

/**
 * Runs the client suite.
 *
 * @param options Runs, sizes, peers.
 * @returns The table and verdicts.
 */
export async function runClientSuite(
  { runs, quick, peers: python, selection, log }: ClientSuiteOptions,
): Promise<SuiteReport> {
  const torsionTwisted = denoSystem(
    "Torsion (Twisted face)",
    "peers/torsion_peer.ts",
    ["twisted"],
  );
  const torsionTornado = denoSystem(
    "Torsion (Tornado face)",
    "peers/torsion_peer.ts",
    ["tornado"],
  );
  const deno = denoSystem(
    "Deno (fetch, Promise, setTimeout)",
    "peers/deno_peer.ts",
  );
  const floor = denoSystem(
    "Floor: bare Deno sockets, no HTTP library",
    "peers/socket_peer.ts",
  );
  const floorWithLogTape = denoSystem(
    "Floor with LogTape loaded, unused",
    "peers/socket_peer.ts",
    ["logtape"],
  );
  const floorWithTorsion = denoSystem(
    "Floor with Torsion's http/ loaded, unused",
    "peers/socket_peer.ts",
    ["torsion"],
  );
  const twisted = python.twisted === null ||
      !selected(selection.systems, "twisted")
    ? undefined
    : pythonSystem(python.twisted, python.python, "peers/twisted_peer.py");
  const tornado = python.tornado === null ||
      !selected(selection.systems, "tornado")
    ? undefined
    : pythonSystem(python.tornado, python.python, "peers/tornado_peer.py");
  const peers = [
    ...(twisted === undefined ? [] : [twisted]),
    ...(tornado === undefined ? [] : [tornado]),
    ...(selected(selection.systems, "deno") ? [deno] : []),
  ];
  const withFloor = selected(selection.systems, "floor");

  await using server = await startBenchServer();
  log(`Client suite: benchmark server at ${server.url}`);

  const rows: string[][] = [];
  const verdicts: string[] = [];

  /**
   * What bare sockets reach against `peer`: a target above it is beyond any
   * client written on `Deno.connect` on this machine, measured this way.
   */
  function reachable(
    results: Map<System, Measurement>,
    peer: System,
  ): string {
    const f = results.get(floor);
    if (f === undefined) return "";
    return ` (the floor, bare Deno sockets, reaches ${
      advantage(f, results.get(peer)!).toFixed(2)
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
    // Held requests wait for the server's delay: only their memory is
    // judged, below.
    for (const peer of name === "held" ? [] : [twisted, tornado]) {
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
        verdicts.push(verdictLine(ratio > 1, text));
      }
    }
    if (name === "keepalive" || name === "inflight") {
      for (
        const [peer, face, factor] of [
          [twisted, twistedFace, 2],
          [tornado, tornadoFace, 4],
        ] as const
      ) {
        if (peer === undefined) continue;
        const ratio = advantage(face, results.get(peer)!);
        verdicts.push(verdictLine(
          ratio >= factor,
          `≥ ${factor}x ${peer.name}'s throughput (${title}, matching face): ${
            ratio.toFixed(2)
          }x${ratio >= factor ? "" : reachable(results, peer)}`,
        ));
      }
    }
    if (name === "held") {
      const floorPeaks = [
        [floor, ""],
        [floorWithLogTape, " with LogTape loaded"],
        [floorWithTorsion, " with Torsion's http/ loaded"],
      ] as const;
      const peaks = floorPeaks.flatMap(([system, what]) => {
        const m = results.get(system);
        return m === undefined ? [] : [`${m.rss_mb.toFixed(0)} MiB${what}`];
      });
      const floorText = peaks.length === 0
        ? ""
        : ` (the floor, bare Deno sockets, peaks at ${peaks.join(", ")})`;
      for (
        const [face, faceName] of [
          [twistedFace, "Twisted face"],
          [tornadoFace, "Tornado face"],
        ] as const
      ) {
        const met = face.rss_mb <= HELD_PEAK_MIB;
        verdicts.push(verdictLine(
          met,
          `peak RSS ≤ ${HELD_PEAK_MIB} MiB with ${title} (${faceName}): ${
            face.rss_mb.toFixed(0)
          } MiB${met ? "" : floorText}`,
        ));
      }
    }
    if (name === "chain" && twisted !== undefined) {
      const ratio = advantage(twistedFace, results.get(twisted)!);
      verdicts.push(verdictLine(
        ratio >= 50,
        `Deferred chain ≥ 50x Twisted's on CPython: ${ratio.toFixed(1)}x`,
      ));
    }
    if (name === "delay") {
      const limit = 1.1 * (sizes.ms ?? 0) / 1000;
      for (const m of [twistedFace, tornadoFace]) {
        verdicts.push(verdictLine(
          m.value <= limit,
          `concurrent crawler within 10% of one delay (≤ ${
            limit.toFixed(2)
          } s): ${m.value.toFixed(3)} s`,
        ));
      }
    }
  }

  for (const work of workloads(quick)) {
    if (!selected(selection.workloads, work.name)) continue;
    // One Deferred serves both faces: the chain is measured once.
    const torsions = work.name === "chain"
      ? [torsionTwisted]
      : [torsionTwisted, torsionTornado];
    const systems = [
      ...torsions,
      ...peers,
      ...(withFloor && FLOOR_WORKLOADS.has(work.name) ? [floor] : []),
      // What loading Torsion's one dependency, and Torsion's client with
      // it, costs the floor: the held workload judges memory, and those
      // imports are part of any Torsion client's.
      ...(withFloor && work.name === "held"
        ? [floorWithLogTape, floorWithTorsion]
        : []),
    ];
    const results = await mediansOf(
      runs,
      systems,
      work.script,
      server.url,
      sizeArguments(work.sizes),
    );
    for (const [system, m] of results) {
      log(`  ${work.title} / ${system.name}: ${formatValue(m)}`);
    }
    const twistedFace = results.get(torsionTwisted)!;
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
    if (!quick) judge(work, results, twistedFace, tornadoFace);
  }

  const table = markdownTable(
    [
      "Workload",
      "System",
      runs === 1 ? "One run" : `Median of ${runs}`,
      "Peak RSS",
      "Torsion (Twisted face) ×",
      "Torsion (Tornado face) ×",
    ],
    rows,
  );
  return {
    sections: rows.length === 0 ? [] : [
      `### HTTP clients, Deferreds and timers (${
        runs === 1 ? "one run" : `median of ${runs} runs`
      } each)\n\n${table}`,
    ],
    verdicts,
  };
}
