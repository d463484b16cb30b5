import assert from "node:assert/strict";
import { Failure } from "../../deferred/failure.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { Clock } from "../../testing/clock.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import {
  type ConnectionResponse,
  parseWebSocketURL,
  WebSocketClientFactory,
  type WebSocketClientFactoryOptions,
  WebSocketClientProtocol,
} from "../../websocket/websocket_client_protocol.ts";
import { WebSocketHandshakeError } from "../../websocket/errors.ts";
import { acceptKey } from "../../websocket/_handshake.ts";
import { bytes, text } from "../_support/mod.ts";
import { closeCodeOf, closePayload, frame, readFrames } from "./_frames.ts";

class Recording extends WebSocketClientProtocol {
  responses: ConnectionResponse[] = [];
  opened = 0;
  messages: (string | Uint8Array)[] = [];
  closes: [boolean, number | null, string | null][] = [];
  override onConnect(response: ConnectionResponse): void {
    this.responses.push(response);
  }
  override onOpen(): void {
    this.opened++;
  }
  override onMessage(payload: string | Uint8Array): void {
    this.messages.push(payload);
  }
  override onClose(
    wasClean: boolean,
    code: number | null,
    reason: string | null,
  ): void {
    this.closes.push([wasClean, code, reason]);
  }
}

function connect(
  url = "ws://example.com:8080/chat?x=1",
  options: WebSocketClientFactoryOptions = {},
): {
  protocol: Recording;
  transport: StringTransport;
  clock: Clock;
  key: string;
} {
  const clock = new Clock();
  const factory = new WebSocketClientFactory(url, {
    reactor: clock,
    ...options,
  });
  factory.protocol = Recording;
  const protocol = factory.buildProtocol({
    type: "TCP",
    host: "example.com",
    port: 8080,
  }) as Recording;
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  const key = /Sec-WebSocket-Key: (\S+)\r\n/.exec(transport.valueString())![1];
  transport.clear();
  return { protocol, transport, clock, key };
}

function answer(
  key: string,
  extra: Record<string, string> = {},
  status = "101 Switching Protocols",
): Uint8Array {
  let head =
    `HTTP/1.1 ${status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${
      acceptKey(key)
    }\r\n`;
  for (const [name, value] of Object.entries(extra)) {
    head += `${name}: ${value}\r\n`;
  }
  return bytes(`${head}\r\n`);
}

function lose(protocol: WebSocketClientProtocol): void {
  protocol.connectionLost(new Failure(new ConnectionDone()));
}

Deno.test("WebSocketClientProtocol given a factory URL when connected then sends a version 13 upgrade request for its resource with a fresh 16-byte key", () => {
  const clock = new Clock();
  const factory = new WebSocketClientFactory("ws://example.com:8080/chat?x=1", {
    reactor: clock,
    protocols: ["chat"],
    origin: "https://example.com",
    headers: { "X-Token": "t" },
  });
  const protocol = factory.buildProtocol({
    type: "TCP",
    host: "example.com",
    port: 8080,
  });
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  const request = transport.valueString();
  assert.match(
    request,
    /^GET \/chat\?x=1 HTTP\/1\.1\r\nHost: example\.com:8080\r\n/,
  );
  assert.match(request, /\r\nUpgrade: websocket\r\n/);
  assert.match(request, /\r\nConnection: Upgrade\r\n/);
  assert.match(request, /\r\nSec-WebSocket-Version: 13\r\n/);
  assert.match(request, /\r\nSec-WebSocket-Protocol: chat\r\n/);
  assert.match(request, /\r\nOrigin: https:\/\/example\.com\r\n/);
  assert.match(request, /\r\nX-Token: t\r\n/);
  const key = /Sec-WebSocket-Key: (\S+)\r\n/.exec(request)![1];
  assert.equal(atob(key).length, 16);
  assert.ok(request.endsWith("\r\n\r\n"));
  protocol.connectionLost(new Failure(new ConnectionDone()));
});

Deno.test("WebSocketClientProtocol given a valid 101 with a frame behind it when received then opens and delivers the frame", () => {
  const { protocol, key } = connect();
  protocol.dataReceived(
    new Uint8Array([...answer(key), ...frame(1, "welcome", { mask: false })]),
  );
  assert.equal(protocol.opened, 1);
  assert.deepEqual(protocol.messages, ["welcome"]);
  assert.equal(protocol.responses[0].protocol, null);
});

Deno.test("WebSocketClientProtocol given an open connection when sending then frames are masked", () => {
  const { protocol, transport, key } = connect();
  protocol.dataReceived(answer(key));
  protocol.sendMessage("hi");
  protocol.sendMessage(new Uint8Array([1, 2]), true);
  const frames = readFrames(transport.value());
  assert.deepEqual(frames.map((f) => [f.opcode, f.masked]), [[1, true], [
    2,
    true,
  ]]);
  assert.equal(text(frames[0].payload), "hi");
});

