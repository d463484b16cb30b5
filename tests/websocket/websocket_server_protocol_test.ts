import assert from "node:assert/strict";
import { Failure } from "../../deferred/failure.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { Clock } from "../../testing/clock.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import {
  ConnectionDeny,
  type ConnectionRequest,
  type ConnectResult,
  WebSocketServerFactory,
  type WebSocketServerFactoryOptions,
  WebSocketServerProtocol,
} from "../../websocket/websocket_server_protocol.ts";
import { WebSocketHandshakeError } from "../../websocket/errors.ts";
import { bytes, captureLogs, text, within } from "../_support/mod.ts";
import { closeCodeOf, closePayload, frame, readFrames } from "./_frames.ts";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

function upgradeRequest(
  extra: Record<string, string> = {},
  { method = "GET", target = "/chat?room=1&room=2" } = {},
): Uint8Array {
  const fields: Record<string, string> = {
    Host: "example.com",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": KEY,
    "Sec-WebSocket-Version": "13",
    ...extra,
  };
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(fields)) {
    if (value !== "") head += `${name}: ${value}\r\n`;
  }
  return bytes(`${head}\r\n`);
}

class Recording extends WebSocketServerProtocol {
  requests: ConnectionRequest[] = [];
  opened = 0;
  messages: [string | Uint8Array, boolean][] = [];
  closes: [boolean, number | null, string | null][] = [];
  connect: (
    request: ConnectionRequest,
  ) => ConnectResult | PromiseLike<ConnectResult> = () => undefined;

  override onConnect(
    request: ConnectionRequest,
  ): ConnectResult | PromiseLike<ConnectResult> {
    this.requests.push(request);
    return this.connect(request);
  }
  override onOpen(): void {
    this.opened++;
  }
  override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    this.messages.push([payload, isBinary]);
  }
  override onClose(
    wasClean: boolean,
    code: number | null,
    reason: string | null,
  ): void {
    this.closes.push([wasClean, code, reason]);
  }
}

function serve(
  options: WebSocketServerFactoryOptions = {},
  setup: (protocol: Recording) => void = () => {},
): { protocol: Recording; transport: StringTransport; clock: Clock } {
  const clock = new Clock();
  const factory = new WebSocketServerFactory(null, {
    reactor: clock,
    ...options,
  });
  factory.protocol = Recording;
  const protocol = factory.buildProtocol({
    type: "TCP",
    host: "127.0.0.1",
    port: 5000,
  }) as Recording;
  setup(protocol);
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  return { protocol, transport, clock };
}

function responseHead(
  transport: StringTransport,
): { status: number; headers: Map<string, string>; rest: Uint8Array } {
  const value = transport.value();
  const raw = text(value);
  const end = raw.indexOf("\r\n\r\n");
  assert.ok(end > 0, "a complete response head");
  const [statusLine, ...lines] = raw.slice(0, end).split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.set(
      line.slice(0, colon).toLowerCase(),
      line.slice(colon + 1).trim(),
    );
  }
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    rest: value.subarray(end + 4),
  };
}

function lose(protocol: WebSocketServerProtocol): void {
  protocol.connectionLost(new Failure(new ConnectionDone()));
}

Deno.test("WebSocketServerProtocol given the RFC's sample upgrade request when received then answers 101 with the RFC's Sec-WebSocket-Accept and opens", () => {
  const { protocol, transport } = serve();
  protocol.dataReceived(upgradeRequest());
  const { status, headers } = responseHead(transport);
  assert.equal(status, 101);
  assert.equal(headers.get("sec-websocket-accept"), ACCEPT);
  assert.equal(headers.get("upgrade"), "websocket");
  assert.equal(headers.get("connection"), "Upgrade");
  assert.equal(protocol.opened, 1);
  assert.equal(protocol.state, "open");
  const [request] = protocol.requests;
  assert.equal(request.path, "/chat");
  assert.deepEqual(request.params, { room: ["1", "2"] });
  assert.equal(request.host, "example.com");
  assert.equal(request.peer, "tcp:192.168.1.1:54321");
});

