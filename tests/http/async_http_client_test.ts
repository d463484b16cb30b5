import assert, { type AssertPredicate } from "node:assert/strict";
import { CancelledError } from "../../deferred/errors.ts";
import {
  ConnectionRefusedError,
  DNSLookupError,
  TLSError,
} from "../../reactor/errors.ts";
import { IOLoop } from "../../reactor/ioloop.ts";
import { AsyncHTTPClient } from "../../http/async_http_client.ts";
import { ResponseFailed } from "../../http/client_errors.ts";
import { BodyTooLargeError } from "../../http/errors.ts";
import {
  HTTPClientError,
  HTTPStreamClosedError,
  HTTPTimeoutError,
} from "../../http/http_client_error.ts";
import { HTTPRequest } from "../../http/http_request.ts";
import type { HTTPResponse } from "../../http/http_response.ts";
import {
  spiedAbortController,
  startCannedServer,
  startProxy,
  startRawServer,
  startServer,
} from "./_servers.ts";
import { captureLogs, recordText, sleep, TLS_CERT } from "../_support/mod.ts";

/** A client of the test's own, closed when the test ends. */
function ownClient(
  options: ConstructorParameters<typeof AsyncHTTPClient>[0] = {},
): AsyncHTTPClient & AsyncDisposable {
  const client = new AsyncHTTPClient({ ...options, forceInstance: true });
  return Object.assign(client, {
    [Symbol.asyncDispose]: async () => await client.close(),
  });
}

/** Fetches in the callback style and waits for the callback. */
function fetchWithCallback(
  client: AsyncHTTPClient,
  request: string | HTTPRequest,
): Promise<HTTPResponse> {
  return new Promise((resolve) => client.fetch(request, resolve));
}

const REFUSED = "http://127.0.0.1:1/";

/** `assert.rejects` for a Deferred (a thenable, not a Promise). */
function rejects(
  deferred: PromiseLike<unknown>,
  expected: AssertPredicate,
): Promise<void> {
  return assert.rejects(Promise.resolve(deferred), expected);
}

Deno.test("new AsyncHTTPClient() given repeated calls when constructed then returns the one client bound to the current IOLoop", async () => {
  const a = new AsyncHTTPClient();
  const b = new AsyncHTTPClient({ maxClients: 99 });
  try {
    assert.equal(a, b);
    assert.equal(a.ioLoop, IOLoop.current());
    assert.equal(b.maxClients, 10, "options of a later call are ignored");
  } finally {
    await a.close();
  }
  const c = new AsyncHTTPClient();
  try {
    assert.notEqual(c, a, "close() makes the IOLoop forget its client");
  } finally {
    await c.close();
  }
});

Deno.test("new AsyncHTTPClient() given forceInstance when constructed then creates an unbound client", async () => {
  const shared = new AsyncHTTPClient();
  await using own = ownClient({ maxClients: 3 });
  try {
    assert.notEqual(own, shared);
    assert.equal(own.maxClients, 3);
    assert.equal(
      new AsyncHTTPClient(),
      shared,
      "the forced client is not cached",
    );
  } finally {
    await shared.close();
  }
});

Deno.test("new AsyncHTTPClient() given no options when constructed then applies Tornado's defaults", async () => {
  await using client = ownClient();
  assert.equal(client.maxClients, 10);
  assert.equal(client.maxBufferSize, 104857600);
  assert.equal(client.maxBodySize, 104857600);
  assert.equal(client.maxHeaderSize, 65536);
  assert.deepEqual({ ...client.defaults }, {});
});

Deno.test("new AsyncHTTPClient() given a bad maxClients when constructed then throws RangeError", () => {
  assert.throws(
    () => new AsyncHTTPClient({ forceInstance: true, maxClients: 0 }),
    { name: "RangeError", message: /maxClients .* current value is 0/ },
  );
});

