/**
 * The server suite of bench/peers/run.ts: each server in a fresh process of
 * its own per workload, checked once with `fetch`, loaded by `wrk -t1`
 * (after an untimed warm-up run), its RSS read from `/proc/<pid>/status`;
 * then 10,000 idle keep-alive connections held by each server, opened from
 * a client process (bench/peers/idle_client.ts). A missed target says what
 * the floor reaches, and the floor after a full collection; `Deno.serve`
 * runs twice, as two systems, so that a ratio against it comes with how far
 * apart the same server lands in the same run.
 *
 * @module
 */
import { markdownTable, measureInTurn, median } from "../_runner.ts";
import {
  ECHO_SIZE,
  JSON_MESSAGE,
  PLAINTEXT,
  STATIC_FILE,
  STATIC_SIZE,
} from "./_common.ts";
import {
  freePort,
  type ServerProcess,
  startServer,
} from "./_server_process.ts";
import {
  formatMs,
  notJudged,
  type PythonPeers,
  selected,
  type Selection,
  sleep,
  type SuiteReport,
  thousands,
  verdictLine,
} from "./_suite.ts";
import {
  runWrk,
  writePostScript,
  type WrkOptions,
  type WrkResult,
} from "./_wrk.ts";

const PEERS_DIR = new URL(".", import.meta.url).pathname;

/** A server under test. */
export interface ServerSystem {
  /** Its id for `--systems`. */
  readonly id: string;
  /** Its name in the tables. */
  readonly name: string;
  /** The command that serves `workload` on `port`. */
  command(
    workload: string,
    port: number,
    staticDir: string,
  ): [string, string[]];
}

function denoServer(
  id: string,
  name: string,
  script: string,
  extra: readonly string[] = [],
  flags: readonly string[] = [],
): ServerSystem {
  return {
    id,
    name,
    command: (workload, port, staticDir) => [Deno.execPath(), [
      "run",
      "-A",
      ...flags,
      `${PEERS_DIR}${script}`,
      workload,
      String(port),
      staticDir,
      ...extra,
    ]],
  };
}

function pythonServer(
  id: string,
  name: string,
  python: string,
  script: string,
): ServerSystem {
  return {
    id,
    name,
    command: (workload, port, staticDir) => [
      python,
      [`${PEERS_DIR}${script}`, workload, String(port), staticDir],
    ],
  };
}

/** The servers of the suite: the Torsion faces, Deno, the Python peers, the floors. */
export interface ServerSystems {
  torsionTwisted: ServerSystem;
  torsionTornado: ServerSystem;
  deno: ServerSystem;
  /**
   * Deno's server a second time, a system of its own in every round: how
   * far apart the same server lands within one run, which is how finely
   * that run can tell a ratio against Deno's server from 1.0x.
   */
  denoAgain: ServerSystem;
  twisted: ServerSystem | null;
  tornado: ServerSystem | null;
  floor: ServerSystem;
  /**
   * The floor again, made to run one full collection in each wrk run (see
   * bench/peers/socket_server.ts): the state any server on Deno's sockets
   * with a heap of some size reaches, which bounds its p99.
   */
  floorCollected: ServerSystem;
  /**
   * The WebSocket floor copying each message into an array of its own (see
   * bench/peers/socket_server.ts): what a server must do whose handler
   * keeps its messages. The WebSocket suite's only.
   */
  floorOwning: ServerSystem;
}

/**
 * The suite's servers, the Python ones only when their module imports.
 *
 * @param peers The Python peers found.
 * @returns The systems.
 */
export function serverSystems(peers: PythonPeers): ServerSystems {
  return {
    torsionTwisted: denoServer(
      "torsion-twisted",
      "Torsion (Twisted face: Site)",
      "torsion_twisted_server.ts",
    ),
    torsionTornado: denoServer(
      "torsion-tornado",
      "Torsion (Tornado face: Application)",
      "torsion_tornado_server.ts",
    ),
    deno: denoServer("deno", "Deno.serve", "deno_server.ts"),
    denoAgain: denoServer("deno-again", "Deno.serve, again", "deno_server.ts"),
    twisted: peers.twisted === null ? null : pythonServer(
      "twisted",
      `${peers.twisted} Site`,
      peers.python,
      "twisted_server.py",
    ),
    tornado: peers.tornado === null ? null : pythonServer(
      "tornado",
      `${peers.tornado} Application`,
      peers.python,
      "tornado_server.py",
    ),
    floor: denoServer(
      "floor",
      "Floor: bare Deno.listen, fixed bytes",
      "socket_server.ts",
    ),
    floorCollected: denoServer(
      "floor-collected",
      "Floor after a full collection",
      "socket_server.ts",
      ["collect"],
      ["--v8-flags=--expose-gc"],
    ),
    floorOwning: denoServer(
      "floor-owning",
      "Floor copying each message",
      "socket_server.ts",
      ["own"],
    ),
  };
}

