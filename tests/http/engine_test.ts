import assert from "node:assert/strict";
import { CancelledError } from "../../deferred/errors.ts";
import { reactor } from "../../reactor/reactor.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import {
  BodyTooLargeError,
  HTTPTimeoutError,
  PartialDownloadError,
  ResponseFailed,
} from "../../http/errors.ts";
import { Headers } from "../../http/headers.ts";
import {
  type EngineRequest,
  type EngineResult,
  performRequest,
  WriterProducer,
} from "../../http/_engine.ts";
import {
  bytes,
  rejection,
  sleep,
  startProxy,
  startRawServer,
  startServer,
  text,
  TLS_CERT,
} from "./_servers.ts";

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

Deno.test("performRequest() follows a chain of redirects and records the effective URL", async () => {
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

Deno.test("performRequest() resolves a relative Location", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "GET",
    url: `${server.url}/redirect-to?url=${encodeURIComponent("../echo?x=1")}`,
  });
  assert.equal(echoed(result).url, `${server.url}/echo?x=1`);
});

Deno.test("performRequest() turns a POST into a GET without body on 303", async () => {
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

Deno.test("performRequest() keeps the method and body on 307 and 308", async () => {
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

Deno.test("performRequest() drops Authorization, Cookie and auth on a cross-origin redirect", async () => {
  await using a = await startServer();
  await using b = await startServer();
  const headers = new Headers({
    Authorization: "Bearer secret",
    Cookie: "session=1",
    "Proxy-Authorization": "Basic x",
    "X-Custom": "kept",
  });
  const cross = echoed(
    await fetchWith({
      method: "GET",
      url: `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
      headers,
    }),
  );
  assert.equal(cross.header("authorization"), undefined);
  assert.equal(cross.header("cookie"), undefined);
  assert.equal(cross.header("proxy-authorization"), undefined);
  assert.equal(cross.header("x-custom"), "kept");
  const withAuth = echoed(
    await fetchWith({
      method: "GET",
      url: `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
      auth: { username: "user", password: "pass" },
    }),
  );
  assert.equal(withAuth.header("authorization"), undefined);
  const same = echoed(
    await fetchWith({
      method: "GET",
      url: `${a.url}/redirect-to?url=/echo`,
      headers,
      auth: { username: "user", password: "pass" },
    }),
  );
  assert.equal(same.header("authorization"), "Bearer secret");
  assert.equal(same.header("cookie"), "session=1");
});

Deno.test("performRequest() sends basic auth from the auth option and from the URL", async () => {
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

Deno.test("performRequest() returns the redirect after maxRedirects on a loop", async () => {
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

Deno.test("performRequest() returns a redirect as is when followRedirects is false", async () => {
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
  Deno.test(`performRequest() decodes a ${format} body when decompress is set`, async () => {
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

Deno.test("performRequest() sends Accept-Encoding only when decompress is set and leaves bodies alone otherwise", async () => {
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

Deno.test("performRequest() stops a gzip bomb at maxBodySize counted after decompression", async () => {
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

Deno.test("performRequest() fails a body over maxBodySize without decompression", async () => {
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

Deno.test("performRequest() fails a head over maxHeaderSize", async () => {
  await using server = await startServer();
  const error = await failureOf({
    method: "GET",
    url: `${server.url}/headers/20`,
    maxHeaderSize: 1000,
  });
  assert.ok(error instanceof ResponseFailed);
  assert.match(error.reasons[0].getErrorMessage(), /maxHeaderSize/);
});

Deno.test("performRequest() streams the body to onChunk and the header lines to onHeaderLine", async () => {
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

Deno.test("performRequest() fails with the error a streaming callback throws", async () => {
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

Deno.test("performRequest() times out a trickling body with a timeout naming the body phase", async () => {
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

Deno.test("performRequest() times out a server that trickles its head in the headers phase", async () => {
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

Deno.test("performRequest() counts requestTimeout once across redirects", async () => {
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

Deno.test("performRequest() fails with HTTPTimeoutError while connecting through a silent TLS server", async () => {
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

Deno.test("Cancelling performRequest() aborts the connection at once", async () => {
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

Deno.test("performRequest() reports a truncated body as PartialDownloadError with the bytes received", async () => {
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

Deno.test("performRequest() streams an upload from a WriterProducer with chunked coding", async () => {
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

Deno.test("performRequest() sends Expect: 100-continue and the body once the server agrees", async () => {
  await using server = await startServer();
  const result = await fetchWith({
    method: "POST",
    url: `${server.url}/echo`,
    body: bytes("after continue"),
    expectContinue: true,
  });
  assert.equal(echoed(result).body, "after continue");
});

Deno.test("performRequest() goes through an HTTP proxy with Proxy-Authorization", async () => {
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

Deno.test("performRequest() tunnels https through a proxy with CONNECT", async () => {
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

Deno.test("performRequest() reuses connections of a persistent pool across fetches", async () => {
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
