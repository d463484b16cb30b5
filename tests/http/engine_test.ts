import assert from "node:assert/strict";
import { Deferred, fail } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { DNSLookupError } from "../../reactor/errors.ts";
import { reactor } from "../../reactor/reactor.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import {
  PartialDownloadError,
  ResponseFailed,
  ResponseNeverReceived,
} from "../../http/client_errors.ts";
import { BodyTooLargeError } from "../../http/errors.ts";
import { HTTPTimeoutError } from "../../http/http_client_error.ts";
import { Headers } from "../../http/headers.ts";
import {
  type EngineRequest,
  type EngineResult,
  performRequest,
  WriterProducer,
} from "../../http/_engine.ts";
import {
  CREDENTIAL_FIELDS,
  rejection,
  startCannedServer,
  startProxy,
  startRawServer,
  startServer,
} from "./_servers.ts";
import { bytes, sleep, text, TLS_CERT } from "../_support/mod.ts";

async function fetchWith(
  request: EngineRequest,
  pool = new HTTPConnectionPool(reactor),
): Promise<EngineResult> {
  try {
    return await performRequest(pool, request);
  } finally {
    await pool.closeCachedConnections();
  }
}

function failureOf(request: EngineRequest): Promise<unknown> {
  return rejection(fetchWith(request));
}

function echoed(result: EngineResult): {
  method: string;
  url: string;
  body: string;
  header(name: string): string | undefined;
} {
  const echo = JSON.parse(text(result.body));
  return {
    ...echo,
    header: (name: string) =>
      (echo.headers as [string, string][]).find(([n]) => n === name)?.[1],
  };
}

Deno.test("performRequest() given a chain of redirects when followed then records the effective URL", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/redirect/3`,
  });
  assert.equal(result.code, 200);
  assert.equal(text(result.body), "done");
  assert.equal(result.redirects, 3);
  assert.equal(result.effectiveUrl, `${server.url}/redirect/0`);
  assert.equal(server.connections.size, 1);
});

Deno.test("performRequest() given a relative Location when followed then resolves it against the request URL", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/redirect-to?url=${encodeURIComponent("../echo?x=1")}`,
  });
  assert.equal(echoed(result).url, `${server.url}/echo?x=1`);
});

Deno.test("performRequest() given a POST answered by 303 when followed then the next request is a GET without body", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "POST",
    url: `${server.url}/redirect-to?status=303&url=/echo`,
    headers: new Headers({ "Content-Type": "text/plain" }),
    body: bytes("payload"),
  });
  const echo = echoed(result);
  assert.equal(echo.method, "GET");
  assert.equal(echo.body, "");
  assert.equal(echo.header("content-type"), undefined);
  assert.equal(echo.header("content-length"), undefined);
});

Deno.test("performRequest() given a POST answered by 307 or 308 when followed then keeps the method and body", async () => {
  await using server = await startServer();
  for (const status of [307, 308]) {
    const result = await fetchWith({
      method: "PUT",
      url: `${server.url}/redirect-to?status=${status}&url=/echo`,
      body: bytes("payload"),
    });
    const echo = echoed(result);
    assert.equal(echo.method, "PUT");
    assert.equal(echo.body, "payload");
  }
});

Deno.test("performRequest() given credentials in the auth option or the URL when sent then carries basic auth", async () => {
  await using server = await startServer();
  const fromOption = echoed(
    await fetchWith({
      method: "GET",
      url: `${server.url}/echo`,
      auth: { username: "Aladdin", password: "open sesame" },
    }),
  );
  assert.equal(
    fromOption.header("authorization"),
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
  );
  const fromURL = echoed(
    await fetchWith({
      method: "GET",
      url: `http://u:p@127.0.0.1:${server.port}/echo`,
    }),
  );
  assert.equal(fromURL.header("authorization"), `Basic ${btoa("u:p")}`);
});

