/**
 * HTTPServer and the Tornado face over real loopback sockets, driven by every client we
 * have: Torsion's own (Tornado's AsyncHTTPClient and Twisted's Agent),
 * Deno's fetch, Python's http.client and curl.
 */
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { AsyncHTTPClient } from "../../http/async_http_client.ts";
import { Agent } from "../../http/agent.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { readBody } from "../../http/read_body.ts";
import { StringProducer } from "../../http/string_producer.ts";
import { Headers } from "../../http/headers.ts";
import { reactor } from "../../reactor/reactor.ts";
import {
  Application,
  HTTPError,
  HTTPServer,
  RequestHandler,
  StaticFileHandler,
} from "../../web/mod.ts";
import {
  captureLogs,
  CURL,
  hasCurl,
  hasPython,
  recordText,
  reportMissing,
  runPeer,
  runPython,
  TLS_CERT,
  TLS_KEY,
  within,
} from "../_support/mod.ts";

const decoder = new TextDecoder();
reportMissing(hasPython(), "python3");
reportMissing(hasCurl(), "curl");

class Echo extends RequestHandler {
  override get(): void {
    this.write({
      method: this.request.method,
      q: this.getArgument("q", null),
      remoteIp: this.request.remoteIp,
      protocol: this.request.protocol,
      version: this.request.version,
    });
  }
  override post(): void {
    const file = this.request.files.upload?.[0];
    this.write({
      name: this.getBodyArgument("name", null),
      file: file === undefined
        ? null
        : [file.filename, file.contentType, decoder.decode(file.body)],
      length: this.request.body.length,
    });
  }
}

class Big extends RequestHandler {
  override get(): void {
    this.setHeader("Content-Type", "text/plain");
    this.write("0123456789".repeat(1000));
  }
}

class Fail extends RequestHandler {
  override get(): void {
    throw new Error("internal detail");
  }
}

class Missing extends RequestHandler {
  override get(): void {
    throw new HTTPError(404, "nothing here");
  }
}

class Login extends RequestHandler {
  override async get(): Promise<void> {
    const user = await this.getSecureCookie("user");
    this.write({ user: user ?? null });
  }
  override async post(): Promise<void> {
    await this.setSecureCookie("user", this.getBodyArgument("user"));
    this.write({ ok: true });
  }
}

/** Called when a `/slow` request starts, so tests stop the server mid-request. */
let slowStarted = (): void => {};

class Slow extends RequestHandler {
  override get(): Promise<void> {
    slowStarted();
    return new Promise((resolve) =>
      setTimeout(() => {
        this.write("slow done");
        resolve();
      }, 50)
    );
  }
}

