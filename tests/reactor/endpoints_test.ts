import assert from "node:assert/strict";
import { CancelledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import {
  clientFromString,
  connectProtocol,
  quoteStringArgument,
  serverFromString,
  SSL4ClientEndpoint,
  SSL4ServerEndpoint,
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
} from "../../reactor/endpoints.ts";
import {
  CannotListenError,
  ConnectingCancelledError,
  ConnectionRefusedError,
  NoProtocol,
} from "../../reactor/errors.ts";
import type { IAddress, IProtocol } from "../../reactor/interfaces.ts";
import { Factory, Protocol } from "../../reactor/protocol.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { TLS_CERT_PATH, TLS_KEY_PATH } from "../_support/mod.ts";

class Recorder extends Protocol {
  data: string[] = [];
  lost: Failure[] = [];
  override dataReceived(data: Uint8Array): void {
    this.data.push(new TextDecoder().decode(data));
  }
  override connectionLost(reason: Failure): void {
    this.lost.push(reason);
  }
}

/** Completes the connection a MemoryReactor recorded, as the real reactor would. */
function completeConnection(
  reactor: MemoryReactor,
  index = 0,
): IProtocol | null {
  const [host, port, factory] = reactor.tcpClients[index];
  const protocol = factory.buildProtocol({ type: "TCP", host, port });
  protocol?.makeConnection(new StringTransport());
  return protocol;
}

Deno.test("TCP4ServerEndpoint.listen() given a port and options when called then listens with them", async () => {
  const reactor = new MemoryReactor();
  const factory = Factory.forProtocol(Protocol);
  const endpoint = new TCP4ServerEndpoint(reactor, 8080, {
    backlog: 7,
    interface: "127.0.0.1",
  });
  const port = await endpoint.listen(factory);
  assert.deepEqual(reactor.tcpServers, [[8080, factory, 7, "127.0.0.1"]]);
  assert.equal(port.getHost().port, 8080);
});

Deno.test("TCP4ServerEndpoint.listen() given listenTCP throws when called then fails the Deferred", async () => {
  const reactor = new MemoryReactor();
  reactor.listenTCP = () => {
    throw new CannotListenError("", 80);
  };
  const d = new TCP4ServerEndpoint(reactor, 80).listen(
    Factory.forProtocol(Protocol),
  );
  await assert.rejects(d.asPromise(), CannotListenError);
});

Deno.test("SSL4ServerEndpoint.listen() given TLS options when called then listens for TLS with them", async () => {
  const reactor = new MemoryReactor();
  const tls = { cert: "c", key: "k" };
  await new SSL4ServerEndpoint(reactor, 443, tls).listen(
    Factory.forProtocol(Protocol),
  );
  assert.equal(reactor.sslServers[0][2], tls);
});

Deno.test("TCP4ClientEndpoint.connect() given a pending attempt when it connects then fires with the factory's protocol", async () => {
  const reactor = new MemoryReactor();
  const d = new TCP4ClientEndpoint(reactor, "h", 1, { timeout: 3 })
    .connect(Factory.forProtocol(Recorder));
  assert.equal(d.called, false);
  completeConnection(reactor);
  const protocol = await d;
  assert.ok(protocol instanceof Recorder);
  assert.ok((protocol as Recorder).transport instanceof StringTransport);
  assert.deepEqual(reactor.tcpClients[0].slice(0, 2), ["h", 1]);
  assert.equal(reactor.tcpClients[0][3], 3);
});

Deno.test("TCP4ClientEndpoint given a connected protocol when data and connectionLost arrive then the protocol receives them", () => {
  const reactor = new MemoryReactor();
  const mine = new Recorder();
  connectProtocol(new TCP4ClientEndpoint(reactor, "h", 1), mine);
  const wrapper = completeConnection(reactor)!;
  wrapper.dataReceived(new TextEncoder().encode("hi"));
  const reason = new Failure(new Error("gone"));
  wrapper.connectionLost(reason);
  assert.deepEqual(mine.data, ["hi"]);
  assert.deepEqual(mine.lost, [reason]);
});

Deno.test("TCP4ClientEndpoint.connect() given a refused attempt when it fails then fails with ConnectionRefusedError", async () => {
  const reactor = new MemoryReactor();
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(
    Factory.forProtocol(Protocol),
  );
  const [, , factory] = reactor.tcpClients[0];
  factory.clientConnectionFailed(
    reactor.connectors[0],
    new Failure(new ConnectionRefusedError()),
  );
  await assert.rejects(d.asPromise(), ConnectionRefusedError);
});

Deno.test("TCP4ClientEndpoint.connect() given a pending attempt when cancelled then stops connecting and fails with ConnectingCancelledError", async () => {
  const reactor = new MemoryReactor();
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(
    Factory.forProtocol(Protocol),
  );
  d.cancel();
  assert.equal(reactor.connectors[0].stoppedConnecting, true);
  const error = await d.asPromise().catch((e: unknown) => e);
  assert.ok(error instanceof ConnectingCancelledError);
  assert.ok(error instanceof CancelledError);
  assert.deepEqual(error.address, { type: "TCP", host: "h", port: 1 });
});

Deno.test("TCP4ClientEndpoint.connect() given a signal when it aborts during the attempt then stops connecting and fails with ConnectingCancelledError", async () => {
  const reactor = new MemoryReactor();
  const controller = new AbortController();
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(
    Factory.forProtocol(Protocol),
    { signal: controller.signal },
  );
  controller.abort();
  assert.equal(reactor.connectors[0].stoppedConnecting, true);
  const error = await d.asPromise().catch((e: unknown) => e);
  assert.ok(error instanceof ConnectingCancelledError);
  assert.deepEqual(error.address, { type: "TCP", host: "h", port: 1 });
});

Deno.test("TCP4ClientEndpoint.connect() given a signal already aborted when called then fails with ConnectingCancelledError without connecting", async () => {
  const reactor = new MemoryReactor();
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(
    Factory.forProtocol(Protocol),
    { signal: AbortSignal.abort() },
  );
  await assert.rejects(d.asPromise(), ConnectingCancelledError);
  assert.deepEqual(reactor.tcpClients, []);
});

Deno.test("TCP4ClientEndpoint.connect() given a signal when it aborts after the connection is made then the protocol stays connected", async () => {
  const reactor = new MemoryReactor();
  const controller = new AbortController();
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(
    Factory.forProtocol(Recorder),
    { signal: controller.signal },
  );
  completeConnection(reactor);
  const protocol = await d;
  controller.abort();
  assert.equal(reactor.connectors[0].stoppedConnecting, false);
  assert.equal((protocol as Recorder).transport?.disconnecting, false);
});

Deno.test("SSL4ClientEndpoint.connect() given a signal when it aborts during the attempt then fails with ConnectingCancelledError", async () => {
  const reactor = new MemoryReactor();
  const controller = new AbortController();
  const d = new SSL4ClientEndpoint(reactor, "h", 443).connect(
    Factory.forProtocol(Protocol),
    { signal: controller.signal },
  );
  controller.abort();
  assert.equal(reactor.connectors[0].stoppedConnecting, true);
  await assert.rejects(d.asPromise(), ConnectingCancelledError);
});

Deno.test("TCP4ClientEndpoint.connect() given a factory that builds no protocol when connected then fails with NoProtocol", async () => {
  const reactor = new MemoryReactor();
  const factory = new Factory();
  factory.buildProtocol = (_addr: IAddress) => null;
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(factory);
  assert.equal(completeConnection(reactor), null);
  await assert.rejects(d.asPromise(), NoProtocol);
});

Deno.test("TCP4ClientEndpoint.connect() given buildProtocol throws when connected then fails with that error", async () => {
  const reactor = new MemoryReactor();
  const factory = new Factory();
  factory.buildProtocol = () => {
    throw new RangeError("no");
  };
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(factory);
  completeConnection(reactor);
  await assert.rejects(d.asPromise(), RangeError);
});

Deno.test("TCP4ClientEndpoint.connect() given connectTCP throws when called then fails the Deferred", async () => {
  const reactor = new MemoryReactor();
  reactor.connectTCP = () => {
    throw new RangeError("bad port");
  };
  const d = new TCP4ClientEndpoint(reactor, "h", 1).connect(
    Factory.forProtocol(Protocol),
  );
  await assert.rejects(d.asPromise(), RangeError);
});

Deno.test("TCP4ClientEndpoint.connect() given the wrapper factory when started and stopped then forwards to the user's factory", () => {
  const reactor = new MemoryReactor();
  const factory = Factory.forProtocol(Protocol);
  new TCP4ClientEndpoint(reactor, "h", 1).connect(factory);
  const [, , wrapper] = reactor.tcpClients[0];
  wrapper.doStart();
  assert.equal(factory.numPorts, 1);
  wrapper.doStop();
  assert.equal(factory.numPorts, 0);
});

Deno.test("SSL4ClientEndpoint.connect() given TLS options when called then connects with TLS and those options", () => {
  const reactor = new MemoryReactor();
  new SSL4ClientEndpoint(reactor, "h", 443, { hostname: "h" }, { timeout: 4 })
    .connect(Factory.forProtocol(Protocol));
  const [host, port, , tls, timeout] = reactor.sslClients[0];
  assert.deepEqual([host, port, tls, timeout], [
    "h",
    443,
    { hostname: "h" },
    4,
  ]);
});

Deno.test("connectProtocol() given a protocol instance when connected then fires with that very instance", async () => {
  const reactor = new MemoryReactor();
  const mine = new Recorder();
  const d = connectProtocol(new TCP4ClientEndpoint(reactor, "h", 1), mine);
  completeConnection(reactor);
  assert.equal(await d, mine);
});

Deno.test("serverFromString() given tcp:PORT when parsed then uses Twisted's defaults", () => {
  const reactor = new MemoryReactor();
  serverFromString(reactor, "tcp:8080").listen(Factory.forProtocol(Protocol));
  const [port, , backlog, iface] = reactor.tcpServers[0];
  assert.deepEqual([port, backlog, iface], [8080, 50, ""]);
});

Deno.test("serverFromString() given tcp:8080:interface=127.0.0.1 when parsed then listens on port 8080 of that interface", () => {
  const reactor = new MemoryReactor();
  serverFromString(reactor, "tcp:8080:interface=127.0.0.1")
    .listen(Factory.forProtocol(Protocol));
  const [port, , backlog, iface] = reactor.tcpServers[0];
  assert.deepEqual([port, backlog, iface], [8080, 50, "127.0.0.1"]);
});

Deno.test("serverFromString() given tcp:port=N:interface=IP:backlog=N when parsed then uses each value", () => {
  const reactor = new MemoryReactor();
  serverFromString(reactor, "tcp:port=8080:interface=127.0.0.1:backlog=9")
    .listen(Factory.forProtocol(Protocol));
  const [port, , backlog, iface] = reactor.tcpServers[0];
  assert.deepEqual([port, backlog, iface], [8080, 9, "127.0.0.1"]);
});

Deno.test("serverFromString() given the tcp interface positionally when parsed then uses it", () => {
  const reactor = new MemoryReactor();
  serverFromString(reactor, "tcp:80:127.0.0.1").listen(
    Factory.forProtocol(Protocol),
  );
  assert.equal(reactor.tcpServers[0][3], "127.0.0.1");
});

Deno.test("serverFromString() given backslash-escaped colons when parsed then keeps them in the value", () => {
  const reactor = new MemoryReactor();
  serverFromString(reactor, "tcp:80:interface=\\:\\:1").listen(
    Factory.forProtocol(Protocol),
  );
  assert.equal(reactor.tcpServers[0][3], "::1");
});

Deno.test("serverFromString() given ssl:PORT with key and certificate files when parsed then reads both", () => {
  const reactor = new MemoryReactor();
  serverFromString(
    reactor,
    `ssl:8443:privateKey=${TLS_KEY_PATH}:certKey=${TLS_CERT_PATH}`,
  )
    .listen(Factory.forProtocol(Protocol));
  const [port, , tls] = reactor.sslServers[0];
  assert.equal(port, 8443);
  assert.match(tls.cert, /^-----BEGIN CERTIFICATE-----/);
  assert.match(tls.key, /^-----BEGIN [A-Z ]*PRIVATE KEY-----/);
});

Deno.test("serverFromString() given ssl without certKey when parsed then reads both from privateKey", async () => {
  const combined = await Deno.makeTempFile({ suffix: ".pem" });
  try {
    await Deno.writeTextFile(
      combined,
      `${await Deno.readTextFile(TLS_KEY_PATH)}\n${await Deno.readTextFile(
        TLS_CERT_PATH,
      )}`,
    );
    const reactor = new MemoryReactor();
    serverFromString(
      reactor,
      `ssl:443:privateKey=${quoteStringArgument(combined)}`,
    )
      .listen(Factory.forProtocol(Protocol));
    const [, , tls] = reactor.sslServers[0];
    assert.equal(
      tls.cert.trim(),
      (await Deno.readTextFile(TLS_CERT_PATH)).trim(),
    );
    assert.match(tls.key, /PRIVATE KEY-----$/);
  } finally {
    await Deno.remove(combined);
  }
});

Deno.test("serverFromString() given ssl with a missing key file when parsed then throws NotFound", () => {
  assert.throws(
    () =>
      serverFromString(
        new MemoryReactor(),
        "ssl:443:privateKey=/nonexistent.pem",
      ),
    Deno.errors.NotFound,
  );
});

for (
  const [description, why] of [
    ["udp:53", /unknown endpoint type "udp"/],
    ["8080", /unknown endpoint type "8080"/],
    ["tcp", /parameter "port" is missing/],
    ["tcp:http", /port must be a non-negative integer/],
    ["tcp:80:colour=blue", /unknown parameter "colour"/],
    ["tcp:80:port=81", /parameter "port" is given twice/],
    ["tcp:80:0.0.0.0:5:extra", /at most 3 positional arguments/],
    ["tcp:80\\", /ends with an unescaped backslash/],
    [
      `ssl:443:privateKey=${TLS_KEY_PATH}:sslmethod=TLSv1_2_METHOD`,
      /"sslmethod" is not supported/,
    ],
  ] as const
) {
  Deno.test(`serverFromString() given "${description}" when parsed then throws TypeError naming the problem`, () => {
    assert.throws(
      () => serverFromString(new MemoryReactor(), description),
      (error: unknown) =>
        error instanceof TypeError && why.test(error.message) &&
        error.message.includes(description),
    );
  });
}

Deno.test("serverFromString() given a port above 65535 when parsed then throws RangeError", () => {
  assert.throws(
    () => serverFromString(new MemoryReactor(), "tcp:70000"),
    RangeError,
  );
});

Deno.test("clientFromString() given tcp:host=H:port=P when parsed then uses Twisted's defaults for the rest", () => {
  const reactor = new MemoryReactor();
  clientFromString(reactor, "tcp:host=127.0.0.1:port=8080")
    .connect(Factory.forProtocol(Protocol));
  const [host, port, , timeout, bindAddress] = reactor.tcpClients[0];
  assert.deepEqual([host, port, timeout, bindAddress], [
    "127.0.0.1",
    8080,
    30,
    null,
  ]);
});

Deno.test("clientFromString() given tcp:HOST:PORT with timeout and bindAddress when parsed then uses them", () => {
  const reactor = new MemoryReactor();
  clientFromString(
    reactor,
    "tcp:example.com:80:timeout=2.5:bindAddress=10.0.0.2",
  )
    .connect(Factory.forProtocol(Protocol));
  const [host, port, , timeout, bindAddress] = reactor.tcpClients[0];
  assert.deepEqual([host, port, timeout, bindAddress], [
    "example.com",
    80,
    2.5,
    ["10.0.0.2", 0],
  ]);
});

Deno.test("clientFromString() given host= and one positional when parsed then reads the positional as the port", () => {
  const reactor = new MemoryReactor();
  clientFromString(reactor, "tcp:host=example.com:80").connect(
    Factory.forProtocol(Protocol),
  );
  assert.deepEqual(reactor.tcpClients[0].slice(0, 2), ["example.com", 80]);
});

Deno.test("clientFromString() given port= and one positional when parsed then reads the positional as the host", () => {
  const reactor = new MemoryReactor();
  clientFromString(reactor, "tcp:example.com:port=80").connect(
    Factory.forProtocol(Protocol),
  );
  assert.deepEqual(reactor.tcpClients[0].slice(0, 2), ["example.com", 80]);
});

Deno.test("clientFromString() given tls:HOST:PORT:trustRoots=FILE when parsed then verifies HOST against that certificate", () => {
  const reactor = new MemoryReactor();
  clientFromString(reactor, `tls:localhost:8443:trustRoots=${TLS_CERT_PATH}`)
    .connect(Factory.forProtocol(Protocol));
  const [host, port, , tls] = reactor.sslClients[0];
  assert.deepEqual([host, port, tls.hostname], [
    "localhost",
    8443,
    "localhost",
  ]);
  assert.equal(tls.caCerts?.length, 1);
});

Deno.test("clientFromString() given ssl with hostname and caCertsDir when parsed then trusts the *.pem files only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(TLS_CERT_PATH, `${dir}/ca.pem`);
    await Deno.writeTextFile(`${dir}/notes.txt`, "not a certificate");
    const reactor = new MemoryReactor();
    clientFromString(
      reactor,
      `ssl:host=127.0.0.1:port=443:hostname=localhost:caCertsDir=${dir}`,
    ).connect(Factory.forProtocol(Protocol));
    const [, , , tls] = reactor.sslClients[0];
    assert.equal(tls.hostname, "localhost");
    assert.equal(tls.caCerts?.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (
  const [description, why] of [
    ["unix:/tmp/sock", /unknown endpoint type "unix"/],
    ["tcp:example.com", /parameter "port" is missing/],
    ["tcp:port=80", /parameter "host" is missing/],
    ["tcp:a:1:2", /at most 2 positional arguments/],
    ["tcp:a:1:timeout=soon", /timeout must be a non-negative number/],
    ["tcp:a:1:hostname=x", /unknown parameter "hostname"/],
    ["tls:a:1:certificate=c.pem", /"certificate" is not supported/],
  ] as const
) {
  Deno.test(`clientFromString() given "${description}" when parsed then throws TypeError naming the problem`, () => {
    assert.throws(
      () => clientFromString(new MemoryReactor(), description),
      (error: unknown) => error instanceof TypeError && why.test(error.message),
    );
  });
}

Deno.test("quoteStringArgument() given a path with backslashes and colons when embedded then parsing gets it back", () => {
  const path = "C:\\keys\\a:b.pem";
  const reactor = new MemoryReactor();
  assert.throws(
    () =>
      serverFromString(
        reactor,
        `ssl:443:privateKey=${quoteStringArgument(path)}`,
      ),
    (error: unknown) =>
      error instanceof Deno.errors.NotFound &&
      String(error.message).includes(path),
  );
});