Deno.test("performRequest() given a redirect loop when maxRedirects is reached then returns the last redirect", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/loop`,
    maxRedirects: 3,
  });
  assert.equal(result.code, 302);
  assert.equal(result.redirects, 3);
  assert.equal(server.requests, 4);
});

Deno.test("performRequest() given followRedirects false when a redirect arrives then returns it as is", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/redirect/1`,
    followRedirects: false,
  });
  assert.equal(result.code, 302);
  assert.equal(result.headers.get("location"), "/redirect/0");
});

for (const format of ["gzip", "deflate", "deflate-raw"]) {
  Deno.test(`performRequest() given decompress and a ${format} body when read then decodes it`, async () => {
    await using server = await startServer();
    const result = await fetchWith({
      method: "GET",
      url: `${server.url}/${format}`,
      decompress: true,
    });
    assert.equal(text(result.body), "hello gzip ".repeat(100));
    assert.equal(result.headers.get("content-encoding"), undefined);
    assert.ok(result.headers.get("x-consumed-content-encoding"));
  });
}

Deno.test("performRequest() given decompress set or unset when sent then sends Accept-Encoding only when set and leaves bodies alone otherwise", async () => {
  await using server = await startServer();
  const plain = await fetchWith({ method: "GET", url: `${server.url}/gzip` });
  assert.equal(plain.headers.get("content-encoding"), "gzip");
  assert.notEqual(text(plain.body), "hello gzip ".repeat(100));
  const echo = echoed(
    await fetchWith({
      method: "GET",
      url: `${server.url}/echo`,
      decompress: true,
    }),
  );
  assert.equal(echo.header("accept-encoding"), "gzip, deflate");
});

Deno.test("performRequest() given a gzip bomb when decompressed then stops at maxBodySize counted after decompression", async () => {
  await using server = await startServer();
  const started = performance.now();
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/bomb?mb=64`,
    decompress: true,
    maxBodySize: 1024 * 1024,
  });
  assert.ok(error instanceof ResponseFailed, String(error));
  const reason = error.reasons[0].value;
  assert.ok(reason instanceof BodyTooLargeError);
  assert.equal(reason.maxBodySize, 1024 * 1024);
  assert.ok(reason.size < 20 * 1024 * 1024, `stopped at ${reason.size}`);
  assert.ok(performance.now() - started < 5000);
});

Deno.test("performRequest() given a body over maxBodySize when read without decompression then fails", async () => {
  await using server = await startServer();
  const declared = await failureOf({
    method: "GET",
    url: `${server.url}/bytes/2000`,
    maxBodySize: 1000,
  });
  assert.ok(declared instanceof ResponseFailed);
  assert.ok(declared.reasons[0].check(BodyTooLargeError));
  const streamed = await failureOf({
    method: "GET",
    url: `${server.url}/stream/5000/5`,
    maxBodySize: 1000,
  });
  assert.ok(streamed instanceof ResponseFailed);
  assert.ok(streamed.reasons[0].check(BodyTooLargeError));
});

Deno.test("performRequest() given a head over maxHeaderSize when received then fails", async () => {
  await using server = await startServer();
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/headers/20`,
    maxHeaderSize: 1000,
  });
  assert.ok(error instanceof ResponseFailed);
  assert.match(error.reasons[0].getErrorMessage(), /maxHeaderSize/);
});

Deno.test("performRequest() given onChunk and onHeaderLine when the response arrives then streams the body and the header lines to them", async () => {
  await using server = await startServer();
  const chunks: Uint8Array[] = [];
  const lines: string[] = [];
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/redirect-to?url=/stream/4000/4`,
    onChunk: (chunk) => chunks.push(chunk),
    onHeaderLine: (line) => lines.push(line),
  });
  assert.equal(result.body.length, 0);
  assert.equal(chunks.reduce((n, c) => n + c.length, 0), 4000);
  assert.equal(lines[0], "HTTP/1.1 200 OK\r\n");
  assert.equal(lines[lines.length - 1], "\r\n");
  assert.ok(lines.some((l) => /^transfer-encoding: chunked\r\n$/i.test(l)));
  assert.ok(!lines.some((l) => l.startsWith("HTTP/1.1 302")));
});

Deno.test("performRequest() given a streaming callback that throws when it runs then fails with its error", async () => {
  await using server = await startServer();
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/bytes/100`,
    onChunk: () => {
      throw new RangeError("no thanks");
    },
  });
  assert.ok(error instanceof RangeError);
});

