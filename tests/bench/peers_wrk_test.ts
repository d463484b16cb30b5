import assert from "node:assert/strict";
import { parseLatencyMs, parseWrkOutput } from "../../bench/peers/_wrk.ts";

const OUTPUT = `Running 1s test @ http://127.0.0.1:8000/plaintext
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   680.37us  279.70us   6.64ms   91.91%
    Req/Sec    73.76k     3.78k   77.27k    90.00%
  Latency Distribution
     50%  634.00us
     75%  705.00us
     90%  850.00us
     99%    1.80ms
  73327 requests in 1.00s, 8.88MB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:  73293.17
Transfer/sec:      8.88MB
`;

Deno.test("parseWrkOutput given wrk --latency output with errors when read then returns the rate, the 99% line in ms and the error counts", () => {
  assert.deepEqual(parseWrkOutput(OUTPUT), {
    requestsPerSecond: 73293.17,
    p99Ms: 1.8,
    requests: 73327,
    socketErrors: 7,
    non2xx: 5,
  });
});

Deno.test("parseWrkOutput given output without socket errors or non-2xx lines when read then counts none", () => {
  const clean = OUTPUT.replace(/^\s+Socket errors.*\n/m, "").replace(
    /^\s+Non-2xx.*\n/m,
    "",
  );
  const result = parseWrkOutput(clean);
  assert.equal(result.socketErrors, 0);
  assert.equal(result.non2xx, 0);
});

Deno.test("parseWrkOutput given output run without --latency when read then throws a TypeError naming the flag", () => {
  const withoutDistribution = OUTPUT.replace(/^\s+\d+%.*\n/gm, "");
  assert.throws(
    () => parseWrkOutput(withoutDistribution),
    (error: unknown) =>
      error instanceof TypeError && /--latency/.test(error.message),
  );
});

Deno.test("parseLatencyMs given each unit wrk prints when read then converts to milliseconds", () => {
  assert.equal(parseLatencyMs("634.00us"), 0.634);
  assert.equal(parseLatencyMs("1.80ms"), 1.8);
  assert.equal(parseLatencyMs("2.01s"), 2010);
  assert.equal(parseLatencyMs("1.00m"), 60_000);
});

Deno.test("parseLatencyMs given a figure without a unit when read then throws a TypeError stating it", () => {
  assert.throws(
    () => parseLatencyMs("12"),
    (error: unknown) =>
      error instanceof TypeError && /current value is 12$/.test(error.message),
  );
});