Deno.test("AsyncHTTPClient.configure() given options when clients are created afterwards then they use those options", async () => {
  AsyncHTTPClient.configure({
    maxClients: 42,
    defaults: { userAgent: "Configured/1" },
  });
  try {
    await using configured = ownClient();
    assert.equal(configured.maxClients, 42);
    assert.equal(configured.defaults.userAgent, "Configured/1");
    await using overridden = ownClient({ maxClients: 7 });
    assert.equal(overridden.maxClients, 7, "constructor options win");
    AsyncHTTPClient.configure({ maxBodySize: 1000 });
    await using replaced = ownClient();
    assert.equal(
      replaced.maxClients,
      10,
      "configure() replaces, it does not merge",
    );
    assert.equal(replaced.maxBodySize, 1000);
  } finally {
    AsyncHTTPClient.configure(null);
  }
  await using reset = ownClient();
  assert.equal(reset.maxClients, 10);
});

Deno.test("AsyncHTTPClient.fetch() given a URL when the server answers 200 then resolves with an HTTPResponse", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/`);
  assert.equal(response.code, 200);
  assert.equal(response.reason, "OK");
  assert.equal(response.text, "hello");
  assert.equal(response.error, undefined);
  assert.equal(response.effectiveUrl, `${server.url}/`);
  assert.equal(response.request.url, `${server.url}/`);
  assert.ok(response.requestTime! >= 0 && response.requestTime! < 5);
  assert.ok(Math.abs(response.startTime! - Date.now() / 1000) < 5);
  assert.equal(typeof response.timeInfo.queue, "number");
});

Deno.test("AsyncHTTPClient.fetch() given a URL and request options when called then builds the request from them", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/echo`, {
    method: "POST",
    body: "a=1",
    headers: { "X-Test": "yes" },
  });
  const echo = JSON.parse(response.text);
  assert.equal(echo.method, "POST");
  assert.equal(echo.body, "a=1");
  const headers = new Map(echo.headers as [string, string][]);
  assert.equal(headers.get("x-test"), "yes");
  assert.equal(
    headers.get("content-type"),
    "application/x-www-form-urlencoded",
  );
  assert.match(headers.get("user-agent") ?? "", /^Torsion\//);
});

Deno.test("AsyncHTTPClient.fetch() given an HTTPRequest and request options when called then throws TypeError", async () => {
  await using client = ownClient();
  assert.throws(
    () =>
      client.fetch(new HTTPRequest("http://127.0.0.1:1/"), { method: "POST" }),
    { name: "TypeError", message: /current options are method/ },
  );
});

Deno.test("AsyncHTTPClient.fetch() given client defaults and request options when called then the request's own options win", async () => {
  await using server = await startServer();
  await using client = ownClient({
    defaults: {
      userAgent: "Default/1",
      headers: { "X-Default": "d", "X-Both": "default" },
    },
  });
  const first = JSON.parse(
    (await client.fetch(`${server.url}/echo`, {
      headers: { "X-Both": "request" },
    })).text,
  );
  const headers = new Map(first.headers as [string, string][]);
  assert.equal(headers.get("user-agent"), "Default/1");
  assert.equal(headers.get("x-default"), "d");
  assert.equal(headers.get("x-both"), "request");
  const second = JSON.parse(
    (await client.fetch(`${server.url}/echo`, {
      userAgent: "Own/2",
    })).text,
  );
  assert.equal(
    new Map(second.headers as [string, string][]).get("user-agent"),
    "Own/2",
  );
});

Deno.test("AsyncHTTPClient.fetch() given a non-2xx response when it arrives then rejects with HTTPClientError", async () => {
  await using server = await startServer();
  await using client = ownClient();
  await rejects(client.fetch(`${server.url}/status/404`), (error: unknown) => {
    assert.ok(error instanceof HTTPClientError);
    assert.equal(error.code, 404);
    assert.equal(String(error), "HTTP 404: Not Found");
    const response = error.response as HTTPResponse;
    assert.equal(response.code, 404);
    assert.equal(response.text, "status 404");
    return true;
  });
});

