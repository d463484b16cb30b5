import assert from "node:assert/strict";
import {
  type HttpMeasurement,
  type IdleMeasurement,
  serverSystems,
  serverVerdicts,
} from "../../bench/peers/_server_suite.ts";
import {
  type EchoMeasurement,
  wsVerdicts,
} from "../../bench/peers/_ws_suite.ts";

const SYSTEMS = serverSystems({
  python: "/usr/bin/python3",
  twisted: "Twisted 22.4.0",
  tornado: "Tornado 6.2",
});

function wrk(requestsPerSecond: number, p99Ms: number): HttpMeasurement {
  return {
    requestsPerSecond,
    p99Ms,
    requests: 0,
    socketErrors: 0,
    non2xx: 0,
    peakRssMb: 0,
  };
}

function idle(perConnectionKib: number): IdleMeasurement {
  return {
    open: 10_000,
    failed: 0,
    beforeKib: 0,
    afterKib: perConnectionKib * 10_000,
    perConnectionKib,
  };
}

const PLAINTEXT = new Map([[
  "plaintext-50",
  new Map<string, HttpMeasurement | Error>([
    ["torsion-twisted", wrk(60_000, 1)],
    ["torsion-tornado", wrk(40_000, 3)],
    ["deno", wrk(50_000, 2)],
    ["twisted", wrk(6_000, 10)],
    ["tornado", wrk(3_000, 20)],
    ["floor", wrk(70_000, 1)],
  ]),
]]);

function lineAbout(verdicts: readonly string[], pattern: RegExp): string {
  const found = verdicts.filter((line) => pattern.test(line));
  assert.equal(found.length, 1, `${pattern}: ${verdicts.join("\n")}`);
  return found[0];
}

Deno.test("serverVerdicts given a face above Deno.serve on plaintext at 50 connections when judged then says met with the ratio", () => {
  const verdicts = serverVerdicts(SYSTEMS, PLAINTEXT, new Map());
  assert.equal(
    lineAbout(verdicts, /Twisted face.*≥ 1\.0x Deno\.serve/),
    "- met: Torsion (Twisted face: Site) ≥ 1.0x Deno.serve's req/s (plaintext, keep-alive, 50 connections): 1.20x",
  );
});

Deno.test("serverVerdicts given a face below Deno.serve when judged then says missed and what the floor reaches", () => {
  const verdicts = serverVerdicts(SYSTEMS, PLAINTEXT, new Map());
  assert.match(
    lineAbout(verdicts, /Tornado face.*≥ 1\.0x Deno\.serve/),
    /^- \*\*missed\*\*: .*: 0\.80x; the floor reaches 1\.40x$/,
  );
});

Deno.test("serverVerdicts given each face against its Python peer when judged then applies 5x to Twisted and 10x to Tornado", () => {
  const verdicts = serverVerdicts(SYSTEMS, PLAINTEXT, new Map());
  assert.match(lineAbout(verdicts, /≥ 5x Twisted/), /^- met: .*: 10\.00x$/);
  assert.match(lineAbout(verdicts, /≥ 10x Tornado/), /^- met: .*: 13\.33x$/);
});

Deno.test("serverVerdicts given a p99 above Deno.serve's when judged then says missed with both and the floor's", () => {
  const verdicts = serverVerdicts(SYSTEMS, PLAINTEXT, new Map());
  assert.equal(
    lineAbout(verdicts, /Tornado face.*p99/),
    "- **missed**: Torsion (Tornado face: Application) p99 ≤ Deno.serve's (plaintext, keep-alive, 50 connections): 3.00 ms against 2.00 ms; the floor's is 1.00 ms",
  );
});

/** The plaintext figures with one more system's. */
function plaintextWith(
  id: string,
  measurement: HttpMeasurement,
): Map<string, Map<string, HttpMeasurement | Error>> {
  return new Map([[
    "plaintext-50",
    new Map([...PLAINTEXT.get("plaintext-50")!, [id, measurement]]),
  ]]);
}

const WITH_COLLECTED_FLOOR = plaintextWith("floor-collected", wrk(55_000, 2.5));

Deno.test("serverVerdicts given the floor after a full collection when a face misses Deno.serve's req/s then says what both floors reach", () => {
  const verdicts = serverVerdicts(SYSTEMS, WITH_COLLECTED_FLOOR, new Map());
  assert.match(
    lineAbout(verdicts, /Tornado face.*≥ 1\.0x Deno\.serve/),
    /: 0\.80x; the floor reaches 1\.40x \(1\.10x after a full collection\)$/,
  );
});