Deno.test("WebSocketServerProtocol given the request split byte by byte with a frame behind it when received then opens and delivers the frame", () => {
  const { protocol } = serve();
  const all = new Uint8Array([...upgradeRequest(), ...frame(1, "first")]);
  for (let i = 0; i < all.length; i++) {
    protocol.dataReceived(all.slice(i, i + 1));
  }
  assert.deepEqual(protocol.messages, [["first", false]]);
});

Deno.test("WebSocketServerProtocol given offered subprotocols when onConnect returns one then answers with it", () => {
  const { protocol, transport } = serve({}, (p) => p.connect = () => "chat.v2");
  protocol.dataReceived(
    upgradeRequest({ "Sec-WebSocket-Protocol": "chat.v1, chat.v2" }),
  );
  assert.equal(
    responseHead(transport).headers.get("sec-websocket-protocol"),
    "chat.v2",
  );
  assert.equal(protocol.websocketProtocolInUse, "chat.v2");
});

Deno.test("WebSocketServerProtocol given factory protocols when onConnect does not choose then the first offered one the server speaks is chosen", () => {
  const { protocol, transport } = serve({ protocols: ["b", "c"] });
  protocol.dataReceived(
    upgradeRequest({ "Sec-WebSocket-Protocol": "a, c, b" }),
  );
  assert.equal(
    responseHead(transport).headers.get("sec-websocket-protocol"),
    "c",
  );
});

Deno.test("WebSocketServerProtocol given onConnect returning extra headers when answering then they are in the 101", () => {
  const { protocol, transport } = serve(
    { headers: { "X-Server": "torsion" } },
    (p) => p.connect = () => [null, { "X-Room": "1" }],
  );
  protocol.dataReceived(upgradeRequest());
  const { headers } = responseHead(transport);
  assert.equal(headers.get("x-server"), "torsion");
  assert.equal(headers.get("x-room"), "1");
  assert.equal(headers.has("sec-websocket-protocol"), false);
});

Deno.test("WebSocketServerProtocol given onConnect throwing ConnectionDeny when a request arrives then answers its status and closes", () => {
  const { protocol, transport } = serve({}, (p) =>
    p.connect = () => {
      throw new ConnectionDeny(404, "No such room");
    });
  protocol.dataReceived(upgradeRequest());
  const { status } = responseHead(transport);
  assert.equal(status, 404);
  assert.match(transport.valueString(), /No such room/);
  assert.ok(transport.disconnecting);
  lose(protocol);
  assert.deepEqual(protocol.closes.map(([clean, code]) => [clean, code]), [[
    false,
    1006,
  ]]);
  assert.equal(protocol.opened, 0);
  assert.ok(protocol.failure instanceof WebSocketHandshakeError);
});

Deno.test("WebSocketServerProtocol given an asynchronous onConnect when frames arrive before it settles then they are delivered after onOpen", async () => {
  const gate = Promise.withResolvers<ConnectResult>();
  const { protocol, transport } = serve(
    {},
    (p) => p.connect = () => gate.promise,
  );
  protocol.dataReceived(upgradeRequest());
  protocol.dataReceived(frame(1, "early"));
  assert.equal(transport.value().length, 0);
  gate.resolve(null);
  await gate.promise;
  await Promise.resolve();
  assert.equal(responseHead(transport).status, 101);
  assert.deepEqual(protocol.messages, [["early", false]]);
});

Deno.test("WebSocketServerProtocol given an asynchronous onConnect when frames arrive in reads the transport reuses then they are delivered intact after onOpen", async () => {
  const gate = Promise.withResolvers<ConnectResult>();
  const { protocol } = serve({}, (p) => p.connect = () => gate.promise);
  assert.equal(protocol.readsInPlace, true);
  const read = new Uint8Array(4096);
  const lend = (bytes: Uint8Array): void => {
    read.set(bytes);
    protocol.dataReceived(read.subarray(0, bytes.length));
    read.fill(0);
  };
  const request = upgradeRequest();
  const first = frame(1, "with the request");
  const both = new Uint8Array(request.length + first.length);
  both.set(request);
  both.set(first, request.length);
  lend(both);
  lend(frame(1, "after it"));
  gate.resolve(null);
  await gate.promise;
  await Promise.resolve();
  assert.deepEqual(protocol.messages, [
    ["with the request", false],
    ["after it", false],
  ]);
});

