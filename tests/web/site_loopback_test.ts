import assert from "node:assert/strict";
import { Agent } from "../../http/agent.ts";
import { AsyncHTTPClient } from "../../http/async_http_client.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { HTTPClientError } from "../../http/http_client_error.ts";
import { getPage } from "../../http/get_page.ts";
import { readBody } from "../../http/read_body.ts";
import { serverFromString } from "../../reactor/endpoints.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { Reactor } from "../../reactor/reactor.ts";
import {
  File,
  NOT_DONE_YET,
  type Request,
  Resource,
  Site,
} from "../../web/mod.ts";
import { captureLogs, text, TLS_CERT, until, within } from "../_support/mod.ts";
import {
  CURL,
  hasCurl,
  hasPython,
  PYTHON,
  reportMissing,
  runPeer,
} from "./_peers.ts";
import { listenSite } from "./_site_server.ts";

class Echo extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    request.setHeader("Content-Type", "text/plain; charset=utf-8");
    request.setHeader("X-Client-Port", String(request.getClientAddress().port));
    request.setHeader("X-Secure", String(request.isSecure()));
    return `GET ${request.postpath.join("/")}`;
  }
  render_POST(request: Request): string {
    request.setHeader("Content-Type", "text/plain; charset=utf-8");
    const names = Object.keys(request.args).sort();
    return names.map((name) =>
      `${name}=${request.args[name].map(text).join("|")}`
    )
      .join("&");
  }
}

class Later extends Resource {
  override isLeaf = true;
  finished: Promise<string>;
  #resolve!: (outcome: string) => void;
  constructor(
    private readonly reactor: Reactor,
    private readonly delay: number,
  ) {
    super();
    this.finished = new Promise((resolve) => this.#resolve = resolve);
  }
  render_GET(request: Request): typeof NOT_DONE_YET {
    request.notifyFinish().addCallbacks(
      () => this.#resolve("finished"),
      () => this.#resolve("client went away"),
    );
    const call = this.reactor.callLater(this.delay, () => {
      request.write("later");
      request.finish();
    });
    request.notifyFinish().addErrback(() => call.cancel());
    return NOT_DONE_YET;
  }
}

class Boom extends Resource {
  override isLeaf = true;
  render_GET(): string {
    throw new Error("database password is hunter2");
  }
}

function tree(
  reactor?: Reactor,
  dir?: string,
): { root: Resource; later?: Later } {
  const root = new Resource();
  root.putChild("echo", new Echo());
  root.putChild("boom", new Boom());
  let later: Later | undefined;
  if (reactor !== undefined) {
    later = new Later(reactor, 0.05);
    root.putChild("later", later);
  }
  if (dir !== undefined) root.putChild("static", new File(dir));
  return { root, later };
}

Deno.test("Site over TCP given Torsion's Agent with a persistent pool when two requests are made then both are answered on one kept-alive connection", async () => {
  await using server = listenSite(tree().root);
  const pool = new HTTPConnectionPool(server.reactor);
  try {
    const agent = new Agent(server.reactor, { pool });
    const ports: string[] = [];
    for (const path of ["a", "b/c"]) {
      const response = await agent.request("GET", `${server.url}/echo/${path}`);
      assert.equal(response.code, 200);
      assert.equal(text(await readBody(response)), `GET ${path}`);
      ports.push(response.headers.getRawHeaders("x-client-port")![0]);
    }
    assert.equal(ports[0], ports[1]);
  } finally {
    await pool.closeCachedConnections();
  }
});

Deno.test("Site over TCP given getPage posting a form when answered then the form arrived in args", async () => {
  await using server = listenSite(tree().root);
  const body = await getPage(`${server.url}/echo?q=1`, {
    reactor: server.reactor,
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    postdata: "name=J%C3%BCrgen&q=2",
  });
  assert.equal(text(body), "name=Jürgen&q=1|2");
});

Deno.test("Site over TCP given AsyncHTTPClient when a path is missing then it raises HTTPClientError 404", async () => {
  await using server = listenSite(tree().root);
  const client = new AsyncHTTPClient({ forceInstance: true });
  try {
    const ok = await client.fetch(`${server.url}/echo/tornado`);
    assert.equal(ok.text, "GET tornado");
    const error = await client.fetch(`${server.url}/nothing`).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof HTTPClientError);
    assert.equal(error.code, 404);
  } finally {
    await client.close();
  }
});

