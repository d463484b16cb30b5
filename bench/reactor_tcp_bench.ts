/**
 * TCP echo round trips on loopback: Torsion's Protocol and transport
 * against raw `Deno.Conn` reads and writes. One connection, a 32-byte
 * message, ping-pong (write, wait for the whole echo, repeat).
 *
 * Run: `deno bench --allow-net bench/reactor_tcp_bench.ts`. Each iteration
 * is 1,000 round trips, so round trips per second = 1,000 / (time per
 * iteration). Idle connections: see bench/idle_connections.ts.
 *
 * @module
 */
import { Reactor } from "../reactor/reactor.ts";
import { disconnectAll } from "../reactor/_tcp.ts";
import type { IAddress, IProtocol } from "../reactor/interfaces.ts";
import { ClientFactory, Factory, Protocol } from "../reactor/protocol.ts";

const ROUND_TRIPS = 1000;
const MESSAGE = new Uint8Array(32).fill(120);

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

/** Sends the message, waits for all of it to come back, repeats. */
class PingPong extends Protocol {
  #received = 0;
  #left = 0;
  #done: (() => void) | null = null;
  readonly made = Promise.withResolvers<void>();

  override connectionMade(): void {
    this.made.resolve();
  }

  run(roundTrips: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#done = resolve;
    this.#left = roundTrips;
    this.transport!.write(MESSAGE);
    return promise;
  }

  override dataReceived(data: Uint8Array): void {
    this.#received += data.byteLength;
    if (this.#received < MESSAGE.byteLength) return;
    this.#received = 0;
    if (--this.#left > 0) this.transport!.write(MESSAGE);
    else this.#done!();
  }
}

async function rawEcho(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      let offset = 0;
      while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
    }
  } catch {
    // Closed by the bench's teardown.
  } finally {
    conn.close();
  }
}

Deno.bench({
  name: "raw Deno.Conn",
  group: "echo 1,000 round trips",
  baseline: true,
  async fn(b): Promise<void> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepted = listener.accept();
    const client = await Deno.connect({
      hostname: "127.0.0.1",
      port: (listener.addr as Deno.NetAddr).port,
    });
    client.setNoDelay(true);
    const server = await accepted;
    server.setNoDelay(true);
    const serving = rawEcho(server);
    const buffer = new Uint8Array(65536);
    b.start();
    for (let i = 0; i < ROUND_TRIPS; i++) {
      await client.write(MESSAGE);
      let received = 0;
      while (received < MESSAGE.byteLength) {
        received += (await client.read(buffer))!;
      }
    }
    b.end();
    client.close();
    await serving;
    listener.close();
  },
});

Deno.bench({
  name: "Torsion Protocol",
  group: "echo 1,000 round trips",
  async fn(b): Promise<void> {
    const reactor = new Reactor();
    const port = reactor.listenTCP(0, Factory.forProtocol(Echo), {
      interface: "127.0.0.1",
    });
    const { promise, resolve } = Promise.withResolvers<PingPong>();
    const factory = new (class extends ClientFactory {
      override buildProtocol(_addr: IAddress): IProtocol {
        const protocol = new PingPong();
        resolve(protocol);
        return protocol;
      }
    })();
    reactor.connectTCP("127.0.0.1", port.getHost().port, factory);
    const client = await promise;
    await client.made.promise;
    b.start();
    await client.run(ROUND_TRIPS);
    b.end();
    await disconnectAll(reactor);
  },
});
