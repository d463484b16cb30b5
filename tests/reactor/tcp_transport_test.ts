import assert from "node:assert/strict";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
} from "../../reactor/errors.ts";
import type {
  IPullProducer,
  IPushProducer,
  ITCPTransport,
} from "../../reactor/interfaces.ts";
import {
  connectedPair,
  listenLocal,
  type Pair,
  reactorTest,
} from "./_loopback.ts";
import { Echo, Recorder, RecordingServerFactory } from "./_recorders.ts";
import { sleep, within } from "../_support/mod.ts";

const MiB = 1024 * 1024;

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

function tcp(protocol: Recorder): ITCPTransport {
  return protocol.transport as ITCPTransport;
}

reactorTest(
  "write() given a connected client when the server echoes then the client receives the same bytes",
  async (reactor) => {
    const { client } = await connectedPair(
      reactor,
      () => new Echo(),
      () => new Recorder(),
    );
    client.transport!.write(new TextEncoder().encode("ping"));
    await within(client.received(4), "the echo");
    assert.equal(client.text(), "ping");
  },
);

reactorTest(
  "write() given a string when sent then the peer receives its UTF-8 bytes",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    client.transport!.write("héllo");
    await within(server.received(6), "the text");
    assert.equal(server.text(), "héllo");
  },
);

reactorTest(
  "writeSequence() given several pieces when sent then the peer receives them in order",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    client.transport!.writeSequence(["a", new TextEncoder().encode("bc"), "d"]);
    await within(server.received(4), "the pieces");
    assert.equal(server.text(), "abcd");
  },
);

reactorTest(
  "write() given neither bytes nor a string when called then throws TypeError",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    assert.throws(
      () => client.transport!.write(42 as unknown as string),
      TypeError,
    );
  },
);

reactorTest(
  "dataReceived() given a piece kept by the protocol when more data arrives then the kept piece is unchanged",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    client.transport!.write("first");
    await within(server.received(5), "the first piece");
    const kept = server.chunks[0];
    client.transport!.write("SECOND");
    await within(server.received(11), "the second piece");
    assert.equal(new TextDecoder().decode(kept), "first");
  },
);

reactorTest(
  "dataReceived() given 1 MiB and then short messages when read then every byte arrives in order and the kept pieces stay unchanged",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    const large = pattern(MiB);
    client.transport!.write(large);
    await within(server.received(MiB), "the large transfer");
    // The read buffer grew to its largest; short messages make it shrink
    // again, and no piece handed over may change when a later read comes.
    for (let i = 1; i <= 8; i++) {
      client.transport!.write(pattern(10 * i));
      await within(server.received(MiB + 5 * i * (i + 1)), `message ${i}`);
    }
    assert.ok(server.chunks.every((chunk) => chunk.byteLength <= 65536));
    const expected = [large];
    for (let i = 1; i <= 8; i++) expected.push(pattern(10 * i));
    const joined = new Uint8Array(MiB + 360);
    let offset = 0;
    for (const piece of expected) {
      joined.set(piece, offset);
      offset += piece.byteLength;
    }
    assert.deepEqual(server.joined(), joined);
    assert.equal(server.chunks.at(-1)?.byteLength, 80);
  },
);

reactorTest(
  "dataReceived() given 1,174 bytes written at once on a fresh connection when read then they arrive in two pieces of 256 and 918 bytes",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    // The first read buffer holds 256 bytes; filling it makes the next one
    // four times as large, enough for the rest of a 1 KiB response.
    client.transport!.write(pattern(1174));
    await within(server.received(1174), "the bytes");
    assert.deepEqual(server.chunks.map((chunk) => chunk.byteLength), [
      256,
      918,
    ]);
    assert.deepEqual(server.joined(), pattern(1174));
  },
);

reactorTest(
  "loseConnection() given a connection when called then both sides get connectionMade, data, connectionLost in order with ConnectionDone",
  async (reactor) => {
    const { client, server } = await connectionPairWithData(reactor);
    client.transport!.loseConnection();
    const [clientReason, serverReason] = await within(
      Promise.all([client.lost, server.lost]),
      "connectionLost",
    );
    assert.ok(clientReason.check(ConnectionDone));
    assert.ok(serverReason.check(ConnectionDone));
    assert.deepEqual(server.events, [
      "connectionMade",
      "dataReceived",
      "connectionLost",
    ]);
  },
);

async function connectionPairWithData(
  reactor: Reactor,
): Promise<Pair<Recorder, Recorder>> {
  const pair = await connectedPair(reactor);
  pair.client.transport!.write("x");
  await within(pair.server.received(1), "the byte");
  return pair;
}