Deno.test("AsyncHTTPClient.fetch() given raiseError false when a non-2xx response arrives then resolves with it", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/status/503`, {
    raiseError: false,
  });
  assert.equal(response.code, 503);
  assert.ok(response.error instanceof HTTPClientError);
  assert.throws(() => response.rethrow(), HTTPClientError);
});

Deno.test("AsyncHTTPClient.fetch() given raiseError false when the connection is refused then rejects anyway", async () => {
  await using client = ownClient();
  await rejects(client.fetch(REFUSED), ConnectionRefusedError);
  await rejects(
    client.fetch(REFUSED, { raiseError: false }),
    ConnectionRefusedError,
  );
});

Deno.test("AsyncHTTPClient.fetch() given a callback when the fetch succeeds or fails then the callback gets a response and nothing throws", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const ok = await fetchWithCallback(client, `${server.url}/`);
  assert.equal(ok.code, 200);
  assert.equal(ok.error, undefined);
  const missing = await fetchWithCallback(client, `${server.url}/status/404`);
  assert.equal(missing.code, 404);
  assert.ok(missing.error instanceof HTTPClientError);
  const refused = await fetchWithCallback(client, REFUSED);
  assert.equal(refused.code, 599);
  assert.ok(refused.error instanceof ConnectionRefusedError);
  assert.deepEqual(refused.body, new Uint8Array(0));
});

Deno.test("AsyncHTTPClient.fetch() given a callback when the response arrives then calls it on a later IOLoop iteration", async () => {
  await using client = ownClient();
  let called = false;
  const done = client.fetch("not a url", () => {
    called = true;
  });
  assert.equal(called, false);
  const response = await done;
  assert.equal(called, true);
  assert.equal(response.code, 599);
});

Deno.test("AsyncHTTPClient.fetch() given a callback that throws when it runs then logs the exception and still fires the Deferred", async () => {
  await using client = ownClient();
  const records = await captureLogs(async () => {
    const response = await client.fetch("not a url", () => {
      throw new Error("callback bug");
    });
    assert.equal(response.code, 599);
  });
  const errors = records.filter((record) => record.level === "error");
  assert.equal(errors.length, 1);
  assert.deepEqual(errors[0].category, ["torsion", "http"]);
  assert.match(
    recordText(errors[0]),
    /Exception in fetch callback for not a url: Error: callback bug/,
  );
});

Deno.test("AsyncHTTPClient.fetch() given a body with GET, none with POST or an unknown method when called then rejects with TypeError by Tornado's body rules", async () => {
  await using client = ownClient();
  const url = "http://127.0.0.1:1/";
  await rejects(client.fetch(url, { body: "x" }), {
    name: "TypeError",
    message:
      "Body must be undefined for method GET (unless allowNonstandardMethods is true)",
  });
  await rejects(client.fetch(url, { method: "POST" }), {
    name: "TypeError",
    message:
      "Body must not be undefined for method POST (unless allowNonstandardMethods is true)",
  });
  await rejects(client.fetch(url, { method: "PUT" }), TypeError);
  await rejects(client.fetch(url, { method: "PATCH" }), TypeError);
  await rejects(client.fetch(url, { method: "BREW" }), {
    name: "TypeError",
    message: /Unknown method .* current value is BREW/,
  });
  const viaCallback = await fetchWithCallback(
    client,
    new HTTPRequest(url, { method: "DELETE", body: "x" }),
  );
  assert.equal(viaCallback.code, 599);
  assert.ok(viaCallback.error instanceof TypeError);
});

Deno.test("AsyncHTTPClient.fetch() given allowNonstandardMethods when the body rules would fail then sends the request", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/echo`, {
    method: "GET",
    body: "odd",
    allowNonstandardMethods: true,
  });
  assert.equal(JSON.parse(response.text).method, "GET");
});

Deno.test("AsyncHTTPClient.fetch() given an unsupported scheme or auth mode when called then rejects with TypeError", async () => {
  await using client = ownClient();
  await rejects(client.fetch("ftp://example.com/"), {
    name: "TypeError",
    message: /Unsupported URL scheme/,
  });
  await rejects(
    client.fetch("http://127.0.0.1:1/", {
      authUsername: "u",
      authMode: "digest",
    }),
    {
      name: "TypeError",
      message: /Unsupported authMode: current value is "digest"/,
    },
  );
});