Deno.test("Site over TCP given Deno fetch when a render throws then the 500 hides the message and the error is logged once", async () => {
  await using server = listenSite(tree().root);
  const records = await captureLogs(async () => {
    const client = Deno.createHttpClient({});
    try {
      const response = await fetch(`${server.url}/boom`, { client });
      assert.equal(response.status, 500);
      const body = await response.text();
      assert.doesNotMatch(body, /hunter2|Error/);
    } finally {
      client.close();
    }
  });
  const errors = records.filter((r) =>
    r.level === "error" && r.category.join(".") === "torsion.web"
  );
  assert.equal(errors.length, 1);
});

Deno.test("Site over TCP given NOT_DONE_YET finished by the reactor's callLater when fetched then the late body arrives", async () => {
  const reactor = new Reactor();
  const { root, later } = tree(reactor);
  await using server = listenSite(root, { reactor });
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${server.url}/later`, { client });
    assert.equal(await response.text(), "later");
    assert.equal(await within(later!.finished, "the render's end"), "finished");
  } finally {
    client.close();
    await disconnectAll(reactor);
  }
});

Deno.test("Site over TCP given a client that goes away before NOT_DONE_YET finishes when it closes then notifyFinish errbacks", async () => {
  const reactor = new Reactor();
  const root = new Resource();
  const later = new Later(reactor, 30);
  root.putChild("later", later);
  await using server = listenSite(root, { reactor });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(
    new TextEncoder().encode("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  conn.close();
  assert.equal(
    await within(later.finished, "notifyFinish"),
    "client went away",
  );
  await disconnectAll(reactor);
});

Deno.test("Site over TCP given a large static file when fetched then it arrives whole, streamed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const content = new Uint8Array(3 * 1024 * 1024).map((_, i) =>
      (i * 7) % 256
    );
    await Deno.writeFile(`${dir}/big.bin`, content);
    await using server = listenSite(tree(undefined, dir).root);
    const client = Deno.createHttpClient({});
    try {
      const response = await fetch(`${server.url}/static/big.bin`, { client });
      assert.equal(response.status, 200);
      assert.equal(
        response.headers.get("content-length"),
        String(content.length),
      );
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), content);
      const ranged = await fetch(`${server.url}/static/big.bin`, {
        client,
        headers: { Range: "bytes=10-19" },
      });
      assert.equal(ranged.status, 206);
      assert.deepEqual(
        new Uint8Array(await ranged.arrayBuffer()),
        content.slice(10, 20),
      );
    } finally {
      client.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Site over TLS given Deno fetch trusting the test certificate when requested then isSecure is true", async () => {
  await using server = listenSite(tree().root, {}, true);
  const client = Deno.createHttpClient({ caCerts: [TLS_CERT] });
  try {
    const response = await fetch(`https://localhost:${server.port}/echo/tls`, {
      client,
    });
    assert.equal(await response.text(), "GET tls");
    assert.equal(response.headers.get("x-secure"), "true");
  } finally {
    client.close();
  }
});

Deno.test("Site given a server endpoint from serverFromString when listened then serves requests", async () => {
  const reactor = new Reactor();
  const site = new Site(tree().root, { reactor });
  const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1")
    .listen(site).asPromise();
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(
      `http://127.0.0.1:${port.getHost().port}/echo/ep`,
      {
        client,
      },
    );
    assert.equal(await response.text(), "GET ep");
  } finally {
    client.close();
    await port.stopListening();
    await disconnectAll(reactor);
  }
});

