// deno-lint-ignore-file no-console
/**
 * Microseconds per request of the server engine and its two faces, without
 * sockets: each face's channel (from `Site` and from Tornado's `HTTPServer`
 * over an `Application`, serving what bench/peers/torsion_*_server.ts
 * serve) is fed the requests `wrk` sends, one read per request, on a fake
 * transport that only counts what is written. It counts the process's CPU
 * time, not the wall clock, so it stays steadier than `wrk` on a loaded
 * machine (take the best of a few runs): use it to decide, then confirm
 * with `wrk`.
 *
 * With `--alloc N`, one more round runs under V8's sampling heap profiler
 * (every object sampled, those collected since included) and prints the
 * bytes allocated per request, then the N sites that allocate the most, by
 * function and the function that called it; run with
 * `--v8-flags=--no-turbo-inlining` to see the functions that optimised code
 * inlines into their callers.
 *
 * Usage: deno run -A bench/server_bench.ts [--rounds N] [--requests N]
 *   [--faces site,app,engine] [--workloads plaintext,json,echo,static]
 *   [--connections N] [--alloc N]
 * Prints the median of the rounds per face and workload.
 *
 * @module
 */
import { Session } from "node:inspector";
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { Failure } from "../deferred/failure.ts";
import { Headers, HTTPFactory, type HTTPRequestDelegate } from "../http/mod.ts";
import { ConnectionDone } from "../reactor/errors.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  ITransport,
} from "../reactor/interfaces.ts";
import { Application, HTTPServer, Site } from "../web/mod.ts";
import {
  ECHO_SIZE,
  PLAINTEXT,
  STATIC_FILE,
  STATIC_SIZE,
} from "./peers/_common.ts";
import { tornadoRules, twistedRoot } from "./peers/_torsion_apps.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "7" },
    requests: { type: "string", default: "20000" },
    faces: { type: "string", default: "site,app" },
    workloads: { type: "string", default: "plaintext,json,echo" },
    connections: { type: "string", default: "1" },
    alloc: { type: "string" },
  },
});

const encoder = new TextEncoder();
const ECHO_BODY = "0123456789abcdef".repeat(ECHO_SIZE / 16);
const REQUESTS: Record<string, Uint8Array> = {
  plaintext: encoder.encode(
    "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
  ),
  json: encoder.encode("GET /json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"),
  echo: encoder.encode(
    "POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" +
      `Content-Length: ${ECHO_BODY.length}\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${ECHO_BODY}`,
  ),
  static: encoder.encode(
    `GET /static/${STATIC_FILE} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n`,
  ),
};

/**
 * The directory of the `static` workload: its file is dated a day back, so
 * that the faces' caches hold it as settled.
 */
const staticDir = await Deno.makeTempDir({ prefix: "server_bench_" });
Deno.writeFileSync(`${staticDir}/${STATIC_FILE}`, new Uint8Array(STATIC_SIZE));
const dayAgo = new Date(Date.now() - 86_400_000);
Deno.utimeSync(`${staticDir}/${STATIC_FILE}`, dayAgo, dayAgo);

/** Counts written bytes; keeps nothing. */
class CountingTransport implements ITransport {
  written = 0;
  writes = 0;
  producer: IProducer | null = null;
  write(data: Uint8Array): void {
    this.written += data.length;
    this.writes++;
  }
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const piece of data) {
      this.written += typeof piece === "string" ? piece.length : piece.length;
    }
    this.writes++;
  }
  closed = false;
  loseConnection(): void {
    this.closed = true;
  }
  getPeer(): IAddress {
    return { type: "TCP", host: "127.0.0.1", port: 50000 };
  }
  getHost(): IAddress {
    return { type: "TCP", host: "127.0.0.1", port: 8080 };
  }
  registerProducer(producer: IProducer): void {
    this.producer = producer;
  }
  unregisterProducer(): void {
    this.producer = null;
  }
  pauseProducing(): void {}
  resumeProducing(): void {}
}

function siteFactory(): { buildProtocol(addr: IAddress): IProtocol } {
  return new Site(twistedRoot(staticDir));
}

function appFactory(): { buildProtocol(addr: IAddress): IProtocol } {
  const server = new HTTPServer(new Application(tornadoRules(staticDir)));
  return new HTTPFactory(server);
}

/**
 * Serves `count` requests over `connections` connections, in turn (as
 * `wrk` spreads its requests); µs of CPU per request.
 */
