import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("examples/crawler.ts prints the seed's line per mode, concurrent modes far under sequential", async () => {
  const { code, stdout, stderr } = await runExample("crawler.ts", [
    "--n",
    "4",
    "--delay",
    "0.1",
  ]);
  assert.equal(code, 0, stderr);
  const costs = [...stdout.matchAll(
    /^Request Times: (\d+), Total Cost: ([\d.]+) seconds$/gm,
  )].map((match) => {
    assert.equal(match[1], "4");
    return Number(match[2]);
  });
  assert.equal(costs.length, 5, stdout);
  const [sequential, ...concurrent] = costs;
  assert.ok(sequential >= 0.4, `sequential took ${sequential} s`);
  for (const cost of concurrent) {
    assert.ok(
      cost >= 0.1 && cost < Math.min(0.3, sequential / 2),
      `a concurrent mode took ${cost} s, the sequential one ${sequential} s`,
    );
  }
  assert.match(stdout, /^mode +\| seconds +\| speed-up$/m);
  assert.match(
    stdout,
    /^AsyncHTTPClient \(maxClients >= N\) +\| +[\d.]+ \| +[\d.]+x$/m,
  );
});

Deno.test("examples/crawler.ts rejects an unknown option", async () => {
  const { code, stderr } = await runExample("crawler.ts", ["--bogus", "1"]);
  assert.notEqual(code, 0);
  assert.match(stderr, /Unknown option: --bogus/);
});