/** One wrk workload. */
interface HttpWorkload {
  /** Its id for `--workloads`. */
  readonly id: string;
  /** What the server script is told to serve (the floor's response). */
  readonly serves: "plaintext" | "json" | "static" | "echo";
  readonly path: string;
  readonly connections: number;
  readonly title: string;
}

const HTTP_WORKLOADS: readonly HttpWorkload[] = [
  {
    id: "plaintext-50",
    serves: "plaintext",
    path: "/plaintext",
    connections: 50,
    title: "plaintext, keep-alive, 50 connections",
  },
  {
    id: "plaintext-256",
    serves: "plaintext",
    path: "/plaintext",
    connections: 256,
    title: "plaintext, keep-alive, 256 connections",
  },
  {
    id: "json",
    serves: "json",
    path: "/json",
    connections: 50,
    title: "small JSON, 50 connections",
  },
  {
    id: "static",
    serves: "static",
    path: `/static/${STATIC_FILE}`,
    connections: 50,
    title: "100 KiB static file, 50 connections",
  },
  {
    id: "echo",
    serves: "echo",
    path: "/echo",
    connections: 50,
    title: "1 KiB POST echoed, 50 connections",
  },
];

/** The 1 KiB body POSTed to `/echo` (ASCII, so the Lua script can quote it). */
const ECHO_BODY = "0123456789abcdef".repeat(ECHO_SIZE / 16);

/** How the server suite runs. */
export interface ServerSuiteOptions {
  /** The wrk binary. */
  wrk: string;
  /** Seconds of each measured wrk run. */
  seconds: number;
  /** Seconds of the untimed wrk run before it (0: none). */
  warmupSeconds: number;
  /** wrk runs per server and workload, taken in turn; the medians count. */
  rounds: number;
  /** Idle keep-alive connections to open against each server. */
  idleConnections: number;
  /**
   * Milliseconds the server is left to settle before each RSS reading of
   * the idle-connections measure.
   */
  settleMs: number;
  /** `--systems` and `--workloads`. */
  selection: Selection;
  /** Prints a progress line. */
  log(line: string): void;
}

/** One server's figures on one wrk workload. */
export interface HttpMeasurement extends WrkResult {
  /** The server's VmHWM after the run, MiB. */
  peakRssMb: number;
}

/** What the idle-connections measure found for one server. */
export interface IdleMeasurement {
  /** Connections the client held open. */
  open: number;
  /** Connections that failed to open. */
  failed: number;
  /** Server VmRSS before they were opened, KiB. */
  beforeKib: number;
  /** Server VmRSS while they were held, KiB. */
  afterKib: number;
  /** `(afterKib - beforeKib) / open`. */
  perConnectionKib: number;
}

/** Checks that `port` answers `workload` as it should before it is loaded. */
async function checkResponse(
  workload: HttpWorkload,
  port: number,
  staticDir: string,
): Promise<void> {
  using client = Deno.createHttpClient({});
  const url = `http://127.0.0.1:${port}${workload.path}`;
  // A server that never answers must not hang the whole run.
  const signal = AbortSignal.timeout(10_000);
  const response = workload.serves === "echo"
    ? await fetch(url, { method: "POST", body: ECHO_BODY, client, signal })
    : await fetch(url, { client, signal });
  const body = new Uint8Array(await response.arrayBuffer());
  const text = (): string => new TextDecoder().decode(body);
  const expected: Record<HttpWorkload["serves"], () => boolean> = {
    plaintext: () => text() === PLAINTEXT,
    json: () => JSON.parse(text()).message === JSON_MESSAGE.message,
    static: () => {
      const file = Deno.readFileSync(`${staticDir}/${STATIC_FILE}`);
      return body.length === STATIC_SIZE &&
        body.every((byte, i) => byte === file[i]);
    },
    echo: () => text() === ECHO_BODY,
  };
  if (response.status !== 200 || !expected[workload.serves]()) {
    throw new Error(
      `GET ${workload.path} answered ${response.status} with ${body.length} bytes that are not the expected body`,
    );
  }
}

