/**
 * The JavaScript cost of a WebSocket message through Torsion, without
 * sockets: each face's protocol on a `StringTransport`, so that neither the
 * kernel nor the other processes on the machine weigh on the figures (the
 * socket benchmarks are in bench/peers, `--suite ws`). Each iteration is
 * 1,000 messages, so nanoseconds per message = time per iteration / 1,000.
 *
 * - Server echo: a masked binary frame of 64 bytes or 16 KiB fed to the
 *   Twisted face's `WebSocketServerProtocol`, whose `onMessage` sends it
 *   back (read, unmask, copy, frame, write).
 * - Client round trip: the Twisted face's `sendMessage` answered in
 *   `onMessage` through a Promise, against the Tornado face's
 *   `writeMessage` then `await readMessage()`, the server's 64-byte frame
 *   fed back each time: their difference is the Tornado face's own cost.
 *
 * Run with `deno bench --allow-all bench/websocket_bench.ts`.
 *
 * @module
 */
import type { IProtocol } from "../reactor/interfaces.ts";
import {
  type WebSocketClientConnection,
  WebSocketClientFactory,
  WebSocketClientProtocol,
  websocketConnect,
  type WebSocketMessage,
  WebSocketServerFactory,
  WebSocketServerProtocol,
} from "../websocket/mod.ts";
import { acceptKey } from "../websocket/_handshake.ts";
import { MemoryReactor } from "../testing/memory_reactor.ts";
import { StringTransport } from "../testing/string_transport.ts";
import { maskedFrame } from "./peers/socket_ws_client.ts";

const MESSAGES = 1_000;

/**
 * Records the handshake, then drops what is written: a StringTransport
 * copies each write, which would weigh on the figures as much as the
 * message itself.
 */
class Sink extends StringTransport {
  open = false;

  override write(data: Uint8Array | string): void {
    if (!this.open) super.write(data);
  }
}
const PEER = { type: "TCP", host: "127.0.0.1", port: 8080 } as const;
const encoder = new TextEncoder();

class Echo extends WebSocketServerProtocol {
  override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    this.sendMessage(payload, isBinary);
  }
}

