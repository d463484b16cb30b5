import assert from "node:assert/strict";
import { Agent } from "../../http/agent.ts";
import { AsyncHTTPClient } from "../../http/async_http_client.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { Headers } from "../../http/headers.ts";
import { HTTPFactory } from "../../http/http_factory.ts";
import { readBody } from "../../http/read_body.ts";
import type {
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
  HTTPServerRequestChannel,
} from "../../http/server_interfaces.ts";
import { serverFromString } from "../../reactor/endpoints.ts";
import type { IListeningPort } from "../../reactor/interfaces.ts";
import { Reactor, reactor } from "../../reactor/reactor.ts";
import {
  CURL,
  hasCurl,
  hasPython,
  latin1Bytes,
  latin1Text,
  PYTHON,
  reportMissing,
  runCommand,
  TLS_CERT,
  TLS_KEY,
  until,
} from "../_support/mod.ts";
import { MALFORMED_REQUESTS } from "./_malformed_requests.ts";

/** What the test servers saw. */
interface Log {
  /** `"<method> <target> <peer port>"` per request, in order. */
  requests: string[];
  /** How many requests heard `onConnectionClose`. */
  closed: number;
  /** `isSecure()` of the last request. */
  secure: boolean;
}

/**
 * Answers `"<method> <target> <body>"` with Content-Length; a request to
 * `/slow` is answered after `slowSeconds` on `clock`.
 */
function echoDelegate(
  log: Log,
  clock: { callLater(s: number, f: () => void): unknown } = reactor,
  slowSeconds = 0.2,
): HTTPServerConnectionDelegate {
  return {
    startRequest(channel: HTTPServerRequestChannel): HTTPRequestDelegate {
      let body = "";
      log.requests.push(
        `${channel.head.method} ${channel.head.target} ${channel.getPeer().port}`,
      );
      log.secure = channel.isSecure();
      const answer = (): void => {
        if (channel.finished) return;
        const text = `${channel.head.method} ${channel.head.target} ${body}`;
        channel.writeHead(
          200,
          "OK",
          new Headers({ "Content-Type": "text/plain" }),
          text,
        );
        channel.finish();
      };
      return {
        headersReceived(): void {},
        dataReceived(chunk): void {
          body += latin1Text(chunk);
        },
        finish(): void {
          if (channel.head.target === "/slow") {
            clock.callLater(slowSeconds, answer);
          } else answer();
        },
        onConnectionClose(): void {
          log.closed++;
        },
      };
    },
  };
}

interface Server extends AsyncDisposable {
  port: number;
  factory: HTTPFactory;
  log: Log;
  url(path?: string): string;
}

function serve(options: HTTPServerOptions = {}): Server {
  const log: Log = { requests: [], closed: 0, secure: false };
  return serveDelegate(echoDelegate(log), options, log);
}

/** Listens on a loopback port with `delegate` behind an `HTTPFactory`. */
function serveDelegate(
  delegate: HTTPServerConnectionDelegate,
  options: HTTPServerOptions = {},
  log: Log = { requests: [], closed: 0, secure: false },
): Server {
  const factory = new HTTPFactory(delegate, options);
  const listening = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  return server(factory, listening, log);
}

function server(
  factory: HTTPFactory,
  listening: IListeningPort,
  log: Log,
): Server {
  const port = listening.getHost().port;
  return {
    port,
    factory,
    log,
    url: (path = "/") => `http://127.0.0.1:${port}${path}`,
    async [Symbol.asyncDispose](): Promise<void> {
      await listening.stopListening();
      await factory.closeAllConnections();
    },
  };
}

/**
 * Sends `request` on a raw connection and reads until the server closes it
 * (or `seconds` pass, then the connection is closed here).
 */