async function withServer(
  body: (base: string, server: HTTPServer, root: string) => Promise<void>,
  options: {
    xheaders?: boolean;
    tls?: boolean;
    decompressRequest?: boolean;
    maxBodySize?: number;
  } = {},
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "torsion-tnweb-" });
  await Deno.writeTextFile(`${root}/file.txt`, "static content here");
  const app = new Application([
    ["/echo", Echo],
    ["/big", Big],
    ["/fail", Fail],
    ["/missing", Missing],
    ["/login", Login],
    ["/slow", Slow],
    ["/static/(.*)", StaticFileHandler, { path: root }],
  ], { cookieSecret: "loopback secret", compressResponse: true });
  const server = new HTTPServer(app, {
    xheaders: options.xheaders,
    decompressRequest: options.decompressRequest,
    maxBodySize: options.maxBodySize,
    sslOptions: options.tls ? { cert: TLS_CERT, key: TLS_KEY } : undefined,
  });
  server.listen(0, "127.0.0.1");
  const scheme = options.tls ? "https" : "http";
  const host = options.tls ? "localhost" : "127.0.0.1";
  try {
    await captureLogs(() =>
      body(`${scheme}://${host}:${server.port}`, server, root)
    );
  } finally {
    await server.stop();
    await server.closeAllConnections();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("Tornado face given Deno fetch when it GETs, POSTs a form and uploads a file then answers each", async () => {
  await withServer(async (base) => {
    const get = await fetch(`${base}/echo?q=caf%C3%A9`);
    assert.deepEqual(await get.json(), {
      method: "GET",
      q: "café",
      remoteIp: "127.0.0.1",
      protocol: "http",
      version: "HTTP/1.1",
    });
    const form = await fetch(`${base}/echo`, {
      method: "POST",
      body: new URLSearchParams({ name: "ann lee" }),
    });
    assert.equal((await form.json()).name, "ann lee");
    const data = new FormData();
    data.append("name", "bob");
    data.append(
      "upload",
      new File(["file body"], "a.txt", { type: "text/plain" }),
    );
    const upload = await fetch(`${base}/echo`, { method: "POST", body: data });
    const json = await upload.json();
    assert.equal(json.name, "bob");
    assert.deepEqual(json.file, ["a.txt", "text/plain", "file body"]);
  });
});

Deno.test("Tornado face given Deno fetch when a handler throws then answers 500 without the detail", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/fail`);
    assert.equal(response.status, 500);
    assert.doesNotMatch(await response.text(), /internal detail/);
    const missing = await fetch(`${base}/missing`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const notAllowed = await fetch(`${base}/big`, { method: "PUT" });
    assert.equal(notAllowed.status, 405);
    await notAllowed.body?.cancel();
  });
});

Deno.test("Tornado face given Deno fetch when a secure cookie is set then it is read back and a forged one is not", async () => {
  await withServer(async (base) => {
    const login = await fetch(`${base}/login`, {
      method: "POST",
      body: new URLSearchParams({ user: "ann" }),
    });
    await login.body?.cancel();
    const setCookie = login.headers.get("set-cookie")!;
    const cookie = setCookie.slice(0, setCookie.indexOf(";"));
    const read = await fetch(`${base}/login`, { headers: { Cookie: cookie } });
    assert.deepEqual(await read.json(), { user: "ann" });
    const forged = await fetch(`${base}/login`, {
      headers: { Cookie: cookie.replace("YW5u", "Ym9i") },
    });
    assert.deepEqual(await forged.json(), { user: null });
  });
});

Deno.test("Tornado face given AsyncHTTPClient when it fetches several times then answers each and decodes gzip", async () => {
  await withServer(async (base) => {
    const client = new AsyncHTTPClient({ forceInstance: true });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await client.fetch(`${base}/echo?q=${i}`);
        assert.equal(JSON.parse(response.text).q, String(i));
      }
      const big = await client.fetch(`${base}/big`, {
        decompressResponse: true,
      });
      assert.equal(big.text.length, 10000);
      const posted = await client.fetch(`${base}/echo`, {
        method: "POST",
        body: "name=t%C3%A9",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      assert.equal(JSON.parse(posted.text).name, "té");
    } finally {
      await client.close();
    }
  });
});

Deno.test("Tornado face given Twisted's Agent when it GETs and POSTs then answers both", async () => {
  await withServer(async (base) => {
    const pool = new HTTPConnectionPool(reactor);
    const agent = new Agent(reactor, { pool });
    try {
      const get = await agent.request("GET", `${base}/echo?q=agent`);
      assert.equal(JSON.parse(decoder.decode(await readBody(get))).q, "agent");
      const post = await agent.request(
        "POST",
        `${base}/echo`,
        new Headers({ "Content-Type": ["application/x-www-form-urlencoded"] }),
        new StringProducer("name=twisted"),
      );
      assert.equal(
        JSON.parse(decoder.decode(await readBody(post))).name,
        "twisted",
      );
    } finally {
      await pool.closeCachedConnections();
    }
  });
});

Deno.test("Tornado face given xheaders when a proxy sends X-Real-Ip and X-Scheme then the request shows them", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/echo`, {
      headers: { "X-Real-Ip": "203.0.113.9", "X-Scheme": "https" },
    });
    const json = await response.json();
    assert.equal(json.remoteIp, "203.0.113.9");
    assert.equal(json.protocol, "https");
  }, { xheaders: true });
});

Deno.test("Tornado face given sslOptions when Deno fetch trusts the certificate then serves over TLS", async () => {
  const client = Deno.createHttpClient({ caCerts: [TLS_CERT] });
  try {
    await withServer(async (base) => {
      const response = await fetch(`${base}/echo`, { client });
      assert.equal((await response.json()).protocol, "https");
    }, { tls: true });
  } finally {
    client.close();
  }
});

Deno.test("HTTPServer given bind then start when requested then serves, and start twice throws RangeError", async () => {
  const app = new Application([["/echo", Echo]]);
  const server = new HTTPServer(app);
  server.bind(0, "127.0.0.1");
  server.start();
  try {
    assert.throws(() => server.start(), RangeError);
    const response = await fetch(`http://127.0.0.1:${server.port}/echo`);
    assert.equal((await response.json()).method, "GET");
  } finally {
    await server.stop();
    await server.closeAllConnections();
  }
});

Deno.test("HTTPServer given start with several processes when called then throws RangeError", () => {
  const server = new HTTPServer(new Application());
  assert.throws(() => server.start(4), RangeError);
});

Deno.test("HTTPServer given stop when a request is in progress then it still finishes", async () => {
  await withServer(async (base, server) => {
    const started = new Promise<void>((resolve) => slowStarted = resolve);
    const pending = fetch(`${base}/slow`);
    await within(started, "the slow request to start");
    await server.stop();
    const response = await within(pending, "the slow response");
    assert.equal(await response.text(), "slow done");
  });
});

