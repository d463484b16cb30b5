/**
 * The reactor's interfaces, as Twisted's `twisted.internet.interfaces`:
 * what a reactor, a transport, a protocol and a factory promise each other.
 * Types only; implementations live beside them and test doubles in
 * `@torsion/torsion/testing`.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IReactorTime } from "../deferred/interfaces.ts";

export type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";

/**
 * The address of one end of a connection. Mirrors Twisted's `IPv4Address`
 * and `IPv6Address` (`type` is always `"TCP"`).
 *
 * @example An IPv4 address
 * ```ts
 * import type { IAddress } from "@torsion/torsion/reactor";
 * const address: IAddress = { type: "TCP", host: "127.0.0.1", port: 8080 };
 * ```
 */
export interface IAddress {
  /** The transport type, `"TCP"` for TCP and TLS over TCP. */
  readonly type: "TCP";
  /** The IP address (or, for a destination not yet resolved, the host name). */
  readonly host: string;
  /** The port number. */
  readonly port: number;
}

/**
 * A producer that writes whenever it likes until it is paused. Mirrors
 * Twisted's `IPushProducer`.
 *
 * @example A producer that does nothing
 * ```ts
 * import type { IPushProducer } from "@torsion/torsion/reactor";
 * const producer: IPushProducer = {
 *   pauseProducing() {}, resumeProducing() {}, stopProducing() {},
 * };
 * ```
 */
export interface IPushProducer {
  /** Stop producing until `resumeProducing` is called. */
  pauseProducing(): void;
  /** Produce again after a pause. */
  resumeProducing(): void;
  /** Stop producing for good: the consumer is gone. */
  stopProducing(): void;
}

/**
 * A producer that writes one piece each time it is asked. Mirrors Twisted's
 * `IPullProducer`.
 *
 * @example A pull producer that does nothing
 * ```ts
 * import type { IPullProducer } from "@torsion/torsion/reactor";
 * const producer: IPullProducer = { resumeProducing() {}, stopProducing() {} };
 * ```
 */
export interface IPullProducer {
  /** Produce one more piece of data. */
  resumeProducing(): void;
  /** Stop producing for good. */
  stopProducing(): void;
}

/**
 * Either kind of producer. Mirrors Twisted's `IProducer`.
 *
 * @example Stopping either kind
 * ```ts
 * import type { IProducer } from "@torsion/torsion/reactor";
 * function stop(producer: IProducer): void { producer.stopProducing(); }
 * ```
 */
export type IProducer = IPushProducer | IPullProducer;

/**
 * Something data can be written to, with flow control. Mirrors Twisted's
 * `IConsumer`.
 *
 * @example Writing text
 * ```ts
 * import type { IConsumer } from "@torsion/torsion/reactor";
 * function send(consumer: IConsumer, text: string): void { consumer.write(text); }
 * ```
 */
export interface IConsumer {
  /**
   * Attaches a producer. A streaming (push) producer is paused when the
   * write buffer passes its high-water mark and resumed once it drains; a
   * non-streaming (pull) producer is asked for more each time it drains.
   *
   * @throws {Error} A producer is already registered.
   */
  registerProducer(producer: IProducer, streaming: boolean): void;
  /** Detaches the registered producer. */
  unregisterProducer(): void;
  /** Writes bytes (strings are UTF-8 encoded). */
  write(data: Uint8Array | string): void;
}

/**
 * One end of a connection, as a protocol sees it. Mirrors Twisted's
 * `ITransport`.
 *
 * @example Greeting and closing
 * ```ts
 * import type { ITransport } from "@torsion/torsion/reactor";
 * function greet(transport: ITransport): void {
 *   transport.write("hello\r\n");
 *   transport.loseConnection();
 * }
 * ```
 */
