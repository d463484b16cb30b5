import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../deferred/errors.ts";
import type { Failure } from "../../deferred/failure.ts";
import {
  ConnectionRefusedError,
  DNSLookupError,
  TLSError,
} from "../../reactor/errors.ts";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import {
  PartialDownloadError,
  RequestTransmissionFailed,
  ResponseFailed,
  ResponseNeverReceived,
  SchemeNotSupported,
} from "../../http/client_errors.ts";
import { ParseError } from "../../http/errors.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { FileBodyProducer } from "../../http/file_body_producer.ts";
import { Headers } from "../../http/headers.ts";
import { readBody } from "../../http/read_body.ts";
import { StringProducer } from "../../http/string_producer.ts";
import {
  rejection,
  startCannedServer,
  startRawServer,
  startServer,
} from "./_servers.ts";
import { bytes, closedPort, sleep, text, TLS_CERT } from "../_support/mod.ts";

/** A keep-alive pool and an agent on it; the pool is closed by `close`. */
function agentWithPool(
  options: { maxPersistentPerHost?: number; caCerts?: string[] } = {},
): { agent: Agent; pool: HTTPConnectionPool; close(): Promise<void> } {
  const pool = new HTTPConnectionPool(reactor);
  if (options.maxPersistentPerHost !== undefined) {
    pool.maxPersistentPerHost = options.maxPersistentPerHost;
  }
  const agent = new Agent(reactor, { pool, caCerts: options.caCerts });
  return {
    agent,
    pool,
    close: () => pool.closeCachedConnections().asPromise(),
  };
}

Deno.test("Agent.request() given a server with a 1 KiB body when requested over a real connection then readBody() returns the body", async () => {
  await using server = await startServer();
  const { agent, close } = agentWithPool();
  const response = await agent.request("GET", `${server.url}/bytes/1024`);
  assert.equal(response.code, 200);
  assert.equal(response.length, 1024);
  assert.equal(response.request?.method, "GET");
  assert.equal(response.request?.absoluteURI, `${server.url}/bytes/1024`);
  const body = await readBody(response);
  assert.equal(body.length, 1024);
  await close();
});

Deno.test("Agent.request() given the URI as bytes when requested then fetches it as a string URI", async () => {
  await using server = await startServer();
  const { agent, close } = agentWithPool();
  const response = await agent.request("GET", bytes(`${server.url}/`));
  assert.equal(text(await readBody(response)), "hello");
  await close();
});

Deno.test("Agent given a persistent pool when 20 requests are made in turn then they use one kept-alive connection", async () => {
  await using server = await startServer();
  const { agent, pool, close } = agentWithPool();
  for (let i = 0; i < 20; i++) {
    await readBody(await agent.request("GET", `${server.url}/bytes/10`));
  }
  assert.equal(server.requests, 20);
  assert.equal(server.connections.size, 1);
  assert.equal(pool.cachedConnectionCount(), 1);
  await close();
  assert.equal(pool.cachedConnectionCount(), 0);
});

Deno.test("HTTPConnectionPool given maxPersistentPerHost when more connections go idle then keeps at most that many", async () => {
  await using server = await startServer();
  const { agent, pool, close } = agentWithPool({ maxPersistentPerHost: 3 });
  await Promise.all(
    Array.from(
      { length: 8 },
      async () =>
        readBody(await agent.request("GET", `${server.url}/delay?s=0.05`)),
    ),
  );
  assert.equal(server.connections.size, 8);
  assert.equal(pool.cachedConnectionCount(), 3);
  await close();
});

Deno.test("Agent given no pool when it requests then sends Connection: close and keeps no connection", async () => {
  await using server = await startServer();
  const pool = new HTTPConnectionPool(reactor, false);
  const agent = new Agent(reactor, { pool });
  const response = await agent.request("GET", `${server.url}/echo`);
  const echo = JSON.parse(text(await readBody(response)));
  assert.ok(
    echo.headers.some(([n, v]: [string, string]) =>
      n === "connection" && v === "close"
    ),
  );
  assert.equal(pool.cachedConnectionCount(), 0);
  await pool.closeCachedConnections();
  await sleep(20);
});

