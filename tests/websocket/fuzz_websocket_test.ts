import assert from "node:assert/strict";
import type { FuzzRunReport } from "../_fuzz/server_fuzz.ts";
import { runWebSocketFuzz } from "../_fuzz/websocket_fuzz.ts";

const SEED = 20261204;
const COUNT = 1000;

function assertClean(report: FuzzRunReport): void {
  assert.equal(report.connections, COUNT);
  assert.deepEqual(report.hung, [], "connections that never ended");
  assert.deepEqual(report.invalid, [], "wrong codes, echoes or frames");
  assert.equal(report.unhandled, 0, "unhandled rejections");
  assert.deepEqual(report.loggedErrors, [], "errors logged");
  assert.equal(report.timersLeft, 0, "reactor timers left");
  assert.equal(report.socketsLeft, 0, "Torsion connections left open");
}

/** How many connections of `side` ended with `outcome` on either face. */
function reached(
  report: FuzzRunReport,
  side: string,
  outcome: string,
): number {
  return Object.entries(report.outcomes)
    .filter(([key]) =>
      key.startsWith(`${side} `) && key.split(" ").slice(2).join(" ") ===
        outcome
    )
    .reduce((n, [, value]) => n + value, 0);
}

Deno.test("WebSocket servers (Autobahn's and Tornado's faces) given 1,000 seeded mutations of valid client streams and handshakes from loopback clients when served then every connection ends with an RFC 6455 close code or a close within the bound, valid streams echo exactly, an application that throws fails with 1011, and nothing is left behind", async () => {
  const report = await runWebSocketFuzz({
    seed: SEED,
    count: COUNT,
    side: "server",
  });
  assertClean(report);
  for (
    const outcome of [
      "close 1000",
      "close 1002",
      "close 1007",
      "close 1009",
      "close 1001",
      "close 1011",
    ]
  ) {
    assert.ok(reached(report, "server", outcome) > 0, `no ${outcome}`);
  }
  assert.ok(reached(report, "server", "http 400") > 0, "no handshake refused");
});

Deno.test("WebSocket clients (connectWS and websocketConnect) given 1,000 seeded mutations of valid server streams and handshakes from a loopback server when connected then every connection ends with an RFC 6455 close code within the bound, valid streams arrive exactly, and nothing is left behind", async () => {
  const report = await runWebSocketFuzz({
    seed: SEED,
    count: COUNT,
    side: "client",
  });
  assertClean(report);
  for (
    const outcome of [
      "close 1000",
      "close 1002",
      "close 1007",
      "close 1009",
      "close 1001",
    ]
  ) {
    assert.ok(reached(report, "client", outcome) > 0, `no ${outcome}`);
  }
  assert.ok(
    reached(report, "client", "refused: WebSocketHandshakeError") > 0,
    "no handshake refused",
  );
});
