import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import {
  NOT_DONE_YET,
  type Request,
  Resource,
  ReverseProxyResource,
} from "../../web/mod.ts";
import { closedPort, text, until, within } from "../_support/mod.ts";
import { listenSite } from "./_site_server.ts";

/** The upstream: reports what it received. */
class Backend extends Resource {
  override isLeaf = true;
  override render(request: Request): string {
    request.setResponseCode(201, "Made");
    request.setHeader("Content-Type", "application/json");
    request.setHeader("X-Backend", "yes");
    return JSON.stringify({
      method: request.method,
      uri: request.uri,
      host: request.getHeader("host"),
      secret: request.getHeader("x-secret") ?? null,
      custom: request.getHeader("x-custom") ?? null,
      body: text(request.content),
    });
  }
}

function proxyTo(port: number, reactor: Reactor): Resource {
  const root = new Resource();
  root.putChild(
    "api",
    new ReverseProxyResource("127.0.0.1", port, "/v1", reactor),
  );
  return root;
}

Deno.test("ReverseProxyResource given a POST below it when forwarded then the upstream gets the mapped path, query, body and its own Host", async () => {
  await using backend = listenSite(new Backend());
  const reactor = new Reactor();
  await using proxy = listenSite(proxyTo(backend.port, reactor), { reactor });
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${proxy.url}/api/items/a%20b?x=1&y=2`, {
      client,
      method: "POST",
      body: "payload",
      headers: {
        "X-Custom": "kept",
        "Connection": "X-Secret",
        "X-Secret": "dropped",
      },
    });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("x-backend"), "yes");
    assert.deepEqual(await response.json(), {
      method: "POST",
      uri: "/v1/items/a%20b?x=1&y=2",
      host: `127.0.0.1:${backend.port}`,
      secret: null,
      custom: "kept",
      body: "payload",
    });
  } finally {
    client.close();
    await disconnectAll(reactor);
  }
});

Deno.test("ReverseProxyResource given an upstream that refuses connections when requested then answers 502", async () => {
  const reactor = new Reactor();
  await using proxy = listenSite(proxyTo(closedPort(), reactor), { reactor });
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${proxy.url}/api/x`, { client });
    assert.equal(response.status, 502);
    assert.match(await response.text(), /Could not connect/);
  } finally {
    client.close();
    await disconnectAll(reactor);
  }
});

class Big extends Resource {
  override isLeaf = true;
  readonly content = new Uint8Array(2 * 1024 * 1024).map((_, i) => i % 249);
  render_GET(request: Request): Uint8Array {
    request.setHeader("Content-Type", "application/octet-stream");
    return this.content;
  }
}

Deno.test("ReverseProxyResource given a large upstream body when relayed then the client gets every byte with the upstream's length", async () => {
  const big = new Big();
  await using backend = listenSite(big);
  const reactor = new Reactor();
  await using proxy = listenSite(proxyTo(backend.port, reactor), { reactor });
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${proxy.url}/api/big`, { client });
    assert.equal(
      response.headers.get("content-length"),
      String(big.content.length),
    );
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), big.content);
  } finally {
    client.close();
    await disconnectAll(reactor);
  }
});

class Hanging extends Resource {
  override isLeaf = true;
  outcome = "";
  render_GET(request: Request): typeof NOT_DONE_YET {
    request.write("partial");
    request.notifyFinish().addErrback(() => {
      this.outcome = "upstream connection closed";
    });
    return NOT_DONE_YET;
  }
}

Deno.test("ReverseProxyResource given the client goes away mid-response when it closes then the upstream connection is closed too", async () => {
  const hanging = new Hanging();
  await using backend = listenSite(hanging);
  const reactor = new Reactor();
  await using proxy = listenSite(proxyTo(backend.port, reactor), { reactor });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
  try {
    await conn.write(
      new TextEncoder().encode("GET /api/h HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    const buffer = new Uint8Array(1024);
    const n = await within(conn.read(buffer), "the relayed head");
    assert.ok(
      n !== null && text(buffer.subarray(0, n)).startsWith("HTTP/1.1 200"),
    );
  } finally {
    conn.close();
  }
  await until(() => hanging.outcome !== "", "the upstream to see the close");
  assert.equal(hanging.outcome, "upstream connection closed");
  await disconnectAll(reactor);
});

Deno.test("ReverseProxyResource given a port outside 1 to 65535 when constructed then throws RangeError", () => {
  assert.throws(() => new ReverseProxyResource("h", 0, ""), RangeError);
  assert.throws(() => new ReverseProxyResource("h", 70000, ""), RangeError);
  assert.ok(
    new ReverseProxyResource("h", 80, "").getChild("a b") instanceof
      ReverseProxyResource,
  );
});

Deno.test("ReverseProxyResource given the site root when / is requested then the upstream gets its path with a slash", async () => {
  await using backend = listenSite(new Backend());
  const reactor = new Reactor();
  await using proxy = listenSite(
    new ReverseProxyResource("127.0.0.1", backend.port, "", reactor),
    { reactor, timeout: 5 },
  );
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${proxy.url}/?q`, { client });
    assert.equal((await response.json()).uri, "/?q");
  } finally {
    client.close();
    await disconnectAll(reactor);
  }
});