Deno.test("HTTPConnectionPool given cachedConnectionTimeout when a connection is idle that long then closes it", async () => {
  let closed = false;
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    closed = (await connection.readSome()) === null;
  });
  const pool = new HTTPConnectionPool(reactor);
  pool.cachedConnectionTimeout = 0.05;
  const agent = new Agent(reactor, { pool });
  await readBody(await agent.request("GET", `${server.url}/`));
  assert.equal(pool.cachedConnectionCount(), 1);
  await sleep(150);
  assert.equal(pool.cachedConnectionCount(), 0);
  assert.ok(closed);
  await pool.closeCachedConnections();
});

Deno.test("Agent given a kept connection the server closed when a GET is sent on it then retries once on a new connection", async () => {
  let secondOnFirst = false;
  await using server = startRawServer(async (connection, index) => {
    if (index === 0) {
      await connection.readRequest();
      await connection.write(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst",
      );
      // The second request arrives on this connection: close without answering.
      secondOnFirst = (await connection.readRequest()) !== null;
      return;
    }
    await connection.readRequest();
    await connection.write(
      "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond",
    );
    await connection.readRequest();
  });
  const { agent, close } = agentWithPool();
  assert.equal(
    text(await readBody(await agent.request("GET", `${server.url}/`))),
    "first",
  );
  assert.equal(
    text(await readBody(await agent.request("GET", `${server.url}/`))),
    "second",
  );
  assert.ok(secondOnFirst, "the kept connection was tried first");
  assert.equal(server.accepted, 2);
  await close();
});

/** A server whose first connection answers once, then closes under the next request. */
function dyingKeptConnection(): ReturnType<typeof startRawServer> {
  return startRawServer(async (connection, index) => {
    await connection.readRequest();
    if (index === 0) {
      await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      await connection.readHead();
      return;
    }
    await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    await connection.readSome();
  });
}

Deno.test("Agent given a GET with a body producer on a kept connection the server closes when it fails then it is not sent again", async () => {
  await using server = dyingKeptConnection();
  const { agent, close } = agentWithPool();
  await readBody(await agent.request("GET", `${server.url}/`));
  const error = await rejection(
    agent.request(
      "GET",
      `${server.url}/`,
      null,
      new FileBodyProducer([bytes("streamed")]),
    ),
  );
  assert.ok(
    error instanceof ResponseNeverReceived ||
      error instanceof RequestTransmissionFailed,
    String(error),
  );
  assert.equal(server.accepted, 1);
  await close();
});

Deno.test("Agent given retryAutomatically false when a kept connection dies under a GET then the GET fails with ResponseNeverReceived", async () => {
  await using server = dyingKeptConnection();
  const { agent, pool, close } = agentWithPool();
  pool.retryAutomatically = false;
  await readBody(await agent.request("GET", `${server.url}/`));
  const error = await rejection(agent.request("GET", `${server.url}/`));
  assert.ok(error instanceof ResponseNeverReceived, String(error));
  assert.equal(server.accepted, 1);
  await close();
});

Deno.test("Agent given a retried GET that fails again on the new connection when it fails then it is not retried a second time", async () => {
  await using server = startRawServer(async (connection, index) => {
    await connection.readRequest();
    if (index === 0) {
      await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      await connection.readHead();
    }
    // Every later connection closes without answering.
  });
  const { agent, close } = agentWithPool();
  await readBody(await agent.request("GET", `${server.url}/`));
  const error = await rejection(agent.request("GET", `${server.url}/`));
  assert.ok(error instanceof ResponseNeverReceived, String(error));
  assert.equal(server.accepted, 2);
  await close();
});

