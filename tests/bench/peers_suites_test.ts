import assert from "node:assert/strict";
import { medianRun } from "../../bench/peers/_server_suite.ts";
import { measureInTurn, median } from "../../bench/_runner.ts";
import {
  type EchoMeasurement,
  medianEcho,
} from "../../bench/peers/_ws_suite.ts";
import { findWrk, type WrkResult } from "../../bench/peers/_wrk.ts";
import { hasTornado, PYTHON } from "../_support/mod.ts";
import { runQuick } from "./_quick_run.ts";

/** A --quick run of `suite` with these systems and workloads, and `extra`. */
function runSuiteQuick(
  suite: "server" | "ws",
  systems: string,
  workloads: string,
  ...extra: string[]
): Promise<string> {
  return runQuick([
    "--python",
    PYTHON,
    "--suite",
    suite,
    "--systems",
    systems,
    "--workloads",
    workloads,
    ...extra,
  ]);
}

/** The cells of the rows of the table under the heading matching `heading`. */
function tableUnder(stdout: string, heading: RegExp): string[][] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => heading.test(line));
  assert.ok(start >= 0, `no heading ${heading} in:\n${stdout}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 4)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

const wrk = await findWrk();
const tornado = hasTornado();
const serverSkip = wrk === null
  ? "wrk is not installed (apt-get install wrk)"
  : !tornado
  ? `${PYTHON} cannot import tornado (apt-get install python3-tornado)`
  : null;
if (serverSkip !== null) {
  // deno-lint-ignore no-console
  console.log(`Skipping the server suite test: ${serverSkip}`);
}

Deno.test({
  name:
    "bench/peers/run.ts given --quick --suite server with Tornado and the floor when run then tables requests/s, p99 and RSS per connection for each",
  ignore: serverSkip !== null,
  async fn(): Promise<void> {
    const stdout = await runSuiteQuick(
      "server",
      "tornado,floor",
      "plaintext-50,echo,idle",
      "--idle",
      "50",
    );
    const http = tableUnder(stdout, /^### HTTP servers under `wrk -t1/);
    assert.deepEqual(http.map((cells) => cells.slice(0, 2)), [
      ["plaintext, keep-alive, 50 connections", "Tornado 6.2 Application"],
      [
        "plaintext, keep-alive, 50 connections",
        "Floor: bare Deno.listen, fixed bytes",
      ],
      ["1 KiB POST echoed, 50 connections", "Tornado 6.2 Application"],
      [
        "1 KiB POST echoed, 50 connections",
        "Floor: bare Deno.listen, fixed bytes",
      ],
    ]);
    for (const [, system, rate, p99, rss] of http) {
      assert.match(rate, /^[1-9][\d,]*$/, system);
      assert.match(p99, /^[\d.]+ ms$/, system);
      assert.match(rss, /^\d+ MiB$/, system);
    }
    const idle = tableUnder(stdout, /^### 50 idle keep-alive connections/);
    assert.deepEqual(idle.map((cells) => cells[0]), [
      "Tornado 6.2 Application",
      "Floor: bare Deno.listen, fixed bytes",
    ]);
    for (const [system, held, , , each] of idle) {
      assert.equal(held, "50", system);
      assert.match(each, /^-?[\d.]+ KiB$/, system);
    }
  },
});