export interface ITransport extends IConsumer {
  /** Writes each piece in order, as one write. */
  writeSequence(data: Iterable<Uint8Array | string>): void;
  /**
   * Closes the connection once pending writes are flushed and a registered
   * producer has finished. `connectionLost` then receives `ConnectionDone`.
   */
  loseConnection(): void;
  /**
   * Whether `loseConnection` has been called, as Twisted transports'
   * `disconnecting` attribute. Line protocols read it to stop delivering
   * the lines that follow one that closed the connection; a transport
   * without it is taken as not disconnecting.
   */
  readonly disconnecting?: boolean;
  /** The address of the other end. */
  getPeer(): IAddress;
  /** The address of this end. */
  getHost(): IAddress;
}

/**
 * A TCP connection: a transport that can also be aborted, tuned and paused.
 * Mirrors Twisted's `ITCPTransport` with `IPushProducer` (pausing stops
 * reading from the socket).
 *
 * @example Tuning an interactive connection
 * ```ts
 * import type { ITCPTransport } from "@torsion/torsion/reactor";
 * function interactive(transport: ITCPTransport): void {
 *   transport.setTcpNoDelay(true);
 * }
 * ```
 */
export interface ITCPTransport extends ITransport, IPushProducer {
  /** Closes at once, dropping pending writes; `connectionLost` gets `ConnectionAborted`. */
  abortConnection(): void;
  /**
   * Turns Nagle's algorithm off (`true`) or on. Torsion turns it off by
   * default. Deno exposes no socket options on a TLS connection: there the
   * call is ignored, and accepted TLS connections keep Nagle on.
   */
  setTcpNoDelay(enabled: boolean): void;
  /** Whether Nagle's algorithm is off. */
  getTcpNoDelay(): boolean;
  /** Turns TCP keep-alive probes on or off. */
  setTcpKeepAlive(enabled: boolean): void;
  /** Whether TCP keep-alive probes are on. */
  getTcpKeepAlive(): boolean;
}

/**
 * A TCP transport that can switch to TLS. Mirrors Twisted's `ITLSTransport`.
 *
 * @example Upgrading to TLS
 * ```ts
 * import type { ITLSTransport } from "@torsion/torsion/reactor";
 * function upgrade(transport: ITLSTransport): void {
 *   transport.startTLS({ hostname: "example.com" });
 * }
 * ```
 */
export interface ITLSTransport extends ITCPTransport {
  /**
   * Starts a TLS handshake as client over this connection, once pending
   * writes are flushed. Data written afterwards is encrypted. Deno cannot
   * take over a socket with a read pending, so the switch waits for the
   * current read: call it from `connectionMade` or `dataReceived`, with a
   * peer that sends nothing more in plain text.
   *
   * @returns A Deferred that fires once the handshake is done.
   */
  startTLS(options: TLSClientOptions): Deferred<void>;
}

/**
 * Server-side TLS settings for `listenSSL`: a PEM certificate chain and key,
 * in place of the context factory (`CertificateOptions`) Twisted's
 * `listenSSL` takes.
 *
 * @example A certificate and key
 * ```ts
 * import type { TLSServerOptions } from "@torsion/torsion/reactor";
 * const options: TLSServerOptions = { cert: "-----BEGIN CERTIFICATE-----...", key: "..." };
 * ```
 */
export interface TLSServerOptions {
  /** The PEM certificate chain. */
  cert: string;
  /** The PEM private key. */
  key: string;
  /** ALPN protocols to offer. */
  alpnProtocols?: string[];
}

/**
 * Client-side TLS settings for `connectSSL` and `startTLS`, in place of the
 * client context factory (`optionsForClientTLS`) Twisted's take.
 *
 * @example Trusting a self-signed certificate
 * ```ts
 * import type { TLSClientOptions } from "@torsion/torsion/reactor";
 * const options: TLSClientOptions = { hostname: "localhost", caCerts: ["-----BEGIN CERTIFICATE-----..."] };
 * ```
 */
export interface TLSClientOptions {
  /**
   * The name to verify the certificate against and send as SNI.
   * @default the host connected to
   */
  hostname?: string;
  /**
   * Extra PEM CA certificates to trust, for self-signed servers.
   * @default the system's trust store
   */
  caCerts?: string[];
  /** ALPN protocols to offer. */
  alpnProtocols?: string[];
}

