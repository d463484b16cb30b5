/**
 * Real loopback sockets for the reactor tests: a test that closes every
 * socket it opened, a listening port, and a connected pair of recorders.
 *
 * @module
 */
import type {
  IConnector,
  IListeningPort,
  IProtocolFactory,
  IReactorSSL,
  IReactorTCP,
} from "../../reactor/interfaces.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import {
  Recorder,
  RecordingClientFactory,
  RecordingServerFactory,
} from "./_recorders.ts";
import { TLS_CERT, TLS_KEY, within } from "../_support/mod.ts";

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
      cert: TLS_CERT,
      key: TLS_KEY,
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
      caCerts: [TLS_CERT],
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
