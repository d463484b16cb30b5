/**
 * Protocols and factories that record what the reactor does to them, for
 * the TCP and TLS tests over real loopback sockets.
 *
 * @module
 */
import type { Failure } from "../../deferred/failure.ts";
import type {
  IAddress,
  IConnector,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorSSL,
  IReactorTCP,
} from "../../reactor/interfaces.ts";
import {
  ClientFactory,
  Protocol,
  ServerFactory,
} from "../../reactor/protocol.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";

const decoder = new TextDecoder();

/** A fixture file's text, from tests/fixtures/. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
}

/**
 * Waits for `promise`, failing after `ms` so that a broken test ends
 * instead of hanging; the timer is cleared either way.
 */
export async function within<T>(
  promise: PromiseLike<T>,
  what: string,
  ms = 5000,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A test that gets a fresh Reactor and closes every socket it opened
 * afterwards, pass or fail, so the sanitizers see nothing left behind.
 */
export function reactorTest(
  name: string,
  body: (reactor: Reactor) => Promise<void> | void,
): void {
  Deno.test(name, async () => {
    const reactor = new Reactor();
    try {
      await body(reactor);
    } finally {
      await disconnectAll(reactor);
    }
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Records every event: `events` in order, the bytes received, and
 * Promises for `connectionMade`, `connectionLost` and "n bytes received".
 */
export class Recorder extends Protocol {
  readonly events: string[] = [];
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  lostReason: Failure | null = null;
  readonly #made = Promise.withResolvers<void>();
  readonly #lost = Promise.withResolvers<Failure>();
  #waiters: { size: number; resolve: () => void }[] = [];

  /** Resolves once `connectionMade` has run. */
  get made(): Promise<void> {
    return this.#made.promise;
  }

  /** Resolves with the reason once `connectionLost` has run. */
  get lost(): Promise<Failure> {
    return this.#lost.promise;
  }

  /** Resolves once at least `size` bytes in total have arrived. */
  received(size: number): Promise<void> {
    if (this.bytes >= size) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ size, resolve });
    return promise;
  }

  /** Everything received, as UTF-8 text. */
  text(): string {
    return this.chunks.map((chunk) => decoder.decode(chunk)).join("");
  }

  override connectionMade(): void {
    this.events.push("connectionMade");
    this.#made.resolve();
  }

  override dataReceived(data: Uint8Array): void {
    if (this.events.at(-1) !== "dataReceived") this.events.push("dataReceived");
    this.chunks.push(data);
    this.bytes += data.byteLength;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.bytes < waiter.size) return true;
      waiter.resolve();
      return false;
    });
  }

  override connectionLost(reason: Failure): void {
    this.events.push("connectionLost");
    this.lostReason = reason;
    this.#lost.resolve(reason);
  }
}

/** Writes back whatever it receives. */
export class Echo extends Recorder {
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    this.transport?.write(data);
  }
}

/** A server factory that hands out each protocol it builds. */
export class RecordingServerFactory<P extends IProtocol = Recorder>
  extends ServerFactory {
  readonly built: P[] = [];
  started = 0;
  stopped = 0;
  readonly #make: () => P;
  #waiters: { index: number; resolve: (protocol: P) => void }[] = [];

  constructor(make: () => P = () => new Recorder() as unknown as P) {
    super();
    this.#make = make;
  }

  /** Resolves with the protocol of the `index`-th connection (from 0). */
  connection(index = 0): Promise<P> {
    if (index < this.built.length) return Promise.resolve(this.built[index]);
    const { promise, resolve } = Promise.withResolvers<P>();
    this.#waiters.push({ index, resolve });
    return promise;
  }

  override buildProtocol(_addr: IAddress): IProtocol | null {
    const protocol = this.#make();
    if (protocol instanceof Protocol) protocol.factory = this;
    this.built.push(protocol);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.index >= this.built.length) return true;
      waiter.resolve(this.built[waiter.index]);
      return false;
    });
    return protocol;
  }

  override startFactory(): void {
    this.started++;
  }

  override stopFactory(): void {
    this.stopped++;
  }
}

