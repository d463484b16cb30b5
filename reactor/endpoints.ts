/**
 * Endpoints: where to listen or connect, as objects (`TCP4ServerEndpoint`,
 * `SSL4ClientEndpoint`, …) or as strings (`serverFromString(reactor,
 * "tcp:8080")`), as `twisted.internet.endpoints`.
 *
 * @module
 */
import { type Deferred, fail, maybeDeferred } from "../deferred/deferred.ts";
import { parseClient, parseServer } from "./_endpoint_parser.ts";
import { WrappingFactory } from "./_wrapping_factory.ts";
import { ConnectingCancelledError } from "./errors.ts";
import type {
  ConnectTCPOptions,
  EndpointConnectOptions,
  IAddress,
  IConnector,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorSSL,
  IReactorTCP,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  ListenTCPOptions,
  TLSClientOptions,
  TLSServerOptions,
} from "./interfaces.ts";
import { Factory } from "./protocol.ts";

/**
 * A TCP server endpoint. Mirrors Twisted's `TCP4ServerEndpoint`.
 *
 * @example Listening on a free port
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol, reactor, TCP4ServerEndpoint } from "@torsion/torsion/reactor";
 * const endpoint = new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" });
 * const port = await endpoint.listen(Factory.forProtocol(Protocol));
 * assert.equal(port.getHost().host, "127.0.0.1");
 * assert.notEqual(port.getHost().port, 0); // the port the system picked
 * await port.stopListening();
 * ```
 */
export class TCP4ServerEndpoint implements IStreamServerEndpoint {
  readonly #reactor: IReactorTCP;
  readonly #port: number;
  readonly #options: ListenTCPOptions;

  /**
   * Describes a TCP port to listen on.
   *
   * @param reactor The reactor that listens.
   * @param port The port; 0 for any free port.
   * @param options The interface to bind and the backlog.
   */
  constructor(
    reactor: IReactorTCP,
    port: number,
    options: ListenTCPOptions = {},
  ) {
    this.#reactor = reactor;
    this.#port = port;
    this.#options = options;
  }

  /**
   * Listens with `factory`. Mirrors `TCP4ServerEndpoint.listen`.
   *
   * @param factory Builds a protocol per connection.
   * @returns A Deferred of the listening port; it fails with
   *   `CannotListenError` when the port cannot be bound.
   *
   * @example Listening through a test reactor
   * ```ts
   * import assert from "node:assert/strict";
   * import { Factory, Protocol, TCP4ServerEndpoint } from "@torsion/torsion/reactor";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * await new TCP4ServerEndpoint(reactor, 8080).listen(Factory.forProtocol(Protocol));
   * assert.equal(reactor.tcpServers[0][0], 8080);
   * ```
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return maybeDeferred(() =>
      this.#reactor.listenTCP(this.#port, factory, this.#options)
    );
  }
}

/**
 * A TLS server endpoint. Mirrors Twisted's `SSL4ServerEndpoint`, with
 * Deno's PEM options in place of a context factory.
 *
 * @example Describing a TLS port
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol, SSL4ServerEndpoint } from "@torsion/torsion/reactor";
 * import { MemoryReactor } from "@torsion/torsion/testing";
 * const reactor = new MemoryReactor();
 * const endpoint = new SSL4ServerEndpoint(reactor, 8443, { cert: "…", key: "…" });
 * await endpoint.listen(Factory.forProtocol(Protocol));
 * assert.equal(reactor.sslServers.length, 1);
 * ```
 */
export class SSL4ServerEndpoint implements IStreamServerEndpoint {
  readonly #reactor: IReactorSSL;
  readonly #port: number;
  readonly #tls: TLSServerOptions;
  readonly #options: ListenTCPOptions;

  /**
   * Describes a TLS port to listen on.
   *
   * @param reactor The reactor that listens.
   * @param port The port; 0 for any free port.
   * @param tls The PEM certificate chain and key.
   * @param options The interface to bind and the backlog.
   */
  constructor(
    reactor: IReactorSSL,
    port: number,
    tls: TLSServerOptions,
    options: ListenTCPOptions = {},
  ) {
    this.#reactor = reactor;
    this.#port = port;
    this.#tls = tls;
    this.#options = options;
  }

