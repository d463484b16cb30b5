import assert from "node:assert/strict";
import { runWebFuzz } from "../_fuzz/web_fuzz.ts";

Deno.test("Site and Application given 1,500 seeded mutations of valid requests from loopback clients when served then every connection ends in well-formed responses without a 500 or a byte from outside the static directory, and nothing is left behind", async () => {
  const report = await runWebFuzz({ seed: 20261204, count: 1500 });
  assert.equal(report.connections, 1500);
  assert.deepEqual(report.hung, [], "connections the server never closed");
  assert.deepEqual(report.invalid, [], "malformed or unexpected responses");
  assert.equal(report.unhandled, 0, "unhandled rejections");
  assert.deepEqual(report.loggedErrors, [], "errors logged");
  assert.equal(report.timersLeft, 0, "reactor timers left");
  assert.equal(report.socketsLeft, 0, "server connections left open");
  // The run reached both faces' handlers, static files and error answers.
  for (const face of ["site", "app"]) {
    for (const status of ["200", "206", "304", "400", "404", "405"]) {
      assert.ok(
        (report.outcomes[`${face} ${status}`] ?? 0) > 0,
        `${face} never answered ${status}`,
      );
    }
  }
  assert.ok((report.outcomes["site 302"] ?? 0) > 0, "site never redirected");
  assert.ok((report.outcomes["app 403"] ?? 0) > 0, "app never refused a path");
  assert.ok(
    (report.outcomes["stalled client aborted"] ?? 0) > 0,
    "no client that stopped reading a streamed file was aborted",
  );
});