Deno.test("Site given a timeout when a connection stays idle then the server closes it", async () => {
  await using server = listenSite(tree().root, { timeout: 0.2 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const buffer = new Uint8Array(16);
    const n = await within(
      conn.read(buffer),
      "the idle connection to close",
      3000,
    );
    assert.equal(n, null);
  } finally {
    conn.close();
  }
});

reportMissing(hasPython, PYTHON);
reportMissing(hasCurl, CURL);

Deno.test({
  name:
    "Site over TCP given Python's http.client when it sends GET, HEAD and a POST on one connection then each is answered",
  ignore: !hasPython,
  async fn(): Promise<void> {
    await using server = listenSite(tree().root);
    const script = `
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("GET", "/echo/py")
r = c.getresponse(); print(r.status, r.read().decode())
c.request("HEAD", "/echo/py")
r = c.getresponse(); print(r.status, r.getheader("Content-Length"), repr(r.read()))
c.request("POST", "/echo", body="a=1&b=2", headers={"Content-Type": "application/x-www-form-urlencoded"})
r = c.getresponse(); print(r.status, r.read().decode())
c.close()
`;
    const stdout = await runPeer(PYTHON, ["-c", script, String(server.port)]);
    assert.deepEqual(stdout.trim().split("\n"), [
      "200 GET py",
      "200 6 b''",
      "200 a=1&b=2",
    ]);
  },
});

Deno.test({
  name:
    "Site over TCP given curl with --path-as-is when it asks for ../ then the static file never leaves its directory",
  ignore: !hasCurl,
  async fn(): Promise<void> {
    const base = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${base}/public`);
      await Deno.writeTextFile(`${base}/secret.txt`, "secret");
      await Deno.writeTextFile(`${base}/public/ok.txt`, "ok");
      await using server = listenSite(tree(undefined, `${base}/public`).root);
      const ok = await runPeer(CURL, ["-s", `${server.url}/static/ok.txt`]);
      assert.equal(ok, "ok");
      for (
        const path of [
          "/static/../secret.txt",
          "/static/%2e%2e/secret.txt",
          "/static/..%2fsecret.txt",
        ]
      ) {
        const status = await runPeer(CURL, [
          "-s",
          "--path-as-is",
          "-o",
          "/dev/null",
          "-w",
          "%{http_code}",
          `${server.url}${path}`,
        ]);
        assert.equal(status, "404", path);
      }
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test("Site over TCP given concurrent Deno fetches when all are made at once then every one is answered", async () => {
  await using server = listenSite(tree().root);
  const client = Deno.createHttpClient({});
  try {
    const bodies = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          fetch(`${server.url}/echo/${i}`, { client }).then((r) => r.text()),
      ),
    );
    assert.deepEqual(bodies, Array.from({ length: 20 }, (_, i) => `GET ${i}`));
  } finally {
    client.close();
  }
});

/** Writes 64 KiB pieces whenever not paused, until stopped or 64 MiB. */
class Firehose extends Resource {
  override isLeaf = true;
  written = 0;
  pauses = 0;
  stopped = false;
  render_GET(request: Request): typeof NOT_DONE_YET {
    const piece = new Uint8Array(64 * 1024);
    let paused = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pump = (): void => {
      timer = undefined;
      while (!paused && !this.stopped && this.written < 64 * 1024 * 1024) {
        request.write(piece);
        this.written += piece.length;
      }
    };
    request.registerProducer({
      pauseProducing: () => {
        paused = true;
        this.pauses++;
      },
      resumeProducing: () => {
        paused = false;
        timer ??= setTimeout(pump, 0);
      },
      stopProducing: () => {
        this.stopped = true;
        clearTimeout(timer);
      },
    }, true);
    timer = setTimeout(pump, 0);
    return NOT_DONE_YET;
  }
}

Deno.test("Site over TCP given a client that does not read when a producer streams then the producer is paused and stopped when the client leaves", async () => {
  const firehose = new Firehose();
  await using server = listenSite(firehose);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(
      new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    await until(() => firehose.pauses > 0, "the producer to be paused");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(
      firehose.written < 32 * 1024 * 1024,
      `${firehose.written} bytes buffered for a client that reads nothing`,
    );
  } finally {
    conn.close();
  }
  await until(() => firehose.stopped, "the producer to be stopped");
});

Deno.test("Site given drain when a NOT_DONE_YET request is in progress then it finishes with Connection: close before the connection closes", async () => {
  const reactor = new Reactor();
  const root = new Resource();
  const later = new Later(reactor, 0.1);
  root.putChild("later", later);
  await using server = listenSite(root, { reactor });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(
      new TextEncoder().encode("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const drained = server.site.drain(5);
    const response = text(
      new Uint8Array(
        await within(new Response(conn.readable).arrayBuffer(), "the response"),
      ),
    );
    await within(drained, "the drain");
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(response, /\r\nConnection: close\r\n/i);
    assert.match(response, /later$/);
  } finally {
    try {
      conn.close();
    } catch {
      // The response stream closed it.
    }
    await disconnectAll(reactor);
  }
});

Deno.test("Site over TCP given two requests when answered then each is logged once in the combined log format under torsion.access", async () => {
  await using server = listenSite(tree().root);
  const records = await captureLogs(async () => {
    const client = Deno.createHttpClient({});
    try {
      for (const path of ["/echo/one", "/missing"]) {
        await (await fetch(`${server.url}${path}`, {
          client,
          headers: { "User-Agent": "tester/1" },
        })).arrayBuffer();
      }
    } finally {
      client.close();
    }
  });
  const lines = records
    .filter((r) => r.category.join(".") === "torsion.access")
    .map((r) => String(r.properties.line));
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^"127\.0\.0\.1" - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/echo\/one HTTP\/1\.1" 200 7 "-" "tester\/1"$/,
  );
  assert.match(lines[1], /"GET \/missing HTTP\/1\.1" 404 \d+ /);
});

class WhoAsked extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    const address = request.getClientAddress();
    return `${address.host} ${request.isSecure()}`;
  }
}

Deno.test("Site given xheaders when a proxy sends X-Real-Ip and X-Scheme then getClientAddress and isSecure trust them", async () => {
  await using server = listenSite(new WhoAsked(), { xheaders: true });
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${server.url}/`, {
      client,
      headers: { "X-Real-Ip": "203.0.113.5", "X-Scheme": "https" },
    });
    assert.equal(await response.text(), "203.0.113.5 true");
  } finally {
    client.close();
  }
});

