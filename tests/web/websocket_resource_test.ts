import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { Data } from "../../web/data.ts";
import { Resource } from "../../web/resource.ts";
import { Site } from "../../web/site.ts";
import { WebSocketResource } from "../../web/websocket_resource.ts";
import { websocketConnect } from "../../websocket/websocket_connect.ts";
import {
  type ConnectionRequest,
  WebSocketServerFactory,
  WebSocketServerProtocol,
} from "../../websocket/websocket_server_protocol.ts";
import { within } from "../_support/mod.ts";

const seen: ConnectionRequest[] = [];

class Echo extends WebSocketServerProtocol {
  override onConnect(request: ConnectionRequest): void {
    seen.push(request);
  }
  override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    this.sendMessage(payload, isBinary);
  }
}

async function withSite(body: (base: string) => Promise<void>): Promise<void> {
  const reactor = new Reactor();
  const factory = new WebSocketServerFactory(null, {
    reactor,
    compressionOptions: {},
  });
  factory.protocol = Echo;
  const root = new Resource();
  root.putChild("", new Data("<h1>page</h1>", "text/html"));
  root.putChild("ws", new WebSocketResource(factory));
  const port = reactor.listenTCP(0, new Site(root), { interface: "127.0.0.1" });
  seen.length = 0;
  try {
    await body(`127.0.0.1:${port.getHost().port}`);
  } finally {
    await port.stopListening();
    await disconnectAll(reactor);
  }
}

Deno.test("WebSocketResource given a Site with a page and a WebSocket when both are used then the page is served and the WebSocket echoes", async () => {
  await withSite(async (base) => {
    const page = await fetch(`http://${base}/`);
    assert.equal(await page.text(), "<h1>page</h1>");
    const conn = await within(
      websocketConnect(`ws://${base}/ws?token=1`, { compressionOptions: {} }),
      "connect",
    );
    assert.deepEqual(conn.protocol.websocketExtensionsInUse, [
      "permessage-deflate",
    ]);
    await conn.writeMessage("through the site");
    assert.equal(
      await within(conn.readMessage(), "the echo"),
      "through the site",
    );
    assert.equal(seen[0].path, "/ws");
    assert.deepEqual(seen[0].params, { token: ["1"] });
    conn.close(1000);
    assert.equal(await within(conn.readMessage(), "the close"), null);
  });
});

Deno.test("WebSocketResource given a plain GET when received then the protocol refuses it with 400 and closes", async () => {
  await withSite(async (base) => {
    const response = await fetch(`http://${base}/ws`);
    assert.equal(response.status, 400);
    await response.body?.cancel();
  });
});

Deno.test("WebSocketResource given Deno's WebSocket when it connects under the resource then the handshake and close complete", async () => {
  await withSite(async (base) => {
    const ws = new WebSocket(`ws://${base}/ws`);
    const echoed = new Promise((resolve) =>
      ws.onmessage = (event) => resolve(event.data)
    );
    ws.onopen = () => ws.send("deno");
    assert.equal(await within(echoed, "the echo"), "deno");
    const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
    ws.close(1000);
    assert.equal((await within(closed, "the close")).wasClean, true);
  });
});