Deno.test("performRequest() given a trickling body when the timeout passes then fails with a timeout naming the body phase", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    for (let i = 0; i < 100 && !connection.closed; i++) {
      if (!(await connection.write("x"))) return;
      await sleep(1000);
    }
  });
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/`,
    requestTimeout: 0.3,
  });
  assert.ok(error instanceof HTTPTimeoutError, String(error));
  assert.equal(error.code, 599);
  assert.equal(error.phase, "body");
  assert.match(
    error.message,
    /^Timeout during request \(reading the response body\)/,
  );
  await server.close();
});

Deno.test("performRequest() given a server trickling its head when the timeout passes then fails in the headers phase", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    for (const byte of "HTTP/1.1 200 OK\r\n") {
      if (connection.closed || !(await connection.write(byte))) return;
      await sleep(1000);
    }
  });
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/`,
    requestTimeout: 0.3,
  });
  assert.ok(error instanceof HTTPTimeoutError);
  assert.equal(error.phase, "headers");
  await server.close();
});

Deno.test("performRequest() given redirects when requestTimeout runs then it counts once across them", async () => {
  await using server = await startServer();
  const started = performance.now();
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/redirect-to?s=0.15&url=${
      encodeURIComponent("/redirect-to?s=0.15&url=/delay%3Fs%3D0.15")
    }`,
    requestTimeout: 0.3,
  });
  // Each hop alone fits in 0.3 s; the chain does not.
  assert.ok(error instanceof HTTPTimeoutError, String(error));
  assert.ok(performance.now() - started < 1000);
});

Deno.test("performRequest() given a silent TLS server when connecting times out then fails with HTTPTimeoutError", async () => {
  await using server = startRawServer(async (connection) => {
    while ((await connection.readSome()) !== null);
  });
  const error = await failureOf({
    method: "GET",
    url: `https://127.0.0.1:${server.port}/`,
    connectTimeout: 0.2,
  });
  assert.ok(error instanceof HTTPTimeoutError, String(error));
  assert.equal(error.phase, "tls");
  assert.match(error.message, /^Timeout while connecting/);
  await server.close();
});

Deno.test("performRequest() given a request in flight when it is cancelled then aborts the connection at once", async () => {
  let closed = false;
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    closed = (await connection.readSome()) === null;
  });
  const pool = new HTTPConnectionPool(reactor);
  const d = performRequest(pool, { method: "GET", url: `${server.url}/` });
  await sleep(30);
  d.cancel();
  await assert.rejects(d.asPromise(), CancelledError);
  await server.close();
  assert.ok(closed);
  await pool.closeCachedConnections();
});

Deno.test("performRequest() given a truncated body when the connection closes then fails with PartialDownloadError holding the bytes received", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.write(
      "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\npartial",
    );
  });
  const error = await failureOf({ method: "GET", url: `${server.url}/` });
  assert.ok(error instanceof PartialDownloadError);
  assert.equal(text(error.response!), "partial");
});

Deno.test("performRequest() given a WriterProducer when uploading then streams it with chunked coding", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "POST",
    url: `${server.url}/echo`,
    body: new WriterProducer(async (write) => {
      await write(bytes("one,"));
      await write(bytes("two"));
    }),
  });
  assert.equal(echoed(result).body, "one,two");
});

Deno.test("performRequest() given expect100Continue when the server agrees then sends the body after Expect: 100-continue", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "POST",
    url: `${server.url}/echo`,
    body: bytes("after continue"),
    expectContinue: true,
  });
  assert.equal(echoed(result).body, "after continue");
});