/** Opens `count` idle connections from a client process; resolves once held. */
async function holdIdleConnections(
  port: number,
  count: number,
): Promise<{ open: number; failed: number; release(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${PEERS_DIR}idle_client.ts`,
      String(port),
      String(count),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/ready \d+ \d+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const release = async (): Promise<void> => {
    await child.stdin.close().catch(() => {});
    while (!(await reader.read()).done) { /* drain */ }
    await child.stderr.cancel().catch(() => {});
    await child.status;
  };
  const match = /ready (\d+) (\d+)\n/.exec(text);
  if (match === null) {
    await release();
    throw new Error("The idle-connections client ended before holding them");
  }
  return { open: Number(match[1]), failed: Number(match[2]), release };
}

/** The workloads' figures per system id, or the reason it has none. */
type Results<T> = Map<string, Map<string, T | Error>>;

/**
 * Runs the server suite.
 *
 * @param systems The servers (the missing Python peers are null).
 * @param options The sizes, selection and tools.
 * @returns The tables and verdicts.
 */
export async function runServerSuite(
  systems: ServerSystems,
  options: ServerSuiteOptions,
): Promise<SuiteReport> {
  const { selection, log } = options;
  const all = [
    systems.torsionTwisted,
    systems.torsionTornado,
    systems.deno,
    systems.denoAgain,
    systems.twisted,
    systems.tornado,
    systems.floor,
    systems.floorCollected,
  ].filter((s): s is ServerSystem =>
    s !== null && selected(selection.systems, s.id)
  );
  const staticDir = await Deno.makeTempDir({ prefix: "bench_static_" });
  const postScript = await writePostScript(ECHO_BODY);
  const http: Results<HttpMeasurement> = new Map();
  const idle = new Map<string, IdleMeasurement | Error>();
  /** A system that did not start once is not started again. */
  const broken = new Map<string, Error>();
  try {
    const file = new Uint8Array(STATIC_SIZE);
    for (let i = 0; i < file.length; i += 65536) {
      crypto.getRandomValues(file.subarray(i, i + 65536));
    }
    await Deno.writeFile(`${staticDir}/${STATIC_FILE}`, file);

    for (const workload of HTTP_WORKLOADS) {
      if (!selected(selection.workloads, workload.id)) continue;
      http.set(
        workload.id,
        await measureWorkload(all, workload, staticDir, postScript, {
          ...options,
          broken,
        }),
      );
    }

    if (selected(selection.workloads, "idle")) {
      // Idle connections make no reads to leave garbage: collecting changes
      // nothing there. Nor is a ratio judged on them: no second Deno.serve.
      const holders = all.filter((s) =>
        s !== systems.floorCollected && s !== systems.denoAgain
      );
      for (const system of holders) {
        const known = broken.get(system.id);
        if (known !== undefined) {
          idle.set(system.id, known);
          continue;
        }
        try {
          const measured = await measureIdle(system, staticDir, options);
          idle.set(system.id, measured);
          log(
            `  ${
              thousands(options.idleConnections)
            } idle connections / ${system.name}: ${
              measured.perConnectionKib.toFixed(2)
            } KiB each`,
          );
        } catch (error) {
          const failure = error instanceof Error
            ? error
            : new Error(String(error));
          idle.set(system.id, failure);
          log(`  idle connections / ${system.name}: ${failure.message}`);
        }
      }
    }
  } finally {
    await Deno.remove(staticDir, { recursive: true });
    await Deno.remove(postScript);
  }
  return {
    sections: serverSections(all, http, idle, options),
    verdicts: serverVerdicts(systems, http, idle),
  };
}

/**
 * Measures one workload on every server: all of them are started and warmed
 * first, then each round runs wrk once against each server in turn (each
 * round starting one server further on), and a server's figures are the
 * medians of its rounds. On a shared machine whose
 * speed drifts from one minute to the next, rounds taken in turn put every
 * server through the same slow and fast spells, where one run after the
 * other would compare a server measured in one spell with one measured in
 * another.
 */
async function measureWorkload(
  systems: readonly ServerSystem[],
  workload: HttpWorkload,
  staticDir: string,
  postScript: string,
  options: ServerSuiteOptions & { broken: Map<string, Error> },
): Promise<Map<string, HttpMeasurement | Error>> {
  const { wrk, seconds, warmupSeconds, rounds, broken, log } = options;
  const row = new Map<string, HttpMeasurement | Error>();
  const fail = (system: ServerSystem, error: unknown): void => {
    const failure = error instanceof Error ? error : new Error(String(error));
    row.set(system.id, failure);
    if (/did not start/.test(failure.message)) {
      broken.set(system.id, failure);
      log(`Skipping ${system.name}: ${failure.message}`);
    } else {
      log(`  ${workload.title} / ${system.name}: ${failure.message}`);
    }
  };
  await using servers = new AsyncDisposableStack();
  const running: {
    system: ServerSystem;
    server: ServerProcess;
    load: WrkOptions;
  }[] = [];
  for (const system of systems) {
    const known = broken.get(system.id);
    if (known !== undefined) {
      row.set(system.id, known);
      continue;
    }
    try {
      const [command, args] = system.command(
        workload.serves,
        freePort(),
        staticDir,
      );
      const server = servers.use(await startServer(command, args));
      await checkResponse(workload, server.port, staticDir);
      const load = {
        url: `http://127.0.0.1:${server.port}${workload.path}`,
        connections: workload.connections,
        seconds,
        script: workload.serves === "echo" ? postScript : undefined,
      };
      if (warmupSeconds > 0) {
        await runWrk(wrk, { ...load, seconds: warmupSeconds });
      }
      running.push({ system, server, load });
    } catch (error) {
      fail(system, error);
    }
  }
  const measured = await measureInTurn(
    running,
    rounds,
    (entry) => runWrk(wrk, entry.load),
  );
  for (const entry of running) {
    const { system, server } = entry;
    const runs = measured.get(entry) as WrkResult[] | Error;
    if (runs instanceof Error) {
      fail(system, runs);
      continue;
    }
    const figures = {
      ...medianRun(runs),
      peakRssMb: server.memory().hwmKib / 1024,
    };
    row.set(system.id, figures);
    log(
      `  ${workload.title} / ${system.name}: ${
        thousands(figures.requestsPerSecond)
      } req/s, p99 ${formatMs(figures.p99Ms)}${
        runs.length > 1
          ? ` (runs: ${
            runs.map((r) => thousands(r.requestsPerSecond)).join(", ")
          } req/s)`
          : ""
      }`,
    );
  }
  return row;
}