Deno.test("serverVerdicts given the floor after a full collection when a face misses Deno.serve's p99 then gives both floors' p99", () => {
  const verdicts = serverVerdicts(SYSTEMS, WITH_COLLECTED_FLOOR, new Map());
  assert.match(
    lineAbout(verdicts, /Tornado face.*p99/),
    /: 3\.00 ms against 2\.00 ms; the floor's is 1\.00 ms \(2\.50 ms after a full collection\)$/,
  );
});

const WITH_DENO_AGAIN = plaintextWith("deno-again", wrk(55_000, 1.5));

Deno.test("serverVerdicts given Deno.serve measured twice when a face is judged by its req/s then gives Deno.serve against itself", () => {
  const verdicts = serverVerdicts(SYSTEMS, WITH_DENO_AGAIN, new Map());
  assert.match(
    lineAbout(verdicts, /Twisted face.*≥ 1\.0x Deno\.serve/),
    /^- met: .*: 1\.20x; Deno\.serve against itself 1\.10x$/,
  );
  assert.match(
    lineAbout(verdicts, /Tornado face.*≥ 1\.0x Deno\.serve/),
    /: 0\.80x; the floor reaches 1\.40x; Deno\.serve against itself 1\.10x$/,
  );
});

Deno.test("serverVerdicts given Deno.serve measured twice when a face is judged by its p99 then gives the second Deno.serve's p99", () => {
  const verdicts = serverVerdicts(SYSTEMS, WITH_DENO_AGAIN, new Map());
  assert.match(
    lineAbout(verdicts, /Tornado face.*p99/),
    /: 3\.00 ms against 2\.00 ms; the floor's is 1\.00 ms; Deno\.serve's again 1\.50 ms$/,
  );
});

Deno.test("serverVerdicts given a face that did not run when judged then says not judged and names it", () => {
  const row = new Map(PLAINTEXT.get("plaintext-50")!);
  row.set("torsion-twisted", new Error("did not start: Module not found"));
  const verdicts = serverVerdicts(
    SYSTEMS,
    new Map([["plaintext-50", row]]),
    new Map(),
  );
  assert.equal(
    lineAbout(verdicts, /Twisted face.*≥ 1\.0x Deno\.serve/),
    "- not judged: Torsion (Twisted face: Site) ≥ 1.0x Deno.serve's req/s (plaintext, keep-alive, 50 connections) (Torsion (Twisted face: Site) did not run)",
  );
});

Deno.test("serverVerdicts given idle connections above 10 KiB each when judged then says missed with the floor's figure", () => {
  const verdicts = serverVerdicts(
    SYSTEMS,
    new Map(),
    new Map([
      ["torsion-twisted", idle(8)],
      ["torsion-tornado", idle(12)],
      ["floor", idle(5)],
    ]),
  );
  assert.match(
    lineAbout(verdicts, /Twisted face.*idle/),
    /^- met: .*: 8\.00 KiB over 10,000$/,
  );
  assert.match(
    lineAbout(verdicts, /Tornado face.*idle/),
    /^- \*\*missed\*\*: .*: 12\.00 KiB over 10,000; the floor holds 5\.00 KiB$/,
  );
});

function echo(value: number): EchoMeasurement {
  return { value, unit: "msg/s", p99_ms: 1, seconds: 3, rss_mb: 0 };
}

/** The verdicts on one WebSocket workload's servers, without the Python peers. */
function serverWsVerdicts(
  workload: string,
  row: readonly [string, EchoMeasurement][],
): string[] {
  return wsVerdicts(
    SYSTEMS,
    new Map([[workload, new Map<string, EchoMeasurement | Error>(row)]]),
    new Map([[workload, new Map()]]),
    { python: "/usr/bin/python3", twisted: null, tornado: null },
  );
}

/** 16 KiB servers: the Twisted face below Deno.upgradeWebSocket, the Tornado face above. */
const BELOW_DENO_16K: readonly [string, EchoMeasurement][] = [
  ["torsion-twisted", echo(30_000)],
  ["torsion-tornado", echo(45_000)],
  ["deno", echo(40_000)],
  ["floor", echo(60_000)],
];

Deno.test("wsVerdicts given a face below Deno.upgradeWebSocket when judged then says missed and what the floor server reaches", () => {
  const verdicts = serverWsVerdicts("ws-16k", BELOW_DENO_16K);
  assert.match(
    lineAbout(verdicts, /Twisted face.*≥ 1\.0x Deno\.upgradeWebSocket/),
    /^- \*\*missed\*\*: .*\(16 KiB\): 0\.75x; the floor reaches 1\.50x$/,
  );
  assert.match(
    lineAbout(verdicts, /Tornado face.*≥ 1\.0x Deno\.upgradeWebSocket/),
    /^- met: .*: 1\.13x$/,
  );
});