/** A client factory that records each callback with its arguments. */
export class RecordingClientFactory<P extends IProtocol = Recorder>
  extends ClientFactory {
  readonly events: string[] = [];
  readonly built: P[] = [];
  readonly connectors: IConnector[] = [];
  readonly #make: () => P;
  readonly #protocol = Promise.withResolvers<P>();
  readonly #failed = Promise.withResolvers<Failure>();
  readonly #lost = Promise.withResolvers<Failure>();

  constructor(make: () => P = () => new Recorder() as unknown as P) {
    super();
    this.#make = make;
  }

  /** Resolves with the first protocol built. */
  get protocolBuilt(): Promise<P> {
    return this.#protocol.promise;
  }

  /** Resolves with the reason of the first `clientConnectionFailed`. */
  get failed(): Promise<Failure> {
    return this.#failed.promise;
  }

  /** Resolves with the reason of the first `clientConnectionLost`. */
  get lost(): Promise<Failure> {
    return this.#lost.promise;
  }

  override buildProtocol(_addr: IAddress): IProtocol | null {
    this.events.push("buildProtocol");
    const protocol = this.#make();
    if (protocol instanceof Protocol) protocol.factory = this;
    this.built.push(protocol);
    this.#protocol.resolve(protocol);
    return protocol;
  }

  override startFactory(): void {
    this.events.push("startFactory");
  }

  override stopFactory(): void {
    this.events.push("stopFactory");
  }

  override startedConnecting(connector: IConnector): void {
    this.events.push("startedConnecting");
    this.connectors.push(connector);
  }

  override clientConnectionFailed(
    _connector: IConnector,
    reason: Failure,
  ): void {
    this.events.push("clientConnectionFailed");
    this.#failed.resolve(reason);
  }

  override clientConnectionLost(_connector: IConnector, reason: Failure): void {
    this.events.push("clientConnectionLost");
    this.#lost.resolve(reason);
  }
}

/** A port number nothing listens on: bound once, then released. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Listens on 127.0.0.1, any free port; with `tls`, with the fixture
 * certificate.
 */
export function listenLocal(
  reactor: IReactorTCP & IReactorSSL,
  factory: IProtocolFactory = new RecordingServerFactory(),
  tls = false,
): IListeningPort {
  const options = { interface: "127.0.0.1" };
  return tls
    ? reactor.listenSSL(0, factory, {
      cert: fixture("localhost.crt"),
      key: fixture("localhost.key"),
    }, options)
    : reactor.listenTCP(0, factory, options);
}

/** Two ends of one loopback connection, both past `connectionMade`. */
export interface Pair<S extends Recorder, C extends Recorder> {
  port: IListeningPort;
  serverFactory: RecordingServerFactory<S>;
  clientFactory: RecordingClientFactory<C>;
  connector: IConnector;
  server: S;
  client: C;
}

/** Listens on 127.0.0.1 and connects to it, over TLS when `tls` is set. */
export async function connectedPair<
  S extends Recorder = Recorder,
  C extends Recorder = Recorder,
>(
  reactor: IReactorTCP & IReactorSSL,
  makeServer: () => S = () => new Recorder() as S,
  makeClient: () => C = () => new Recorder() as C,
  tls = false,
): Promise<Pair<S, C>> {
  const serverFactory = new RecordingServerFactory<S>(makeServer);
  const clientFactory = new RecordingClientFactory<C>(makeClient);
  const port = listenLocal(reactor, serverFactory, tls);
  const connector = tls
    ? reactor.connectSSL("localhost", port.getHost().port, clientFactory, {
      caCerts: [fixture("localhost.crt")],
    })
    : reactor.connectTCP("127.0.0.1", port.getHost().port, clientFactory);
  const client = await within(
    clientFactory.protocolBuilt,
    "the client protocol",
  );
  const server = await within(
    serverFactory.connection(0),
    "the server protocol",
  );
  await within(Promise.all([client.made, server.made]), "connectionMade");
  return { port, serverFactory, clientFactory, connector, server, client };
}