/**
 * The medians of wrk runs, each figure on its own (requests/s and p99 need
 * not come from the same run); errors are summed, as any makes a figure
 * worthless.
 *
 * @param runs At least one run.
 * @returns The figures.
 */
export function medianRun(runs: readonly WrkResult[]): WrkResult {
  const sum = (pick: (run: WrkResult) => number): number =>
    runs.reduce((total, run) => total + pick(run), 0);
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    requests: median(runs.map((run) => run.requests)),
    socketErrors: sum((run) => run.socketErrors),
    non2xx: sum((run) => run.non2xx),
  };
}

async function measureIdle(
  system: ServerSystem,
  staticDir: string,
  { idleConnections, settleMs }: ServerSuiteOptions,
): Promise<IdleMeasurement> {
  const [command, args] = system.command("idle", freePort(), staticDir);
  await using server = await startServer(command, args);
  // A first round warms the server's code paths and heap, so that what is
  // measured next is what the connections themselves hold.
  const warm = await holdIdleConnections(
    server.port,
    Math.min(200, idleConnections),
  );
  await warm.release();
  await sleep(settleMs);
  const beforeKib = server.memory().rssKib;
  const held = await holdIdleConnections(server.port, idleConnections);
  try {
    await sleep(settleMs);
    const afterKib = server.memory().rssKib;
    if (held.open === 0) {
      throw new Error(`No connection opened (${held.failed} failed)`);
    }
    return {
      open: held.open,
      failed: held.failed,
      beforeKib,
      afterKib,
      perConnectionKib: (afterKib - beforeKib) / held.open,
    };
  } finally {
    await held.release();
  }
}

