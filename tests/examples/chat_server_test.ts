import assert from "node:assert/strict";
import {
  type ChatFactory,
  ChatProtocol,
  DEFAULT_PORT,
  formatMessage,
  main,
  makeChatFactory,
} from "../../examples/chat_server.ts";
import type { IListeningPort } from "../../reactor/interfaces.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { StringTransportWithDisconnection } from "../../testing/string_transport.ts";
import { runServerMain } from "./_run_main.ts";
import { LineClient, Program } from "./_net.ts";
import { captureLogs, until, within } from "../_support/mod.ts";
import { IPv4Address } from "../../reactor/ipv4_address.ts";
import { buildProtocol } from "../../testing/build_protocol.ts";

const SCRIPT = new URL("../../examples/chat_server.ts", import.meta.url);
const NOON = new Date(2024, 4, 1, 12, 0, 5);
const STAMP = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] /;

/** A chat room on a fresh reactor, listening on a free loopback port. */
class Room {
  readonly reactor = new Reactor();
  readonly log: string[] = [];
  readonly factory: ChatFactory;
  readonly port: IListeningPort;
  readonly clients: LineClient[] = [];

  constructor(factory: ChatFactory = makeChatFactory()) {
    this.factory = factory;
    factory.log = (message) => this.log.push(message);
    this.port = this.reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  }

  async join(): Promise<LineClient> {
    const client = await LineClient.connect(this.port.getHost().port);
    this.clients.push(client);
    const name = `127.0.0.1:${client.localPort} joined`;
    await until(
      () => this.log.some((line) => line.startsWith(name)),
      name,
    );
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients) await client.close();
    await disconnectAll(this.reactor);
  }
}

function fakeClient(
  factory: ChatFactory,
  port: number,
): [ChatProtocol, StringTransportWithDisconnection] {
  const protocol = buildProtocol(
    factory,
    new IPv4Address("TCP", "127.0.0.1", port),
  );
  const transport = new StringTransportWithDisconnection({
    peerAddress: { type: "TCP", host: "127.0.0.1", port },
  }, protocol);
  protocol.makeConnection(transport);
  return [protocol, transport];
}

Deno.test("formatMessage() given a time, sender and line when formatted then uses the [%F %T] host:port format of the original", () => {
  assert.equal(
    formatMessage(
      NOON,
      { type: "TCP", host: "127.0.0.1", port: 50000 },
      "hello",
    ),
    "[2024-05-01 12:00:05] 127.0.0.1:50000 hello",
  );
});

Deno.test("ChatFactory given two clients when one sends a line then only the other receives it, stamped", () => {
  const factory = makeChatFactory({ log: () => {}, now: () => NOON });
  const [a, aTransport] = fakeClient(factory, 1111);
  const [, bTransport] = fakeClient(factory, 2222);
  a.dataReceived(new TextEncoder().encode("hi all\r\n"));
  assert.equal(
    bTransport.valueString(),
    "[2024-05-01 12:00:05] 127.0.0.1:1111 hi all\n",
  );
  assert.equal(aTransport.valueString(), "");
});

Deno.test("ChatFactory given a client when it sends quit then it is disconnected and removed", () => {
  const factory = makeChatFactory({ log: () => {} });
  const [a, aTransport] = fakeClient(factory, 1111);
  const [, bTransport] = fakeClient(factory, 2222);
  a.dataReceived(new TextEncoder().encode("quit\nignored\n"));
  assert.equal(aTransport.connected, false);
  assert.equal(factory.clients.size, 1);
  assert.equal(bTransport.valueString(), "");
});

Deno.test("ChatFactory given a recipient whose write throws when broadcasting then the others still get the line", () => {
  const factory = makeChatFactory({ log: () => {} });
  const [a] = fakeClient(factory, 1111);
  const [, bTransport] = fakeClient(factory, 2222);
  bTransport.write = () => {
    throw new Error("broken pipe");
  };
  const [, cTransport] = fakeClient(factory, 3333);
  a.dataReceived(new TextEncoder().encode("still here\n"));
  assert.match(cTransport.valueString(), /127\.0\.0\.1:1111 still here\n$/);
});

Deno.test("chat server given clients A and B over TCP when A sends a line then B gets it with A's address and A does not", async () => {
  const room = new Room();
  try {
    const a = await room.join();
    const b = await room.join();
    await a.write("hello from a\n");
    const line = await b.lines.next("A's line at B");
    assert.match(line!, STAMP);
    assert.ok(line!.endsWith(` 127.0.0.1:${a.localPort} hello from a`), line!);
    await b.write("hello from b\n");
    // Had A's own line come back, it would be queued ahead of B's.
    assert.ok((await a.lines.next("B's line at A"))!.endsWith("hello from b"));
  } finally {
    await room.close();
  }
});