reactorTest(
  "loseConnection() given 4 MiB queued when called then the peer receives every byte before ConnectionDone",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    const payload = pattern(4 * MiB);
    server.transport!.write(payload);
    server.transport!.loseConnection();
    const reason = await within(client.lost, "the client's connectionLost");
    assert.ok(reason.check(ConnectionDone));
    assert.equal(client.bytes, payload.byteLength);
    assert.deepEqual(client.joined(), payload);
  },
);

reactorTest(
  "loseConnection() given called twice when the connection closes then connectionLost runs once",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    client.transport!.loseConnection();
    client.transport!.loseConnection();
    tcp(client).abortConnection();
    await within(client.lost, "connectionLost");
    await sleep(20);
    assert.deepEqual(client.events, ["connectionMade", "connectionLost"]);
  },
);

reactorTest(
  "loseConnection() given a connection when called then connectionLost is not called before it returns",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    client.transport!.loseConnection();
    assert.deepEqual(client.events, ["connectionMade"]);
    await within(client.lost, "connectionLost");
  },
);

reactorTest(
  "write() given loseConnection was called when the flush is pending then the bytes are still sent",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    server.transport!.write("before ");
    server.transport!.loseConnection();
    server.transport!.write("after");
    await within(client.lost, "connectionLost");
    assert.equal(client.text(), "before after");
  },
);

reactorTest(
  "abortConnection() given queued writes when called then drops them and connectionLost receives ConnectionAborted",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    server.transport!.write(pattern(MiB));
    tcp(server).abortConnection();
    const [serverReason] = await within(
      Promise.all([server.lost, client.lost]),
      "connectionLost",
    );
    assert.ok(serverReason.check(ConnectionAborted));
    assert.equal(client.bytes, 0);
  },
);

reactorTest(
  "write() given the connection was lost when called then is ignored without throwing",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    const transport = client.transport!;
    tcp(client).abortConnection();
    transport.write("ignored after abort");
    await within(Promise.all([client.lost, server.lost]), "connectionLost");
    transport.write("ignored after connectionLost");
    assert.equal(server.bytes, 0);
  },
);

reactorTest(
  "getPeer() given a client when compared with the server's getHost() then both name the same endpoint",
  async (reactor) => {
    const { client, server, port } = await connectedPair(reactor);
    assert.deepEqual(client.transport!.getPeer(), port.getHost());
    assert.deepEqual(server.transport!.getPeer(), client.transport!.getHost());
    assert.equal(server.transport!.getPeer().type, "TCP");
  },
);

reactorTest(
  "getTcpNoDelay() given a new connection when read then Nagle's algorithm is off on both ends",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    assert.equal(tcp(client).getTcpNoDelay(), true);
    assert.equal(tcp(server).getTcpNoDelay(), true);
  },
);

/** The prototype of Deno's TCP connections, accepted and connected alike. */
async function tcpConnPrototype(): Promise<Deno.TcpConn> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  const accepted = await listener.accept();
  for (const resource of [conn, accepted, listener]) resource.close();
  return Object.getPrototypeOf(conn);
}

reactorTest(
  "setTcpNoDelay() given new connections when made then each socket was told to turn Nagle's algorithm off, and later calls reach the socket",
  async (reactor) => {
    const prototype = await tcpConnPrototype();
    const { setNoDelay, setKeepAlive } = prototype;
    const calls: string[] = [];
    prototype.setNoDelay = function (
      this: Deno.TcpConn,
      enabled?: boolean,
    ): void {
      calls.push(`setNoDelay(${enabled})`);
      return setNoDelay.call(this, enabled);
    };
    prototype.setKeepAlive = function (
      this: Deno.TcpConn,
      enabled?: boolean,
    ): void {
      calls.push(`setKeepAlive(${enabled})`);
      return setKeepAlive.call(this, enabled);
    };
    try {
      const { client } = await connectedPair(reactor);
      assert.deepEqual(calls, ["setNoDelay(true)", "setNoDelay(true)"]);
      tcp(client).setTcpNoDelay(false);
      tcp(client).setTcpKeepAlive(true);
      assert.deepEqual(calls.slice(2), [
        "setNoDelay(false)",
        "setKeepAlive(true)",
      ]);
    } finally {
      prototype.setNoDelay = setNoDelay;
      prototype.setKeepAlive = setKeepAlive;
    }
  },
);

reactorTest(
  "setTcpNoDelay() and setTcpKeepAlive() given new values when read back then report them",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    tcp(client).setTcpNoDelay(false);
    tcp(client).setTcpKeepAlive(true);
    assert.equal(tcp(client).getTcpNoDelay(), false);
    assert.equal(tcp(client).getTcpKeepAlive(), true);
  },
);