function errorCell(error: Error): string {
  return /did not start/.test(error.message)
    ? "did not run"
    : `failed: ${error.message.slice(0, 80)}`;
}

function httpSection(
  all: readonly ServerSystem[],
  http: Results<HttpMeasurement>,
  seconds: number,
): string {
  const rows: string[][] = [];
  const ratio = (
    face: HttpMeasurement | Error | undefined,
    m: HttpMeasurement,
  ): string =>
    face === undefined || face instanceof Error
      ? ""
      : `${(face.requestsPerSecond / m.requestsPerSecond).toFixed(2)}x`;
  for (const workload of HTTP_WORKLOADS) {
    const row = http.get(workload.id);
    if (row === undefined) continue;
    const twistedFace = row.get("torsion-twisted");
    const tornadoFace = row.get("torsion-tornado");
    for (const system of all) {
      const m = row.get(system.id);
      if (m === undefined) continue;
      if (m instanceof Error) {
        rows.push([workload.title, system.name, errorCell(m), "", "", "", ""]);
        continue;
      }
      const errors = m.socketErrors + m.non2xx;
      const isTorsion = system.id.startsWith("torsion-");
      rows.push([
        workload.title,
        system.name,
        `${thousands(m.requestsPerSecond)}${
          errors > 0 ? ` (${thousands(errors)} errors)` : ""
        }`,
        formatMs(m.p99Ms),
        `${m.peakRssMb.toFixed(0)} MiB`,
        isTorsion ? "" : ratio(twistedFace, m),
        isTorsion ? "" : ratio(tornadoFace, m),
      ]);
    }
  }
  return `### HTTP servers under \`wrk -t1 --latency\`, ${seconds} s per run\n\n${
    markdownTable([
      "Workload",
      "Server",
      "Requests/s",
      "p99",
      "Peak RSS",
      "Torsion (Twisted face) ×",
      "Torsion (Tornado face) ×",
    ], rows)
  }`;
}

function idleSection(
  all: readonly ServerSystem[],
  idle: Map<string, IdleMeasurement | Error>,
  count: number,
): string {
  const rows = all.flatMap((system): string[][] => {
    const m = idle.get(system.id);
    if (m === undefined) return [];
    if (m instanceof Error) {
      return [[system.name, errorCell(m), "", "", ""]];
    }
    return [[
      system.name,
      `${thousands(m.open)}${m.failed > 0 ? ` (${m.failed} failed)` : ""}`,
      `${(m.beforeKib / 1024).toFixed(0)} MiB`,
      `${(m.afterKib / 1024).toFixed(0)} MiB`,
      `${m.perConnectionKib.toFixed(2)} KiB`,
    ]];
  });
  return `### ${thousands(count)} idle keep-alive connections\n\n${
    markdownTable([
      "Server",
      "Connections held",
      "RSS before",
      "RSS holding them",
      "RSS per connection",
    ], rows)
  }`;
}

function serverSections(
  all: readonly ServerSystem[],
  http: Results<HttpMeasurement>,
  idle: Map<string, IdleMeasurement | Error>,
  { seconds, idleConnections }: ServerSuiteOptions,
): string[] {
  const sections: string[] = [];
  if (http.size > 0) sections.push(httpSection(all, http, seconds));
  if (idle.size > 0) sections.push(idleSection(all, idle, idleConnections));
  return sections;
}

/** A measurement when present and not an error. */
function ok<T>(value: T | Error | undefined): T | undefined {
  return value === undefined || value instanceof Error ? undefined : value;
}

/**
 * The issue's server targets, judged on the figures of one run. A line
 * judged against `Deno.serve` also gives `Deno.serve` against itself (the
 * second one's figure over the first's) when both ran.
 *
 * @param systems The suite's servers.
 * @param http The wrk figures per workload and system id.
 * @param idle The idle-connections figures per system id.
 * @returns The verdict lines.
 */
