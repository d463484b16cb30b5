/**
 * The WebSocket suite of bench/peers/run.ts: an echo of 64-byte and 16 KiB
 * binary messages over 50 connections, each connection sending a message
 * and awaiting its echo before the next.
 *
 * - Servers (Torsion's Twisted face `WebSocketServerFactory`, its Tornado
 *   face `WebSocketHandler`, `Deno.upgradeWebSocket`, Tornado's
 *   `WebSocketHandler`, the bare-socket floor of bench/peers/socket_server.ts
 *   and the same floor copying each message into an array of its own, as a
 *   server whose handler keeps its messages must), each in a fresh process,
 *   loaded by Deno's native
 *   `WebSocket` on 64-byte messages and by the bare-socket client
 *   (bench/peers/socket_ws_client.ts) on 16 KiB ones, on which the native
 *   client stalls (see there).
 * - Clients (Torsion's `connectWS` and `websocketConnect`, Deno's `WebSocket`, Tornado's
 *   `websocket_connect`, the bare-socket floor) against a fresh
 *   `Deno.upgradeWebSocket` server each.
 *
 * Deno's server and Deno's client each run twice, as two systems, so that
 * a ratio against them comes with how far apart the same system lands in
 * the same run.
 *
 * Each row gives messages/s, the p99, the peak RSS and the CPU time per
 * message (user and system, from `/proc`) of the server (server tables) or
 * of the client (client tables), taken over the measured window.
 *
 * @module
 */
import {
  markdownTable,
  measure,
  measureInTurn,
  type Measurement,
  median,
  type System,
} from "../_runner.ts";
import {
  freePort,
  type ServerProcess,
  startServer,
} from "./_server_process.ts";
import { type ServerSystem, serverSystems } from "./_server_suite.ts";
import {
  formatMs,
  notJudged,
  type PythonPeers,
  selected,
  type Selection,
  type SuiteReport,
  thousands,
  verdictLine,
} from "./_suite.ts";

const PEERS_DIR = new URL(".", import.meta.url).pathname;

/** A client's figures: the runner's measurement with the p99. */
export interface EchoMeasurement extends Measurement {
  /** The 99th percentile round trip, ms. */
  p99_ms: number;
  /** The server's VmHWM, MiB, for the server tests. */
  server_rss_mb?: number;
  /** The client's CPU time per message, µs (`null` when it made none). */
  cpu_us_per_msg?: number | null;
  /** The server's CPU time per message, µs, for the server tests. */
  peer_cpu_us_per_msg?: number | null;
}

/** A WebSocket client system: the script gets the URL as its base. */
function wsClient(
  id: string,
  name: string,
  command: string,
  args: readonly string[],
  after: readonly string[] = [],
): System & { id: string } {
  return {
    id,
    name,
    command: (_workload, url) => [command, [...args, url, ...after]],
  };
}

/** What the tables call Torsion's two clients. */
const TORSION_CLIENTS = {
  twisted: "Torsion (Twisted face: connectWS)",
  tornado: "Torsion (Tornado face: websocketConnect)",
} as const;

interface WsWorkload {
  readonly id: string;
  readonly size: number;
  readonly title: string;
}

const CONNECTIONS = 50;
const WS_WORKLOADS: readonly WsWorkload[] = [
  { id: "ws-64", size: 64, title: "64 B" },
  { id: "ws-16k", size: 16 * 1024, title: "16 KiB" },
];

/** How the WebSocket suite runs. */
export interface WsSuiteOptions {
  peers: PythonPeers;
  /** Seconds measured per run. */
  seconds: number;
  /** Seconds run untimed first. */
  warmupSeconds: number;
  /** Runs per system and workload, taken in turn; the medians count. */
  rounds: number;
  selection: Selection;
  log(line: string): void;
}