Deno.test("AsyncHTTPClient.fetch() given authUsername and authPassword when sent then carries basic auth credentials", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/echo`, {
    authUsername: "user",
    authPassword: "pass",
  });
  const headers = new Map(
    JSON.parse(response.text).headers as [string, string][],
  );
  assert.equal(headers.get("authorization"), `Basic ${btoa("user:pass")}`);
});

Deno.test("AsyncHTTPClient given more requests than maxClients when fetched then runs the extra ones from its queue in turn", async () => {
  await using server = await startServer();
  await using client = ownClient({ maxClients: 1 });
  const finished: number[] = [];
  const start = performance.now();
  const responses = await Promise.all(
    [0, 1, 2].map((i) =>
      client.fetch(`${server.url}/delay?s=0.15`).addCallback((response) => {
        finished.push(i);
        return response;
      })
    ),
  );
  const elapsed = (performance.now() - start) / 1000;
  assert.deepEqual(finished, [0, 1, 2]);
  assert.ok(
    elapsed >= 0.44,
    `3 requests of 0.15 s one at a time took ${elapsed} s`,
  );
  const queued = responses.map((r) => r.timeInfo.queue);
  assert.ok(
    queued[0] < 0.05 && queued[1] >= 0.1 && queued[2] >= 0.25,
    String(queued),
  );
  assert.ok(
    responses.every((r) => r.requestTime! < 0.5),
    "requestTime excludes the queue",
  );
});

Deno.test("AsyncHTTPClient given a request still queued when its timeout passes then fails it with 599 Timeout in request queue", async () => {
  await using server = await startServer();
  await using client = ownClient({ maxClients: 1 });
  const slow = client.fetch(`${server.url}/delay?s=0.5`);
  const start = performance.now();
  await rejects(
    client.fetch(`${server.url}/`, { connectTimeout: 0.1, requestTimeout: 5 }),
    (error: unknown) => {
      assert.ok(error instanceof HTTPTimeoutError);
      assert.equal(error.code, 599);
      assert.equal(error.message, "Timeout in request queue");
      assert.equal(error.phase, "queue");
      return true;
    },
  );
  const waited = (performance.now() - start) / 1000;
  // Before the running request (0.5 s) could have freed the slot.
  assert.ok(waited >= 0.09 && waited < 0.45, `timed out after ${waited} s`);
  const viaCallback = await fetchWithCallback(
    client,
    new HTTPRequest(`${server.url}/`, { requestTimeout: 0.05 }),
  );
  assert.equal(viaCallback.code, 599);
  assert.equal(viaCallback.error?.message, "Timeout in request queue");
  assert.equal((await slow).text, "slow");
});

Deno.test("AsyncHTTPClient given a queued request whose timeouts are 0 when it waits then it does not time out", async () => {
  await using server = await startServer();
  await using client = ownClient({ maxClients: 1 });
  const first = client.fetch(`${server.url}/delay?s=0.1`);
  const second = client.fetch(`${server.url}/`, {
    connectTimeout: 0,
    requestTimeout: 0,
  });
  assert.equal((await first).text, "slow");
  assert.equal((await second).text, "hello");
});

Deno.test("AsyncHTTPClient.fetch() given a server slower than requestTimeout when fetched then fails with 599 Timeout during request", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await fetchWithCallback(
    client,
    new HTTPRequest(`${server.url}/delay?s=2`, { requestTimeout: 0.1 }),
  );
  assert.equal(response.code, 599);
  assert.ok(response.error instanceof HTTPTimeoutError);
  assert.match(response.error.message, /^Timeout during request/);
});

Deno.test("AsyncHTTPClient.fetch() given a connection closed mid-response when read then fails with HTTPStreamClosedError", async () => {
  await using server = startCannedServer(
    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part",
    { closeAfter: true },
  );
  await using client = ownClient();
  await rejects(client.fetch(server.url), (error: unknown) => {
    assert.ok(error instanceof HTTPStreamClosedError);
    assert.equal(error.code, 599);
    return true;
  });
});

Deno.test("AsyncHTTPClient.fetch() given a response charset when the body arrives then decodes it by that charset", async () => {
  const body = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
  const head = new TextEncoder().encode(
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Length: 4\r\n\r\n",
  );
  await using server = startCannedServer(new Uint8Array([...head, ...body]));
  await using client = ownClient();
  const response = await client.fetch(server.url);
  assert.deepEqual(response.body, body);
  assert.equal(response.text, "café");
});

Deno.test("AsyncHTTPClient.fetch() given streamingCallback when the body arrives then streams it there and leaves body empty", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const chunks: Uint8Array[] = [];
  const response = await client.fetch(`${server.url}/stream/3000/3`, {
    streamingCallback: (chunk) => chunks.push(chunk),
  });
  assert.equal(chunks.reduce((n, c) => n + c.length, 0), 3000);
  assert.deepEqual(response.body, new Uint8Array(0));
});

Deno.test("AsyncHTTPClient.fetch() given headerCallback when the head arrives then passes it each head line", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const lines: string[] = [];
  await client.fetch(`${server.url}/redirect/1`, {
    headerCallback: (line) => lines.push(line),
  });
  assert.equal(
    lines[0],
    "HTTP/1.1 200 OK\r\n",
    "the followed redirect is not reported",
  );
  assert.equal(lines.at(-1), "\r\n");
  assert.ok(lines.slice(1, -1).every((line) => /^[^:]+: .*\r\n$/.test(line)));
  assert.ok(lines.some((line) => /^content-length: 4\r\n$/i.test(line)));
});

Deno.test("AsyncHTTPClient.fetch() given a redirect when followed then reports the effective URL", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/redirect/3`);
  assert.equal(response.text, "done");
  assert.equal(response.effectiveUrl, `${server.url}/redirect/0`);
  await rejects(
    client.fetch(`${server.url}/redirect/1`, { followRedirects: false }),
    (error: unknown) => {
      assert.ok(error instanceof HTTPClientError);
      assert.equal(error.code, 302);
      assert.equal(
        (error.response as HTTPResponse).headers.get("location"),
        "/redirect/0",
      );
      return true;
    },
  );
  const tooMany = await client.fetch(`${server.url}/redirect/3`, {
    maxRedirects: 1,
    raiseError: false,
  });
  assert.equal(tooMany.code, 302);
});

