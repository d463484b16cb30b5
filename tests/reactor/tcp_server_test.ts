import assert from "node:assert/strict";
import type { IAddress } from "../../reactor/interfaces.ts";
import { type IOStream, SSLIOStream } from "../../reactor/iostream.ts";
import { TCPClient } from "../../reactor/tcp_client.ts";
import { TCPServer } from "../../reactor/tcp_server.ts";
import { reactorTest } from "./_loopback.ts";
import { fixture, within } from "../_support/mod.ts";
import { captureLogs, recordText } from "../_support/mod.ts";

const decoder = new TextDecoder();

/** Writes "hi <peer port>" and closes; records each address it is given. */
class Greeter extends TCPServer {
  readonly addresses: IAddress[] = [];
  readonly streams: IOStream[] = [];

  override async handleStream(
    stream: IOStream,
    address: IAddress,
  ): Promise<void> {
    this.addresses.push(address);
    this.streams.push(stream);
    await stream.write(`hi ${address.port}\n`);
    stream.close();
  }
}

reactorTest(
  "TCPServer.listen given a subclass when a client connects then handleStream gets the stream and the client's address",
  async (reactor) => {
    const server = new Greeter({ reactor });
    const port = server.listen(0, "127.0.0.1").getHost().port;
    const stream = await within(
      new TCPClient({ reactor }).connect("127.0.0.1", port),
      "connect",
    );
    const line = decoder.decode(
      await within(stream.readUntil("\n"), "the greeting"),
    );
    assert.equal(server.addresses[0].host, "127.0.0.1");
    assert.equal(line, `hi ${server.addresses[0].port}\n`);
    await within(stream.readUntilClose(), "the close");
    await server.stop();
  },
);

reactorTest(
  "TCPServer.bind given no start when a client connects then handleStream waits until start",
  async (reactor) => {
    const server = new Greeter({ reactor });
    const port = server.bind(0, "127.0.0.1").getHost().port;
    const stream = await within(
      new TCPClient({ reactor }).connect("127.0.0.1", port),
      "connect",
    );
    const greeting = stream.readUntil("\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(server.addresses.length, 0);
    server.start();
    assert.match(
      decoder.decode(await within(greeting, "the greeting")),
      /^hi \d+\n$/,
    );
    await within(stream.readUntilClose(), "the close");
    await server.stop();
  },
);

Deno.test("TCPServer.start given more than one process when called then throws RangeError", () => {
  assert.throws(() => new TCPServer().start(2), RangeError);
});

reactorTest(
  "TCPServer.stop given an accepted connection when stopped then the port closes and the connection stays usable",
  async (reactor) => {
    class Echo extends TCPServer {
      override async handleStream(stream: IOStream): Promise<void> {
        const line = await stream.readUntil("\n");
        await stream.write(line);
        stream.close();
      }
    }
    const server = new Echo({ reactor });
    const port = server.listen(0, "127.0.0.1").getHost().port;
    const stream = await within(
      new TCPClient({ reactor }).connect("127.0.0.1", port),
      "connect",
    );
    await within(server.stop(), "the port to close");
    assert.equal(server.ports.length, 0);
    await stream.write("still here\n");
    assert.equal(
      decoder.decode(await within(stream.readUntilClose(), "the echo")),
      "still here\n",
    );
  },
);

reactorTest(
  "TCPServer given a handleStream that throws when a client connects then the error is logged once and the stream closed",
  async (reactor) => {
    class Broken extends TCPServer {
      override handleStream(): void {
        throw new Error("broken handler");
      }
    }
    const records = await captureLogs(async () => {
      const server = new Broken({ reactor });
      const port = server.listen(0, "127.0.0.1").getHost().port;
      const stream = await within(
        new TCPClient({ reactor }).connect("127.0.0.1", port),
        "connect",
      );
      assert.equal(
        (await within(stream.readUntilClose(), "the close")).length,
        0,
      );
      await server.stop();
    });
    const errors = records.filter((r) =>
      recordText(r).includes("broken handler")
    );
    assert.equal(errors.length, 1);
  },
);

reactorTest(
  "TCPServer given sslOptions when a TLS client connects then the streams are SSLIOStreams and bytes round-trip",
  async (reactor) => {
    const server = new Greeter({
      reactor,
      sslOptions: {
        cert: fixture("localhost.crt"),
        key: fixture("localhost.key"),
      },
    });
    const port = server.listen(0, "127.0.0.1").getHost().port;
    const stream = await within(
      new TCPClient({ reactor }).connect("localhost", port, {
        sslOptions: { caCerts: [fixture("localhost.crt")] },
      }),
      "connect over TLS",
    );
    assert.ok(stream instanceof SSLIOStream);
    await within((stream as SSLIOStream).waitForHandshake(), "the handshake");
    assert.match(
      decoder.decode(await within(stream.readUntil("\n"), "the greeting")),
      /^hi \d+\n$/,
    );
    assert.ok(server.streams[0] instanceof SSLIOStream);
    await within(stream.readUntilClose(), "the close");
    await server.stop();
  },
);
