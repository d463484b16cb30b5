import assert from "node:assert/strict";
import { runServerFuzz } from "../_fuzz/server_fuzz.ts";

Deno.test("HTTPFactory given 1,500 seeded mutations of valid requests from loopback clients when served then every connection ends in well-formed responses and a close within the timeouts, clients that stop reading are aborted, and nothing is left behind", async () => {
  const report = await runServerFuzz({ seed: 20261203, count: 1500 });
  assert.equal(report.connections, 1500);
  assert.deepEqual(report.hung, [], "connections the server never closed");
  assert.deepEqual(report.invalid, [], "malformed or unexpected responses");
  assert.equal(report.unhandled, 0, "unhandled rejections");
  assert.deepEqual(report.loggedErrors, [], "errors logged");
  assert.equal(report.timersLeft, 0, "reactor timers left");
  assert.equal(report.socketsLeft, 0, "server connections left open");
  assert.ok(
    (report.outcomes["stalled client aborted"] ?? 0) > 0,
    "no client that stopped reading was aborted",
  );
  // The run reached the delegate and the engine's own answers alike.
  for (const status of ["100", "200", "404", "400", "408"]) {
    assert.ok((report.outcomes[status] ?? 0) > 0, `no ${status} was answered`);
  }
});