Deno.test("wsVerdicts given the floor copying each message when a face misses Deno.upgradeWebSocket then says what both floors reach", () => {
  const verdicts = serverWsVerdicts("ws-16k", [
    ...BELOW_DENO_16K,
    ["floor-owning", echo(50_000)],
  ]);
  assert.match(
    lineAbout(verdicts, /Twisted face.*≥ 1\.0x Deno\.upgradeWebSocket/),
    /: 0\.75x; the floor reaches 1\.50x \(1\.25x copying each message\)$/,
  );
});

Deno.test("wsVerdicts given a face below 5x Tornado when judged then says what the floors and Deno.upgradeWebSocket reach against Tornado", () => {
  const verdicts = serverWsVerdicts("ws-64", [
    ["torsion-twisted", echo(40_000)],
    ["torsion-tornado", echo(60_000)],
    ["deno", echo(45_000)],
    ["tornado", echo(10_000)],
    ["floor", echo(56_000)],
    ["floor-owning", echo(52_000)],
  ]);
  assert.match(
    lineAbout(verdicts, /Twisted face.*≥ 5x/),
    /^- \*\*missed\*\*: .*\(64 B\): 4\.00x; the floor reaches 5\.60x \(5\.20x copying each message\), Deno\.upgradeWebSocket 4\.50x$/,
  );
  assert.match(
    lineAbout(verdicts, /Tornado face.*≥ 5x/),
    /^- met: .*: 6\.00x$/,
  );
});

Deno.test("wsVerdicts given Deno.upgradeWebSocket measured twice when a face is judged against it then gives it against itself", () => {
  const verdicts = serverWsVerdicts("ws-16k", [
    ...BELOW_DENO_16K,
    ["deno-again", echo(36_000)],
  ]);
  assert.match(
    lineAbout(verdicts, /Twisted face.*≥ 1\.0x Deno\.upgradeWebSocket/),
    /: 0\.75x; the floor reaches 1\.50x; Deno\.upgradeWebSocket against itself 0\.90x$/,
  );
  assert.match(
    lineAbout(verdicts, /Tornado face.*≥ 1\.0x Deno\.upgradeWebSocket/),
    /^- met: .*: 1\.13x; Deno\.upgradeWebSocket against itself 0\.90x$/,
  );
});

Deno.test("wsVerdicts given Deno's WebSocket client measured twice when a Torsion client is judged then gives it against itself", () => {
  const verdicts = wsVerdicts(
    SYSTEMS,
    new Map([["ws-64", new Map()]]),
    new Map([[
      "ws-64",
      new Map<string, EchoMeasurement | Error>([
        ["torsion-twisted", echo(48_000)],
        ["torsion-tornado", echo(52_000)],
        ["deno", echo(50_000)],
        ["deno-again", echo(53_000)],
        ["floor", echo(55_000)],
      ]),
    ]]),
    { python: "/usr/bin/python3", twisted: null, tornado: null },
  );
  assert.match(
    lineAbout(verdicts, /connectWS\) ≥ 1\.0x Deno WebSocket client/),
    /^- \*\*missed\*\*: .*: 0\.96x; the floor reaches 1\.10x; Deno WebSocket against itself 1\.06x$/,
  );
  assert.match(
    lineAbout(verdicts, /websocketConnect\) ≥ 1\.0x Deno WebSocket client/),
    /^- met: .*: 1\.04x; Deno WebSocket against itself 1\.06x$/,
  );
});

Deno.test("wsVerdicts given the servers' CPU time per message when judged then each line gives the face's against Deno's", () => {
  const withCpu = (value: number, cpu: number): EchoMeasurement => ({
    ...echo(value),
    peer_cpu_us_per_msg: cpu,
  });
  const verdicts = serverWsVerdicts("ws-64", [
    ["torsion-twisted", withCpu(45_000, 22)],
    ["torsion-tornado", echo(45_000)],
    ["deno", withCpu(50_000, 20)],
    ["floor", echo(60_000)],
  ]);
  assert.match(
    lineAbout(verdicts, /Twisted face.*≥ 1\.0x Deno\.upgradeWebSocket/),
    /: 0\.90x; the floor reaches 1\.20x; CPU per message 1\.10x Deno\.upgradeWebSocket's$/,
  );
  assert.match(
    lineAbout(verdicts, /Tornado face.*≥ 1\.0x Deno\.upgradeWebSocket/),
    /: 0\.90x; the floor reaches 1\.20x$/,
  );
});
