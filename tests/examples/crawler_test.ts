import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("examples/crawler.ts given 4 requests of 0.1 s when run then prints one line per mode with the concurrent modes far under sequential", async () => {
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

Deno.test("examples/crawler.ts given an unknown option when run then exits non-zero naming the option", async () => {
  const { code, stderr } = await runExample("crawler.ts", ["--bogus", "1"]);
  assert.notEqual(code, 0);
  assert.match(stderr, /Unknown option '--bogus'/);
});

Deno.test("examples/crawler.ts given --url=URL with a query when run then every mode fetches that exact URL N times", async () => {
  const seen: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      seen.push(`${url.pathname}${url.search}`);
      return new Response("page");
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/page?id=7&kind=a=b`;
  const { code, stdout, stderr } = await runExample("crawler.ts", [
    `--url=${url}`,
    "--n",
    "3",
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.match(/^Request Times: 3, /gm)?.length, 5, stdout);
  assert.deepEqual(seen, Array(15).fill("/page?id=7&kind=a=b"));
});

Deno.test("examples/crawler.ts given --n 0 when run then exits with the count it refused", async () => {
  const { code, stderr } = await runExample("crawler.ts", ["--n", "0"]);
  assert.notEqual(code, 0);
  assert.match(stderr, /--n must be a positive integer: current value is 0/);
});