async function round(
  factory: { buildProtocol(addr: IAddress): IProtocol },
  request: Uint8Array,
  count: number,
  connections: number,
): Promise<number> {
  const transports: CountingTransport[] = [];
  const channels: (IProtocol & { idle: boolean })[] = [];
  for (let c = 0; c < connections; c++) {
    const transport = new CountingTransport();
    const protocol = factory.buildProtocol(transport.getPeer());
    protocol.makeConnection(transport);
    transports.push(transport);
    channels.push(protocol as IProtocol & { idle: boolean });
  }
  const start = cpuUsage();
  for (let i = 0; i < count; i++) {
    const channel = channels[i % connections];
    channel.dataReceived(request);
    // A face that answers from a microtask is waited for, boundedly.
    for (let spins = 0; !channel.idle; spins++) {
      if (spins > 1000) throw new Error("The response never finished");
      await (spins < 100
        ? Promise.resolve()
        : new Promise((r) => setTimeout(r)));
    }
  }
  const used = cpuUsage(start);
  const elapsed = (used.user + used.system) / 1000;
  for (let c = 0; c < connections; c++) {
    if (transports[c].closed) throw new Error("A connection was closed");
    channels[c].connectionLost(new Failure(new ConnectionDone()));
  }
  return (elapsed * 1000) / count;
}

/** The engine alone: a delegate that answers every request at once. */
function engineFactory(): { buildProtocol(addr: IAddress): IProtocol } {
  const body = encoder.encode(PLAINTEXT);
  return new HTTPFactory({
    startRequest(channel): HTTPRequestDelegate {
      return {
        headersReceived(): void {},
        dataReceived(): void {},
        finish(): void {
          const headers = new Headers();
          headers.addRawHeader("Content-Type", "text/plain");
          headers.addRawHeader("Content-Length", String(body.length));
          channel.writeHead(200, "OK", headers, body);
          channel.finish();
        },
        onConnectionClose(): void {},
      };
    },
    logAccess(): void {},
  });
}

/** A node of V8's sampling heap profile. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children: ProfileNode[];
}

/** Mean bytes between two samples of the heap profiler. */
const SAMPLING_INTERVAL = 64;

/** Posts an inspector command and waits for its answer. */
function post<T>(session: Session, method: string, params = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(
      method,
      params,
      (error: Error | null, result: unknown) =>
        error ? reject(error) : resolve(result as T),
    )
  );
}

/**
 * Serves `count` requests under the sampling heap profiler; prints the
 * bytes allocated per request and the `top` sites allocating most.
 */
async function allocationRound(
  factory: { buildProtocol(addr: IAddress): IProtocol },
  request: Uint8Array,
  count: number,
  connections: number,
  top: number,
): Promise<void> {
  const session = new Session();
  session.connect();
  await post(session, "HeapProfiler.enable");
  await post(session, "HeapProfiler.startSampling", {
    samplingInterval: SAMPLING_INTERVAL,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  });
  await round(factory, request, count, connections);
  const { profile } = await post<{
    profile: { head: ProfileNode; samples: { nodeId: number; size: number }[] };
  }>(session, "HeapProfiler.stopSampling");
  session.disconnect();
  const sites = new Map<number, string>();
  const name = ({ callFrame: frame }: ProfileNode): string =>
    `${frame.functionName || "(anonymous)"} ${
      frame.url.split("/").slice(-2).join("/")
    }:${frame.lineNumber + 1}`;
  const walk = (node: ProfileNode, caller: string): void => {
    const own = name(node);
    sites.set(node.id, `${own} < ${caller}`);
    for (const child of node.children) walk(child, own);
  };
  walk(profile.head, "");
  const bytes = new Map<string, number>();
  let total = 0;
  for (const { nodeId, size } of profile.samples) {
    // An object is sampled with the chance 1 - e^(-size / interval): each
    // sample stands for the bytes of that many objects (V8 scales its own
    // totals so).
    const scaled = size / (1 - Math.exp(-size / SAMPLING_INTERVAL));
    total += scaled;
    const site = sites.get(nodeId) as string;
    bytes.set(site, (bytes.get(site) ?? 0) + scaled);
  }
  console.log(`  ${(total / count).toFixed(0)} bytes/request allocated`);
  const ranked = [...bytes].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [site, size] of ranked) {
    console.log(`  ${(size / count).toFixed(0).padStart(6)}  ${site}`);
  }
}

const FACES: Record<string, () => { buildProtocol(a: IAddress): IProtocol }> = {
  site: siteFactory,
  app: appFactory,
  engine: engineFactory,
};

const rounds = Number(values.rounds);
const count = Number(values.requests);
const connections = Number(values.connections);
for (const face of values.faces.split(",")) {
  const factory = FACES[face]();
  for (const workload of values.workloads.split(",")) {
    const request = REQUESTS[workload];
    await round(factory, request, Math.ceil(count / 4), connections); // warm-up
    const figures: number[] = [];
    for (let r = 0; r < rounds; r++) {
      figures.push(await round(factory, request, count, connections));
    }
    figures.sort((a, b) => a - b);
    const median = figures[Math.floor(figures.length / 2)];
    console.log(
      `${face.padEnd(5)} ${workload.padEnd(10)} ${
        median.toFixed(2)
      } µs/request (min ${figures[0].toFixed(2)})`,
    );
    if (values.alloc !== undefined) {
      await allocationRound(
        factory,
        request,
        count,
        connections,
        Number(values.alloc),
      );
    }
  }
}
Deno.removeSync(staticDir, { recursive: true });