async function exchange(
  port: number,
  request: string | Uint8Array,
  seconds = 5,
): Promise<{ text: string; closedByServer: boolean }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, seconds * 1000);
  let text = "";
  let closedByServer = false;
  try {
    const bytes = typeof request === "string" ? latin1Bytes(request) : request;
    try {
      for (let off = 0; off < bytes.length;) {
        off += await conn.write(bytes.subarray(off));
      }
    } catch {
      // The server may close before reading everything: read what it sent.
    }
    const buffer = new Uint8Array(65536);
    for (let round = 0; round < 10000; round++) {
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch {
        n = null;
      }
      if (n === null) {
        closedByServer = !timedOut;
        break;
      }
      text += latin1Text(buffer.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
    if (!timedOut) conn.close();
  }
  return { text, closedByServer };
}

// --- Every malformed request: its status, then a closed connection --------------

for (const { description, request, status, options } of MALFORMED_REQUESTS) {
  Deno.test(`HTTPFactory on a loopback port given ${description} when sent then it answers ${status} with Connection close and closes`, async () => {
    await using s = serve(options);
    const { text, closedByServer } = await exchange(s.port, request);
    assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `));
    assert.match(text, /\r\nConnection: close\r\n/);
    assert.ok(closedByServer, "the server did not close the connection");
    await until(
      () => s.factory.connections.size === 0,
      "the server to close every connection",
    );
  });
}

Deno.test("HTTPFactory on a loopback port given an Expect other than 100-continue when sent then it answers 417 and closes", async () => {
  await using s = serve();
  const { text, closedByServer } = await exchange(
    s.port,
    "POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\nContent-Length: 1\r\n\r\nx",
  );
  assert.match(text, /^HTTP\/1\.1 417 /);
  assert.ok(closedByServer);
});

Deno.test("HTTPFactory on a loopback port given a response finished before the request body was read when sent then the head says Connection close and the server closes", async () => {
  await using s = serveDelegate({
    startRequest(channel): HTTPRequestDelegate {
      return {
        headersReceived(): void {
          channel.writeHead(404, "Not Found", new Headers(), "none");
          channel.finish();
        },
        dataReceived(): void {},
        finish(): void {},
        onConnectionClose(): void {},
      };
    },
    logAccess(): void {},
  });
  const { text, closedByServer } = await exchange(
    s.port,
    "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nsome",
  );
  assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.ok(closedByServer);
});

Deno.test("HTTPFactory on a loopback port given pipelined requests in one write when sent then the answers come in order on one connection", async () => {
  await using s = serve();
  const { text } = await exchange(
    s.port,
    "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  );
  const bodies = text.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) =>
    r.slice(r.indexOf("\r\n\r\n") + 4)
  );
  assert.deepEqual(bodies, ["GET /slow ", "GET /fast ", "GET /last "]);
});

// --- Real clients -------------------------------------------------------------------

Deno.test("HTTPFactory on a loopback port given Torsion's AsyncHTTPClient when it fetches twice then both go over one kept-alive connection", async () => {
  await using s = serve();
  const client = new AsyncHTTPClient({ forceInstance: true });
  try {
    const first = await client.fetch(s.url("/a"));
    const second = await client.fetch(s.url("/b"), {
      method: "POST",
      body: "xyz",
    });
    assert.equal(first.text, "GET /a ");
    assert.equal(second.text, "POST /b xyz");
  } finally {
    await client.close();
  }
  const ports = s.log.requests.map((r) => r.split(" ")[2]);
  assert.equal(ports.length, 2);
  assert.equal(ports[0], ports[1]);
});

Deno.test("HTTPFactory on a loopback port given Torsion's Agent with a pool when it requests twice then the connection is reused", async () => {
  await using s = serve();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  try {
    for (const path of ["/a", "/b"]) {
      const response = await agent.request("GET", s.url(path));
      assert.equal(response.code, 200);
      assert.equal(
        new TextDecoder().decode(await readBody(response)),
        `GET ${path} `,
      );
    }
  } finally {
    await pool.closeCachedConnections();
  }
  const ports = s.log.requests.map((r) => r.split(" ")[2]);
  assert.equal(ports[0], ports[1]);
});

Deno.test("HTTPFactory on a loopback port given Deno fetch when it requests twice then both succeed", async () => {
  await using s = serve();
  for (const path of ["/a", "/b"]) {
    const response = await fetch(s.url(path));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("server"), "Torsion");
    assert.equal(await response.text(), `GET ${path} `);
  }
  const ports = s.log.requests.map((r) => r.split(" ")[2]);
  assert.equal(ports[0], ports[1]);
});

reportMissing(hasCurl(), "curl");
reportMissing(hasPython(), "python3");

Deno.test({
  name:
    "HTTPFactory on a loopback port given curl when it fetches two URLs then both are answered over one connection",
  ignore: !hasCurl(),
  async fn(): Promise<void> {
    await using s = serve();
    const result = await runCommand(CURL, [
      "-s",
      "--max-time",
      "10",
      "-w",
      "|%{num_connects}\n",
      s.url("/a"),
      s.url("/b"),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "GET /a |1\nGET /b |0\n");
  },
});

Deno.test({
  name:
    "HTTPFactory on a loopback port given Python's http.client when it sends three requests on one connection then all are answered",
  ignore: !hasPython(),
  async fn(): Promise<void> {
    await using s = serve();
    const script = `
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
for method, path, body in (("GET", "/a", None), ("POST", "/b", b"xyz"), ("HEAD", "/c", None)):
    c.request(method, path, body=body)
    r = c.getresponse()
    print(r.status, repr(r.read().decode()))
c.close()
`;
    const result = await runCommand(PYTHON, [
      "-c",
      script,
      String(s.port),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      "200 'GET /a '\n200 'POST /b xyz'\n200 ''\n",
    );
    const ports = new Set(s.log.requests.map((r) => r.split(" ")[2]));
    assert.equal(ports.size, 1);
  },
});

Deno.test("HTTPFactory on a loopback port given a streaming producer and a client that does not read when the socket fills then the producer is paused and what it wrote stays bounded", async () => {
  const total = 32 * 1024 * 1024;
  const piece = new Uint8Array(65536);
  let produced = 0;
  let pauses = 0;
  await using s = serveDelegate({
    startRequest(channel): HTTPRequestDelegate {
      let paused = false;
      const producer = {
        pauseProducing(): void {
          paused = true;
          pauses++;
        },
        resumeProducing(): void {
          paused = false;
          // Writes until the transport pauses it again, or the end.
          while (!paused && produced < total) {
            produced += piece.length;
            channel.write(piece);
          }
          if (produced >= total && !channel.finished) {
            channel.unregisterProducer();
            channel.finish();
          }
        },
        stopProducing(): void {},
      };
      return {
        headersReceived(): void {},
        dataReceived(): void {},
        finish(): void {
          channel.writeHead(
            200,
            "OK",
            new Headers({ "Content-Length": String(total) }),
          );
          channel.registerProducer(producer, true);
          producer.resumeProducing();
        },
        onConnectionClose(): void {},
      };
    },
    logAccess(): void {},
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  try {
    await conn.write(latin1Bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(pauses > 0, "the producer was never paused");
    assert.ok(
      produced < 16 * 1024 * 1024,
      `${produced} bytes were produced for a client that read nothing`,
    );
    const buffer = new Uint8Array(1 << 20);
    let received = 0;
    for (let round = 0; round < 100000 && received < total; round++) {
      const n = await conn.read(buffer);
      if (n === null) break;
      received += n;
    }
    assert.ok(received >= total, "the whole body arrived");
  } finally {
    conn.close();
  }
});

/**
 * Serves `GET /` with a 32 MiB body, by a streaming producer or in one
 * write, and records what the producer and the delegate heard.
 */
function bigResponder(
  byProducer: boolean,
  heard: string[],
): HTTPServerConnectionDelegate {
  const total = 32 * 1024 * 1024;
  const piece = new Uint8Array(65536);
  return {
    startRequest(channel): HTTPRequestDelegate {
      let paused = false;
      let produced = 0;
      const producer = {
        pauseProducing(): void {
          paused = true;
        },
        resumeProducing(): void {
          paused = false;
          while (!paused && produced < total && !channel.finished) {
            produced += piece.length;
            channel.write(piece);
          }
        },
        stopProducing(): void {
          heard.push("stopProducing");
        },
      };
      return {
        headersReceived(): void {},
        dataReceived(): void {},
        finish(): void {
          channel.writeHead(
            200,
            "OK",
            new Headers({ "Content-Length": String(total) }),
          );
          if (!byProducer) {
            channel.write(new Uint8Array(total));
            return;
          }
          channel.registerProducer(producer, true);
          producer.resumeProducing();
        },
        onConnectionClose(reason): void {
          heard.push(`onConnectionClose: ${reason.getErrorMessage()}`);
        },
      };
    },
    logAccess(): void {},
  };
}

for (const byProducer of [true, false]) {
  const how = byProducer ? "a streaming producer" : "one large write";
  Deno.test(`HTTPFactory on a loopback port given a response by ${how} and a client that stops reading when writeTimeout passes then the server aborts the connection and frees it`, async () => {
    const heard: string[] = [];
    await using s = serveDelegate(bigResponder(byProducer, heard), {
      writeTimeout: 0.5,
    });
    const factory = s.factory;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    try {
      await conn.write(latin1Bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
      const buffer = new Uint8Array(4096);
      assert.ok((await conn.read(buffer) ?? 0) > 0, "the head arrived");
      await until(
        () => factory.connections.size === 0,
        "the server to abort the connection",
        5000,
      );
      const expected = [
        "onConnectionClose: Timed out writing the response: the client left it unread for 0.5 s",
      ];
      if (byProducer) expected.push("stopProducing");
      assert.deepEqual(heard, expected);
    } finally {
      conn.close();
    }
  });
}

// --- Hostile clients ----------------------------------------------------------------

Deno.test("HTTPFactory on a loopback port given a client that drips its head when the header timeout passes then it answers 408 and closes", async () => {
  await using s = serve({ headerTimeout: 0.3 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  try {
    await conn.write(latin1Bytes("GET / HTTP/1.1\r\n"));
    const buffer = new Uint8Array(4096);
    let answered: number | null | undefined = undefined;
    const reading = conn.read(buffer).catch(() => null).then((n) => {
      answered = n;
    });
    // One field every 50 ms: each keeps the head incomplete.
    for (let i = 0; i < 40 && answered === undefined; i++) {
      await conn.write(latin1Bytes("X-A: b\r\n")).catch(() => 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await reading;
    const n = answered as number | null | undefined;
    const text = typeof n === "number" ? latin1Text(buffer.subarray(0, n)) : "";
    assert.match(text, /^HTTP\/1\.1 408 /);
  } finally {
    conn.close();
  }
  await until(
    () => s.factory.connections.size === 0,
    "the server to close every connection",
  );
});

Deno.test("HTTPFactory on a loopback port given a client that drips its body when the body timeout passes then it answers 408 and closes though bytes kept coming", async () => {
  await using s = serve({ bodyTimeout: 0.4 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  let sent = 0;
  try {
    await conn.write(
      latin1Bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n"),
    );
    const buffer = new Uint8Array(4096);
    let answered: number | null | undefined = undefined;
    const reading = conn.read(buffer).catch(() => null).then((n) => {
      answered = n;
    });
    // One byte every 50 ms: the body would take 5 s.
    for (let i = 0; i < 60 && answered === undefined; i++) {
      sent += await conn.write(latin1Bytes("x")).catch(() => 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await reading;
    const n = answered as number | null | undefined;
    const text = typeof n === "number" ? latin1Text(buffer.subarray(0, n)) : "";
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(sent < 100, `the whole body was sent (${sent} bytes)`);
  } finally {
    conn.close();
  }
  assert.equal(s.log.closed, 1);
  await until(
    () => s.factory.connections.size === 0,
    "the server to close every connection",
  );
});

Deno.test("HTTPFactory on a loopback port given a client that closes in the middle of a body when it goes then the request hears the close and nothing leaks", async () => {
  await using s = serve();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await conn.write(
    latin1Bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc"),
  );
  await until(
    () => s.log.requests.length === 1,
    "the request to reach the server",
  );
  conn.close();
  await until(
    () => s.log.closed === 1 && s.factory.connections.size === 0,
    "the request to hear the close and the connection to go",
  );
});

Deno.test({
  name:
    "HTTPFactory on a loopback port given a client that resets the connection mid-request when it goes then nothing leaks",
  ignore: !hasPython(),
  async fn(): Promise<void> {
    await using s = serve();
    const script = `
import socket, struct, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.sendall(b"POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 100\\r\\n\\r\\nabc")
time.sleep(0.2)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
`;
    const result = await runCommand(PYTHON, [
      "-c",
      script,
      String(s.port),
    ]);
    assert.equal(result.code, 0, result.stderr);
    await until(
      () => s.log.closed === 1 && s.factory.connections.size === 0,
      "the request to hear the close and the connection to go",
    );
  },
});

// --- Shutdown, TLS, endpoints -------------------------------------------------------

Deno.test("HTTPFactory on a loopback port given a request in progress when drained then it is answered with Connection close and the drain resolves", async () => {
  await using s = serve();
  const pending = exchange(s.port, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  await until(
    () => s.log.requests.length === 1,
    "the request to reach the server",
  );
  await s.factory.drain(5);
  const { text, closedByServer } = await pending;
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.ok(closedByServer);
});

Deno.test("HTTPFactory on its own reactor given a request in progress when the reactor stops then the request finishes before the reactor's run ends", async () => {
  const own = new Reactor();
  const log: Log = { requests: [], closed: 0, secure: false };
  const factory = new HTTPFactory(echoDelegate(log, own, 0.3), {}, own);
  const listening = own.listenTCP(0, factory, { interface: "127.0.0.1" });
  const port = listening.getHost().port;
  const running = own.run();
  const pending = exchange(port, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  await until(
    () => log.requests.length === 1,
    "the request to reach the server",
  );
  own.stop();
  const { text } = await pending;
  await running;
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.equal(factory.connections.size, 0);
  await listening.stopListening();
});

Deno.test("HTTPFactory on listenSSL given a fetch over TLS when answered then the request says it is secure", async () => {
  const log: Log = { requests: [], closed: 0, secure: false };
  const factory = new HTTPFactory(echoDelegate(log));
  const listening = reactor.listenSSL(0, factory, {
    cert: TLS_CERT,
    key: TLS_KEY,
  }, { interface: "127.0.0.1" });
  await using s = server(factory, listening, log);
  const client = Deno.createHttpClient({ caCerts: [TLS_CERT] });
  try {
    const response = await fetch(`https://localhost:${s.port}/tls`, {
      client,
    });
    assert.equal(await response.text(), "GET /tls ");
  } finally {
    client.close();
  }
  assert.equal(log.secure, true);
});

Deno.test("HTTPFactory on a serverFromString endpoint given a request when answered then the endpoint serves it", async () => {
  const log: Log = { requests: [], closed: 0, secure: false };
  const factory = new HTTPFactory(echoDelegate(log));
  const listening = await serverFromString(
    reactor,
    "tcp:0:interface=127.0.0.1",
  ).listen(factory);
  await using s = server(factory, listening, log);
  const response = await fetch(s.url("/endpoint"));
  assert.equal(await response.text(), "GET /endpoint ");
  assert.equal(log.secure, false);
});
