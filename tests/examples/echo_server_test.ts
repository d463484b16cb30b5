import assert from "node:assert/strict";
import {
  DEFAULT_PORT,
  Echo,
  EchoFactory,
  main,
} from "../../examples/echo_server.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { runServerMain } from "./_run_main.ts";
import { LineClient, Program } from "./_net.ts";
import { within } from "../_support/mod.ts";

const SCRIPT = new URL("../../examples/echo_server.ts", import.meta.url);

Deno.test("Echo given a chunk when it arrives then writes the same bytes back", () => {
  const protocol = new Echo();
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  protocol.dataReceived(new Uint8Array([0, 1, 255]));
  protocol.dataReceived(new TextEncoder().encode("hi"));
  assert.deepEqual(transport.value(), new Uint8Array([0, 1, 255, 104, 105]));
});

Deno.test("EchoFactory given two clients over TCP when each sends then each gets only its own data back", async () => {
  const reactor = new Reactor();
  const port = reactor.listenTCP(0, new EchoFactory(), {
    interface: "127.0.0.1",
  });
  const a = await LineClient.connect(port.getHost().port);
  const b = await LineClient.connect(port.getHost().port);
  try {
    await a.write("from a\n");
    await b.write("from b\n");
    assert.equal(await a.lines.next("a's echo"), "from a");
    assert.equal(await b.lines.next("b's echo"), "from b");
  } finally {
    await a.close();
    await b.close();
    await disconnectAll(reactor);
  }
});

Deno.test("main() given no arguments when run then listens on 127.0.0.1 at the seed's port 60000 and prints the nc command", async () => {
  const { code, listened, lines } = await runServerMain(main);
  assert.equal(code, 0);
  assert.equal(DEFAULT_PORT, 60000);
  assert.deepEqual(listened, [[60000, "127.0.0.1"]]);
  assert.ok(
    lines.includes("Connect with: nc 127.0.0.1 60000   (Ctrl-C to stop)"),
    lines.join("\n"),
  );
});

Deno.test("echo_server.ts given a port that is not a number when run then prints usage and exits 2", async () => {
  const program = new Program(SCRIPT, ["--port", "http"]);
  try {
    const { code, stderr } = await program.exit();
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--port must be a number from 0 to 65535: current value is http/,
    );
    assert.match(stderr, /Usage: echo_server\.ts/);
  } finally {
    await program.close();
  }
});

Deno.test("echo_server.ts given --port 0 when run then prints its port, echoes, and exits 0 on SIGINT", async () => {
  const program = new Program(SCRIPT, ["--port", "0"]);
  let client: LineClient | undefined;
  try {
    const banner = await program.stdout.find(
      (line) => line.startsWith("Echo server listening on"),
      "the listening banner",
    );
    const port = Number(/:(\d+)$/.exec(banner)![1]);
    assert.match(
      await program.stdout.next("the connect hint") ?? "",
      new RegExp(`nc 127\\.0\\.0\\.1 ${port}`),
    );
    client = await LineClient.connect(port);
    await client.write("round trip\n");
    assert.equal(await client.lines.next("the echo"), "round trip");
    program.kill("SIGINT");
    const { code } = await program.exit();
    assert.equal(code, 0);
    await within(client.closedByPeer(), "the server to close the client");
  } finally {
    await client?.close();
    await program.close();
  }
});