  /**
   * Listens for TLS connections with `factory`. Mirrors
   * `SSL4ServerEndpoint.listen`.
   *
   * @param factory Builds a protocol per connection.
   * @returns A Deferred of the listening port; it fails with
   *   `CannotListenError` when the port cannot be bound or the certificate
   *   is invalid.
   *
   * @example Listening for TLS through a test reactor
   * ```ts
   * import assert from "node:assert/strict";
   * import { Factory, Protocol, SSL4ServerEndpoint } from "@torsion/torsion/reactor";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * const port = await new SSL4ServerEndpoint(reactor, 443, { cert: "c", key: "k" })
   *   .listen(Factory.forProtocol(Protocol));
   * assert.equal(port.getHost().port, 443);
   * ```
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return maybeDeferred(() =>
      this.#reactor.listenSSL(this.#port, factory, this.#tls, this.#options)
    );
  }
}

/**
 * A TCP client endpoint. Mirrors Twisted's `TCP4ClientEndpoint`.
 *
 * @example Connecting and writing
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol, TCP4ClientEndpoint } from "@torsion/torsion/reactor";
 * import { MemoryReactor, StringTransport } from "@torsion/torsion/testing";
 * class Greeter extends Protocol {
 *   override connectionMade(): void {
 *     this.transport!.write(new TextEncoder().encode("hello"));
 *   }
 * }
 * const reactor = new MemoryReactor();
 * const d = new TCP4ClientEndpoint(reactor, "example.com", 80)
 *   .connect(Factory.forProtocol(Greeter));
 * const [host, port, factory] = reactor.tcpClients[0];
 * assert.equal(host, "example.com");
 * assert.equal(port, 80);
 * // MemoryReactor connects nothing: play the reactor's part by hand.
 * const transport = new StringTransport();
 * factory.buildProtocol({ type: "TCP", host, port })!.makeConnection(transport);
 * assert.ok((await d) instanceof Greeter); // fires with our protocol, connected
 * assert.equal(transport.valueString(), "hello");
 * ```
 */
export class TCP4ClientEndpoint implements IStreamClientEndpoint {
  readonly #reactor: IReactorTCP;
  readonly #host: string;
  readonly #port: number;
  readonly #options: ConnectTCPOptions;

  /**
   * Describes a TCP destination.
   *
   * @param reactor The reactor that connects.
   * @param host The host name or IP address.
   * @param port The port.
   * @param options The connect timeout and bind address.
   */
  constructor(
    reactor: IReactorTCP,
    host: string,
    port: number,
    options: ConnectTCPOptions = {},
  ) {
    this.#reactor = reactor;
    this.#host = host;
    this.#port = port;
    this.#options = options;
  }