/**
 * The application side of a connection: receives events from its transport.
 * Mirrors Twisted's `IProtocol`.
 *
 * @example The base protocol
 * ```ts
 * import type { IProtocol } from "@torsion/torsion/reactor";
 * import { Protocol } from "@torsion/torsion/reactor";
 * const protocol: IProtocol = new Protocol();
 * ```
 */
export interface IProtocol {
  /** Attaches the transport and calls `connectionMade`. */
  makeConnection(transport: ITransport): void;
  /** The connection is up. */
  connectionMade(): void;
  /** Bytes arrived, in arbitrary pieces. */
  dataReceived(data: Uint8Array): void;
  /**
   * The connection is gone: `reason` wraps `ConnectionDone` for a clean
   * close, `ConnectionLost` (or a subclass) otherwise.
   */
  connectionLost(reason: Failure): void;
  /**
   * Whether `dataReceived` reads its `data` only during the call and
   * copies what it keeps: a transport may then lend it a view of its read
   * buffer, which the next read overwrites, instead of a copy of each
   * read. Optional: without it, `data` is the protocol's to keep.
   */
  readonly readsInPlace?: boolean;
}

/**
 * Builds a protocol for each connection. Mirrors Twisted's
 * `IProtocolFactory`.
 *
 * @example A factory for a protocol class
 * ```ts
 * import type { IProtocolFactory } from "@torsion/torsion/reactor";
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * const factory: IProtocolFactory = Factory.forProtocol(Protocol);
 * ```
 */
export interface IProtocolFactory {
  /** A protocol for a new connection with `addr`, or `null` to refuse it. */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called when a port or connector starts using the factory. */
  doStart(): void;
  /** Called when a port or connector stops using the factory. */
  doStop(): void;
}

/**
 * A factory for outgoing connections, told about their fate. Mirrors
 * Twisted's `ClientFactory` interface.
 *
 * @example The base client factory
 * ```ts
 * import type { IClientFactory } from "@torsion/torsion/reactor";
 * import { ClientFactory } from "@torsion/torsion/reactor";
 * const factory: IClientFactory = new ClientFactory();
 * ```
 */
export interface IClientFactory extends IProtocolFactory {
  /** A connection attempt has started. */
  startedConnecting(connector: IConnector): void;
  /** A connection attempt failed (refused, DNS, timeout, stopped). */
  clientConnectionFailed(connector: IConnector, reason: Failure): void;
  /** An established connection was lost. */
  clientConnectionLost(connector: IConnector, reason: Failure): void;
}

/**
 * A listening socket. Mirrors Twisted's `IListeningPort`.
 *
 * @example Closing a port
 * ```ts
 * import type { IListeningPort } from "@torsion/torsion/reactor";
 * async function close(port: IListeningPort): Promise<void> {
 *   await port.stopListening();
 * }
 * ```
 */
export interface IListeningPort {
  /** The address actually bound (with the real port when 0 was asked for). */
  getHost(): IAddress;
  /**
   * Stops accepting connections; fires once the socket is closed.
   * Connections already accepted stay open.
   */
  stopListening(): Deferred<void>;
}

/**
 * An outgoing connection attempt and, once connected, its connection.
 * Mirrors Twisted's `IConnector`.
 *
 * @example Giving up an attempt
 * ```ts
 * import type { IConnector } from "@torsion/torsion/reactor";
 * function giveUp(connector: IConnector): void { connector.stopConnecting(); }
 * ```
 */
export interface IConnector {
  /** Aborts an attempt in progress; the factory gets `UserError`. */
  stopConnecting(): void;
  /** Closes the connection, or stops connecting if not yet connected. */
  disconnect(): void;
  /** Starts a new attempt (used to reconnect). */
  connect(): void;
  /** The host and port this connector connects to. */
  getDestination(): IAddress;
  /** Whether an attempt is in progress, a connection is up, or neither. */
  readonly state: "disconnected" | "connecting" | "connected";
}

