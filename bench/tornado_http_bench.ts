/**
 * The Tornado face of the HTTP client under `deno bench`: one keep-alive
 * GET of 1 KiB at a time and 50 at once through `AsyncHTTPClient` (Deferred
 * and callback styles), and the cost of building the request and response
 * objects. The server is bench/_server.ts in a separate process; the Agent
 * and `fetch` equivalents are in bench/http_bench.ts.
 *
 * Run with `deno bench --allow-all bench/tornado_http_bench.ts`.
 *
 * @module
 */
import { AsyncHTTPClient, HTTPRequest, HTTPResponse } from "../http/mod.ts";
import { startBenchServer } from "./_bench_server.ts";

// Closed when the bench process exits: the server ends with its stdin.
const server = await startBenchServer();
const url = `${server.url}/1k`;
const client = new AsyncHTTPClient({ forceInstance: true, maxClients: 50 });
const body = new Uint8Array(1024);

Deno.bench({
  name: "AsyncHTTPClient.fetch(url): await one GET",
  group: "one keep-alive GET of 1 KiB",
  baseline: true,
  async fn(): Promise<void> {
    await client.fetch(url);
  },
});

Deno.bench({
  name: "AsyncHTTPClient.fetch(request, callback): one GET",
  group: "one keep-alive GET of 1 KiB",
  async fn(): Promise<void> {
    await new Promise<HTTPResponse>((resolve) =>
      client.fetch(new HTTPRequest(url), resolve)
    );
  },
});

Deno.bench({
  name: "AsyncHTTPClient.fetch(url) × 50 at once (maxClients 50)",
  group: "50 concurrent keep-alive GETs of 1 KiB",
  baseline: true,
  async fn(): Promise<void> {
    await Promise.all(Array.from({ length: 50 }, () => client.fetch(url)));
  },
});

Deno.bench({
  name: "AsyncHTTPClient.fetch(url) × 50 queued behind maxClients 10",
  group: "50 concurrent keep-alive GETs of 1 KiB",
  async fn(b): Promise<void> {
    const narrow = new AsyncHTTPClient({ forceInstance: true, maxClients: 10 });
    await narrow.fetch(url); // connect outside the measurement
    b.start();
    await Promise.all(Array.from({ length: 50 }, () => narrow.fetch(url)));
    b.end();
    await narrow.close();
  },
});

Deno.bench({
  name: "new HTTPRequest(url, options)",
  group: "objects",
  fn(): void {
    new HTTPRequest(url, {
      method: "GET",
      headers: { Accept: "*/*" },
      requestTimeout: 5,
    });
  },
});

Deno.bench({
  name: "new HTTPResponse(request, 200, { body }).text",
  group: "objects",
  fn(): void {
    void new HTTPResponse(new HTTPRequest(url), 200, { body }).text;
  },
});