Deno.test("chat server given client A when it sends quit then A is closed and removed while B and C still chat", async () => {
  const room = new Room();
  try {
    const a = await room.join();
    const b = await room.join();
    const c = await room.join();
    await a.write("quit\r\n");
    await a.closedByPeer();
    await until(() => room.factory.clients.size === 2, "A to be removed");
    await b.write("after quit\n");
    assert.ok((await c.lines.next("B's line at C"))!.endsWith("after quit"));
  } finally {
    await room.close();
  }
});

Deno.test("chat server given client A when it closes its socket without quit then A is removed and B still chats", async () => {
  const room = new Room();
  try {
    const a = await room.join();
    const b = await room.join();
    const c = await room.join();
    await a.close();
    await until(() => room.factory.clients.size === 2, "A to be removed");
    assert.ok(
      room.log.some((line) => line.startsWith(`127.0.0.1:${a.localPort} left`)),
    );
    await b.write("still up\n");
    assert.ok((await c.lines.next("B's line at C"))!.endsWith("still up"));
  } finally {
    await room.close();
  }
});

Deno.test("chat server given client A when it sends a line over 16 KiB then only A is dropped", async () => {
  const room = new Room();
  try {
    const a = await room.join();
    const b = await room.join();
    await a.write(`${"x".repeat(20_000)}\n`);
    await a.closedByPeer();
    await until(() => room.factory.clients.size === 1, "A to be removed");
    assert.ok(room.log.some((line) => line.includes("dropping it")));
    const c = await room.join();
    await b.write("long line survived\n");
    assert.ok(
      (await c.lines.next("B's line at C"))!.endsWith("long line survived"),
    );
  } finally {
    await room.close();
  }
});

Deno.test("chat server given a handler that throws for client A when A sends a line then only A is dropped and the error is logged", async () => {
  class Fragile extends ChatProtocol {
    override lineReceived(line: string): void {
      if (line === "boom") throw new Error("handler bug");
      super.lineReceived(line);
    }
  }
  const factory = makeChatFactory();
  factory.protocol = Fragile;
  const records = await captureLogs(async () => {
    const room = new Room(factory);
    try {
      const a = await room.join();
      const b = await room.join();
      const c = await room.join();
      await a.write("boom\n");
      await a.closedByPeer();
      await until(
        () => room.factory.clients.size === 2,
        "A to be removed",
      );
      await b.write("after the bug\n");
      assert.ok(
        (await c.lines.next("B's line at C"))!.endsWith("after the bug"),
      );
    } finally {
      await room.close();
    }
  });
  assert.ok(
    records.some((record) => record.level === "error"),
    "the handler's error is logged",
  );
});

Deno.test("main() given no arguments when run then listens on 127.0.0.1 at the seed's port 9999 and prints the nc command", async () => {
  const { code, listened, lines } = await runServerMain(main);
  assert.equal(code, 0);
  assert.equal(DEFAULT_PORT, 9999);
  assert.deepEqual(listened, [[9999, "127.0.0.1"]]);
  assert.ok(
    lines.includes("Connect with: nc 127.0.0.1 9999   (Ctrl-C to stop)"),
    lines.join("\n"),
  );
});

Deno.test("chat_server.ts given --port 0 when run then prints how to connect, relays lines, and exits 0 on SIGINT", async () => {
  const program = new Program(SCRIPT, ["--port", "0"]);
  const clients: LineClient[] = [];
  try {
    const banner = await program.stdout.find(
      (line) => line.startsWith("Chat server listening on"),
      "the listening banner",
    );
    const port = Number(/:(\d+)$/.exec(banner)![1]);
    assert.match(
      await program.stdout.next("the connect hint") ?? "",
      new RegExp(`nc 127\\.0\\.0\\.1 ${port}`),
    );
    const a = await LineClient.connect(port);
    const b = await LineClient.connect(port);
    clients.push(a, b);
    await program.stdout.find(
      (line) => line.includes("(2 online)"),
      "both joins",
    );
    await a.write("over the wire\n");
    assert.ok((await b.lines.next("A's line at B"))!.endsWith("over the wire"));
    program.kill("SIGINT");
    const { code } = await program.exit();
    assert.equal(code, 0);
    await within(b.closedByPeer(), "the server to close B");
  } finally {
    for (const client of clients) await client.close();
    await program.close();
  }
});

Deno.test("chat server given client A when quit and more lines arrive in one chunk then the later lines are not relayed", async () => {
  const room = new Room();
  try {
    const a = await room.join();
    const b = await room.join();
    const c = await room.join();
    await a.write("quit\nsneaky\n");
    await a.closedByPeer();
    await until(() => room.factory.clients.size === 2, "A to be removed");
    await c.write("marker\n");
    // TCP keeps order: a relayed "sneaky" would reach B before the marker.
    assert.ok((await b.lines.next("the marker at B"))!.endsWith(" marker"));
  } finally {
    await room.close();
  }
});