Deno.test("Agent given a dead kept connection when a POST is sent on it then does not retry", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    await connection.readRequest();
  });
  const { agent, close } = agentWithPool();
  await readBody(await agent.request("GET", `${server.url}/`));
  const error = await rejection(
    agent.request("POST", `${server.url}/`, null, new StringProducer("x")),
  );
  assert.ok(error instanceof ResponseNeverReceived);
  assert.equal(server.accepted, 1);
  await close();
});

Deno.test("Agent given a POST body when sent then a known length goes with Content-Length and a streamed body chunked", async () => {
  await using server = await startServer();
  const { agent, close } = agentWithPool();
  const posted = JSON.parse(text(
    await readBody(
      await agent.request(
        "POST",
        `${server.url}/echo`,
        new Headers({ "Content-Type": "text/plain", "X-Multi": ["a", "b"] }),
        new StringProducer("hello body"),
      ),
    ),
  ));
  assert.equal(posted.method, "POST");
  assert.equal(posted.body, "hello body");
  const header = (name: string) =>
    posted.headers.filter(([n]: [string]) => n === name).map((
      [, v]: [string, string],
    ) => v);
  assert.deepEqual(header("content-length"), ["10"]);
  assert.deepEqual(header("x-multi"), ["a, b"]);
  assert.deepEqual(header("host"), [`127.0.0.1:${server.port}`]);
  const streamed = JSON.parse(text(
    await readBody(
      await agent.request(
        "PUT",
        `${server.url}/echo`,
        null,
        new FileBodyProducer([bytes("part1-"), bytes("part2")]),
      ),
    ),
  ));
  assert.equal(streamed.body, "part1-part2");
  assert.ok(
    streamed.headers.some(([n, v]: [string, string]) =>
      n === "transfer-encoding" && v === "chunked"
    ),
  );
  await close();
});

Deno.test("Agent given a port nothing listens on when requested then fails with ConnectionRefusedError", async () => {
  const port = closedPort();
  const agent = new Agent(reactor);
  const error = await rejection(
    agent.request("GET", `http://127.0.0.1:${port}/`),
  );
  assert.ok(error instanceof ConnectionRefusedError, String(error));
});

Deno.test("Agent given a host that does not resolve when requested then fails with DNSLookupError", async () => {
  const agent = new Agent(reactor, { connectTimeout: 5 });
  const error = await rejection(
    agent.request("GET", "http://no-such-host.invalid/"),
  );
  assert.ok(error instanceof DNSLookupError, String(error));
});

Deno.test("Agent given an ftp URI or a bad method when requested then fails with SchemeNotSupported or TypeError", async () => {
  const agent = new Agent(reactor);
  assert.ok(
    (await rejection(agent.request("GET", "ftp://example.com/"))) instanceof
      SchemeNotSupported,
  );
  assert.throws(
    () => agent.request("BAD METHOD", "http://example.com/"),
    TypeError,
  );
  assert.throws(() => agent.request("GET", "not a uri"), TypeError);
});

Deno.test("Agent given an https server when requested with and without caCerts then succeeds with them and fails with TLSError without", async () => {
  await using server = await startServer({ tls: true });
  const { agent, close } = agentWithPool({ caCerts: [TLS_CERT] });
  const response = await agent.request("GET", `${server.url}/bytes/100`);
  assert.equal((await readBody(response)).length, 100);
  await readBody(await agent.request("GET", `${server.url}/`));
  assert.equal(server.connections.size, 1);
  await close();
  const untrusting = new Agent(reactor);
  const error = await rejection(untrusting.request("GET", `${server.url}/`));
  assert.ok(error instanceof TLSError, String(error));
  await sleep(10);
});

Deno.test("Agent given validateCert false when requested then the error explains that Deno cannot skip verification", async () => {
  await using server = await startServer({ tls: true });
  const agent = new Agent(reactor, { validateCert: false });
  const error = await rejection(agent.request("GET", `${server.url}/`));
  assert.ok(error instanceof TLSError);
  assert.match(error.message, /--unsafely-ignore-certificate-errors/);
  await sleep(10);
});