Deno.test("performRequest() given an HTTP proxy with credentials when fetched then goes through it with Proxy-Authorization", async () => {
  await using server = await startServer();
  await using proxy = startProxy("user:secret");
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/echo`,
    proxy: {
      host: "127.0.0.1",
      port: proxy.port,
      username: "user",
      password: "secret",
    },
  });
  assert.equal(result.code, 200);
  assert.equal(proxy.requestLines[0], `GET ${server.url}/echo HTTP/1.1`);
  assert.equal(proxy.authorizations[0], `Basic ${btoa("user:secret")}`);
  assert.equal(echoed(result).header("proxy-authorization"), undefined);
  const refused = await fetchWith({
    method: "GET",
    url: `${server.url}/echo`,
    proxy: { host: "127.0.0.1", port: proxy.port },
  });
  assert.equal(refused.code, 407);
});

Deno.test("performRequest() given an https URL and a proxy when fetched then tunnels through it with CONNECT", async () => {
  await using server = await startServer({ tls: true });
  await using proxy = startProxy("user:secret");
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/bytes/64`,
    caCerts: [TLS_CERT],
    proxy: {
      host: "127.0.0.1",
      port: proxy.port,
      username: "user",
      password: "secret",
    },
  });
  assert.equal(result.body.length, 64);
  assert.equal(
    proxy.requestLines[0],
    `CONNECT localhost:${server.port} HTTP/1.1`,
  );
  assert.equal(proxy.authorizations[0], `Basic ${btoa("user:secret")}`);
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/`,
    caCerts: [TLS_CERT],
    proxy: {
      host: "127.0.0.1",
      port: proxy.port,
      username: "user",
      password: "wrong",
    },
  });
  assert.match(String(error), /Proxy refused to CONNECT .* 407/);
});

Deno.test("performRequest() given a persistent pool when fetched several times then reuses its connections", async () => {
  await using server = await startServer();
  const pool = new HTTPConnectionPool(reactor);
  for (let i = 0; i < 5; i++) {
    await performRequest(pool, {
      method: "GET",
      url: `${server.url}/bytes/10`,
    });
  }
  assert.equal(server.connections.size, 1);
  await pool.closeCachedConnections();
});

/** A MemoryReactor that resolves names with `resolve`, as Twisted's `IReactorCore.resolve`. */
function resolvingReactor(
  resolve: (name: string) => PromiseLike<string>,
): MemoryReactor {
  return Object.assign(new MemoryReactor(), { resolve });
}

Deno.test("performRequest() given a name lookup that outlasts connectTimeout when the time passes then it fails with HTTPTimeoutError in the dns phase", async () => {
  const clock = resolvingReactor(() => new Deferred<string>());
  const result = performRequest(new HTTPConnectionPool(clock), {
    method: "GET",
    url: "http://stalled.example/",
    connectTimeout: 5,
    requestTimeout: 0,
  });
  clock.advance(4.9);
  assert.equal(result.called, false);
  clock.advance(0.1);
  const error = await rejection(result);
  assert.ok(error instanceof HTTPTimeoutError, String(error));
  assert.equal(error.code, 599);
  assert.equal(error.phase, "dns");
  assert.equal(
    error.message,
    "Timeout while connecting to stalled.example:80 after 5 seconds (resolving the host)",
  );
  assert.equal(clock.tcpClients.length, 0);
});

Deno.test("performRequest() given a TCP connect that outlasts connectTimeout when the time passes then it fails with HTTPTimeoutError in the connect phase", async () => {
  const clock = new MemoryReactor();
  const result = performRequest(new HTTPConnectionPool(clock), {
    method: "GET",
    url: "http://10.0.0.1/",
    connectTimeout: 5,
    requestTimeout: 0,
  });
  assert.equal(clock.tcpClients.length, 1);
  clock.advance(5);
  const error = await rejection(result);
  assert.ok(error instanceof HTTPTimeoutError, String(error));
  assert.equal(error.phase, "connect");
  assert.equal(
    error.message,
    "Timeout while connecting to 10.0.0.1:80 after 5 seconds (connecting)",
  );
  assert.ok(clock.connectors[0].stoppedConnecting);
});

Deno.test("performRequest() given a name lookup and a TCP connect when both run then connectTimeout bounds them together", async () => {
  const lookup = new Deferred<string>();
  const clock = resolvingReactor(() => lookup);
  const result = performRequest(new HTTPConnectionPool(clock), {
    method: "GET",
    url: "http://slow.example/",
    connectTimeout: 5,
    requestTimeout: 0,
  });
  clock.advance(3);
  lookup.callback("10.0.0.9");
  assert.deepEqual(clock.tcpClients.map(([host, port]) => [host, port]), [[
    "10.0.0.9",
    80,
  ]]);
  clock.advance(2);
  const error = await rejection(result);
  assert.ok(error instanceof HTTPTimeoutError);
  assert.equal(error.phase, "connect");
});

Deno.test("performRequest() given a resolver that fails when the request starts then it fails with DNSLookupError naming the host", async () => {
  const clock = resolvingReactor(() => fail(new Error("no such name")));
  const error = await rejection(
    performRequest(new HTTPConnectionPool(clock), {
      method: "GET",
      url: "http://missing.example/",
    }),
  );
  assert.ok(error instanceof DNSLookupError, String(error));
  assert.equal(
    error.message,
    "Address 'missing.example' not found: no such name",
  );
  assert.equal(clock.tcpClients.length, 0);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("performRequest() given an IP address or localhost when it connects then no name lookup is made", async () => {
  let lookups = 0;
  const clock = resolvingReactor(() => {
    lookups++;
    return new Deferred<string>();
  });
  const pool = new HTTPConnectionPool(clock);
  for (
    const url of ["http://10.0.0.1/", "http://[::1]/", "http://localhost/"]
  ) {
    const result = performRequest(pool, { method: "GET", url });
    result.cancel();
    assert.ok((await rejection(result)) instanceof CancelledError);
  }
  assert.equal(lookups, 0);
  assert.deepEqual(clock.tcpClients.map(([host]) => host), [
    "10.0.0.1",
    "::1",
    "localhost",
  ]);
});

Deno.test("performRequest() given a real host name that does not resolve when fetched then it fails with DNSLookupError", async () => {
  const error = await failureOf({
    method: "GET",
    url: "http://no-such-host.invalid/",
    connectTimeout: 5,
  });
  assert.ok(error instanceof DNSLookupError, String(error));
  assert.match(error.message, /^Address 'no-such-host\.invalid' not found/);
});

Deno.test("performRequest() given expectContinue when the server sends 100 Continue then the body follows it and the final response is returned", async () => {
  let beforeContinue: unknown = undefined;
  let body = "";
  await using server = startRawServer(async (connection) => {
    const head = await connection.readHead();
    assert.match(head ?? "", /\r\nExpect: 100-continue\r\n/i);
    const next = connection.readSome();
    beforeContinue = await Promise.race([next, sleep(100).then(() => "none")]);
    await connection.write("HTTP/1.1 100 Continue\r\n\r\n");
    body = text((await next)!);
    await connection.write(
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
    );
    await connection.readSome();
  });
  const result = await fetchWith({
    method: "POST",
    url: `${server.url}/`,
    body: bytes("payload"),
    expectContinue: true,
  });
  assert.equal(beforeContinue, "none", "no body before 100 Continue");
  assert.equal(body, "payload");
  assert.equal(result.code, 201);
  assert.equal(text(result.body), "ok");
});

Deno.test("performRequest() given expectContinue when the server answers with a final status at once then that response is returned, the body is never sent and the connection is not kept", async () => {
  let extra: Uint8Array | null = null;
  await using server = startRawServer(async (connection) => {
    await connection.readHead();
    await connection.write(
      "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 4\r\n\r\nnope",
    );
    extra = await connection.readSome();
  });
  const pool = new HTTPConnectionPool(reactor);
  const result = await performRequest(pool, {
    method: "PUT",
    url: `${server.url}/`,
    body: bytes("payload"),
    expectContinue: true,
  });
  assert.equal(result.code, 417);
  assert.equal(text(result.body), "nope");
  assert.equal(pool.cachedConnectionCount(), 0);
  await server.close();
  assert.equal(extra, null, "the client closed without sending the body");
  await pool.closeCachedConnections();
});

for (const status of [301, 302]) {
  Deno.test(`performRequest() given a POST answered by ${status} when followed then the next request is a GET without body or Content-* fields`, async () => {
    await using server = await startServer();
    const echo = echoed(
      await fetchWith({
        method: "POST",
        url: `${server.url}/redirect-to?status=${status}&url=/echo`,
        headers: new Headers({ "Content-Type": "text/plain" }),
        body: bytes("payload"),
      }),
    );
    assert.equal(echo.method, "GET");
    assert.equal(echo.body, "");
    assert.equal(echo.header("content-type"), undefined);
    assert.equal(echo.header("content-length"), undefined);
  });

  Deno.test(`performRequest() given a PUT answered by ${status} when followed then method and body are kept as Tornado does`, async () => {
    await using server = await startServer();
    const echo = echoed(
      await fetchWith({
        method: "PUT",
        url: `${server.url}/redirect-to?status=${status}&url=/echo`,
        body: bytes("payload"),
      }),
    );
    assert.equal(echo.method, "PUT");
    assert.equal(echo.body, "payload");
  });
}

Deno.test("performRequest() given a HEAD answered by 303 when followed then the next request is still a HEAD", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "HEAD",
    url: `${server.url}/redirect-to?status=303&url=/bytes/10`,
  });
  assert.equal(result.code, 200);
  assert.deepEqual(server.log.map((line) => line.split(" ")[0]), [
    "HEAD",
    "HEAD",
  ]);
});

Deno.test("performRequest() given a PUT answered by 303 when followed then the next request is a GET without body", async () => {
  await using server = await startServer();
  const echo = echoed(
    await fetchWith({
      method: "PUT",
      url: `${server.url}/redirect-to?status=303&url=/echo`,
      body: bytes("payload"),
    }),
  );
  assert.equal(echo.method, "GET");
  assert.equal(echo.body, "");
});

for (const [name, value] of CREDENTIAL_FIELDS) {
  Deno.test(`performRequest() given a ${name} field when a redirect leaves the origin then it is not sent to the new origin`, async () => {
    await using a = await startServer();
    await using b = await startServer();
    const echo = echoed(
      await fetchWith({
        method: "GET",
        url: `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
        headers: new Headers({ [name]: value, "X-Custom": "kept" }),
      }),
    );
    assert.equal(echo.header(name.toLowerCase()), undefined);
    assert.equal(echo.header("x-custom"), "kept");
  });

  Deno.test(`performRequest() given a ${name} field when a redirect changes only the host name then it is not sent either`, async () => {
    await using server = await startServer();
    const other = `http://localhost:${server.port}/echo`;
    const echo = echoed(
      await fetchWith({
        method: "GET",
        url: `${server.url}/redirect-to?url=${encodeURIComponent(other)}`,
        headers: new Headers({ [name]: value }),
      }),
    );
    assert.equal(echo.url, other);
    assert.equal(echo.header(name.toLowerCase()), undefined);
  });

  Deno.test(`performRequest() given a ${name} field when a redirect stays on the origin then it is sent again`, async () => {
    await using server = await startServer();
    const echo = echoed(
      await fetchWith({
        method: "GET",
        url: `${server.url}/redirect-to?url=/echo`,
        headers: new Headers({ [name]: value }),
      }),
    );
    assert.equal(echo.header(name.toLowerCase()), value);
  });
}

