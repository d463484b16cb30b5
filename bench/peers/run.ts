// deno-lint-ignore-file no-console
/**
 * `deno task bench:peers`: Torsion against the systems it ports, on the same
 * workloads, in three suites:
 *
 * - `client` (bench/peers/_client_suite.ts): HTTP clients, Deferreds and
 *   timers against Twisted's, Tornado's and Deno's own, median of `--runs`
 *   fresh processes;
 * - `server` (bench/peers/_server_suite.ts): Torsion's Twisted face
 *   (`Site`) and Tornado face (`Application`), `Deno.serve` (twice, as two
 *   systems: how far apart the same server lands in one run), Twisted's
 *   `Site`, Tornado's `Application`, a floor (bare `Deno.listen` answering
 *   fixed bytes) and the same floor after a full collection (the state its
 *   reads reach in a server with a larger heap) under `wrk -t1 --latency`,
 *   `--runs` rounds taking the servers in turn, medians counted: plaintext
 *   at 50 and 256 keep-alive connections, a small JSON response, a 100 KiB
 *   static file, a 1 KiB POST echoed; requests/s, p99 and server RSS; then
 *   10,000 idle keep-alive connections held by each server, RSS per
 *   connection;
 * - `ws` (bench/peers/_ws_suite.ts): WebSocket echo of 64-byte and 16 KiB
 *   messages over 50 connections; the servers (Torsion's two faces,
 *   `Deno.upgradeWebSocket` (twice, as in the server suite), Tornado's
 *   `WebSocketHandler`, a floor: bare `Deno.listen` echoing frames, and that
 *   floor copying each message first) driven by Deno's `WebSocket`, then the
 *   clients (Torsion's, Deno's (twice), Tornado's `websocket_connect`)
 *   against `Deno.upgradeWebSocket`; `--runs` rounds taking the systems in
 *   turn, medians counted.
 *
 * Every server and client runs in a process of its own. A system that
 * cannot run (a Python module, wrk or a Torsion module missing) is skipped
 * with a message. Verdicts are ratios within the same run; a missed one says
 * what the floor reaches, which tells whether the target is within reach
 * of anything written on Deno's sockets on this machine, and one against
 * Deno's own server or client gives that system against itself, which tells
 * how far from 1.0x the run's noise alone puts a ratio. Prints the tables
 * and writes them to bench/peers/RESULTS.md with the date and machine.
 *
 * Usage: deno run -A bench/peers/run.ts [--suite client,server,ws]
 *   [--runs 3] [--duration 10] [--idle 10000] [--systems a,b]
 *   [--workloads a,b] [--python /usr/bin/python3] [--wrk /usr/bin/wrk]
 *   [--quick] [--out bench/peers/RESULTS.md]
 *
 * `--quick` runs every workload once at a tiny size (1 s of wrk, 200 idle
 * connections, 1 s of WebSocket echo; a smoke test of every script); it
 * judges no target and writes no file unless `--out` is given. `--systems`
 * takes ids: torsion-twisted, torsion-tornado, deno, deno-again, twisted,
 * tornado, floor, floor-collected, floor-owning (Torsion's client always
 * runs in the client suite); `--workloads`
 * takes the client workloads (keepalive, delay, inflight, chain, timers),
 * the server ones (plaintext-50, plaintext-256, json, static, echo, idle)
 * and the WebSocket ones (ws-64, ws-16k).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { machine } from "../_runner.ts";
import { runClientSuite } from "./_client_suite.ts";
import { runServerSuite, serverSystems } from "./_server_suite.ts";
import type { PythonPeers, Selection, SuiteReport } from "./_suite.ts";
import { runWsSuite } from "./_ws_suite.ts";
import { findWrk } from "./_wrk.ts";

// The systems' error messages end up in the tables: no terminal colours.
Deno.env.set("NO_COLOR", "1");

const INSTALL = "apt-get install python3-twisted python3-tornado";
const SUITES = ["client", "server", "ws"] as const;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    suite: { type: "string", default: SUITES.join(",") },
    runs: { type: "string" },
    duration: { type: "string" },
    idle: { type: "string" },
    systems: { type: "string", default: "" },
    workloads: { type: "string", default: "" },
    python: { type: "string", default: "/usr/bin/python3" },
    wrk: { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
  },
});

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(
      `--${name} must be a positive integer: current value is ${text}`,
    );
  }
  return n;
}

function list(text: string): Set<string> {
  return new Set(text.split(",").map((s) => s.trim()).filter((s) => s !== ""));
}

const QUICK = flags.quick;
const RUNS = positiveInteger("runs", flags.runs ?? (QUICK ? "1" : "3"));
const SECONDS = positiveInteger(
  "duration",
  flags.duration ?? (QUICK ? "1" : "10"),
);
const IDLE = positiveInteger("idle", flags.idle ?? (QUICK ? "200" : "10000"));
const suites = list(flags.suite);
for (const suite of suites) {
  if (!(SUITES as readonly string[]).includes(suite)) {
    throw new TypeError(
      `--suite takes ${SUITES.join(", ")}: current value is ${suite}`,
    );
  }
}
const selection: Selection = {
  systems: list(flags.systems),
  workloads: list(flags.workloads),
};
const OUT = flags.out ??
  (QUICK ? undefined : new URL("./RESULTS.md", import.meta.url).pathname);

async function pythonVersionOf(module: string): Promise<string | null> {
  try {
    const output = await new Deno.Command(flags.python, {
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

const versions: string[] = [`Deno ${Deno.version.deno}`];
async function pythonPeer(
  module: string,
  label: string,
): Promise<string | null> {
  const version = await pythonVersionOf(module);
  if (version === null) {
    console.log(
      `Skipping ${label}: ${flags.python} cannot import ${module}. Install the Python peers with: ${INSTALL}`,
    );
    return null;
  }
  versions.push(`${label} ${version}`);
  return `${label} ${version}`;
}
const peers: PythonPeers = {
  python: flags.python,
  twisted: await pythonPeer("twisted", "Twisted"),
  tornado: await pythonPeer("tornado", "Tornado"),
};
if (peers.twisted !== null || peers.tornado !== null) {
  const output = await new Deno.Command(flags.python, {
    args: ["--version"],
    stdout: "piped",
  }).output();
  versions.push(new TextDecoder().decode(output.stdout).trim());
}
console.log(`${machine()}; ${versions.join(", ")}`);

const log = (line: string): void => console.log(line);
const reports: SuiteReport[] = [];
if (suites.has("client")) {
  reports.push(
    await runClientSuite({ runs: RUNS, quick: QUICK, peers, selection, log }),
  );
}
if (suites.has("server")) {
  const wrk = flags.wrk ?? await findWrk();
  if (wrk === null) {
    console.log(
      "Skipping the server suite: wrk is not installed (apt-get install wrk)",
    );
  } else {
    reports.push(
      await runServerSuite(serverSystems(peers), {
        wrk,
        seconds: SECONDS,
        warmupSeconds: QUICK ? 0 : 2,
        rounds: RUNS,
        idleConnections: IDLE,
        settleMs: QUICK ? 200 : 1000,
        selection,
        log,
      }),
    );
  }
}
if (suites.has("ws")) {
  reports.push(
    await runWsSuite({
      peers,
      seconds: SECONDS,
      warmupSeconds: QUICK ? 0 : 1,
      rounds: RUNS,
      selection,
      log,
    }),
  );
}

const sections = reports.flatMap((r) => r.sections).join("\n\n");
const targets = QUICK
  ? "Not judged: a --quick run measures tiny workloads."
  : reports.flatMap((r) => r.verdicts).join("\n");
console.log();
console.log(sections);
console.log();
console.log(targets);

if (OUT !== undefined) {
  const date = new Date().toISOString().slice(0, 10);
  const command = ["deno task bench:peers", ...Deno.args].join(" ");
  await Deno.writeTextFile(
    OUT,
    `# Torsion against its peers

Measured ${date} on ${machine()} with ${versions.join(", ")} by
\`${command}\` (bench/peers/run.ts). Every system runs in processes of its
own. "×" columns say how many times better Torsion's face does than the
row's system (above 1: Torsion wins).

- Clients: each figure is ${
      RUNS === 1 ? "one run" : `the median of ${RUNS} runs`
    }, each run a fresh process after an untimed warm-up of a tenth of the
  count; every HTTP client talks to the same local server (bench/_server.ts);
  the Deferred chain is the median of 5 rounds. Higher req/s and chains/s are
  better, fewer seconds are better. Tornado's \`simple_httpclient\` sends
  \`Connection: close\`, so it cannot keep connections alive. The floor is
  bare Deno sockets with no HTTP library.
- Servers: a fresh server process per workload, checked once with \`fetch\`,
  then \`wrk -t1 --latency\` for ${SECONDS} s${
      QUICK ? "" : " after an untimed 2 s run"
    }${
      RUNS === 1 ? "" : `, ${RUNS} times, the servers of a workload taken in
  turn each time and each figure the median of its ${RUNS} runs`
    }; peak RSS is the server's VmHWM. The idle connections are opened by a
  separate client process, each after one served request; RSS per connection
  is the server's VmRSS delta divided by the connections held. The floor is a
  bare \`Deno.listen\` server answering fixed bytes without parsing; the floor
  after a full collection is the same server running V8's full collection
  once, a second into each wrk run: from then on Deno's \`Conn.read\` leaves
  garbage in the old generation at every read of the connections it moved
  there, as it does in any server whose heap brings V8 to a full collection.
  \`Deno.serve\` runs twice, as two systems ("again"): the ratio of the two
  is how far apart the same server lands in this run.
- WebSocket: each connection sends a binary message and waits for its echo
  before the next, for ${SECONDS} s${QUICK ? "" : " after an untimed 1 s"}${
      RUNS === 1 ? "" : `, ${RUNS} times, the systems of a workload taken in
  turn each time and each figure the median of its ${RUNS} runs`
    }; p99 is of those round trips. Deno's native \`WebSocket\` drives the
  servers on 64-byte messages, the bare-socket client (\`TCP_NODELAY\`) on
  16 KiB ones, on which the native client stalls at about 1,000 round trips/s.
  The server floor echoes each frame in place; the floor copying each message
  first copies each payload into an array of its own, as a server must whose
  handler may keep its message (Torsion's, \`Deno.upgradeWebSocket\`).
  \`Deno.upgradeWebSocket\` and Deno's \`WebSocket\` run twice each, as the
  server suite's \`Deno.serve\`.

${sections}

Targets:

${targets}
`,
  );
  console.log(`\nWrote ${OUT}`);
}
