/**
 * The reactor against raw Deno: its timer heap against one `setTimeout` per
 * call (100,000 calls scheduled and fired, and scheduled then cancelled),
 * and TCP echo round trips through Protocol and transport against raw
 * `Deno.Conn` reads and writes (one connection, a 32-byte message,
 * ping-pong; each iteration is 1,000 round trips, so round trips per second
 * = 1,000 / time per iteration). Idle connections: see
 * bench/idle_connections.ts.
 *
 * Run with `deno bench --allow-all bench/reactor_bench.ts`.
 *
 * @module
 */
import { Reactor } from "../reactor/reactor.ts";
import { disconnectAll } from "../reactor/_tcp.ts";
import type {
  IAddress,
  IDelayedCall,
  IProtocol,
} from "../reactor/interfaces.ts";
import { ClientFactory, Factory, Protocol } from "../reactor/protocol.ts";
import { Echo } from "../examples/echo_server.ts";

const CALLS = 100_000;

const reactor = new Reactor();

function firedAll(schedule: (done: () => void) => void): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  let fired = 0;
  const done = (): void => {
    if (++fired === CALLS) resolve();
  };
  schedule(done);
  return promise;
}

Deno.bench({
  name: "reactor.callLater(0): 100,000 scheduled and fired",
  group: "timers: 100,000 scheduled and fired",
  baseline: true,
  async fn(): Promise<void> {
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) reactor.callLater(0, done);
    });
  },
});

Deno.bench({
  name: "setTimeout(0): 100,000 scheduled and fired",
  group: "timers: 100,000 scheduled and fired",
  async fn(): Promise<void> {
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) setTimeout(done, 0);
    });
  },
});

Deno.bench({
  name: "reactor.callLater(1..100 ms): 100,000 scheduled and fired",
  group: "timers: 100,000 spread over 100 ms, fired",
  baseline: true,
  async fn(): Promise<void> {
    const keepAlive = setInterval(() => {}, 1000);
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) {
        reactor.callLater((1 + (i % 100)) / 1000, done);
      }
    });
    clearInterval(keepAlive);
  },
});

Deno.bench({
  name: "setTimeout(1..100 ms): 100,000 scheduled and fired",
  group: "timers: 100,000 spread over 100 ms, fired",
  async fn(): Promise<void> {
    await firedAll((done) => {
      for (let i = 0; i < CALLS; i++) setTimeout(done, 1 + (i % 100));
    });
  },
});

const calls: IDelayedCall[] = new Array(CALLS);
const timers: ReturnType<typeof setTimeout>[] = new Array(CALLS);

function noop(): void {}

Deno.bench({
  name: "reactor.callLater(1 s) then cancel(): 100,000",
  group: "timers: 100,000 scheduled then cancelled",
  baseline: true,
  fn(): void {
    for (let i = 0; i < CALLS; i++) calls[i] = reactor.callLater(1, noop);
    for (let i = 0; i < CALLS; i++) calls[i].cancel();
  },
});

Deno.bench({
  name: "setTimeout(1 s) then clearTimeout(): 100,000",
  group: "timers: 100,000 scheduled then cancelled",
  fn(): void {
    for (let i = 0; i < CALLS; i++) timers[i] = setTimeout(noop, 1000);
    for (let i = 0; i < CALLS; i++) clearTimeout(timers[i]);
  },
});

const ROUND_TRIPS = 1000;
const MESSAGE = new Uint8Array(32).fill(120);

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