  /**
   * Connects, building the protocol with `factory`. Mirrors
   * `TCP4ClientEndpoint.connect`.
   *
   * @param factory Builds the protocol once connected.
   * @param options `signal`: aborting it stops the attempt, as `cancel()`
   *   on the Deferred does.
   * @returns A Deferred that fires with the connected protocol. It fails
   *   with the `ConnectError` the attempt failed with
   *   (`ConnectionRefusedError`, `DNSLookupError`, …), `NoProtocol` if the
   *   factory returned `null`, or `ConnectingCancelledError` if it is
   *   cancelled (or `signal` aborted) first, which also stops the attempt.
   *
   * @example Giving up on a slow connection
   * ```ts
   * import assert from "node:assert/strict";
   * import { CancelledError } from "@torsion/torsion";
   * import { Factory, Protocol, TCP4ClientEndpoint } from "@torsion/torsion/reactor";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * const d = new TCP4ClientEndpoint(reactor, "example.com", 80)
   *   .connect(Factory.forProtocol(Protocol));
   * d.addErrback((f) => f.trap(CancelledError));
   * d.cancel();
   * assert.equal(reactor.connectors[0].stoppedConnecting, true);
   * ```
   *
   * @example Bounding the attempt with an AbortSignal
   * ```ts
   * import assert from "node:assert/strict";
   * import { Factory, Protocol, TCP4ClientEndpoint } from "@torsion/torsion/reactor";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * const controller = new AbortController();
   * const d = new TCP4ClientEndpoint(reactor, "example.com", 80)
   *   .connect(Factory.forProtocol(Protocol), { signal: controller.signal });
   * d.addErrback(() => null);
   * controller.abort();
   * assert.equal(reactor.connectors[0].stoppedConnecting, true);
   * ```
   */
  connect(
    factory: IProtocolFactory,
    options: EndpointConnectOptions = {},
  ): Deferred<IProtocol> {
    const connectTCP = (wrapper: WrappingFactory): IConnector =>
      this.#reactor.connectTCP(this.#host, this.#port, wrapper, this.#options);
    return connectWith(factory, options, this.#host, this.#port, connectTCP);
  }
}

/**
 * A TLS client endpoint. Mirrors Twisted's `SSL4ClientEndpoint`, with
 * Deno's TLS options in place of a context factory.
 *
 * @example Verifying the server's name
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol, SSL4ClientEndpoint } from "@torsion/torsion/reactor";
 * import { MemoryReactor } from "@torsion/torsion/testing";
 * const reactor = new MemoryReactor();
 * new SSL4ClientEndpoint(reactor, "example.com", 443, { hostname: "example.com" })
 *   .connect(Factory.forProtocol(Protocol));
 * assert.equal(reactor.sslClients[0][3].hostname, "example.com");
 * ```
 */
export class SSL4ClientEndpoint implements IStreamClientEndpoint {
  readonly #reactor: IReactorSSL;
  readonly #host: string;
  readonly #port: number;
  readonly #tls: TLSClientOptions;
  readonly #options: ConnectTCPOptions;

  /**
   * Describes a TLS destination.
   *
   * @param reactor The reactor that connects.
   * @param host The host name or IP address.
   * @param port The port.
   * @param tls The name to verify and extra CA certificates.
   * @param options The connect timeout and bind address.
   */
  constructor(
    reactor: IReactorSSL,
    host: string,
    port: number,
    tls: TLSClientOptions = {},
    options: ConnectTCPOptions = {},
  ) {
    this.#reactor = reactor;
    this.#host = host;
    this.#port = port;
    this.#tls = tls;
    this.#options = options;
  }

  /**
   * Connects with TLS, building the protocol with `factory`. Mirrors
   * `SSL4ClientEndpoint.connect`.
   *
   * @param factory Builds the protocol once connected.
   * @param options `signal`: aborting it stops the attempt, as `cancel()`
   *   on the Deferred does.
   * @returns A Deferred that fires with the connected protocol; failures
   *   and cancellation are as for `TCP4ClientEndpoint.connect`, plus
   *   `TLSError` when the handshake fails.
   *
   * @example Cancelling a TLS attempt
   * ```ts
   * import assert from "node:assert/strict";
   * import {
   *   ConnectingCancelledError,
   *   Factory,
   *   Protocol,
   *   SSL4ClientEndpoint,
   * } from "@torsion/torsion/reactor";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * const d = new SSL4ClientEndpoint(reactor, "example.com", 443)
   *   .connect(Factory.forProtocol(Protocol));
   * d.cancel();
   * await assert.rejects(d.asPromise(), ConnectingCancelledError);
   * assert.equal(reactor.connectors[0].stoppedConnecting, true);
   * ```
   */
  connect(
    factory: IProtocolFactory,
    options: EndpointConnectOptions = {},
  ): Deferred<IProtocol> {
    const connectSSL = (wrapper: WrappingFactory): IConnector =>
      this.#reactor.connectSSL(
        this.#host,
        this.#port,
        wrapper,
        this.#tls,
        this.#options,
      );
    return connectWith(factory, options, this.#host, this.#port, connectSSL);
  }
}

/**
 * Connects an existing protocol instance through `endpoint`, without
 * writing a factory. Mirrors Twisted's `endpoints.connectProtocol`.
 *
 * @typeParam P The protocol's type, kept in the result.
 * @param endpoint Where to connect.
 * @param protocol The protocol to connect.
 * @param options `signal`, passed on to `endpoint.connect`.
 * @returns A Deferred that fires with `protocol` once connected, or fails
 *   as `endpoint.connect` does.
 *
 * @example Connecting a protocol instance
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectProtocol, Protocol, TCP4ClientEndpoint } from "@torsion/torsion/reactor";
 * import { MemoryReactor, StringTransport } from "@torsion/torsion/testing";
 * const reactor = new MemoryReactor();
 * const mine = new Protocol();
 * const d = connectProtocol(new TCP4ClientEndpoint(reactor, "h", 1), mine);
 * const [, , factory] = reactor.tcpClients[0];
 * factory.buildProtocol({ type: "TCP", host: "h", port: 1 })!
 *   .makeConnection(new StringTransport());
 * assert.equal(await d, mine);
 * ```
 */
export function connectProtocol<P extends IProtocol>(
  endpoint: IStreamClientEndpoint,
  protocol: P,
  options: EndpointConnectOptions = {},
): Deferred<P> {
  const factory = new OneShotFactory(protocol);
  return endpoint.connect(factory, options) as Deferred<P>;
}

/** Hands out one protocol instance: `connectProtocol`'s factory. */
class OneShotFactory extends Factory {
  readonly #protocol: IProtocol;