Deno.test("performRequest() given auth credentials when a redirect leaves the origin then no Authorization is sent there", async () => {
  await using a = await startServer();
  await using b = await startServer();
  const echo = echoed(
    await fetchWith({
      method: "GET",
      url: `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
      auth: { username: "user", password: "pass" },
    }),
  );
  assert.equal(echo.header("authorization"), undefined);
});

Deno.test("performRequest() given proxy credentials when a redirect leaves the origin then the proxy still gets them and the origin never does", async () => {
  await using a = await startServer();
  await using b = await startServer();
  await using proxy = startProxy("user:secret");
  const echo = echoed(
    await fetchWith({
      method: "GET",
      url: `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
      proxy: {
        host: "127.0.0.1",
        port: proxy.port,
        username: "user",
        password: "secret",
      },
    }),
  );
  assert.equal(echo.header("proxy-authorization"), undefined);
  assert.deepEqual(proxy.authorizations, [
    `Basic ${btoa("user:secret")}`,
    `Basic ${btoa("user:secret")}`,
  ]);
});

Deno.test("performRequest() given a kept connection that dies and a slow retry when requestTimeout runs out then it counts from the first attempt", async () => {
  await using server = startRawServer(async (connection, index) => {
    await connection.readRequest();
    if (index === 0) {
      await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      // The next request arrives here: wait, then close without answering.
      await connection.readRequest();
      await sleep(250);
      return;
    }
    // The retry: never answer; the client gives up and closes.
    await connection.readSome();
  });
  const pool = new HTTPConnectionPool(reactor);
  await performRequest(pool, { method: "GET", url: `${server.url}/` });
  const started = performance.now();
  const error = await rejection(
    performRequest(pool, {
      method: "GET",
      url: `${server.url}/`,
      requestTimeout: 0.4,
    }),
  );
  const elapsed = performance.now() - started;
  assert.ok(error instanceof HTTPTimeoutError, String(error));
  assert.equal(error.phase, "headers");
  assert.equal(server.accepted, 2, "the request was retried once");
  // Per attempt, the deadline would have come at 0.25 + 0.4 s.
  assert.ok(elapsed < 600, `timed out after ${elapsed} ms, not 0.4 s`);
  await pool.closeCachedConnections();
  await server.close();
});

