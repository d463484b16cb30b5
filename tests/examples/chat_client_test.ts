import assert from "node:assert/strict";
import { ChatClientFactory } from "../../examples/chat_client.ts";
import { makeChatFactory } from "../../examples/chat_server.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { LineClient, Program } from "./_net.ts";
import { closedPort, until } from "../_support/mod.ts";
import { buildProtocol } from "../../testing/build_protocol.ts";

const SCRIPT = new URL("../../examples/chat_client.ts", import.meta.url);

/** A chat server on a fresh reactor, and a plain client watching the room. */
async function startRoom(): Promise<
  { reactor: Reactor; port: number; watcher: LineClient; log: string[] }
> {
  const reactor = new Reactor();
  const log: string[] = [];
  const factory = makeChatFactory({ log: (line) => log.push(line) });
  const port =
    reactor.listenTCP(0, factory, { interface: "127.0.0.1" }).getHost().port;
  const watcher = await LineClient.connect(port);
  return { reactor, port, watcher, log };
}

Deno.test("ChatClientProtocol given a connection when made then says hello to the server", () => {
  const factory = new ChatClientFactory(new MemoryReactor());
  const printed: string[] = [];
  factory.print = (line) => printed.push(line);
  const protocol = buildProtocol(factory);
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  assert.equal(transport.valueString(), "say hello\n");
  assert.match(printed[0], /^Connected to 192\.168\.1\.1:54321/);
});

Deno.test("ChatClientFactory given lines typed before connecting when connected then sends them in order", () => {
  const factory = new ChatClientFactory(new MemoryReactor());
  factory.print = () => {};
  factory.send("first");
  factory.send("second");
  const protocol = buildProtocol(factory);
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  assert.equal(transport.valueString(), "say hello\nfirst\nsecond\n");
});

Deno.test("chat_client.ts given a chat server when run then sends hello and stdin lines, prints arrivals, and quit exits 0", async () => {
  const { reactor, port, watcher, log } = await startRoom();
  const program = new Program(SCRIPT, ["--port", String(port)]);
  try {
    await program.stdout.find(
      (line) => line.startsWith("Connected to"),
      "the client to connect",
    );
    const hello = await watcher.lines.next("the client's hello");
    assert.match(hello!, /^\[[^\]]+\] 127\.0\.0\.1:\d+ say hello$/);

    await watcher.write("hi client\n");
    const printed = await program.stdout.find(
      (line) => line.endsWith("hi client"),
      "the client to print the watcher's line",
    );
    assert.match(printed, /^\[[^\]]+\] 127\.0\.0\.1:\d+ hi client$/);

    await program.type("typed line\n");
    assert.ok(
      (await watcher.lines.next("the typed line"))!.endsWith(" typed line"),
    );

    await program.type("quit\n");
    const { code } = await program.exit();
    assert.equal(code, 0);
    await until(
      () => log.some((line) => line.includes("left")),
      "the server to see the client leave",
    );
  } finally {
    await program.close();
    await watcher.close();
    await disconnectAll(reactor);
  }
});

Deno.test("chat_client.ts given the server closes the connection when running then exits 0", async () => {
  const { reactor, port, watcher } = await startRoom();
  const program = new Program(SCRIPT, ["--port", String(port)]);
  try {
    await program.stdout.find(
      (line) => line.startsWith("Connected to"),
      "the client to connect",
    );
    await watcher.lines.next("the client's hello");
    await disconnectAll(reactor);
    const { code } = await program.exit();
    assert.equal(code, 0);
  } finally {
    await program.close();
    await watcher.close();
  }
});

Deno.test("chat_client.ts given no server listening when run then reports the failure and exits 1", async () => {
  const program = new Program(SCRIPT, ["--port", String(closedPort())]);
  try {
    const { code, stderr } = await program.exit();
    assert.equal(code, 1);
    assert.match(stderr, /Could not connect/);
  } finally {
    await program.close();
  }
});
