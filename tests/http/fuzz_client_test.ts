import assert from "node:assert/strict";
import { runClientFuzz } from "../_fuzz/client_fuzz.ts";

Deno.test("HTTP client given 3,000 seeded mutations of valid responses on loopback when fetched through both faces then every fetch settles with a response or a named error and nothing is left behind", async () => {
  const report = await runClientFuzz({ seed: 20261203, count: 3000 });
  assert.equal(report.fetches, 3000);
  assert.equal(report.hung, 0, "fetches that never settled");
  assert.deepEqual(report.unnamed, [], "failures with an unnamed error");
  assert.equal(report.unhandled, 0, "unhandled rejections");
  assert.deepEqual(report.loggedErrors, [], "errors logged");
  assert.equal(report.timersLeft, 0, "reactor timers left");
  assert.equal(report.socketsLeft, 0, "server connections left open");
  // The run exercised both faces, and both outcomes on each.
  for (const face of ["twisted", "tornado"]) {
    const keys = Object.keys(report.outcomes).filter((k) =>
      k.startsWith(`${face} `)
    );
    assert.ok(keys.includes(`${face} 200`), `${face} got no valid response`);
    assert.ok(
      keys.some((k) => !/ \d+$/.test(k)),
      `${face} saw no failure`,
    );
  }
});