/** What the WebSocket tables call each server. */
function wsServerName(server: ServerSystem, peers: PythonPeers): string {
  const names: Record<string, string> = {
    "torsion-twisted": "Torsion (Twisted face: WebSocketServerFactory)",
    "torsion-tornado": "Torsion (Tornado face: WebSocketHandler)",
    deno: "Deno.upgradeWebSocket",
    "deno-again": "Deno.upgradeWebSocket, again",
    tornado: `${peers.tornado} WebSocketHandler`,
    floor: "Floor: bare Deno.listen echoing frames",
    "floor-owning": "Floor: the same, copying each message first",
  };
  return names[server.id] ?? server.name;
}

type Row = Map<string, EchoMeasurement | Error>;

function failure(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Whether a failure means the system is not there (a module missing). */
function didNotRun(error: Error): boolean {
  return /did not start|Module not found|Cannot import|No module named/.test(
    error.message,
  );
}

/**
 * The medians of echo runs, each figure on its own (the peak RSS is the
 * largest): messages/s and p99 need not come from the same run.
 *
 * @param runs At least one run.
 * @returns The figures.
 */
export function medianEcho(runs: readonly EchoMeasurement[]): EchoMeasurement {
  const optional = (
    pick: (run: EchoMeasurement) => number | null | undefined,
  ): number | null | undefined => {
    const known = runs.map(pick).filter((v): v is number =>
      typeof v === "number"
    );
    return known.length > 0 ? median(known) : pick(runs[0]);
  };
  return {
    ...runs[0],
    value: median(runs.map((run) => run.value)),
    seconds: median(runs.map((run) => run.seconds)),
    p99_ms: median(runs.map((run) => run.p99_ms)),
    rss_mb: Math.max(...runs.map((run) => run.rss_mb)),
    cpu_us_per_msg: optional((run) => run.cpu_us_per_msg),
    peer_cpu_us_per_msg: optional((run) => run.peer_cpu_us_per_msg),
  };
}

/** The messages/s of each run, when there are several. */
function runsNote(runs: readonly EchoMeasurement[]): string {
  return runs.length > 1
    ? ` (runs: ${runs.map((run) => thousands(run.value)).join(", ")} msg/s)`
    : "";
}

/**
 * Runs the WebSocket suite.
 *
 * @param options Durations, peers, selection.
 * @returns The tables and verdicts.
 */
export async function runWsSuite(
  { peers, seconds, warmupSeconds, rounds, selection, log }: WsSuiteOptions,
): Promise<SuiteReport> {
  const servers = serverSystems(peers);
  const serverList = [
    servers.torsionTwisted,
    servers.torsionTornado,
    servers.deno,
    servers.denoAgain,
    servers.tornado,
    servers.floor,
    servers.floorOwning,
  ].filter((s): s is ServerSystem =>
    s !== null && selected(selection.systems, s.id)
  ).map((s) => ({ ...s, name: wsServerName(s, peers) }));
  const deno = Deno.execPath();
  const floor = wsClient("floor", "Floor: bare Deno sockets", deno, [
    "run",
    "-A",
    `${PEERS_DIR}socket_ws_client.ts`,
  ]);
  const nativeClient = [
    "run",
    "-A",
    `${PEERS_DIR}deno_ws_client.ts`,
  ];
  const native = wsClient("deno", "Deno WebSocket", deno, nativeClient);
  const clients = [
    ...(["twisted", "tornado"] as const).map((face) =>
      wsClient(`torsion-${face}`, TORSION_CLIENTS[face], deno, [
        "run",
        "-A",
        `${PEERS_DIR}torsion_ws_client.ts`,
      ], [face])
    ),
    native,
    wsClient("deno-again", "Deno WebSocket, again", deno, nativeClient),
    ...(peers.tornado === null ? [] : [
      wsClient(
        "tornado",
        `${peers.tornado} websocket_connect`,
        peers.python,
        [`${PEERS_DIR}tornado_ws_client.py`],
      ),
    ]),
    floor,
  ].filter((c) => selected(selection.systems, c.id));

  /**
   * Deno's native client drives the small messages, on which it is the
   * fastest client here; the bare-socket one drives the 16 KiB ones, on
   * which the native client stalls (see socket_ws_client.ts).
   */
  const driverFor = (workload: WsWorkload): System =>
    workload.size > 1024 ? floor : native;
  const serverRows = new Map<string, Row>();
  const clientRows = new Map<string, Row>();
  // Servers and clients share ids (torsion-tornado): one map for each.
  const broken = new Map<string, Error>();
  const brokenClients = new Map<string, Error>();
  for (const workload of WS_WORKLOADS) {
    if (!selected(selection.workloads, workload.id)) continue;
    const sizes = [
      `connections=${CONNECTIONS}`,
      `size=${workload.size}`,
      `seconds=${seconds}`,
      `warmup=${warmupSeconds}`,
    ];
    const serverRow: Row = new Map();
    serverRows.set(workload.id, serverRow);
    const serverFailed = (server: ServerSystem, error: unknown): void => {
      const f = failure(error);
      serverRow.set(server.id, f);
      if (didNotRun(f)) {
        broken.set(server.id, f);
        log(`Skipping ${server.name} WebSocket server: ${f.message}`);
      } else {
        log(
          `  WebSocket echo ${workload.title} / ${server.name}: ${f.message}`,
        );
      }
    };
    await using processes = new AsyncDisposableStack();
    const runningServers: { server: ServerSystem; process: ServerProcess }[] =
      [];
    for (const server of serverList) {
      const known = broken.get(server.id);
      if (known !== undefined) {
        serverRow.set(server.id, known);
        continue;
      }
      try {
        const [command, args] = server.command("ws", freePort(), PEERS_DIR);
        const process = processes.use(await startServer(command, args));
        runningServers.push({ server, process });
      } catch (error) {
        serverFailed(server, error);
      }
    }
    const serverRuns = await measureInTurn(
      runningServers,
      rounds,
      ({ process }) =>
        measure(
          driverFor(workload),
          "ws",
          `ws://127.0.0.1:${process.port}/ws`,
          [...sizes, `pid=${process.pid}`],
        ) as Promise<EchoMeasurement>,
    );
    for (const entry of runningServers) {
      const runs = serverRuns.get(entry) as EchoMeasurement[] | Error;
      if (runs instanceof Error) {
        serverFailed(entry.server, runs);
        continue;
      }
      const m = medianEcho(runs);
      m.server_rss_mb = entry.process.memory().hwmKib / 1024;
      serverRow.set(entry.server.id, m);
      log(
        `  WebSocket echo ${workload.title} / server ${entry.server.name}: ${
          thousands(m.value)
        } msg/s, p99 ${formatMs(m.p99_ms)}, ${
          cpuCell(m.peer_cpu_us_per_msg)
        } µs CPU/msg${runsNote(runs)}`,
      );
    }
    const clientRow: Row = new Map();
    clientRows.set(workload.id, clientRow);
    const clientFailed = (client: System & { id: string }, error: unknown) => {
      const f = failure(error);
      clientRow.set(client.id, f);
      log(
        `  WebSocket echo ${workload.title} / client ${client.name}: ${f.message}`,
      );
    };
    // Each client has a `Deno.upgradeWebSocket` server of its own.
    const runningClients: {
      client: System & { id: string };
      process: ServerProcess;
    }[] = [];
    for (const client of clients) {
      const known = brokenClients.get(client.id);
      if (known !== undefined) {
        clientRow.set(client.id, known);
        continue;
      }
      try {
        const [command, args] = servers.deno.command(
          "ws",
          freePort(),
          PEERS_DIR,
        );
        const process = processes.use(await startServer(command, args));
        runningClients.push({ client, process });
      } catch (error) {
        clientFailed(client, error);
      }
    }
    const clientRuns = await measureInTurn(
      runningClients,
      rounds,
      ({ client, process }) =>
        measure(
          client,
          "ws",
          `ws://127.0.0.1:${process.port}/ws`,
          sizes,
        ) as Promise<EchoMeasurement>,
    );
    for (const entry of runningClients) {
      const runs = clientRuns.get(entry) as EchoMeasurement[] | Error;
      if (runs instanceof Error) {
        clientFailed(entry.client, runs);
        continue;
      }
      const m = medianEcho(runs);
      clientRow.set(entry.client.id, m);
      log(
        `  WebSocket echo ${workload.title} / client ${entry.client.name}: ${
          thousands(m.value)
        } msg/s, p99 ${formatMs(m.p99_ms)}, ${
          cpuCell(m.cpu_us_per_msg)
        } µs CPU/msg${runsNote(runs)}`,
      );
    }
  }
  if (serverRows.size === 0) return { sections: [], verdicts: [] };
  return {
    sections: [
      wsSection(
        `### WebSocket servers: echo over ${CONNECTIONS} connections, ${seconds} s, driven by Deno's WebSocket (64 B) and bare Deno sockets (16 KiB)`,
        serverList,
        serverRows,
        (m) => m.server_rss_mb ?? 0,
        "Server peak RSS",
        (m) => m.peer_cpu_us_per_msg,
        "Server CPU µs/msg",
      ),
      wsSection(
        `### WebSocket clients: echo over ${CONNECTIONS} connections, ${seconds} s, against Deno.upgradeWebSocket`,
        clients,
        clientRows,
        (m) => m.rss_mb,
        "Client peak RSS",
        (m) => m.cpu_us_per_msg,
        "Client CPU µs/msg",
      ),
    ],
    verdicts: wsVerdicts(servers, serverRows, clientRows, peers),
  };
}

function wsSection(
  heading: string,
  systems: readonly { id: string; name: string }[],
  rows: Map<string, Row>,
  rss: (m: EchoMeasurement) => number,
  rssTitle: string,
  cpu: (m: EchoMeasurement) => number | null | undefined,
  cpuTitle: string,
): string {
  const lines: string[][] = [];
  for (const workload of WS_WORKLOADS) {
    const row = rows.get(workload.id);
    if (row === undefined) continue;
    for (const system of systems) {
      const m = row.get(system.id);
      if (m === undefined) continue;
      if (m instanceof Error) {
        lines.push([
          workload.title,
          system.name,
          didNotRun(m) ? "did not run" : `failed: ${m.message.slice(0, 80)}`,
          "",
          "",
          "",
        ]);
        continue;
      }
      lines.push([
        workload.title,
        system.name,
        thousands(m.value),
        formatMs(m.p99_ms),
        `${rss(m).toFixed(0)} MiB`,
        cpuCell(cpu(m)),
      ]);
    }
  }
  return `${heading}\n\n${
    markdownTable(
      ["Message", "System", "Messages/s", "p99", rssTitle, cpuTitle],
      lines,
    )
  }`;
}

/** A CPU time per message, µs, or "n/a" when the system did not report one. */
function cpuCell(us: number | null | undefined): string {
  return typeof us === "number" && Number.isFinite(us) ? us.toFixed(1) : "n/a";
}

function ok(
  m: EchoMeasurement | Error | undefined,
): EchoMeasurement | undefined {
  return m === undefined || m instanceof Error ? undefined : m;
}

/**
 * The issue's WebSocket targets, judged on one run's figures. Each line
 * also gives how much CPU time per message the Torsion face took against
 * the system it is judged by, when both reported it: under load that
 * ratio moves far less than the one of messages/s. A missed line says what
 * the floors reach against the same system; a missed server line against
 * Tornado says what `Deno.upgradeWebSocket` reaches too, as the client
 * driving every server shares the machine's cores with it and bounds them
 * all. A line judged against Deno's server or client gives that system
 * against itself (its second run's figure over its first's) when both ran.
 *
 * @returns The verdict lines.
 */
export function wsVerdicts(
  servers: ReturnType<typeof serverSystems>,
  serverRows: Map<string, Row>,
  clientRows: Map<string, Row>,
  peers: PythonPeers,
): string[] {
  const verdicts: string[] = [];
  const name = (server: ServerSystem): string => wsServerName(server, peers);
  const serverCpu = (m: EchoMeasurement): number | null | undefined =>
    m.peer_cpu_us_per_msg;
  /** What a line says besides its ratio, each figure over the judge's. */
  interface Context {
    floor?: EchoMeasurement;
    owningFloor?: EchoMeasurement;
    /** Another system's ratio, given with a missed line. */
    alongside?: { name: string; m: EchoMeasurement | undefined };
    /** The judge measured a second time. */
    again?: EchoMeasurement;
    cpu(m: EchoMeasurement): number | null | undefined;
  }
  const judge = (
    target: string,
    mine: { name: string; m: EchoMeasurement | undefined },
    theirs: { name: string; m: EchoMeasurement | undefined },
    factor: number,
    { floor, owningFloor, alongside, again, cpu }: Context,
  ): void => {
    if (mine.m === undefined || theirs.m === undefined) {
      verdicts.push(notJudged(
        target,
        [mine, theirs].filter((s) => s.m === undefined).map((s) => s.name),
      ));
      return;
    }
    const base = theirs.m.value;
    const against = (m: EchoMeasurement): string =>
      `${(m.value / base).toFixed(2)}x`;
    const ratio = mine.m.value / base;
    const met = ratio >= factor;
    const mineCpu = cpu(mine.m);
    const theirCpu = cpu(theirs.m);
    verdicts.push(verdictLine(
      met,
      `${target}: ${ratio.toFixed(2)}x${
        met || floor === undefined
          ? ""
          : `; the floor reaches ${against(floor)}${
            owningFloor === undefined
              ? ""
              : ` (${against(owningFloor)} copying each message)`
          }${
            alongside?.m === undefined
              ? ""
              : `, ${alongside.name} ${against(alongside.m)}`
          }`
      }${
        again === undefined
          ? ""
          : `; ${theirs.name} against itself ${against(again)}`
      }${
        typeof mineCpu === "number" && typeof theirCpu === "number" &&
          mineCpu > 0 && theirCpu > 0
          ? `; CPU per message ${
            (mineCpu / theirCpu).toFixed(2)
          }x ${theirs.name}'s`
          : ""
      }`,
    ));
  };
  for (const workload of WS_WORKLOADS) {
    const row = serverRows.get(workload.id);
    if (row === undefined) continue;
    const deno = ok(row.get(servers.deno.id));
    const floor = ok(row.get(servers.floor.id));
    const owningFloor = ok(row.get(servers.floorOwning.id));
    const tornado = servers.tornado === null
      ? undefined
      : ok(row.get(servers.tornado.id));
    for (const face of [servers.torsionTwisted, servers.torsionTornado]) {
      const m = ok(row.get(face.id));
      judge(
        `${
          name(face)
        } ≥ 1.0x Deno.upgradeWebSocket's msg/s (${workload.title})`,
        { name: name(face), m },
        { name: name(servers.deno), m: deno },
        1,
        {
          floor,
          owningFloor,
          again: ok(row.get(servers.denoAgain.id)),
          cpu: serverCpu,
        },
      );
      if (servers.tornado !== null) {
        judge(
          `${name(face)} ≥ 5x ${
            name(servers.tornado)
          }'s msg/s (${workload.title})`,
          { name: name(face), m },
          { name: name(servers.tornado), m: tornado },
          5,
          {
            floor,
            owningFloor,
            alongside: { name: name(servers.deno), m: deno },
            cpu: serverCpu,
          },
        );
      }
    }
    const clients = clientRows.get(workload.id)!;
    for (const face of ["twisted", "tornado"] as const) {
      judge(
        `${
          TORSION_CLIENTS[face]
        } ≥ 1.0x Deno WebSocket client's msg/s (${workload.title})`,
        { name: TORSION_CLIENTS[face], m: ok(clients.get(`torsion-${face}`)) },
        { name: "Deno WebSocket", m: ok(clients.get("deno")) },
        1,
        {
          floor: ok(clients.get("floor")),
          again: ok(clients.get("deno-again")),
          cpu: (m) => m.cpu_us_per_msg,
        },
      );
    }
  }
  return verdicts;
}