/** An open echo server on a StringTransport and the frame to feed it. */
function echoServer(size: number): {
  protocol: Echo;
  frame: Uint8Array;
} {
  const factory = new WebSocketServerFactory("ws://127.0.0.1:8080");
  factory.protocol = Echo;
  const protocol = factory.buildProtocol(PEER) as Echo;
  const transport = new Sink();
  protocol.makeConnection(transport);
  protocol.dataReceived(encoder.encode(
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  transport.open = true;
  return {
    protocol,
    frame: maskedFrame(new Uint8Array(size).fill(0x61)),
  };
}

for (const size of [64, 16384]) {
  const { protocol, frame } = echoServer(size);
  // A transport's read buffer is lent and reused: the frame is copied
  // into one, as a read would, and unmasked there.
  const read = new Uint8Array(frame.length);
  Deno.bench({
    name: `server echo of ${size} bytes, 1,000 messages`,
    group: "server echo",
    fn(): void {
      for (let i = 0; i < MESSAGES; i++) {
        read.set(frame);
        protocol.dataReceived(read);
      }
    },
  });
}

/** The server's side of a client handshake on `transport`. */
function answer(transport: Sink): Uint8Array {
  const key = /Sec-WebSocket-Key: (\S+)\r\n/.exec(transport.valueString())![1];
  transport.open = true;
  return encoder.encode(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${
      acceptKey(key)
    }\r\n\r\n`,
  );
}

/** A 64-byte unmasked binary frame, as a server sends it. */
const ECHO = new Uint8Array(66).fill(0x61);
ECHO[0] = 0x82;
ECHO[1] = 64;
const MESSAGE = new Uint8Array(64).fill(0x61);

/** A Twisted-face client that hands each echo's size to `answered`. */
class Waiting extends WebSocketClientProtocol {
  answered: ((size: number) => void) | null = null;

  override onMessage(payload: string | Uint8Array): void {
    const resolve = this.answered;
    this.answered = null;
    resolve?.(payload.length);
  }
}

function openTwisted(): Waiting {
  const factory = new WebSocketClientFactory("ws://127.0.0.1:8080/ws", {
    reactor: new MemoryReactor(),
  });
  factory.protocol = Waiting;
  const protocol = factory.buildProtocol(PEER) as Waiting;
  const transport = new Sink();
  protocol.makeConnection(transport);
  protocol.dataReceived(answer(transport));
  return protocol;
}

/** A Tornado-face client: the connection, and its protocol to feed. */
interface TornadoClient {
  conn: WebSocketClientConnection;
  protocol: IProtocol;
}

async function openTornado(): Promise<TornadoClient> {
  const reactor = new MemoryReactor();
  const opened = websocketConnect("ws://127.0.0.1:8080/ws", { reactor });
  const protocol = reactor.tcpClients[0][2].buildProtocol(PEER);
  if (protocol === null) throw new Error("websocketConnect built no protocol");
  const transport = new Sink();
  protocol.makeConnection(transport);
  protocol.dataReceived(answer(transport));
  return { conn: await opened, protocol };
}

function twistedRoundTrip(protocol: Waiting): Promise<number> {
  return new Promise<number>((resolve) => {
    protocol.answered = resolve;
    protocol.sendMessage(MESSAGE, true);
  });
}

async function tornadoRoundTrip(
  { conn }: TornadoClient,
): Promise<WebSocketMessage> {
  conn.writeMessage(MESSAGE, true);
  return await conn.readMessage();
}

/**
 * Has every client send a message, feeds each its echo, and waits for all
 * of them, until 1,000 round trips are done (the arrays it makes each turn
 * cost little against 50 round trips, but would against one).
 */
async function roundTrips<C>(
  clients: C[],
  protocolOf: (client: C) => IProtocol,
  roundTrip: (client: C) => Promise<unknown>,
): Promise<void> {
  for (let done = 0; done < MESSAGES; done += clients.length) {
    const echoed = clients.map(roundTrip);
    for (const client of clients) protocolOf(client).dataReceived(ECHO);
    await Promise.all(echoed);
  }
}

const twisted = openTwisted();
const tornado = await openTornado();

Deno.bench({
  name: "Twisted face: sendMessage, echo in onMessage, 1,000 round trips",
  group: "client round trip of 64 bytes",
  baseline: true,
  async fn(): Promise<void> {
    for (let i = 0; i < MESSAGES; i++) {
      const echoed = twistedRoundTrip(twisted);
      twisted.dataReceived(ECHO);
      await echoed;
    }
  },
});

Deno.bench({
  name: "Tornado face: writeMessage, await readMessage(), 1,000 round trips",
  group: "client round trip of 64 bytes",
  async fn(): Promise<void> {
    for (let i = 0; i < MESSAGES; i++) {
      const echoed = tornadoRoundTrip(tornado);
      tornado.protocol.dataReceived(ECHO);
      await echoed;
    }
  },
});

// Fifty connections in turn, as in bench/peers: a call site in the engine
// that meets each connection's protocol sees as many protocols as there
// are connections, which one connection does not show.
const CONNECTIONS = 50;
const twistedMany = Array.from({ length: CONNECTIONS }, openTwisted);
const tornadoMany = await Promise.all(
  Array.from({ length: CONNECTIONS }, openTornado),
);
const tornadoOf = ({ protocol }: TornadoClient): IProtocol => protocol;

Deno.bench({
  name: "Twisted face over 50 connections, 1,000 round trips",
  group: "client round trips of 64 bytes over 50 connections",
  baseline: true,
  async fn(): Promise<void> {
    await roundTrips(twistedMany, (protocol) => protocol, twistedRoundTrip);
  },
});

Deno.bench({
  name: "Tornado face over 50 connections, 1,000 round trips",
  group: "client round trips of 64 bytes over 50 connections",
  async fn(): Promise<void> {
    await roundTrips(tornadoMany, tornadoOf, tornadoRoundTrip);
  },
});