Deno.test("performRequest() given no maxBodySize when a body declares more than 100 MiB then it fails with BodyTooLargeError at the head", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.write(
      "HTTP/1.1 200 OK\r\nContent-Length: 104857601\r\n\r\nxx",
    );
    await connection.readSome();
  });
  const error = await failureOf({ method: "GET", url: `${server.url}/` });
  assert.ok(error instanceof ResponseFailed, String(error));
  const reason = error.reasons[0].value;
  assert.ok(reason instanceof BodyTooLargeError);
  assert.equal(reason.maxBodySize, 100 * 1024 * 1024);
});

Deno.test("performRequest() given no maxHeaderSize when a head exceeds 64 KiB then it fails with a ParseError and a head of 60 KiB passes", async () => {
  const head = (size: number) =>
    `HTTP/1.1 200 OK\r\nX-Big: ${
      "x".repeat(size)
    }\r\nContent-Length: 2\r\n\r\nok`;
  await using big = startCannedServer(head(66000), { closeAfter: true });
  const error = await failureOf({ method: "GET", url: `${big.url}/` });
  assert.ok(error instanceof ResponseFailed, String(error));
  assert.match(error.reasons[0].getErrorMessage(), /limit is 65536 bytes/);
  await using fits = startCannedServer(head(60000));
  assert.equal(
    text((await fetchWith({ method: "GET", url: `${fits.url}/` })).body),
    "ok",
  );
});

