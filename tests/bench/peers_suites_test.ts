import assert from "node:assert/strict";
import { findWrk } from "../../bench/peers/_wrk.ts";
import { hasTornado, PYTHON, runDeno } from "../_support/mod.ts";

const RUN = new URL("../../bench/peers/run.ts", import.meta.url).pathname;

async function runQuick(args: readonly string[]): Promise<string> {
  const { code, stdout, stderr } = await runDeno([
    "run",
    "-A",
    RUN,
    "--quick",
    "--python",
    PYTHON,
    ...args,
  ]);
  assert.equal(code, 0, stderr);
  return stdout;
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
    const stdout = await runQuick([
      "--suite",
      "server",
      "--systems",
      "tornado,floor",
      "--workloads",
      "plaintext-50,echo,idle",
      "--idle",
      "50",
    ]);
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

Deno.test("bench/peers/run.ts given --quick --suite ws with Deno and the floor when run then tables messages/s, p99, RSS and CPU per message for servers and clients", async () => {
  const stdout = await runQuick([
    "--suite",
    "ws",
    "--systems",
    "deno,floor",
    "--workloads",
    "ws-64",
  ]);
  const servers = tableUnder(stdout, /^### WebSocket servers/);
  const clients = tableUnder(stdout, /^### WebSocket clients/);
  assert.deepEqual(servers.map((cells) => cells.slice(0, 2)), [
    ["64 B", "Deno.upgradeWebSocket"],
    ["64 B", "Floor: bare Deno.listen echoing frames"],
  ]);
  assert.deepEqual(clients.map((cells) => cells.slice(0, 2)), [
    ["64 B", "Deno WebSocket"],
    ["64 B", "Floor: bare Deno sockets"],
  ]);
  for (const [, system, rate, p99, rss, cpu] of [...servers, ...clients]) {
    assert.match(rate, /^[1-9][\d,]*$/, system);
    assert.match(p99, /^[\d.]+ ms$/, system);
    assert.match(rss, /^\d+ MiB$/, system);
    assert.match(cpu, /^\d+\.\d$/, system);
  }
});