Deno.test("AsyncHTTPClient given requests in turn when fetched then keeps one connection alive between them", async () => {
  await using server = await startServer();
  await using client = ownClient();
  for (let i = 0; i < 3; i++) await client.fetch(`${server.url}/`);
  assert.equal(server.connections.size, 1);
});

Deno.test("AsyncHTTPClient given keepAlive false when requests are fetched then opens a connection per request", async () => {
  await using server = await startServer();
  await using client = ownClient({ keepAlive: false });
  for (let i = 0; i < 3; i++) await client.fetch(`${server.url}/`);
  assert.equal(server.connections.size, 3);
});

Deno.test("AsyncHTTPClient.fetch() given a request in flight when its Deferred is cancelled then its slot is freed", async () => {
  await using server = await startServer();
  await using client = ownClient({ maxClients: 1 });
  const slow = client.fetch(`${server.url}/delay?s=5`);
  const queued = client.fetch(`${server.url}/`);
  slow.cancel();
  await rejects(slow, CancelledError);
  assert.equal((await queued).text, "hello");
  const waiting = client.fetch(`${server.url}/delay?s=5`);
  const cancelledInQueue = client.fetch(`${server.url}/`);
  cancelledInQueue.cancel();
  await rejects(cancelledInQueue, CancelledError);
  waiting.cancel();
  await rejects(waiting, CancelledError);
});

Deno.test("AsyncHTTPClient.close() given running and queued requests when called then fails them and refuses new ones", async () => {
  await using server = await startServer();
  const client = new AsyncHTTPClient({ forceInstance: true, maxClients: 1 });
  const running = fetchWithCallback(client, `${server.url}/delay?s=5`);
  const queued = client.fetch(`${server.url}/`);
  await client.close();
  const first = await running;
  assert.equal(first.code, 599);
  assert.ok(first.error instanceof HTTPStreamClosedError);
  await rejects(queued, HTTPStreamClosedError);
  assert.throws(() => client.fetch(`${server.url}/`), {
    message: "Cannot call fetch() on a closed AsyncHTTPClient",
  });
  await client.close();
});