Deno.test("Agent given connectTimeout when connecting takes longer then fails with TimeoutError naming the phase", async () => {
  // A server that accepts TCP but never answers the TLS handshake.
  await using server = startRawServer(async (connection) => {
    while ((await connection.readSome()) !== null);
  });
  const agent = new Agent(reactor, { connectTimeout: 0.2 });
  const error = await rejection(
    agent.request("GET", `https://127.0.0.1:${server.port}/`),
  );
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(
    (error as Error).message,
    /Timeout while connecting.*TLS handshake/,
  );
  await server.close();
});

Deno.test("Agent.request() given a request in flight when its Deferred is cancelled then the connection is aborted at once", async () => {
  let sawClose = false;
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    sawClose = (await connection.readSome()) === null;
  });
  const { agent, close } = agentWithPool();
  const d = agent.request("GET", `${server.url}/`);
  await sleep(50);
  d.cancel();
  const error = await rejection(d);
  assert.ok(error instanceof ResponseNeverReceived);
  assert.ok(error.reasons[0].check(CancelledError));
  await server.close();
  assert.ok(sawClose);
  await close();
});

Deno.test("readBody() given a body arriving when its Deferred is cancelled then the connection is aborted", async () => {
  await using server = startRawServer(async (connection) => {
    await connection.readRequest();
    await connection.write(
      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nstart",
    );
    await connection.readSome();
  });
  const { agent, close } = agentWithPool();
  const response = await agent.request("GET", `${server.url}/`);
  const body = readBody(response);
  body.cancel();
  assert.ok((await rejection(body)) instanceof CancelledError);
  await server.close();
  await close();
});

const MALFORMED: [string, string, (error: unknown) => boolean][] = [
  [
    "an invalid status line",
    "HTTP/1.1 abc OK\r\n\r\n",
    (e) => e instanceof ResponseFailed && !!e.reasons[0].check(ParseError),
  ],
  [
    "an invalid header line",
    "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
    (e) => e instanceof ResponseFailed && !!e.reasons[0].check(ParseError),
  ],
  [
    "conflicting Content-Length values",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
    (e) => e instanceof ResponseFailed,
  ],
  [
    "a bad chunk size",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
    (e) => e instanceof ResponseFailed && !!e.reasons[0].check(ParseError),
  ],
  [
    "a truncated Content-Length body",
    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this",
    (e) =>
      e instanceof PartialDownloadError && text(e.response!) === "only this",
  ],
  [
    "a truncated chunked body",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    (e) => e instanceof PartialDownloadError && text(e.response!) === "hello",
  ],
  [
    "a truncated head",
    "HTTP/1.1 200 OK\r\nContent-Le",
    (e) => e instanceof ResponseFailed && !(e instanceof ResponseNeverReceived),
  ],
  ["no response at all", "", (e) => e instanceof ResponseNeverReceived],
  [
    "a close-delimited body",
    "HTTP/1.1 200 OK\r\n\r\nto the end",
    (e) =>
      e instanceof PartialDownloadError && text(e.response!) === "to the end",
  ],
];

for (const split of [false, true]) {
  for (const [name, response, check] of MALFORMED) {
    Deno.test(`Agent and readBody given ${name} sent ${split ? "byte by byte" : "whole"} when read then end in a named error`, async () => {
      await using server = startCannedServer(response, {
        split,
        closeAfter: true,
      });
      const { agent, pool, close } = agentWithPool();
      const error = await rejection(
        agent.request("GET", `${server.url}/`).addCallback(readBody),
      );
      assert.ok(check(error), `${name}: ${String(error)}`);
      assert.equal(pool.cachedConnectionCount(), 0);
      await close();
    });
  }
}

Deno.test("Agent given a response head over maxHeaderSize when received then fails the request", async () => {
  await using server = await startServer();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool, maxHeaderSize: 1024 });
  const error = await rejection(
    agent.request("GET", `${server.url}/headers/50`),
  );
  assert.ok(error instanceof ResponseFailed);
  assert.match(error.reasons[0].getErrorMessage(), /exceeds maxHeaderSize/);
  const ok = await agent.request("GET", `${server.url}/headers/2`);
  assert.equal(text(await readBody(ok)), "many headers");
  await pool.closeCachedConnections();
});