Deno.test("Site given no xheaders when a client sends X-Real-Ip then getClientAddress is the socket's peer", async () => {
  await using server = listenSite(new WhoAsked());
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${server.url}/`, {
      client,
      headers: { "X-Real-Ip": "203.0.113.5" },
    });
    assert.equal(await response.text(), "127.0.0.1 false");
  } finally {
    client.close();
  }
});

Deno.test("Site given maxBodySize when a larger body is posted then the engine answers 413 without rendering", async () => {
  const echo = new Echo();
  let rendered = 0;
  const original = echo.render_POST.bind(echo);
  echo.render_POST = (request: Request): string => {
    rendered++;
    return original(request);
  };
  await using server = listenSite(echo, { maxBodySize: 1000 });
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${server.url}/`, {
      client,
      method: "POST",
      body: "x".repeat(5000),
    });
    assert.equal(response.status, 413);
    await response.body?.cancel();
    assert.equal(rendered, 0);
  } finally {
    client.close();
  }
});

Deno.test("Site over TLS given Torsion's Agent trusting the test certificate when requested then the request is secure", async () => {
  await using server = listenSite(tree().root, {}, true);
  const pool = new HTTPConnectionPool(server.reactor);
  try {
    const agent = new Agent(server.reactor, { pool, caCerts: [TLS_CERT] });
    const response = await agent.request(
      "GET",
      `https://localhost:${server.port}/echo/agent-tls`,
    );
    assert.equal(text(await readBody(response)), "GET agent-tls");
    assert.equal(response.headers.getRawHeaders("x-secure")?.[0], "true");
  } finally {
    await pool.closeCachedConnections();
  }
});