Deno.test("AsyncHTTPClient.fetch() given bodyProducer when the request is sent then the body it writes is sent", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const encoder = new TextEncoder();
  const chunked = await client.fetch(`${server.url}/echo`, {
    method: "PUT",
    bodyProducer: async (write) => {
      await write(encoder.encode("one,"));
      await write(encoder.encode("two"));
    },
  });
  assert.equal(JSON.parse(chunked.text).body, "one,two");
  const sized = await client.fetch(`${server.url}/echo`, {
    method: "POST",
    headers: { "Content-Length": "5" },
    bodyProducer: (write) => write(encoder.encode("hello")),
  });
  const echo = JSON.parse(sized.text);
  assert.equal(echo.body, "hello");
  assert.equal(
    new Map(echo.headers as [string, string][]).get("content-length"),
    "5",
  );
});

Deno.test("AsyncHTTPClient.fetch() given proxyHost and proxyPort when fetched then goes through the HTTP proxy", async () => {
  await using server = await startServer();
  await using proxy = startProxy("user:secret");
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/`, {
    proxyHost: "127.0.0.1",
    proxyPort: proxy.port,
    proxyUsername: "user",
    proxyPassword: "secret",
  });
  assert.equal(response.text, "hello");
  assert.ok(
    proxy.requestLines.some((line) => line.startsWith(`GET ${server.url}/ `)),
  );
  assert.deepEqual(proxy.authorizations, [`Basic ${btoa("user:secret")}`]);
});

Deno.test("AsyncHTTPClient.fetch() given an already aborted signal when called then it fails at once with CancelledError and sends nothing", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const controller = new AbortController();
  controller.abort();
  const fetched = client.fetch(`${server.url}/`, { signal: controller.signal });
  assert.ok(fetched.called);
  await rejects(fetched, CancelledError);
  assert.equal(server.requests, 0);
});

Deno.test("AsyncHTTPClient.fetch() given a signal when it is aborted while the request runs then the connection is aborted and the fetch fails with CancelledError", async () => {
  let closed = false;
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    closed = (await connection.readSome()) === null;
  });
  await using client = ownClient();
  const controller = new AbortController();
  const fetched = client.fetch(`${server.url}/`, { signal: controller.signal });
  await sleep(30);
  controller.abort();
  await rejects(fetched, CancelledError);
  await server.close();
  assert.ok(closed, "the server saw the connection close");
});

Deno.test("AsyncHTTPClient.fetch() given a signal on a queued request when it is aborted then the request leaves the queue and never runs", async () => {
  await using server = await startServer();
  await using client = ownClient({ maxClients: 1 });
  const running = client.fetch(`${server.url}/delay?s=0.1`);
  const controller = new AbortController();
  const queued = client.fetch(`${server.url}/echo`, {
    signal: controller.signal,
  });
  controller.abort();
  await rejects(queued, CancelledError);
  assert.equal((await running).text, "slow");
  assert.deepEqual(server.log, ["GET /delay?s=0.1"]);
});

Deno.test("AsyncHTTPClient.fetch() given a signal in an HTTPRequest and a callback when the response arrives then the callback runs and the abort listener is removed", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const { controller, listeners } = spiedAbortController();
  const request = new HTTPRequest(`${server.url}/`, {
    signal: controller.signal,
  });
  assert.equal(request.signal, controller.signal);
  const response = await new Promise<HTTPResponse>((resolve) =>
    client.fetch(request, resolve)
  );
  assert.equal(response.text, "hello");
  await sleep(0);
  assert.equal(listeners(), 0);
  controller.abort();
});

Deno.test("AsyncHTTPClient.fetch() given a signal when the fetch fails then the abort listener is removed", async () => {
  await using client = ownClient();
  const { controller, listeners } = spiedAbortController();
  await rejects(
    client.fetch(REFUSED, { signal: controller.signal }),
    ConnectionRefusedError,
  );
  assert.equal(listeners(), 0);
});

Deno.test("AsyncHTTPClient.fetch() given a host that does not resolve when fetched then it rejects with DNSLookupError and a callback gets code 599", async () => {
  await using client = ownClient();
  const url = "http://no-such-host.invalid/";
  await rejects(client.fetch(url), DNSLookupError);
  const response = await fetchWithCallback(client, url);
  assert.equal(response.code, 599);
  assert.ok(response.error instanceof DNSLookupError);
});

Deno.test("AsyncHTTPClient.fetch() given the default decompressResponse when the body is gzip then it arrives decoded", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/gzip`);
  assert.equal(response.text, "hello gzip ".repeat(100));
  assert.equal(response.headers.get("Content-Encoding"), undefined);
  assert.equal(response.headers.get("X-Consumed-Content-Encoding"), "gzip");
});

