import assert from "node:assert/strict";
import { ConnectError } from "../../reactor/errors.ts";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { ProxyAgent } from "../../http/proxy_agent.ts";
import { readBody } from "../../http/read_body.ts";
import { rejection, startProxy, startServer } from "./_servers.ts";
import { text, TLS_CERT } from "../_support/mod.ts";

Deno.test("ProxyAgent given a plain http URI when requested then the proxy gets it in absolute form with Proxy-Authorization", async () => {
  await using server = await startServer();
  await using proxy = startProxy("user:secret");
  const agent = new ProxyAgent(reactor, {
    proxyHost: "127.0.0.1",
    proxyPort: proxy.port,
    proxyUsername: "user",
    proxyPassword: "secret",
  });
  const response = await agent.request("GET", `${server.url}/echo`);
  const echo = JSON.parse(text(await readBody(response)));
  assert.equal(proxy.requestLines[0], `GET ${server.url}/echo HTTP/1.1`);
  assert.deepEqual(proxy.authorizations, [`Basic ${btoa("user:secret")}`]);
  assert.equal(
    (echo.headers as [string, string][]).find(([n]) =>
      n === "proxy-authorization"
    ),
    undefined,
    "the proxy does not pass the credentials on",
  );
});

Deno.test("ProxyAgent given an https URI when requested then it tunnels with CONNECT and speaks TLS to the origin", async () => {
  await using server = await startServer({ tls: true });
  await using proxy = startProxy("user:secret");
  const pool = new HTTPConnectionPool(reactor);
  const agent = new ProxyAgent(reactor, {
    pool,
    proxyHost: "127.0.0.1",
    proxyPort: proxy.port,
    proxyUsername: "user",
    proxyPassword: "secret",
    caCerts: [TLS_CERT],
  });
  for (let i = 0; i < 2; i++) {
    const response = await agent.request("GET", `${server.url}/bytes/32`);
    assert.equal((await readBody(response)).length, 32);
  }
  assert.deepEqual(proxy.requestLines, [
    `CONNECT localhost:${server.port} HTTP/1.1`,
  ]);
  assert.deepEqual(proxy.authorizations, [`Basic ${btoa("user:secret")}`]);
  await pool.closeCachedConnections();
});

Deno.test("ProxyAgent given wrong credentials when an https tunnel is refused then the request fails with ConnectError naming the status", async () => {
  await using server = await startServer({ tls: true });
  await using proxy = startProxy("user:secret");
  const agent = new ProxyAgent(reactor, {
    proxyHost: "127.0.0.1",
    proxyPort: proxy.port,
    proxyUsername: "user",
    proxyPassword: "wrong",
    caCerts: [TLS_CERT],
  });
  const error = await rejection(agent.request("GET", `${server.url}/`));
  assert.ok(error instanceof ConnectError, String(error));
  assert.match(error.message, /Proxy refused to CONNECT to localhost:\d+: 407/);
});

Deno.test("ProxyAgent given no credentials when the proxy asks for them then the 407 response is returned", async () => {
  await using server = await startServer();
  await using proxy = startProxy("user:secret");
  const agent = new ProxyAgent(reactor, {
    proxyHost: "127.0.0.1",
    proxyPort: proxy.port,
  });
  const response = await agent.request("GET", `${server.url}/`);
  assert.equal(response.code, 407);
  await readBody(response);
  assert.deepEqual(proxy.authorizations, [""]);
});

Deno.test("ProxyAgent given an invalid proxyPort when constructed then it throws RangeError", () => {
  for (const proxyPort of [0, 65536, 1.5, Number.NaN]) {
    assert.throws(
      () => new ProxyAgent(reactor, { proxyHost: "127.0.0.1", proxyPort }),
      RangeError,
    );
  }
});

Deno.test("ProxyAgent given its construction when checked then it is an Agent and its options do not leak into plain Agents", async () => {
  await using server = await startServer();
  await using proxy = startProxy();
  const proxied = new ProxyAgent(reactor, {
    proxyHost: "127.0.0.1",
    proxyPort: proxy.port,
  });
  assert.ok(proxied instanceof Agent);
  const direct = new Agent(
    reactor,
    {
      proxyHost: "127.0.0.1",
      proxyPort: proxy.port,
    } as ConstructorParameters<typeof Agent>[1],
  );
  await readBody(await direct.request("GET", `${server.url}/`));
  assert.equal(
    proxy.requestLines.length,
    0,
    "a plain Agent ignores proxy options",
  );
});
