import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../deferred/errors.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import {
  InfiniteRedirection,
  PageError,
  PageRedirect,
  PartialDownloadError,
} from "../../http/client_errors.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { getPage } from "../../http/get_page.ts";
import {
  rejection,
  spiedAbortController,
  startCannedServer,
  startRawServer,
  startServer,
} from "./_servers.ts";
import { bytes, closedPort, sleep, text } from "../_support/mod.ts";

Deno.test("getPage() given the URL as bytes when called then fetches the page, as getPage(url.encode()) in Twisted", async () => {
  await using server = await startServer();
  const body = await getPage(bytes(`${server.url}/bytes/1024`));
  assert.equal(body.length, 1024);
});

Deno.test("getPage() given several URLs when called at once then fetches every page", async () => {
  await using server = await startServer();
  const pages = await Promise.all(
    [1, 2, 3, 4].map((n) => getPage(`${server.url}/bytes/${n}`).asPromise()),
  );
  assert.deepEqual(pages.map((p) => p.length), [1, 2, 3, 4]);
});

Deno.test("getPage() given postdata, a method and headers when called then sends them", async () => {
  await using server = await startServer();
  const body = await getPage(`${server.url}/echo`, {
    method: "POST",
    headers: { "Content-Type": "text/plain" },
    postdata: "hi there",
    agent: "MyAgent/1.0",
  });
  const echo = JSON.parse(text(body));
  assert.equal(echo.method, "POST");
  assert.equal(echo.body, "hi there");
  assert.deepEqual(
    echo.headers.find(([name]: [string]) => name === "user-agent"),
    ["user-agent", "MyAgent/1.0"],
  );
});

Deno.test("getPage() given a non-2xx status when it arrives then fails with PageError carrying the status and body", async () => {
  await using server = await startServer();
  const error = await rejection(getPage(`${server.url}/status/404`));
  assert.ok(error instanceof PageError);
  assert.equal(error.status, 404);
  assert.equal(text(error.response!), "status 404");
  assert.equal(String(error), "404 Not Found");
});

Deno.test("getPage() given redirects when followed then reaches the page, and fails with InfiniteRedirection on a loop", async () => {
  await using server = await startServer();
  assert.equal(text(await getPage(`${server.url}/redirect/2`)), "done");
  const error = await rejection(
    getPage(`${server.url}/loop`, { redirectLimit: 3 }),
  );
  assert.ok(error instanceof InfiniteRedirection);
});

Deno.test("getPage() given followRedirect false when a redirect arrives then fails with PageRedirect", async () => {
  await using server = await startServer();
  const error = await rejection(
    getPage(`${server.url}/redirect/1`, { followRedirect: false }),
  );
  assert.ok(error instanceof PageRedirect);
  assert.equal(error.location, "/redirect/0");
});

Deno.test("getPage() given a close-delimited or truncated body when read then returns the first and fails the second with PartialDownloadError", async () => {
  await using closeDelimited = startCannedServer(
    "HTTP/1.0 200 OK\r\n\r\nuntil close",
    { closeAfter: true },
  );
  assert.equal(text(await getPage(`${closeDelimited.url}/`)), "until close");
  await using truncated = startCannedServer(
    "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort",
    { closeAfter: true },
  );
  const error = await rejection(getPage(`${truncated.url}/`));
  assert.ok(error instanceof PartialDownloadError);
  assert.equal(text(error.response!), "short");
});

Deno.test("getPage() given a timeout when the server is too slow then fails with TimeoutError naming the phase", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    while ((await connection.readSome()) !== null);
  });
  const error = await rejection(getPage(`${server.url}/`, { timeout: 0.2 }));
  assert.ok(error instanceof TimeoutError);
  assert.match(
    error.message,
    /^Getting http:.* took longer than 0.2 seconds \(waiting for the response headers\)$/,
  );
  await server.close();
});

Deno.test("getPage() given a port nothing listens on when called then fails with ConnectionRefusedError", async () => {
  const port = closedPort();
  assert.ok(
    (await rejection(getPage(`http://127.0.0.1:${port}/`))) instanceof
      ConnectionRefusedError,
  );
});

Deno.test("getPage() given an Agent and a pool when called then uses them", async () => {
  await using server = await startServer();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  assert.equal(
    text(await getPage(`${server.url}/redirect/1`, { agent })),
    "done",
  );
  const error = await rejection(getPage(`${server.url}/status/500`, { agent }));
  assert.ok(error instanceof PageError);
  assert.equal(error.status, 500);
  assert.equal((await getPage(`${server.url}/bytes/5`, { pool })).length, 5);
  await pool.closeCachedConnections();
});

Deno.test("getPage() given an already aborted signal when called then it fails at once with CancelledError and connects to nothing", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
  });
  const controller = new AbortController();
  controller.abort(new Error("not wanted"));
  const page = getPage(`${server.url}/`, { signal: controller.signal });
  assert.ok(page.called, "failed synchronously");
  const error = await rejection(page);
  assert.ok(error instanceof CancelledError);
  assert.match(error.message, /aborted by its signal: not wanted/);
  await server.close();
  assert.equal(server.accepted, 0);
});

Deno.test("getPage() given a signal when it is aborted during the request then the connection is aborted at once and the page fails with CancelledError", async () => {
  let closed = false;
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    closed = (await connection.readSome()) === null;
  });
  const controller = new AbortController();
  const page = getPage(`${server.url}/`, { signal: controller.signal });
  await sleep(30);
  controller.abort();
  assert.ok((await rejection(page)) instanceof CancelledError);
  await server.close();
  assert.ok(closed, "the server saw the connection close");
});

Deno.test("getPage() given a signal when the page has arrived then its abort listener is removed", async () => {
  await using server = await startServer();
  const { controller, listeners } = spiedAbortController();
  const page = getPage(`${server.url}/`, { signal: controller.signal });
  assert.equal(listeners(), 1);
  assert.equal(text(await page), "hello");
  assert.equal(listeners(), 0);
  controller.abort();
});

Deno.test("getPage() given a signal when the page fails then its abort listener is removed too", async () => {
  await using server = await startServer();
  const { controller, listeners } = spiedAbortController();
  const error = await rejection(
    getPage(`${server.url}/status/500`, { signal: controller.signal }),
  );
  assert.ok(error instanceof PageError);
  assert.equal(listeners(), 0);
});

Deno.test("getPage() given a signal and an agent when it is aborted then the request through the agent is cancelled", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.readSome();
  });
  const pool = new HTTPConnectionPool(reactor);
  const controller = new AbortController();
  const page = getPage(`${server.url}/`, {
    agent: new Agent(reactor, { pool }),
    signal: controller.signal,
  });
  await sleep(30);
  controller.abort();
  assert.ok((await rejection(page)) instanceof CancelledError);
  await pool.closeCachedConnections();
});

Deno.test("getPage() given redirects when the chain ends then the body is the last page's and PageError carries a final error status", async () => {
  await using server = await startServer();
  const error = await rejection(
    getPage(`${server.url}/redirect-to?url=/status/503`),
  );
  assert.ok(error instanceof PageError);
  assert.equal(error.status, 503);
  assert.equal(text(error.response!), "status 503");
});