reactorTest(
  "registerProducer() given a streaming producer when writes pass 64 KiB then pauses it, and resumes it once drained",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    const actions: string[] = [];
    const resumed = Promise.withResolvers<void>();
    const producer: IPushProducer = {
      pauseProducing: () => actions.push("pause"),
      resumeProducing: () => {
        actions.push("resume");
        resumed.resolve();
      },
      stopProducing: () => actions.push("stop"),
    };
    server.transport!.registerProducer(producer, true);
    server.transport!.write(pattern(64 * 1024 + 1));
    assert.deepEqual(actions, ["pause"]);
    await within(resumed.promise, "resumeProducing");
    await within(client.received(64 * 1024 + 1), "the bytes");
    assert.deepEqual(actions, ["pause", "resume"]);
  },
);

reactorTest(
  "registerProducer() given a streaming producer when writes stay under 64 KiB then never pauses it",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    const actions: string[] = [];
    server.transport!.registerProducer({
      pauseProducing: () => actions.push("pause"),
      resumeProducing: () => actions.push("resume"),
      stopProducing: () => actions.push("stop"),
    }, true);
    server.transport!.write(pattern(64 * 1024));
    await within(client.received(64 * 1024), "the bytes");
    assert.deepEqual(actions, []);
  },
);

reactorTest(
  "registerProducer() given a pull producer when the buffer drains then asks for each piece until it unregisters, and loseConnection waits for that",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    const transport = server.transport!;
    let pieces = 0;
    const producer: IPullProducer = {
      resumeProducing: () => {
        pieces++;
        if (pieces <= 5) {
          transport.write(`piece${pieces};`);
        } else {
          transport.unregisterProducer();
        }
      },
      stopProducing: () => {},
    };
    transport.registerProducer(producer, false);
    transport.loseConnection();
    const reason = await within(client.lost, "connectionLost");
    assert.ok(reason.check(ConnectionDone));
    assert.equal(client.text(), "piece1;piece2;piece3;piece4;piece5;");
    assert.equal(pieces, 6);
  },
);

reactorTest(
  "loseConnection() given a streaming producer that is not paused when the queue drains then waits for unregisterProducer before closing",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    const transport = server.transport!;
    transport.registerProducer({
      pauseProducing(): void {},
      resumeProducing(): void {},
      stopProducing(): void {},
    }, true);
    transport.write("first;");
    transport.loseConnection();
    await within(client.received(6), "the first write");
    await sleep(50);
    assert.equal(client.lostReason, null);
    transport.write("last;");
    transport.unregisterProducer();
    const reason = await within(client.lost, "connectionLost");
    assert.ok(reason.check(ConnectionDone));
    assert.equal(client.text(), "first;last;");
  },
);

reactorTest(
  "registerProducer() given a producer already registered when called again then throws TypeError",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    const producer: IPushProducer = {
      pauseProducing(): void {},
      resumeProducing(): void {},
      stopProducing(): void {},
    };
    client.transport!.registerProducer(producer, true);
    assert.throws(
      () => client.transport!.registerProducer(producer, true),
      TypeError,
    );
  },
);

reactorTest(
  "registerProducer() given a registered producer when the connection is lost then stops it before connectionLost",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    client.transport!.registerProducer({
      pauseProducing(): void {},
      resumeProducing(): void {},
      stopProducing: () => client.events.push("stopProducing"),
    }, true);
    tcp(client).abortConnection();
    await within(client.lost, "connectionLost");
    assert.deepEqual(client.events, [
      "connectionMade",
      "stopProducing",
      "connectionLost",
    ]);
  },
);

reactorTest(
  "registerProducer() given a lost connection when called then stops the producer at once",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    tcp(client).abortConnection();
    await within(client.lost, "connectionLost");
    let stopped = false;
    client.transport!.registerProducer({
      resumeProducing(): void {},
      stopProducing: () => {
        stopped = true;
      },
    }, false);
    assert.equal(stopped, true);
  },
);

reactorTest(
  "pauseProducing() given a paused server when the client writes then dataReceived waits for resumeProducing",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    client.transport!.write("one");
    await within(server.received(3), "the first write");
    tcp(server).pauseProducing();
    client.transport!.write("two");
    await sleep(50);
    assert.equal(server.text(), "one");
    tcp(server).resumeProducing();
    await within(server.received(6), "the second write");
    assert.equal(server.text(), "onetwo");
  },
);

reactorTest(
  "pauseProducing() given a server that never reads when the client keeps writing then the client's streaming producer is paused",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    tcp(server).pauseProducing();
    let paused = false;
    client.transport!.registerProducer({
      pauseProducing: () => {
        paused = true;
      },
      resumeProducing(): void {},
      stopProducing(): void {},
    }, true);
    // 16 KiB at a time, well under the mark: only a backed-up socket pauses it.
    for (let i = 0; i < 2000 && !paused; i++) {
      client.transport!.write(pattern(16 * 1024));
      await sleep(0);
    }
    assert.equal(paused, true);
    assert.ok(server.bytes < 16 * 1024 * 2000);
  },
);

