/**
 * The endpoints over real loopback sockets: TCP and TLS, built directly and
 * from description strings.
 */
import assert from "node:assert/strict";
import { CancelledError } from "../../deferred/errors.ts";
import {
  clientFromString,
  connectProtocol,
  serverFromString,
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
} from "../../reactor/endpoints.ts";
import {
  CannotListenError,
  ConnectionRefusedError,
} from "../../reactor/errors.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { Echo, Recorder, RecordingServerFactory } from "./_recorders.ts";
import {
  closedPort,
  sleep,
  TLS_CERT_PATH,
  TLS_KEY_PATH,
  within,
} from "../_support/mod.ts";

Deno.test("TCP4ServerEndpoint and TCP4ClientEndpoint given a loopback port when connected then data round-trips", async () => {
  const reactor = new Reactor();
  try {
    const server = new RecordingServerFactory(() => new Echo());
    const port = await new TCP4ServerEndpoint(reactor, 0, {
      interface: "127.0.0.1",
    })
      .listen(server);
    const client = new Recorder();
    const connected = await within(
      connectProtocol(
        new TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port),
        client,
      ),
      "the endpoint to connect",
    );
    assert.equal(connected, client);
    client.transport!.write("ping");
    await within(client.received(4), "the echo");
    assert.equal(client.text(), "ping");
  } finally {
    await disconnectAll(reactor);
  }
});

Deno.test("TCP4ServerEndpoint.listen() given a port in use when listening then fails with CannotListenError", async () => {
  const reactor = new Reactor();
  try {
    const taken = reactor.listenTCP(0, new RecordingServerFactory(), {
      interface: "127.0.0.1",
    });
    const d = new TCP4ServerEndpoint(reactor, taken.getHost().port, {
      interface: "127.0.0.1",
    })
      .listen(new RecordingServerFactory());
    await assert.rejects(d.asPromise(), CannotListenError);
  } finally {
    await disconnectAll(reactor);
  }
});

Deno.test("TCP4ClientEndpoint.connect() given a closed port when connecting then fails with ConnectionRefusedError", async () => {
  const reactor = new Reactor();
  try {
    const d = new TCP4ClientEndpoint(reactor, "127.0.0.1", closedPort())
      .connect(new RecordingServerFactory());
    await within(
      assert.rejects(d.asPromise(), ConnectionRefusedError),
      "the refusal",
    );
  } finally {
    await disconnectAll(reactor);
  }
});

Deno.test("TCP4ClientEndpoint.connect() given a pending attempt when cancelled then fails with CancelledError and builds no protocol", async () => {
  const reactor = new Reactor();
  try {
    const server = new RecordingServerFactory();
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    const client = new RecordingServerFactory();
    const d = new TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port)
      .connect(client);
    d.cancel();
    await assert.rejects(d.asPromise(), CancelledError);
    await sleep(20);
    assert.equal(client.built.length, 0);
  } finally {
    await disconnectAll(reactor);
  }
});

Deno.test("serverFromString() and clientFromString() given tcp descriptions when used then connect over loopback", async () => {
  const reactor = new Reactor();
  try {
    const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1")
      .listen(new RecordingServerFactory(() => new Echo()));
    const client = new Recorder();
    await within(
      connectProtocol(
        clientFromString(
          reactor,
          `tcp:host=127.0.0.1:port=${port.getHost().port}:timeout=5`,
        ),
        client,
      ),
      "the endpoint to connect",
    );
    client.transport!.write("tcp");
    await within(client.received(3), "the echo");
    assert.equal(client.text(), "tcp");
  } finally {
    await disconnectAll(reactor);
  }
});

Deno.test("serverFromString(ssl) and clientFromString(tls) given the fixture certificate when used then data round-trips over TLS", async () => {
  const reactor = new Reactor();
  try {
    const port = await serverFromString(
      reactor,
      `ssl:0:interface=127.0.0.1:privateKey=${TLS_KEY_PATH}:certKey=${TLS_CERT_PATH}`,
    ).listen(new RecordingServerFactory(() => new Echo()));
    const client = new Recorder();
    await within(
      connectProtocol(
        clientFromString(
          reactor,
          `tls:localhost:${port.getHost().port}:trustRoots=${TLS_CERT_PATH}`,
        ),
        client,
      ),
      "the TLS endpoint to connect",
    );
    client.transport!.write("secret");
    await within(client.received(6), "the echo over TLS");
    assert.equal(client.text(), "secret");
  } finally {
    await disconnectAll(reactor);
  }
});