Deno.test({
  name:
    "Tornado face given Python http.client when it sends keep-alive requests then answers each on one connection",
  ignore: !hasPython(),
  async fn(): Promise<void> {
    await withServer(async (base) => {
      const port = new URL(base).port;
      const out = await runPython(`
import http.client, json
c = http.client.HTTPConnection("127.0.0.1", ${port}, timeout=5)
results = []
ports = set()
for q in ["a", "b"]:
    c.request("GET", "/echo?q=" + q)
    ports.add(c.sock.getsockname()[1])
    r = c.getresponse()
    results.append(json.loads(r.read())["q"])
c.request("POST", "/echo", body="name=py", headers={"Content-Type": "application/x-www-form-urlencoded"})
r = c.getresponse()
results.append(json.loads(r.read())["name"])
c.request("HEAD", "/static/file.txt")
r = c.getresponse()
r.read()
results.append(r.getheader("Content-Length"))
ports.add(c.sock.getsockname()[1])
results.append(len(ports))
c.close()
print(json.dumps(results))
`);
      assert.deepEqual(JSON.parse(out), ["a", "b", "py", "19", 1]);
    });
  },
});

function curl(...args: string[]): Promise<string> {
  return runPeer(CURL, ["-s", "--max-time", "5", ...args]);
}

Deno.test({
  name:
    "Tornado face given curl when it uploads, asks for gzip and for a range then answers each",
  ignore: !hasCurl(),
  async fn(): Promise<void> {
    await withServer(async (base, _server, root) => {
      await Deno.writeTextFile(`${root}/upload.txt`, "uploaded by curl");
      const upload = JSON.parse(
        await curl(
          "-F",
          "name=cu",
          "-F",
          `upload=@${root}/upload.txt;type=text/plain`,
          `${base}/echo`,
        ),
      );
      assert.deepEqual(upload.file, [
        "upload.txt",
        "text/plain",
        "uploaded by curl",
      ]);
      const headers = await curl(
        "-D",
        "-",
        "-o",
        "/dev/null",
        "-H",
        "Accept-Encoding: gzip",
        `${base}/big`,
      );
      assert.match(headers, /content-encoding: gzip/i);
      assert.match(headers, /vary: accept-encoding/i);
      assert.equal((await curl("--compressed", `${base}/big`)).length, 10000);
      assert.equal(
        await curl("-r", "7-13", `${base}/static/file.txt`),
        "content",
      );
    });
  },
});

Deno.test("Tornado face given Accept-Encoding gzip on a raw socket when the body is read then it is one gzip stream of its Content-Length", async () => {
  await withServer(async (base) => {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: Number(new URL(base).port),
    });
    try {
      await conn.write(new TextEncoder().encode(
        "GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
      ));
      const raw = new Uint8Array(
        await new Response(conn.readable).arrayBuffer(),
      );
      const split = raw.findIndex((_, i) =>
        raw[i] === 13 && raw[i + 1] === 10 && raw[i + 2] === 13 &&
        raw[i + 3] === 10
      );
      const head = decoder.decode(raw.subarray(0, split));
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /Content-Length: \d+/i);
      assert.equal(
        decoder.decode(gunzipSync(raw.subarray(split + 4))).length,
        10000,
      );
    } catch (error) {
      try {
        conn.close();
      } catch {
        // Closed by reading to the end.
      }
      throw error;
    }
  });
});

Deno.test("HTTPServer given decompressRequest when a gzipped form is posted then the handler reads its fields", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/echo`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Encoding": "gzip",
      },
      body: new Uint8Array(gzipSync(new TextEncoder().encode("name=zipped"))),
    });
    assert.equal((await response.json()).name, "zipped");
  }, { decompressRequest: true });
});

Deno.test("HTTPServer given maxBodySize when a larger body is posted then the engine answers 413", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/echo`, {
      method: "POST",
      body: "x".repeat(2048),
    });
    assert.equal(response.status, 413);
    await response.body?.cancel();
  }, { maxBodySize: 1024 });
});

/** A raw client: writes bytes, reads until `done(text)` or the end, bounded. */
async function rawExchange(
  port: number,
  steps: { send: string; until?: (text: string) => boolean }[],
): Promise<{ text: string; closed: boolean }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const reader = conn.readable.getReader();
  let text = "";
  let closed = false;
  try {
    for (const step of steps) {
      await conn.write(new TextEncoder().encode(step.send));
      const until = step.until ?? (() => false);
      while (!until(text)) {
        const { value, done } = await within(
          reader.read(),
          "the server's bytes",
        );
        if (done) {
          closed = true;
          break;
        }
        text += decoder.decode(value);
      }
    }
    return { text, closed };
  } finally {
    reader.releaseLock();
    try {
      conn.close();
    } catch {
      // Already closed by the server.
    }
  }
}