export function serverVerdicts(
  systems: ServerSystems,
  http: Results<HttpMeasurement>,
  idle: Map<string, IdleMeasurement | Error>,
): string[] {
  const verdicts: string[] = [];
  const faces = [systems.torsionTwisted, systems.torsionTornado];
  for (const workload of HTTP_WORKLOADS) {
    const row = http.get(workload.id);
    if (row === undefined) continue;
    const floor = ok(row.get(systems.floor.id));
    const collected = ok(row.get(systems.floorCollected.id));
    const deno = ok(row.get(systems.deno.id));
    const denoAgain = ok(row.get(systems.denoAgain.id));
    const denoAgainRate = deno === undefined || denoAgain === undefined
      ? ""
      : `; Deno.serve against itself ${
        (denoAgain.requestsPerSecond / deno.requestsPerSecond).toFixed(2)
      }x`;
    const denoAgainP99 = denoAgain === undefined
      ? ""
      : `; Deno.serve's again ${formatMs(denoAgain.p99Ms)}`;
    const afterCollection = (figure: (m: HttpMeasurement) => string): string =>
      collected === undefined
        ? ""
        : ` (${figure(collected)} after a full collection)`;
    const floorReaches = (peer: HttpMeasurement): string => {
      const ratio = (m: HttpMeasurement): string =>
        `${(m.requestsPerSecond / peer.requestsPerSecond).toFixed(2)}x`;
      return floor === undefined
        ? ""
        : `; the floor reaches ${ratio(floor)}${afterCollection(ratio)}`;
    };
    for (const face of faces) {
      const m = ok(row.get(face.id));
      if (workload.id === "plaintext-50") {
        const target =
          `${face.name} ≥ 1.0x Deno.serve's req/s (${workload.title})`;
        if (m === undefined || deno === undefined) {
          verdicts.push(
            notJudged(target, missingNames(row, [face, systems.deno])),
          );
        } else {
          const ratio = m.requestsPerSecond / deno.requestsPerSecond;
          verdicts.push(verdictLine(
            ratio >= 1,
            `${target}: ${ratio.toFixed(2)}x${
              ratio >= 1 ? "" : floorReaches(deno)
            }${denoAgainRate}`,
          ));
        }
      }
      const [peer, factor] = face === systems.torsionTwisted
        ? [systems.twisted, 5]
        : [systems.tornado, 10];
      if (peer !== null) {
        const p = ok(row.get(peer.id));
        const target =
          `${face.name} ≥ ${factor}x ${peer.name}'s req/s (${workload.title})`;
        if (m === undefined || p === undefined) {
          verdicts.push(notJudged(target, missingNames(row, [face, peer])));
        } else {
          const ratio = m.requestsPerSecond / p.requestsPerSecond;
          verdicts.push(verdictLine(
            ratio >= factor,
            `${target}: ${ratio.toFixed(2)}x${
              ratio >= factor ? "" : floorReaches(p)
            }`,
          ));
        }
      }
      const target = `${face.name} p99 ≤ Deno.serve's (${workload.title})`;
      if (m === undefined || deno === undefined) {
        verdicts.push(
          notJudged(target, missingNames(row, [face, systems.deno])),
        );
      } else {
        const met = m.p99Ms <= deno.p99Ms;
        verdicts.push(verdictLine(
          met,
          `${target}: ${formatMs(m.p99Ms)} against ${formatMs(deno.p99Ms)}${
            met || floor === undefined
              ? ""
              : `; the floor's is ${formatMs(floor.p99Ms)}${
                afterCollection((m) => formatMs(m.p99Ms))
              }`
          }${denoAgainP99}`,
        ));
      }
    }
  }
  if (idle.size > 0) {
    const floor = ok(idle.get(systems.floor.id));
    for (const face of faces) {
      const m = ok(idle.get(face.id));
      const target =
        `${face.name} holds idle keep-alive connections in < 10 KiB of RSS each`;
      if (m === undefined) {
        verdicts.push(notJudged(target, [face.name]));
      } else {
        const met = m.perConnectionKib < 10;
        verdicts.push(verdictLine(
          met,
          `${target}: ${m.perConnectionKib.toFixed(2)} KiB over ${
            thousands(m.open)
          }${
            met || floor === undefined
              ? ""
              : `; the floor holds ${floor.perConnectionKib.toFixed(2)} KiB`
          }`,
        ));
      }
    }
  }
  return verdicts;
}

function missingNames(
  row: Map<string, unknown>,
  systems: readonly ServerSystem[],
): string[] {
  return systems.filter((s) => ok(row.get(s.id)) === undefined).map((s) =>
    s.name
  );
}