Deno.test("performRequest() given a kept connection when the server closes it under the next GET then the GET is sent again on a new connection", async () => {
  let secondOnFirst = false;
  await using server = startRawServer(async (connection, index) => {
    await connection.readRequest();
    if (index === 0) {
      await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
      secondOnFirst = (await connection.readRequest()) !== null;
      return;
    }
    await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2");
    await connection.readSome();
  });
  const pool = new HTTPConnectionPool(reactor);
  await performRequest(pool, { method: "GET", url: `${server.url}/` });
  const second = await performRequest(pool, {
    method: "GET",
    url: `${server.url}/`,
  });
  assert.equal(text(second.body), "2");
  assert.ok(secondOnFirst, "the kept connection was tried first");
  assert.equal(server.accepted, 2);
  await pool.closeCachedConnections();
});

Deno.test("performRequest() given a kept connection when the server closes it under a POST then the POST fails with ResponseNeverReceived and is not sent again", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    await connection.readRequest();
  });
  const pool = new HTTPConnectionPool(reactor);
  await performRequest(pool, { method: "GET", url: `${server.url}/` });
  const error = await rejection(
    performRequest(pool, {
      method: "POST",
      url: `${server.url}/`,
      body: bytes("x"),
    }),
  );
  assert.ok(error instanceof ResponseNeverReceived, String(error));
  assert.equal(server.accepted, 1);
  await pool.closeCachedConnections();
});