Deno.test("Application given Expect 100-continue for a path no route matches when the head arrives then answers 404 without 100 and closes", async () => {
  await withServer(async (base) => {
    const { text, closed } = await rawExchange(Number(new URL(base).port), [{
      send:
        "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
    }]);
    assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.doesNotMatch(text, /100 Continue/);
    assert.equal(closed, true);
  });
});

Deno.test("Application given Expect 100-continue for a handler that reads the body when the head arrives then sends 100 and answers after the body", async () => {
  await withServer(async (base) => {
    const { text } = await rawExchange(Number(new URL(base).port), [
      {
        send: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n" +
          "Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n\r\n",
        until: (t) => t.includes("\r\n\r\n"),
      },
      { send: "name=ok", until: (t) => t.includes('"name":"ok"') },
    ]);
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });
});

Deno.test("Application given a pipelined request after a refused one with a body when both are sent then answers both in order", async () => {
  await withServer(async (base) => {
    const { text } = await rawExchange(Number(new URL(base).port), [{
      send:
        "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
        "GET /echo?q=second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    }]);
    assert.match(
      text,
      /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*HTTP\/1\.1 200 OK\r\n[\s\S]*"q":"second"/,
    );
  });
});

Deno.test("HTTPServer given closeAllConnections when a request is in progress then it finishes before its connection closes", async () => {
  await withServer(async (base, server) => {
    const started = new Promise<void>((resolve) => slowStarted = resolve);
    const pending = fetch(`${base}/slow`);
    await within(started, "the slow request to start");
    await server.stop();
    await within(server.closeAllConnections(5), "the drain");
    const response = await within(pending, "the slow response");
    assert.equal(await response.text(), "slow done");
  });
});

Deno.test("HTTPServer given closeAllConnections with a short timeout when a request never finishes then aborts it", async () => {
  const never = Promise.withResolvers<void>();
  const started = Promise.withResolvers<void>();
  class Hang extends RequestHandler {
    override get(): Promise<void> {
      started.resolve();
      return never.promise;
    }
  }
  const server = new Application([["/", Hang]]).listen(0, {
    address: "127.0.0.1",
  });
  try {
    const pending = fetch(`http://127.0.0.1:${server.port}/`).then(
      () => "answered",
      () => "failed",
    );
    await within(started.promise, "the request to start");
    await server.stop();
    await within(server.closeAllConnections(0.05), "the bounded drain", 2000);
    assert.equal(await within(pending, "the aborted fetch"), "failed");
  } finally {
    never.resolve();
    await server.closeAllConnections(0);
  }
});

Deno.test("HTTPServer given a plain request callback when a form is posted then it gets the parsed request", async () => {
  const server = new HTTPServer((request) => {
    const name = decoder.decode(request.bodyArguments.name[0]);
    request.connection!.writeHead(
      200,
      "OK",
      new Headers({ "Content-Type": "text/plain" }),
    );
    request.connection!.write(`${request.method} ${request.path} ${name}`);
    request.connection!.finish();
  });
  server.listen(0, "127.0.0.1");
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/form?x=1`, {
      method: "POST",
      body: new URLSearchParams({ name: "cb" }),
    });
    assert.equal(await response.text(), "POST /form cb");
    const malformed = await fetch(`http://127.0.0.1:${server.port}/form`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=B" },
      body: "--B\r\nbroken",
    });
    assert.equal(malformed.status, 400);
    await malformed.body?.cancel();
  } finally {
    await server.stop();
    await server.closeAllConnections();
  }
});

Deno.test("Application given a client that goes away while an async handler waits when the handler then writes and finishes then nothing is thrown or logged as an error", async () => {
  const started = Promise.withResolvers<void>();
  const closed = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const finished = Promise.withResolvers<void>();
  class Late extends RequestHandler {
    override async get(): Promise<void> {
      started.resolve();
      await release.promise;
      this.write("too late");
    }
    override onConnectionClose(): void {
      closed.resolve();
    }
    override onFinish(): void {
      finished.resolve();
    }
  }
  const server = new Application([["/", Late]]).listen(0, {
    address: "127.0.0.1",
  });
  try {
    const records = await captureLogs(async () => {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.port,
      });
      await conn.write(
        new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      );
      await within(started.promise, "the handler to start");
      conn.close();
      await within(closed.promise, "the server to see the close");
      release.resolve();
      await within(finished.promise, "the handler to finish");
    });
    // Tornado drops the head on a closed stream and logs only the access line.
    assert.deepEqual(
      records.filter((r) => r.level === "error").map(recordText),
      [],
    );
  } finally {
    await server.stop();
    await server.closeAllConnections(0);
  }
});
