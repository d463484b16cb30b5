import assert from "node:assert/strict";
import { TimeoutError } from "../../deferred/errors.ts";
import {
  ConnectionRefusedError,
  DNSLookupError,
} from "../../reactor/errors.ts";
import { TCPClient } from "../../reactor/tcp_client.ts";
import { reactorTest } from "./_loopback.ts";
import { closedPort, within } from "../_support/mod.ts";
import { Failure } from "../../deferred/failure.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";

reactorTest(
  "TCPClient.connect given a closed port when connecting then fails with ConnectionRefusedError",
  async (reactor) => {
    await assert.rejects(
      async () =>
        await within(
          new TCPClient({ reactor }).connect("127.0.0.1", closedPort()),
          "refusal",
        ),
      ConnectionRefusedError,
    );
  },
);

reactorTest(
  "TCPClient.connect given an unresolvable host when connecting then fails with DNSLookupError",
  async (reactor) => {
    await assert.rejects(
      async () =>
        await within(
          new TCPClient({ reactor }).connect("no-such-host.invalid", 80),
          "the lookup",
          20000,
        ),
      DNSLookupError,
    );
  },
);

reactorTest(
  "TCPClient.connect given a listener when connected then the stream reads what the server writes",
  async (reactor) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepted = listener.accept().then(async (conn) => {
      await conn.write(new TextEncoder().encode("welcome\n"));
      conn.close();
    });
    try {
      const stream = await within(
        new TCPClient({ reactor }).connect(
          "127.0.0.1",
          (listener.addr as Deno.NetAddr).port,
        ),
        "connect",
      );
      assert.equal(
        new TextDecoder().decode(
          await within(stream.readUntilClose(), "the data"),
        ),
        "welcome\n",
      );
      assert.equal(stream.getPeer().host, "127.0.0.1");
    } finally {
      await accepted;
      listener.close();
    }
  },
);

Deno.test("TCPClient.connect given a timeout when the connector times out then passes the timeout and fails with TimeoutError", async () => {
  const reactor = new MemoryReactor();
  const connecting = new TCPClient({ reactor }).connect("10.255.255.1", 80, {
    timeout: 1,
  });
  const [host, port, factory, timeout] = reactor.tcpClients[0];
  assert.deepEqual([host, port, timeout], ["10.255.255.1", 80, 1]);
  factory.clientConnectionFailed(
    reactor.connectors[0],
    new Failure(new TimeoutError("Connection timed out after 1 s")),
  );
  await assert.rejects(async () => await connecting, TimeoutError);
});

Deno.test("TCPClient.connect given a pending attempt when cancelled then stops connecting", async () => {
  const reactor = new MemoryReactor();
  const connecting = new TCPClient({ reactor }).connect("127.0.0.1", 80);
  connecting.cancel();
  await assert.rejects(async () => await connecting);
  assert.ok(reactor.connectors[0].stoppedConnecting);
});
