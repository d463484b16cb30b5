// deno-lint-ignore-file no-console -- it stands in for console while main runs
import assert from "node:assert/strict";
import {
  DEFAULT_PORT,
  echoOnce,
  EchoServer,
  main,
} from "../../examples/tornado_echo.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { Program } from "./_net.ts";
import { within } from "../_support/mod.ts";

const SCRIPT = new URL("../../examples/tornado_echo.ts", import.meta.url);

Deno.test("EchoServer given two clients when each sends a line then each gets its own line back", async () => {
  const reactor = new Reactor();
  const server = new EchoServer({ reactor });
  const port = server.listen(0, "127.0.0.1").getHost().port;
  try {
    const [a, b] = await within(
      Promise.all([
        echoOnce("127.0.0.1", port, "from a", reactor),
        echoOnce("127.0.0.1", port, "from b", reactor),
      ]),
      "both echoes",
    );
    assert.deepEqual([a, b], ["from a", "from b"]);
    assert.equal(server.echoed, 2);
  } finally {
    await server.stop();
    await disconnectAll(reactor);
  }
});

Deno.test("tornado_echo.ts given the server and the client as programs when the client runs then it prints the echo", async () => {
  const server = new Program(SCRIPT, ["server", "--port", "0"]);
  try {
    const listening = await server.stdout.find(
      (line) => line.startsWith("Echo server listening on "),
      "the server's address",
    );
    const port = listening.split(":").at(-1) as string;
    const client = new Program(SCRIPT, [
      "client",
      "--port",
      port,
      "--message",
      "hello tornado",
    ]);
    try {
      assert.equal(await client.stdout.next("the echo"), "hello tornado");
      assert.equal((await client.exit()).code, 0);
    } finally {
      await client.close();
    }
    assert.match(
      await server.stdout.find(
        (line) => line.startsWith("Received"),
        "the log",
      ),
      /hello tornado$/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("main() given no mode when run then prints the usage and returns 2", async () => {
  const { error } = console;
  const lines: string[] = [];
  console.error = (...data: unknown[]) => lines.push(data.join(" "));
  try {
    assert.equal(await main([]), 2);
  } finally {
    console.error = error;
  }
  assert.match(lines.join("\n"), /Usage: tornado_echo.ts server\|client/);
  assert.equal(DEFAULT_PORT, 9888);
});