const bad: [string, (key: string) => Uint8Array, number][] = [
  ["a 403", (key) => answer(key, {}, "403 Forbidden"), 403],
  [
    "a wrong Sec-WebSocket-Accept",
    () => answer("AAAAAAAAAAAAAAAAAAAAAA=="),
    101,
  ],
  [
    "a subprotocol never offered",
    (key) => answer(key, { "Sec-WebSocket-Protocol": "other" }),
    101,
  ],
  [
    "an extension never offered",
    (key) => answer(key, { "Sec-WebSocket-Extensions": "permessage-deflate" }),
    101,
  ],
];
for (const [what, make, status] of bad) {
  Deno.test(`WebSocketClientProtocol given ${what} when the answer arrives then the connection is dropped with WebSocketHandshakeError`, () => {
    const { protocol, transport, key } = connect();
    protocol.dataReceived(make(key));
    assert.ok(transport.disconnecting);
    assert.ok(protocol.failure instanceof WebSocketHandshakeError);
    assert.equal((protocol.failure as WebSocketHandshakeError).status, status);
    lose(protocol);
    assert.equal(protocol.opened, 0);
    assert.deepEqual(protocol.closes.map(([clean, code]) => [clean, code]), [[
      false,
      1006,
    ]]);
  });
}

Deno.test("WebSocketClientProtocol given compressionOptions when the server accepts permessage-deflate then messages are compressed", () => {
  const { protocol, transport, key } = connect(undefined, {
    compressionOptions: {},
  });
  protocol.dataReceived(answer(key, {
    "Sec-WebSocket-Extensions":
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  }));
  assert.deepEqual(protocol.responses[0].extensions, ["permessage-deflate"]);
  protocol.sendMessage("y".repeat(200));
  assert.equal(readFrames(transport.value())[0].rsv, 4);
});

// Two messages a Python zlib compressor wrote with context takeover: the
// second refers back into the first (as Tornado 6.2 servers do whatever
// was agreed, since they drop valueless extension parameters).
const TAKEOVER_1 = "ykjNyclXKM8vyknRUcgAc5Lz80pSK0oUShKzU/PLUougwpSrAQA=";
const TAKEOVER_2 = "IkZNYnpiZp4iAA==";

Deno.test("WebSocketClientProtocol given compressionOptions when the server answers a bare permessage-deflate and keeps its context then its messages still inflate", () => {
  const { protocol, key } = connect(undefined, { compressionOptions: {} });
  protocol.dataReceived(
    answer(key, { "Sec-WebSocket-Extensions": "permessage-deflate" }),
  );
  assert.equal(protocol.failure, null);
  for (const payload of [TAKEOVER_1, TAKEOVER_2]) {
    const data = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    protocol.dataReceived(frame(1, data, { rsv: 4, mask: false }));
  }
  assert.deepEqual(protocol.messages, [
    "hello world, hello context takeover ".repeat(3),
    "hello world, hello context takeover again!",
  ]);
  lose(protocol);
});

Deno.test("WebSocketClientProtocol given the server's close frame when received then answers it and waits for the server to close the socket", () => {
  const { protocol, transport, key, clock } = connect(undefined, {
    closeHandshakeTimeout: 3,
  });
  protocol.dataReceived(answer(key));
  protocol.dataReceived(
    frame(8, closePayload(1001, "restart"), { mask: false }),
  );
  const [echo] = readFrames(transport.value());
  assert.deepEqual([echo.opcode, closeCodeOf(echo), echo.masked], [
    8,
    1001,
    true,
  ]);
  assert.equal(transport.disconnecting, false);
  clock.advance(3);
  assert.ok(transport.disconnecting);
  lose(protocol);
  assert.deepEqual(protocol.closes, [[true, 1001, "restart"]]);
});

Deno.test("WebSocketClientProtocol given a server that never answers when openHandshakeTimeout passes then the connection is dropped", () => {
  const { protocol, transport, clock } = connect(undefined, {
    openHandshakeTimeout: 1,
  });
  clock.advance(1);
  assert.ok(transport.disconnecting);
  lose(protocol);
  assert.match(protocol.closes[0][2] ?? "", /more than 1 seconds/);
});

Deno.test("parseWebSocketURL given ws and wss URLs when parsed then gives host, default ports and the resource", () => {
  assert.deepEqual(parseWebSocketURL("ws://h/"), {
    secure: false,
    host: "h",
    port: 80,
    resource: "/",
    hostHeader: "h",
  });
  assert.deepEqual(parseWebSocketURL("wss://h:8443/a?b=c"), {
    secure: true,
    host: "h",
    port: 8443,
    resource: "/a?b=c",
    hostHeader: "h:8443",
  });
  assert.throws(() => parseWebSocketURL("http://h/"), TypeError);
  assert.throws(() => parseWebSocketURL("ws://h/#frag"), TypeError);
});