reactorTest(
  "stopProducing() given a connection when called then closes it like loseConnection",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    tcp(client).stopProducing();
    const reason = await within(server.lost, "the server's connectionLost");
    assert.ok(reason.check(ConnectionDone));
  },
);

Deno.test(
  "disconnectAll() given open connections when called then each protocol gets ConnectionLost",
  async () => {
    const reactor = new Reactor();
    const { client, server } = await connectedPair(reactor);
    await within(disconnectAll(reactor), "disconnectAll");
    assert.ok(client.lostReason?.check(ConnectionLost));
    assert.ok(server.lostReason?.check(ConnectionLost));
  },
);

reactorTest(
  "loseConnection() given 4 MiB being flushed when the peer half-closes then every byte still arrives",
  async (reactor) => {
    class LateFlush extends Recorder {
      override connectionMade(): void {
        super.connectionMade();
        // Called from a timer, not a callback: a read is pending meanwhile.
        setTimeout(() => {
          this.transport!.write(pattern(4 * MiB));
          this.transport!.loseConnection();
        }, 10);
      }
    }
    const port = listenLocal(
      reactor,
      new RecordingServerFactory(() => new LateFlush()),
    );
    const raw = await Deno.connect({
      hostname: "127.0.0.1",
      port: port.getHost().port,
    });
    const buffer = new Uint8Array(65536);
    let received = (await raw.read(buffer)) ?? 0;
    await raw.closeWrite();
    for (;;) {
      const n = await within(raw.read(buffer), "the flush");
      if (n === null) break;
      received += n;
    }
    raw.close();
    assert.equal(received, 4 * MiB);
  },
);

reactorTest(
  "pauseProducing() given a paused transport when the peer closes then connectionLost waits for resumeProducing",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    tcp(server).pauseProducing();
    client.transport!.write("last words");
    client.transport!.loseConnection();
    await within(client.lost, "the client's connectionLost");
    await sleep(50);
    assert.deepEqual(server.events, ["connectionMade"]);
    tcp(server).resumeProducing();
    const reason = await within(server.lost, "the server's connectionLost");
    assert.ok(reason.check(ConnectionDone));
    assert.equal(server.text(), "last words");
  },
);

reactorTest(
  "disconnecting given a connection when loseConnection() is called then turns true at once",
  async (reactor) => {
    const { client } = await connectedPair(reactor);
    assert.equal(client.transport!.disconnecting, false);
    client.transport!.loseConnection();
    assert.equal(client.transport!.disconnecting, true);
    await within(client.lost, "connectionLost");
  },
);

/** Keeps copies of what it reads and the buffer each view was lent from. */
class InPlace extends Recorder {
  readonly readsInPlace = true;
  readonly buffers: ArrayBufferLike[] = [];
  readonly copies: string[] = [];
  override dataReceived(data: Uint8Array): void {
    this.buffers.push(data.buffer);
    this.copies.push(new TextDecoder().decode(data));
    super.dataReceived(data.slice());
  }
}

reactorTest(
  "read given a protocol that reads in place when two short reads arrive then it is lent views of one reused buffer",
  async (reactor) => {
    const { client, server } = await connectedPair(
      reactor,
      () => new InPlace(),
    );
    client.transport!.write(new TextEncoder().encode("first"));
    await within(server.received(5), "the first read");
    client.transport!.write(new TextEncoder().encode("second"));
    await within(server.received(11), "the second read");
    assert.deepEqual(server.copies, ["first", "second"]);
    assert.equal(server.buffers[0], server.buffers[1]);
    client.transport!.loseConnection();
    await within(server.lost, "the close");
  },
);

reactorTest(
  "read given a protocol that does not read in place when two short reads arrive then the second goes into the rest of the first's buffer, uncopied and not over the first",
  async (reactor) => {
    const { client, server } = await connectedPair(reactor);
    client.transport!.write(new TextEncoder().encode("first"));
    await within(server.received(5), "the first read");
    client.transport!.write(new TextEncoder().encode("second"));
    await within(server.received(11), "the second read");
    const [first, second] = server.chunks;
    assert.equal(new TextDecoder().decode(first), "first");
    assert.equal(new TextDecoder().decode(second), "second");
    assert.equal(first.buffer, second.buffer);
    assert.ok(second.byteOffset >= first.byteOffset + first.byteLength);
    client.transport!.loseConnection();
    await within(server.lost, "the close");
  },
);