interface FramingCase {
  name: string;
  method?: string;
  response: string;
  body: string;
  /** Whether the connection goes back to the pool afterwards. */
  kept: boolean;
  /** The server closes after answering. */
  closeAfter?: boolean;
}

const FRAMING: FramingCase[] = [
  {
    name: "a Content-Length body",
    response: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    body: "hello",
    kept: true,
  },
  {
    name: "a chunked body with extensions and trailers",
    response:
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6;a;b="q"\r\n world\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n',
    body: "hello world",
    kept: true,
  },
  {
    name: "an HTTP/1.0 close-delimited body",
    response: "HTTP/1.0 200 OK\r\n\r\nuntil the close",
    body: "until the close",
    kept: false,
    closeAfter: true,
  },
  {
    name: "an HTTP/1.1 close-delimited body",
    response:
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close",
    body: "until the close",
    kept: false,
    closeAfter: true,
  },
  {
    name: "an HTTP/1.0 response with keep-alive and a Content-Length",
    response:
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nkept",
    body: "kept",
    kept: true,
  },
  {
    name: "an HTTP/1.0 response without keep-alive",
    response: "HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\ngone",
    body: "gone",
    kept: false,
  },
  {
    name: "a Connection: close response",
    response:
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\ngone",
    body: "gone",
    kept: false,
  },
  {
    name: "a response to HEAD with a Content-Length",
    method: "HEAD",
    response: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
    body: "",
    kept: true,
  },
  {
    name: "a 204 response",
    response: "HTTP/1.1 204 No Content\r\n\r\n",
    body: "",
    kept: true,
  },
  {
    name: "a 304 response with a Content-Length",
    response: "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n",
    body: "",
    kept: true,
  },
  {
    name: "100 Continue and 103 Early Hints before the response",
    response:
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal",
    body: "final",
    kept: true,
  },
];

for (const split of [false, true]) {
  for (const framing of FRAMING) {
    const how = split ? "byte by byte" : "whole";
    Deno.test(`performRequest() given ${framing.name} sent ${how} by a raw server when read then the body is "${framing.body}" and the connection is ${framing.kept ? "kept" : "closed"}`, async () => {
      await using server = startCannedServer(framing.response, {
        split,
        closeAfter: framing.closeAfter,
      });
      const pool = new HTTPConnectionPool(reactor);
      const result = await performRequest(pool, {
        method: framing.method ?? "GET",
        url: `${server.url}/`,
      });
      assert.equal(text(result.body), framing.body);
      assert.equal(pool.cachedConnectionCount(), framing.kept ? 1 : 0);
      await pool.closeCachedConnections();
    });
  }
}

Deno.test("performRequest() given a multi-valued response header when read then every value is kept in order", async () => {
  await using server = startCannedServer(
    "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Other: x\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n",
  );
  const result = await fetchWith({ method: "GET", url: `${server.url}/` });
  assert.deepEqual(result.headers.getRawHeaders("Set-Cookie"), ["a=1", "b=2"]);
});

Deno.test("performRequest() given a multi-valued request header when sent then each value goes on its own line in order", async () => {
  let head = "";
  await using server = startRawServer(async (connection) => {
    head = (await connection.readRequest()) ?? "";
    await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    await connection.readSome();
  });
  await fetchWith({
    method: "GET",
    url: `${server.url}/`,
    headers: new Headers([
      ["X-Multi", "first"],
      ["X-Single", "one"],
      ["x-multi", "second"],
    ]),
  });
  assert.match(
    head,
    /\r\nX-Multi: first\r\nX-Multi: second\r\nX-Single: one\r\n/,
  );
});