/**
 * When a system event trigger runs, relative to its event: the `phase`
 * argument of Twisted's `addSystemEventTrigger`. Each phase starts once the
 * Deferreds returned by the previous phase's triggers have fired.
 *
 * @example The phase before connections close
 * ```ts
 * import type { TriggerPhase } from "@torsion/torsion/reactor";
 * const phase: TriggerPhase = "before";
 * ```
 */
export type TriggerPhase = "before" | "during" | "after";

/**
 * The reactor events triggers can be attached to: the `eventType` argument
 * of Twisted's `addSystemEventTrigger`, limited to the two events a
 * reactor fires.
 *
 * @example Reacting to shutdown
 * ```ts
 * import type { SystemEvent } from "@torsion/torsion/reactor";
 * const event: SystemEvent = "shutdown";
 * ```
 */
export type SystemEvent = "startup" | "shutdown";

/**
 * Running and stopping the loop. Mirrors Twisted's `IReactorCore`; unlike
 * Twisted, `run()` returns a Promise (JavaScript cannot block) and a reactor
 * may run again after it stopped.
 *
 * @example Stopping once running
 * ```ts
 * import type { IReactorCore } from "@torsion/torsion/reactor";
 * function shutdownSoon(reactor: IReactorCore): void {
 *   reactor.callWhenRunning(() => reactor.stop());
 * }
 * ```
 */
export interface IReactorCore {
  /**
   * Whether the reactor runs: true from `run()` until the "during" phase of
   * shutdown, as Twisted's `reactor.running`.
   */
  readonly running: boolean;
  /** Runs the startup triggers and keeps the process alive until `stop()`. */
  run(): Promise<void>;
  /**
   * Runs the shutdown triggers, then lets `run()` resolve.
   *
   * @throws {ReactorNotRunning} The reactor is not running.
   */
  stop(): void;
  /** Calls `fn(...args)` once the reactor runs (at once if it already does). */
  callWhenRunning<A extends unknown[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): number | undefined;
  /**
   * Calls `fn(...args)` in `phase` of `event`. A trigger returning a
   * Deferred or Promise holds the next phase until it settles.
   *
   * @returns An id for `removeSystemEventTrigger`.
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): number;
  /** Removes a trigger added with `addSystemEventTrigger`. */
  removeSystemEventTrigger(id: number): void;
}

/**
 * Options of `listenTCP`, as Twisted's keyword arguments.
 *
 * @example Binding to loopback only
 * ```ts
 * import type { ListenTCPOptions } from "@torsion/torsion/reactor";
 * const options: ListenTCPOptions = { interface: "127.0.0.1" };
 * ```
 */
export interface ListenTCPOptions {
  /**
   * How many connections the kernel queues before they are accepted.
   * @default 50
   */
  backlog?: number;
  /**
   * The local address to bind.
   * @default "" (all IPv4 interfaces)
   */
  interface?: string;
}

/**
 * Options of `connectTCP`, as Twisted's keyword arguments.
 *
 * @example Failing after five seconds
 * ```ts
 * import type { ConnectTCPOptions } from "@torsion/torsion/reactor";
 * const options: ConnectTCPOptions = { timeout: 5 };
 * ```
 */
export interface ConnectTCPOptions {
  /**
   * Seconds to wait for the connection (DNS included) before failing with
   * `TimeoutError`.
   * @default 30
   */
  timeout?: number;
  /** Accepted for Twisted compatibility; Deno cannot bind a client socket. */
  bindAddress?: [host: string, port: number];
}

/**
 * TCP servers and clients. Mirrors Twisted's `IReactorTCP`.
 *
 * @example Serving on any free port
 * ```ts
 * import type { IReactorTCP } from "@torsion/torsion/reactor";
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * function serve(reactor: IReactorTCP): void {
 *   reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * }
 * ```
 */