Deno.test("AsyncHTTPClient.fetch() given decompressResponse false when the body is gzip then it arrives as sent", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/echo`, {
    decompressResponse: false,
  });
  const headers = new Map(
    JSON.parse(response.text).headers as [string, string][],
  );
  assert.equal(headers.get("accept-encoding"), undefined);
  const raw = await client.fetch(`${server.url}/gzip`, {
    decompressResponse: false,
  });
  assert.equal(raw.headers.get("Content-Encoding"), "gzip");
  assert.deepEqual([...raw.body.subarray(0, 2)], [0x1f, 0x8b]);
});

Deno.test("AsyncHTTPClient.fetch() given caCerts when fetching over https then the server's certificate is trusted", async () => {
  await using server = await startServer({ tls: true });
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/`, {
    caCerts: [TLS_CERT],
  });
  assert.equal(response.text, "hello");
  await rejects(client.fetch(`${server.url}/`), TLSError);
});

Deno.test("AsyncHTTPClient.fetch() given expect100Continue when the server agrees then the body is sent after 100 Continue", async () => {
  await using server = await startServer();
  await using client = ownClient();
  const response = await client.fetch(`${server.url}/echo`, {
    method: "POST",
    body: "after continue",
    expect100Continue: true,
  });
  const echo = JSON.parse(response.text);
  assert.equal(echo.body, "after continue");
  assert.equal(
    new Map(echo.headers as [string, string][]).get("expect"),
    "100-continue",
  );
});

Deno.test("AsyncHTTPClient.fetch() given auth credentials when a redirect leaves the origin then no Authorization is sent there", async () => {
  await using a = await startServer();
  await using b = await startServer();
  await using client = ownClient();
  const response = await client.fetch(
    `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
    {
      authUsername: "user",
      authPassword: "pass",
      headers: { Cookie: "session=1" },
    },
  );
  const headers = new Map(
    JSON.parse(response.text).headers as [string, string][],
  );
  assert.equal(headers.get("authorization"), undefined);
  assert.equal(headers.get("cookie"), undefined);
  assert.equal(response.effectiveUrl, `${b.url}/echo`);
});

Deno.test("AsyncHTTPClient.fetch() given the default maxHeaderSize when a head exceeds 64 KiB then it fails with ResponseFailed", async () => {
  await using server = startCannedServer(
    `HTTP/1.1 200 OK\r\nX-Big: ${
      "x".repeat(66000)
    }\r\nContent-Length: 0\r\n\r\n`,
    { closeAfter: true },
  );
  await using client = ownClient();
  await rejects(client.fetch(server.url), (error: unknown) => {
    assert.ok(error instanceof ResponseFailed, String(error));
    assert.match(error.reasons[0].getErrorMessage(), /maxHeaderSize/);
    return true;
  });
});

Deno.test("AsyncHTTPClient.fetch() given maxBodySize when a gzip body inflates past it then the fetch fails with BodyTooLargeError", async () => {
  await using server = await startServer();
  await using client = ownClient({ maxBodySize: 1 << 20 });
  await rejects(client.fetch(`${server.url}/bomb?mb=16`), (error: unknown) => {
    assert.ok(error instanceof ResponseFailed, String(error));
    assert.ok(error.reasons[0].value instanceof BodyTooLargeError);
    return true;
  });
});

Deno.test("AsyncHTTPClient.fetch() given a requestTimeout when the head trickles in then the error is a 599 naming the headers phase", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    for (const byte of "HTTP/1.1 200 OK\r\n") {
      if (connection.closed || !(await connection.write(byte))) return;
      await sleep(1000);
    }
  });
  await using client = ownClient();
  await rejects(
    client.fetch(server.url, { requestTimeout: 0.3 }),
    (error: unknown) => {
      assert.ok(error instanceof HTTPTimeoutError);
      assert.equal(error.code, 599);
      assert.equal(error.phase, "headers");
      assert.match(
        error.message,
        /^Timeout during request \(waiting for the response headers\)/,
      );
      return true;
    },
  );
  await server.close();
});