const refusals: [string, Uint8Array, number][] = [
  ["a POST", upgradeRequest({}, { method: "POST" }), 405],
  ["no Upgrade header", upgradeRequest({ Upgrade: "" }), 400],
  ["Upgrade: h2c", upgradeRequest({ Upgrade: "h2c" }), 400],
  ["no Connection: Upgrade", upgradeRequest({ Connection: "keep-alive" }), 400],
  ["version 8", upgradeRequest({ "Sec-WebSocket-Version": "8" }), 426],
  ["no key", upgradeRequest({ "Sec-WebSocket-Key": "" }), 400],
  [
    "a key of 8 bytes",
    upgradeRequest({ "Sec-WebSocket-Key": "AAAAAAAAAAA=" }),
    400,
  ],
  ["a body", upgradeRequest({ "Content-Length": "5" }), 413],
  [
    "a malformed request line",
    bytes("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"),
    400,
  ],
  [
    "HTTP/1.0",
    bytes(
      `GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ),
    400,
  ],
];
for (const [what, request, status] of refusals) {
  Deno.test(`WebSocketServerProtocol given an upgrade request with ${what} when received then answers ${status} and closes`, () => {
    const { protocol, transport } = serve();
    protocol.dataReceived(request);
    assert.equal(responseHead(transport).status, status);
    assert.ok(transport.disconnecting);
    assert.equal(protocol.opened, 0);
    if (status === 426) {
      assert.equal(
        responseHead(transport).headers.get("sec-websocket-version"),
        "13",
      );
    }
  });
}

Deno.test("WebSocketServerProtocol given allowedOrigins when an origin outside them connects then answers 403; one inside opens", () => {
  const denied = serve({ allowedOrigins: ["https://*.example.com"] });
  denied.protocol.dataReceived(upgradeRequest({ Origin: "https://evil.test" }));
  assert.equal(responseHead(denied.transport).status, 403);
  const allowed = serve({ allowedOrigins: ["https://*.example.com"] });
  allowed.protocol.dataReceived(
    upgradeRequest({ Origin: "https://chat.example.com" }),
  );
  assert.equal(responseHead(allowed.transport).status, 101);
  assert.equal(allowed.protocol.requests[0].origin, "https://chat.example.com");
});

Deno.test("WebSocketServerProtocol given onConnect that throws another error when a request arrives then answers 500 and logs it once", async () => {
  const records = await captureLogs(() => {
    const { protocol, transport } = serve({}, (p) =>
      p.connect = () => {
        throw new Error("database down");
      });
    protocol.dataReceived(upgradeRequest());
    assert.equal(responseHead(transport).status, 500);
    assert.doesNotMatch(transport.valueString(), /database down/);
  });
  assert.equal(
    records.filter((r) => r.message.join("").includes("database down")).length,
    1,
  );
});

Deno.test("WebSocketServerProtocol given a client that never finishes its request when openHandshakeTimeout passes then the connection is dropped", () => {
  const { protocol, transport, clock } = serve({ openHandshakeTimeout: 2 });
  protocol.dataReceived(bytes("GET / HTTP/1.1\r\n"));
  clock.advance(1.9);
  assert.equal(transport.disconnecting, false);
  clock.advance(0.2);
  assert.ok(transport.disconnecting);
  lose(protocol);
  assert.equal(protocol.closes.length, 1);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("WebSocketServerProtocol given a permessage-deflate offer and compressionOptions when answering then accepts without context takeover", () => {
  const { protocol, transport } = serve({ compressionOptions: {} });
  protocol.dataReceived(
    upgradeRequest({
      "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
    }),
  );
  assert.equal(
    responseHead(transport).headers.get("sec-websocket-extensions"),
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  );
  assert.deepEqual(protocol.websocketExtensionsInUse, ["permessage-deflate"]);
  transport.clear();
  protocol.sendMessage("z".repeat(100));
  assert.equal(readFrames(transport.value())[0].rsv, 4);
});

Deno.test("WebSocketServerProtocol given a permessage-deflate offer without compressionOptions when answering then declines it", () => {
  const { protocol, transport } = serve();
  protocol.dataReceived(
    upgradeRequest({ "Sec-WebSocket-Extensions": "permessage-deflate" }),
  );
  assert.equal(
    responseHead(transport).headers.has("sec-websocket-extensions"),
    false,
  );
  protocol.dataReceived(frame(1, "x", { rsv: 4 }));
  assert.equal(
    closeCodeOf(readFrames(responseHead(transport).rest).at(-1)!),
    1002,
  );
});

Deno.test("WebSocketServerProtocol given an open connection when the client closes with a code then onClose is clean with its code and reason", () => {
  const { protocol, transport } = serve();
  protocol.dataReceived(upgradeRequest());
  protocol.dataReceived(frame(8, closePayload(1000, "done")));
  assert.ok(transport.disconnecting);
  lose(protocol);
  assert.deepEqual(protocol.closes, [[true, 1000, "done"]]);
});

Deno.test("WebSocketServerProtocol.sendMessage given a connection not yet open when called then throws WebSocketClosedError", () => {
  const { protocol } = serve();
  assert.throws(
    () => protocol.sendMessage("x"),
    /Cannot send a message: the connection is connecting/,
  );
});

Deno.test("WebSocketServerProtocol over TCP given a raw client when it upgrades and sends frames then they are echoed and the close is clean", async () => {
  const reactor = new Reactor();
  const factory = new WebSocketServerFactory(null, { reactor });
  factory.protocol = class extends WebSocketServerProtocol {
    override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
      this.sendMessage(payload, isBinary);
    }
  };
  const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: port.getHost().port,
  });
  try {
    await conn.write(
      new Uint8Array([
        ...upgradeRequest(),
        ...frame(1, "over tcp"),
        ...frame(8, closePayload(1000)),
      ]),
    );
    const received = await within(readAll(conn), "the server to close");
    const raw = text(received);
    assert.match(raw, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    const frames = readFrames(received.subarray(raw.indexOf("\r\n\r\n") + 4));
    assert.deepEqual(frames.map((f) => [f.opcode, f.masked]), [[1, false], [
      8,
      false,
    ]]);
    assert.equal(text(frames[0].payload), "over tcp");
    assert.equal(closeCodeOf(frames[1]), 1000);
  } finally {
    conn.close();
    await port.stopListening();
    await disconnectAll(reactor);
  }
});

/** Reads until the peer closes. */
async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buffer = new Uint8Array(65536);
  for (let i = 0; i < 10000; i++) {
    const n = await conn.read(buffer);
    if (n === null) break;
    chunks.push(...buffer.subarray(0, n));
  }
  return new Uint8Array(chunks);
}

const tcpViolations: [string, Uint8Array, number][] = [
  ["an unmasked frame", frame(1, "x", { mask: false }), 1002],
  ["invalid UTF-8", frame(1, new Uint8Array([0xff])), 1007],
  [
    "a message past maxMessagePayloadSize",
    frame(2, new Uint8Array(2000)),
    1009,
  ],
  ["a reserved opcode", frame(5, "x"), 1002],
];
for (const [what, bad, code] of tcpViolations) {
  Deno.test(`WebSocketServerProtocol over TCP given ${what} when received then sends close ${code} and closes the socket`, async () => {
    const reactor = new Reactor();
    const factory = new WebSocketServerFactory(null, {
      reactor,
      maxMessagePayloadSize: 1000,
    });
    const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: port.getHost().port,
    });
    try {
      await conn.write(new Uint8Array([...upgradeRequest(), ...bad]));
      const received = await within(readAll(conn), "the server to close");
      const raw = text(received);
      const frames = readFrames(received.subarray(raw.indexOf("\r\n\r\n") + 4));
      assert.equal(frames.at(-1)?.opcode, 8);
      assert.equal(closeCodeOf(frames.at(-1)!), code);
    } finally {
      conn.close();
      await port.stopListening();
      await disconnectAll(reactor);
    }
  });
}
