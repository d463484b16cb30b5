import assert from "node:assert/strict";
import type { IProtocol } from "../../reactor/interfaces.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import {
  StringTransport,
  StringTransportWithDisconnection,
} from "../../testing/string_transport.ts";
import { Failure } from "../../deferred/failure.ts";
import { ConnectionAborted } from "../../reactor/errors.ts";
import { Agent } from "../../http/agent.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { readBody } from "../../http/read_body.ts";
import { captureLogs, recordText } from "../_support/mod.ts";

const encoder = new TextEncoder();
const OK = encoder.encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

/** One request through `agent`, answered on connection attempt `index`. */
async function fetchOnce(
  reactor: MemoryReactor,
  agent: Agent,
  index = 0,
): Promise<
  { protocol: IProtocol; transport: StringTransportWithDisconnection }
> {
  const pending = agent.request("GET", "http://example.com/");
  const connection = accept(reactor, index);
  connection.protocol.dataReceived(OK);
  await readBody(await pending);
  return connection;
}

/** Completes the connection attempt `index` of `reactor` over a string transport. */
function accept(reactor: MemoryReactor, index: number): {
  protocol: IProtocol;
  transport: StringTransportWithDisconnection;
} {
  const protocol = attemptProtocol(reactor, index);
  const transport = new StringTransportWithDisconnection({}, protocol);
  protocol.makeConnection(transport);
  return { protocol, transport };
}

/** The protocol of connection attempt `index` of `reactor`, not yet connected. */
function attemptProtocol(reactor: MemoryReactor, index: number): IProtocol {
  const [, , factory] = reactor.tcpClients[index];
  return factory.buildProtocol({
    type: "TCP",
    host: "10.0.0.2",
    port: 80,
  }) as IProtocol;
}

Deno.test("HTTPConnectionPool given a Clock and a kept connection when cachedConnectionTimeout passes then closes it", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  assert.equal(pool.cachedConnectionTimeout, 240);
  assert.equal(pool.maxPersistentPerHost, 2);
  assert.equal(pool.retryAutomatically, true);
  const agent = new Agent(reactor, { pool });
  const { transport } = await fetchOnce(reactor, agent);
  assert.equal(pool.cachedConnectionCount(), 1);
  reactor.advance(239);
  assert.equal(pool.cachedConnectionCount(), 1);
  assert.equal(transport.disconnecting, false);
  reactor.advance(1);
  assert.equal(pool.cachedConnectionCount(), 0);
  assert.equal(transport.disconnecting, true);
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("HTTPConnectionPool given a kept connection when it is reused then its idle timeout restarts", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  pool.cachedConnectionTimeout = 10;
  const agent = new Agent(reactor, { pool });
  const first = agent.request("GET", "http://example.com/");
  const { protocol, transport } = accept(reactor, 0);
  protocol.dataReceived(OK);
  await readBody(await first);
  reactor.advance(8);
  const second = agent.request("GET", "http://example.com/");
  assert.equal(reactor.tcpClients.length, 1);
  protocol.dataReceived(OK);
  await readBody(await second);
  reactor.advance(8);
  assert.equal(transport.disconnecting, false);
  reactor.advance(2);
  assert.equal(transport.disconnecting, true);
});

Deno.test("HTTPConnectionPool given a kept connection when the server closes it then the pool forgets it", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  const { transport } = await fetchOnce(reactor, agent);
  assert.equal(pool.cachedConnectionCount(), 1);
  transport.loseConnection();
  assert.equal(pool.cachedConnectionCount(), 0);
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("HTTPConnectionPool.closeCachedConnections() given idle connections when called then aborts them and fires once they are gone", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  const requests = [
    agent.request("GET", "http://a.example/"),
    agent.request("GET", "http://b.example/"),
  ];
  const connections = [accept(reactor, 0), accept(reactor, 1)];
  for (const { protocol } of connections) protocol.dataReceived(OK);
  for (const request of requests) await readBody(await request);
  assert.equal(pool.cachedConnectionCount(), 2);
  let fired = false;
  pool.closeCachedConnections().addCallback(() => {
    fired = true;
  });
  assert.ok(fired);
  assert.ok(connections.every(({ transport }) => transport.disconnecting));
  assert.equal(pool.cachedConnectionCount(), 0);
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("HTTPConnectionPool.closeCachedConnections() given a second call before the connection is gone when it closes then both Deferreds fire", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  const pending = agent.request("GET", "http://example.com/");
  const protocol = attemptProtocol(reactor, 0);
  // A transport that stays up when aborted, until the test says it is lost.
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  protocol.dataReceived(OK);
  await readBody(await pending);
  const fired: string[] = [];
  pool.closeCachedConnections().addCallback(() => {
    fired.push("first");
  });
  pool.closeCachedConnections().addCallback(() => {
    fired.push("second");
  });
  assert.ok(transport.disconnecting);
  assert.deepEqual(fired, []);
  protocol.connectionLost(new Failure(new ConnectionAborted()));
  assert.deepEqual(fired.sort(), ["first", "second"]);
});

Deno.test("HTTPConnectionPool given a kept http connection when the same host and port are requested over https then a new connection is opened", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  await fetchOnce(reactor, agent);
  assert.equal(pool.cachedConnectionCount(), 1);
  const secure = agent.request("GET", "https://example.com:80/");
  assert.equal(
    reactor.tcpClients.length,
    2,
    "the http connection was not used",
  );
  assert.equal(pool.cachedConnectionCount(), 1);
  secure.cancel();
  await secure.asPromise().catch(() => {});
  await pool.closeCachedConnections();
});

Deno.test("HTTPConnectionPool given a kept connection when the same host is requested on another port then a new connection is opened", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  await fetchOnce(reactor, agent);
  const other = agent.request("GET", "http://example.com:8080/");
  assert.deepEqual(reactor.tcpClients.map(([host, port]) => [host, port]), [
    ["example.com", 80],
    ["example.com", 8080],
  ]);
  other.cancel();
  await other.asPromise().catch(() => {});
  await pool.closeCachedConnections();
});

Deno.test("HTTPConnectionPool given a kept connection when the same origin is requested again then no new connection is opened", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new Agent(reactor, { pool });
  const { protocol } = await fetchOnce(reactor, agent);
  const again = agent.request("GET", "http://example.com/other");
  assert.equal(reactor.tcpClients.length, 1);
  protocol.dataReceived(OK);
  await readBody(await again);
  assert.equal(pool.cachedConnectionCount(), 1);
  await pool.closeCachedConnections();
});

Deno.test("HTTPConnectionPool given a persistent pool with maxPersistentPerHost 0 when a response completes then the connection is closed without being cached or an error logged", async () => {
  const reactor = new MemoryReactor();
  const pool = new HTTPConnectionPool(reactor);
  pool.maxPersistentPerHost = 0;
  const agent = new Agent(reactor, { pool });
  const records = await captureLogs(async () => {
    const { transport } = await fetchOnce(reactor, agent);
    assert.equal(transport.disconnecting, true);
  });
  const errors = records.filter((record) => record.level === "error");
  assert.deepEqual(errors.map(recordText), []);
  assert.equal(pool.cachedConnectionCount(), 0);
  assert.equal(reactor.getDelayedCalls().length, 0);
});
