import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { Application } from "../../web/application.ts";
import { WebSocketHandler } from "../../web/websocket_handler.ts";
import { websocketConnect } from "../../websocket/websocket_connect.ts";
import {
  WebSocketServerFactory,
  WebSocketServerProtocol,
} from "../../websocket/websocket_server_protocol.ts";
import { within } from "../_support/mod.ts";

Deno.test("WebSocketServerProtocol given an open connection when the reactor stops then the client gets 1001 before the reactor finishes", async () => {
  const reactor = new Reactor();
  const factory = new WebSocketServerFactory(null, { reactor });
  factory.protocol = WebSocketServerProtocol;
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  const running = reactor.run();
  try {
    const conn = await within(
      websocketConnect(`ws://127.0.0.1:${port.getHost().port}/`),
      "connect",
    );
    reactor.stop();
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(conn.closeCode, 1001);
    assert.equal(conn.closeReason, "Server shutting down");
    await within(running, "the reactor to stop", 3000);
  } finally {
    await disconnectAll(reactor);
  }
});

class Idle extends WebSocketHandler {}

Deno.test("WebSocketHandler given an open connection when the reactor stops then the client gets 1001 and the server does not wait out its drain bound", async () => {
  const reactor = new Reactor();
  const app = new Application([["/ws", Idle]], { reactor });
  const server = app.listen(0, { address: "127.0.0.1", reactor });
  const running = reactor.run();
  try {
    const conn = await within(
      websocketConnect(`ws://127.0.0.1:${server.port}/ws`),
      "connect",
    );
    const started = performance.now();
    reactor.stop();
    assert.equal(await within(conn.readMessage(), "the close"), null);
    assert.equal(conn.closeCode, 1001);
    await within(running, "the reactor to stop", 3000);
    assert.ok(performance.now() - started < 3000);
  } finally {
    await server.stop();
    await disconnectAll(reactor);
  }
});