  constructor(protocol: IProtocol) {
    super();
    this.#protocol = protocol;
  }

  override buildProtocol(_addr: IAddress): IProtocol {
    return this.#protocol;
  }
}

/**
 * Builds a server endpoint from a description string. Mirrors Twisted's
 * `endpoints.serverFromString`:
 *
 * - `tcp:PORT[:interface=IP][:backlog=N]`: a {@linkcode TCP4ServerEndpoint}
 *   (also `tcp:port=PORT`, or the arguments positionally);
 * - `ssl:PORT[:privateKey=FILE][:certKey=FILE][:extraCertChain=FILE][:interface=IP][:backlog=N]`:
 *   an {@linkcode SSL4ServerEndpoint}. `privateKey` defaults to `server.pem`
 *   and `certKey` to `privateKey` (one PEM file holding both); the files
 *   are read at once.
 *
 * Arguments are separated by `:`; a backslash escapes the next character
 * (`privateKey=C\:/key.pem`), see {@linkcode quoteStringArgument}.
 *
 * @param reactor The reactor the endpoint listens with.
 * @param description The description.
 * @returns The endpoint.
 * @throws {TypeError} The description is malformed, names an unknown type
 *   or parameter, lacks a port, or names an option Deno's TLS lacks
 *   (`sslmethod`, `dhParameters`).
 * @throws {RangeError} The port is above 65535.
 * @throws {Deno.errors.NotFound} A key or certificate file does not exist.
 *
 * @example Listening on one interface
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol, serverFromString } from "@torsion/torsion/reactor";
 * import { MemoryReactor } from "@torsion/torsion/testing";
 * const reactor = new MemoryReactor();
 * const endpoint = serverFromString(reactor, "tcp:8080:interface=127.0.0.1");
 * await endpoint.listen(Factory.forProtocol(Protocol));
 * assert.equal(reactor.tcpServers[0][3], "127.0.0.1");
 * ```
 */
export function serverFromString(
  reactor: IReactorTCP & IReactorSSL,
  description: string,
): IStreamServerEndpoint {
  const parsed = parseServer(description);
  const options = { backlog: parsed.backlog, interface: parsed.iface };
  if (parsed.type === "tcp") {
    return new TCP4ServerEndpoint(reactor, parsed.port, options);
  }
  return new SSL4ServerEndpoint(reactor, parsed.port, parsed.tls, options);
}

/**
 * Builds a client endpoint from a description string. Mirrors Twisted's
 * `endpoints.clientFromString`:
 *
 * - `tcp:HOST:PORT` or `tcp:host=HOST:port=PORT` (or one of each), with
 *   optional `timeout=SECONDS` and `bindAddress=IP`: a
 *   {@linkcode TCP4ClientEndpoint};
 * - `ssl:…` with the same arguments plus `hostname=NAME` (the name to
 *   verify) and `caCertsDir=DIR` (trust the `*.pem` certificates in `DIR`):
 *   an {@linkcode SSL4ClientEndpoint};
 * - `tls:HOST:PORT` with `timeout`, `bindAddress` and `trustRoots=DIR`
 *   (or a single PEM file): an `SSL4ClientEndpoint` verifying `HOST`.
 *
 * @param reactor The reactor the endpoint connects with.
 * @param description The description.
 * @returns The endpoint.
 * @throws {TypeError} The description is malformed, names an unknown type
 *   or parameter, lacks the host or port, or asks for a client certificate
 *   (`certKey`, `privateKey`, `certificate`) or a wrapped `endpoint`, which
 *   Torsion does not support.
 * @throws {RangeError} The port is above 65535.
 * @throws {Deno.errors.NotFound} The trust root path does not exist.
 *
 * @example Connecting with a timeout
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientFromString, Factory, Protocol } from "@torsion/torsion/reactor";
 * import { MemoryReactor } from "@torsion/torsion/testing";
 * const reactor = new MemoryReactor();
 * const endpoint = clientFromString(reactor, "tcp:host=127.0.0.1:port=8080:timeout=5");
 * endpoint.connect(Factory.forProtocol(Protocol));
 * const [host, port, , timeout] = reactor.tcpClients[0];
 * assert.deepEqual([host, port, timeout], ["127.0.0.1", 8080, 5]);
 * ```
 */
export function clientFromString(
  reactor: IReactorTCP & IReactorSSL,
  description: string,
): IStreamClientEndpoint {
  const parsed = parseClient(description);
  const options: ConnectTCPOptions = { timeout: parsed.timeout };
  if (parsed.bindAddress !== null) options.bindAddress = parsed.bindAddress;
  if (parsed.type === "tcp") {
    return new TCP4ClientEndpoint(reactor, parsed.host, parsed.port, options);
  }
  return new SSL4ClientEndpoint(
    reactor,
    parsed.host,
    parsed.port,
    parsed.tls,
    options,
  );
}

/**
 * Escapes `argument` for use in an endpoint description: backslashes and
 * colons get a backslash. Mirrors Twisted's `endpoints.quoteStringArgument`.
 *
 * @param argument The value to embed, such as a Windows path.
 * @returns The escaped value.
 *
 * @example Embedding a Windows path
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteStringArgument } from "@torsion/torsion/reactor";
 * const path = quoteStringArgument("C:\\keys\\server.pem");
 * assert.equal(path, "C\\:\\\\keys\\\\server.pem");
 * ```
 */
export function quoteStringArgument(argument: string): string {
  return argument.replaceAll("\\", "\\\\").replaceAll(":", "\\:");
}

/**
 * What both client endpoints do: connect through `start` with a wrapper of
 * `factory`, and stop the attempt when `signal` aborts.
 */
function connectWith(
  factory: IProtocolFactory,
  { signal }: EndpointConnectOptions,
  host: string,
  port: number,
  start: (wrapper: WrappingFactory) => IConnector,
): Deferred<IProtocol> {
  if (signal?.aborted) {
    return fail(new ConnectingCancelledError({ type: "TCP", host, port }));
  }
  const wrapper = new WrappingFactory(factory);
  try {
    wrapper.setConnector(start(wrapper));
  } catch (error) {
    return fail(error);
  }
  const connected = wrapper.onConnection;
  if (signal !== undefined && !connected.called) {
    // The signal is the Deferred's canceller in another form (std's
    // `delay` takes one the same way); the listener goes once it settles.
    const abort = (): void => connected.cancel();
    signal.addEventListener("abort", abort, { once: true });
    connected.addBoth((outcome: unknown) => {
      signal.removeEventListener("abort", abort);
      return outcome;
    });
  }
  return connected;
}