export interface IReactorTCP {
  /**
   * Listens on `port` (0 for any free port), building a protocol from
   * `factory` for each connection.
   *
   * @throws {CannotListenError} The port cannot be bound.
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): IListeningPort;
  /** Connects to `host`:`port`, reporting the outcome to `factory`. */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/**
 * TLS servers and clients. Mirrors Twisted's `IReactorSSL`, with Deno's TLS
 * options in place of an OpenSSL context factory.
 *
 * @example Connecting with TLS
 * ```ts
 * import type { IReactorSSL } from "@torsion/torsion/reactor";
 * import { ClientFactory } from "@torsion/torsion/reactor";
 * function connect(reactor: IReactorSSL): void {
 *   reactor.connectSSL("localhost", 8443, new ClientFactory(), { caCerts: [] });
 * }
 * ```
 */
export interface IReactorSSL {
  /**
   * Listens for TLS connections on `port`.
   *
   * @throws {CannotListenError} The port cannot be bound or the certificate is invalid.
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    tls: TLSServerOptions,
    options?: ListenTCPOptions,
  ): IListeningPort;
  /** Connects with TLS to `host`:`port`. */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    tls?: TLSClientOptions,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/**
 * The full reactor: time, core, TCP and TLS, the interfaces Twisted's
 * default reactor provides (`IReactorTime`, `IReactorCore`, `IReactorTCP`,
 * `IReactorSSL`).
 *
 * @example Reading the time
 * ```ts
 * import type { IReactor } from "@torsion/torsion/reactor";
 * function now(reactor: IReactor): number { return reactor.seconds(); }
 * ```
 */
export interface IReactor
  extends IReactorTime, IReactorCore, IReactorTCP, IReactorSSL {}

/**
 * Somewhere a server can listen, independent of the transport. Mirrors
 * Twisted's `IStreamServerEndpoint`: code that takes an endpoint serves over
 * TCP or TLS depending on how the endpoint was made (`serverFromString`).
 *
 * @example Serving on any endpoint
 * ```ts
 * import type { IStreamServerEndpoint } from "@torsion/torsion/reactor";
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * function serve(endpoint: IStreamServerEndpoint): void {
 *   endpoint.listen(Factory.forProtocol(Protocol));
 * }
 * ```
 */
export interface IStreamServerEndpoint {
  /**
   * Listens with `factory`.
   *
   * @returns A Deferred that fires with the port, or fails with `CannotListenError`.
   */
  listen(factory: IProtocolFactory): Deferred<IListeningPort>;
}

/**
 * Options of a client endpoint's `connect`, beyond Twisted's arguments.
 *
 * @example Giving up after five seconds
 * ```ts
 * import type { EndpointConnectOptions } from "@torsion/torsion/reactor";
 * const options: EndpointConnectOptions = { signal: AbortSignal.timeout(5000) };
 * ```
 */
export interface EndpointConnectOptions {
  /**
   * Aborting it stops the attempt as cancelling the returned Deferred
   * does: the Deferred fails with `ConnectingCancelledError`. Once
   * connected, aborting it does nothing.
   * @default undefined (no signal)
   */
  signal?: AbortSignal;
}

/**
 * Somewhere a client can connect, independent of the transport. Mirrors
 * Twisted's `IStreamClientEndpoint`.
 *
 * @example Dialling any endpoint
 * ```ts
 * import type { IStreamClientEndpoint } from "@torsion/torsion/reactor";
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * function dial(endpoint: IStreamClientEndpoint): void {
 *   endpoint.connect(Factory.forProtocol(Protocol));
 * }
 * ```
 */
export interface IStreamClientEndpoint {
  /**
   * Connects, building the protocol with `factory`.
   *
   * @returns A Deferred that fires with the connected protocol, or fails with
   *   a `ConnectError`; cancelling it, or aborting `options.signal`, stops
   *   the attempt.
   */
  connect(
    factory: IProtocolFactory,
    options?: EndpointConnectOptions,
  ): Deferred<IProtocol>;
}