// Two systems that only the wrk workloads run: the floor after a full
// collection (idle connections make no reads to leave garbage) and
// Deno.serve's second run (no ratio is judged on idle connections).
for (
  const { given, systems, names, idleName } of [
    {
      given: "both floors",
      systems: "floor,floor-collected",
      names: [
        "Floor: bare Deno.listen, fixed bytes",
        "Floor after a full collection",
      ],
      idleName: "the plain floor's",
    },
    {
      given: "Deno.serve twice",
      systems: "deno,deno-again",
      names: ["Deno.serve", "Deno.serve, again"],
      idleName: "the first's",
    },
  ]
) {
  Deno.test({
    name:
      `bench/peers/run.ts given --quick --suite server with ${given} when run then tables both under wrk and only ${idleName} idle connections`,
    ignore: serverSkip !== null,
    async fn(): Promise<void> {
      const stdout = await runSuiteQuick(
        "server",
        systems,
        "plaintext-50,idle",
        "--idle",
        "50",
      );
      const http = tableUnder(stdout, /^### HTTP servers under `wrk -t1/);
      assert.deepEqual(http.map((cells) => cells[1]), names);
      assert.match(http[1][2], /^[1-9][\d,]*$/);
      const idle = tableUnder(stdout, /^### 50 idle keep-alive connections/);
      assert.deepEqual(idle.map((cells) => cells[0]), [names[0]]);
    },
  });
}

Deno.test({
  name:
    "bench/peers/run.ts given --quick --suite server --runs 2 when run then each server's line lists its two runs",
  ignore: serverSkip !== null,
  async fn(): Promise<void> {
    const stdout = await runSuiteQuick(
      "server",
      "floor",
      "plaintext-50",
      "--runs",
      "2",
    );
    assert.match(
      stdout,
      /Floor: bare Deno\.listen, fixed bytes: [\d,]+ req\/s, p99 [\d.]+ ms \(runs: [\d,]+, [\d,]+ req\/s\)/,
    );
  },
});

function wrkRun(requestsPerSecond: number, p99Ms: number): WrkResult {
  return {
    requestsPerSecond,
    p99Ms,
    requests: requestsPerSecond * 10,
    socketErrors: 0,
    non2xx: 0,
  };
}

Deno.test("medianRun given three wrk runs when combined then takes the median of each figure on its own", () => {
  const median = medianRun([
    wrkRun(50_000, 3.0),
    wrkRun(70_000, 1.0),
    wrkRun(60_000, 2.5),
  ]);
  assert.equal(median.requestsPerSecond, 60_000);
  assert.equal(median.p99Ms, 2.5);
  assert.equal(median.requests, 600_000);
});

Deno.test("medianRun given two runs when combined then averages the middle pair and sums the errors", () => {
  const median = medianRun([
    { ...wrkRun(40_000, 2.0), socketErrors: 1 },
    { ...wrkRun(60_000, 4.0), non2xx: 3 },
  ]);
  assert.equal(median.requestsPerSecond, 50_000);
  assert.equal(median.p99Ms, 3.0);
  assert.equal(median.socketErrors, 1);
  assert.equal(median.non2xx, 3);
});

Deno.test("measureInTurn given three systems and three rounds when measured then takes them in turn, each round starting one further on", async () => {
  const order: string[] = [];
  const results = await measureInTurn(["a", "b", "c"], 3, (entry) => {
    order.push(entry);
    return Promise.resolve(order.length);
  });
  assert.deepEqual(order, ["a", "b", "c", "b", "c", "a", "c", "a", "b"]);
  assert.deepEqual(results.get("a"), [1, 6, 8]);
  assert.deepEqual(results.get("b"), [2, 4, 9]);
  assert.deepEqual(results.get("c"), [3, 5, 7]);
});

Deno.test("measureInTurn given a system whose measure throws when measured then leaves it out of later rounds and ends it as the error", async () => {
  const order: string[] = [];
  const results = await measureInTurn(["ok", "bad"], 3, (entry) => {
    order.push(entry);
    if (entry === "bad") return Promise.reject(new Error("crashed"));
    return Promise.resolve(1);
  });
  assert.deepEqual(order, ["ok", "bad", "ok", "ok"]);
  assert.deepEqual(results.get("ok"), [1, 1, 1]);
  assert.equal((results.get("bad") as Error).message, "crashed");
});

Deno.test("median given an odd and an even count when taken then gives the middle figure and the mean of the middle two", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

function echoRun(
  value: number,
  p99: number,
  rss: number,
  cpu: number | null,
): EchoMeasurement {
  return {
    value,
    unit: "msg/s",
    seconds: 10,
    rss_mb: rss,
    p99_ms: p99,
    cpu_us_per_msg: cpu,
  };
}

Deno.test("medianEcho given three echo runs when combined then takes each figure's median, the largest RSS, and ignores a missing CPU figure", () => {
  const combined = medianEcho([
    echoRun(40_000, 3, 80, 12),
    echoRun(50_000, 1, 95, null),
    echoRun(45_000, 2, 90, 14),
  ]);
  assert.equal(combined.value, 45_000);
  assert.equal(combined.p99_ms, 2);
  assert.equal(combined.rss_mb, 95);
  assert.equal(combined.cpu_us_per_msg, 13);
});

Deno.test("bench/peers/run.ts given --quick --suite ws with Deno twice and the floors when run then tables messages/s, p99, RSS and CPU per message for servers and clients", async () => {
  const stdout = await runSuiteQuick(
    "ws",
    "deno,deno-again,floor,floor-owning",
    "ws-64",
  );
  const servers = tableUnder(stdout, /^### WebSocket servers/);
  const clients = tableUnder(stdout, /^### WebSocket clients/);
  assert.deepEqual(servers.map((cells) => cells.slice(0, 2)), [
    ["64 B", "Deno.upgradeWebSocket"],
    ["64 B", "Deno.upgradeWebSocket, again"],
    ["64 B", "Floor: bare Deno.listen echoing frames"],
    ["64 B", "Floor: the same, copying each message first"],
  ]);
  assert.deepEqual(clients.map((cells) => cells.slice(0, 2)), [
    ["64 B", "Deno WebSocket"],
    ["64 B", "Deno WebSocket, again"],
    ["64 B", "Floor: bare Deno sockets"],
  ]);
  for (const [, system, rate, p99, rss, cpu] of [...servers, ...clients]) {
    assert.match(rate, /^[1-9][\d,]*$/, system);
    assert.match(p99, /^[\d.]+ ms$/, system);
    assert.match(rss, /^\d+ MiB$/, system);
    assert.match(cpu, /^\d+\.\d$/, system);
  }
});