Deno.test("Agent given a connection reset mid-body when the body is read then fails with a named error and leaks nothing", async () => {
  await using server = startRawServer(async (connection) => {
    // Read a few bytes only: closing with unread input resets the connection.
    await connection.conn.read(new Uint8Array(4));
    await connection.write(
      "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000),
    );
    await sleep(20);
    connection.close();
  });
  const { agent, close } = agentWithPool();
  const error = await rejection(
    agent.request("GET", `${server.url}/`).addCallback(readBody),
  );
  assert.ok(
    error instanceof PartialDownloadError || error instanceof ResponseFailed,
    String(error),
  );
  await close();
});

Deno.test("readBody() given a HEAD or 204 response when read then delivers an empty body", async () => {
  await using server = await startServer();
  const { agent, close } = agentWithPool();
  assert.equal(
    (await readBody(await agent.request("HEAD", `${server.url}/bytes/50`)))
      .length,
    0,
  );
  assert.equal(
    (await readBody(await agent.request("GET", `${server.url}/status/204`)))
      .length,
    0,
  );
  await close();
});

Deno.test("Agent given several servers when requested concurrently then each host keeps its own pool", async () => {
  await using a = await startServer();
  await using b = await startServer();
  const { agent, pool, close } = agentWithPool();
  const results = await Promise.all(
    [a, b, a, b].map(async (s) =>
      text(await readBody(await agent.request("GET", `${s.url}/`)))
    ),
  );
  assert.deepEqual(results, ["hello", "hello", "hello", "hello"]);
  assert.ok(pool.cachedConnectionCount(`http://127.0.0.1:${a.port}`) >= 1);
  await close();
});

Deno.test("HTTPConnectionPool given requests to two ports of one host when made in turn then each port reuses only its own connection", async () => {
  await using a = await startServer();
  await using b = await startServer();
  const { agent, pool, close } = agentWithPool();
  for (const server of [a, b, a, b, a]) {
    await readBody(await agent.request("GET", `${server.url}/`));
  }
  assert.equal(a.connections.size, 1);
  assert.equal(b.connections.size, 1);
  assert.equal(pool.cachedConnectionCount(`http://127.0.0.1:${a.port}`), 1);
  assert.equal(pool.cachedConnectionCount(`http://127.0.0.1:${b.port}`), 1);
  await close();
});

Deno.test("Agent given a hand-written head over the 64 KiB default when received then it fails with a ParseError and the connection is not kept", async () => {
  await using server = startCannedServer(
    `HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(70000)}\r\n\r\n`,
  );
  const { agent, pool, close } = agentWithPool();
  const error = await rejection(agent.request("GET", `${server.url}/`));
  assert.ok(error instanceof ResponseFailed, String(error));
  assert.ok(error.reasons[0].check(ParseError));
  assert.match(error.reasons[0].getErrorMessage(), /limit is 65536 bytes/);
  assert.equal(pool.cachedConnectionCount(), 0);
  await close();
});

Deno.test("Response.deliverBody() given a body protocol when it pauses and resumes the transport then the body stops and continues", async () => {
  await using server = await startServer();
  const { agent, close } = agentWithPool();
  const response = await agent.request("GET", `${server.url}/bytes/300000`);
  let received = 0;
  const done = new Promise<Failure>((resolve) => {
    response.deliverBody(
      {
        transport: null,
        makeConnection(transport): void {
          const producer = transport as unknown as {
            pauseProducing(): void;
            resumeProducing(): void;
          };
          producer.pauseProducing();
          setTimeout(() => producer.resumeProducing(), 30);
        },
        connectionMade(): void {},
        dataReceived(data: Uint8Array): void {
          received += data.length;
        },
        connectionLost: resolve,
      } as import("../../reactor/interfaces.ts").IProtocol,
    );
  });
  await done;
  assert.equal(received, 300000);
  await close();
});
