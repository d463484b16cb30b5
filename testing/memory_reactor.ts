/**
 * `MemoryReactor`: a reactor that records listen and connect calls instead
 * of opening sockets, with a `Clock` for time, as Twisted's
 * `twisted.internet.testing.MemoryReactorClock`.
 *
 * @module
 */
import { type Deferred, succeed } from "../deferred/deferred.ts";
import { DEFAULT_BACKLOG, DEFAULT_TIMEOUT } from "../reactor/_arguments.ts";
import {
  requireStoppable,
  type RunState,
  SystemEventTriggers,
} from "../reactor/_system_event_triggers.ts";
import { ReactorAlreadyRunning } from "../reactor/errors.ts";
import type {
  ConnectTCPOptions,
  IAddress,
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocolFactory,
  IReactor,
  ListenTCPOptions,
  SystemEvent,
  TLSClientOptions,
  TLSServerOptions,
  TriggerPhase,
} from "../reactor/interfaces.ts";
import { Clock } from "./clock.ts";

/**
 * A recorded `listenTCP` call, as in Twisted's `MemoryReactor.tcpServers`.
 *
 * @example Reading a recorded listen
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryReactor, type TCPServerRecord } from "@torsion/torsion/testing";
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * const reactor = new MemoryReactor();
 * reactor.listenTCP(8080, Factory.forProtocol(Protocol));
 * const [port]: TCPServerRecord = reactor.tcpServers[0];
 * assert.equal(port, 8080);
 * ```
 */
export type TCPServerRecord = [
  port: number,
  factory: IProtocolFactory,
  backlog: number,
  iface: string,
];

/**
 * A recorded `connectTCP` call, as in Twisted's `MemoryReactor.tcpClients`.
 *
 * @example Reading a recorded connect
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryReactor, type TCPClientRecord } from "@torsion/torsion/testing";
 * import { ClientFactory } from "@torsion/torsion/reactor";
 * const reactor = new MemoryReactor();
 * reactor.connectTCP("example.com", 80, new ClientFactory());
 * const [host, port]: TCPClientRecord = reactor.tcpClients[0];
 * assert.equal(host, "example.com");
 * assert.equal(port, 80);
 * ```
 */
export type TCPClientRecord = [
  host: string,
  port: number,
  factory: IClientFactory,
  timeout: number,
  bindAddress: [host: string, port: number] | null,
];

/**
 * A recorded `listenSSL` call, as in Twisted's `MemoryReactor.sslServers`.
 *
 * @example Reading a recorded TLS listen
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryReactor, type SSLServerRecord } from "@torsion/torsion/testing";
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * const reactor = new MemoryReactor();
 * reactor.listenSSL(443, Factory.forProtocol(Protocol), { cert: "", key: "" });
 * const [port]: SSLServerRecord = reactor.sslServers[0];
 * assert.equal(port, 443);
 * ```
 */
export type SSLServerRecord = [
  port: number,
  factory: IProtocolFactory,
  tls: TLSServerOptions,
  backlog: number,
  iface: string,
];

/**
 * A recorded `connectSSL` call, as in Twisted's `MemoryReactor.sslClients`.
 *
 * @example Reading a recorded TLS connect
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryReactor, type SSLClientRecord } from "@torsion/torsion/testing";
 * import { ClientFactory } from "@torsion/torsion/reactor";
 * const reactor = new MemoryReactor();
 * reactor.connectSSL("example.com", 443, new ClientFactory());
 * const [, , , tls]: SSLClientRecord = reactor.sslClients[0];
 * assert.equal(tls.hostname, undefined);
 * ```
 */
export type SSLClientRecord = [
  host: string,
  port: number,
  factory: IClientFactory,
  tls: TLSClientOptions,
  timeout: number,
  bindAddress: [host: string, port: number] | null,
];

/**
 * The port `MemoryReactor.listenTCP` and `listenSSL` return: it reports the
 * address asked for and records `stopListening`. Mirrors Twisted's
 * `_FakePort`.
 *
 * @example Recording a stop
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryPort } from "@torsion/torsion/testing";
 * const port = new MemoryPort({ type: "TCP", host: "0.0.0.0", port: 80 });
 * port.stopListening();
 * assert.equal(port.listening, false);
 * ```
 */
export class MemoryPort implements IListeningPort {
  /** Whether `stopListening` has not been called yet. */
  listening = true;
  readonly #address: IAddress;

  /**
   * Creates a port reporting `address`.
   *
   * @param address What `getHost()` returns.
   */
  constructor(address: IAddress) {
    this.#address = address;
  }

  /**
   * The address given at creation.
   *
   * @returns The address.
   *
   * @example The address given
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryPort } from "@torsion/torsion/testing";
   * const port = new MemoryPort({ type: "TCP", host: "0.0.0.0", port: 80 });
   * assert.equal(port.getHost().port, 80);
   * ```
   */
  getHost(): IAddress {
    return this.#address;
  }

  /**
   * Records the stop.
   *
   * @returns A Deferred that has already fired.
   *
   * @example Stopping at once
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryPort } from "@torsion/torsion/testing";
   * const port = new MemoryPort({ type: "TCP", host: "0.0.0.0", port: 80 });
   * await port.stopListening(); // resolves at once: nothing to close
   * assert.equal(port.listening, false);
   * ```
   */
  stopListening(): Deferred<void> {
    this.listening = false;
    return succeed(undefined);
  }
}

/**
 * The connector `MemoryReactor.connectTCP` and `connectSSL` return: it
 * records what is done to it and connects nothing. Mirrors Twisted's
 * `_FakeConnector`.
 *
 * @example Recording a stop
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryConnector } from "@torsion/torsion/testing";
 * const connector = new MemoryConnector({ type: "TCP", host: "example.com", port: 80 });
 * connector.stopConnecting();
 * assert.equal(connector.stoppedConnecting, true);
 * ```
 */
export class MemoryConnector implements IConnector {
  /** Whether `stopConnecting` has been called. */
  stoppedConnecting = false;
  /** Whether `disconnect` has been called. */
  disconnected = false;
  /** `"connecting"` until stopped or disconnected; `connect()` sets it again. */
  state: "disconnected" | "connecting" | "connected" = "connecting";
  readonly #address: IAddress;

  /**
   * Creates a connector to `address`, in the connecting state.
   *
   * @param address What `getDestination()` returns.
   */
  constructor(address: IAddress) {
    this.#address = address;
  }

  /**
   * Records the stop.
   *
   * @example Stopping an attempt
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryConnector } from "@torsion/torsion/testing";
   * const connector = new MemoryConnector({ type: "TCP", host: "h", port: 1 });
   * connector.stopConnecting();
   * assert.equal(connector.state, "disconnected");
   * ```
   */
  stopConnecting(): void {
    this.stoppedConnecting = true;
    this.state = "disconnected";
  }

  /**
   * Records the disconnection.
   *
   * @example Disconnecting
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryConnector } from "@torsion/torsion/testing";
   * const connector = new MemoryConnector({ type: "TCP", host: "h", port: 1 });
   * connector.disconnect();
   * assert.equal(connector.disconnected, true);
   * ```
   */
  disconnect(): void {
    this.disconnected = true;
    this.state = "disconnected";
  }

  /**
   * Records a new attempt (nothing connects).
   *
   * @example Trying again
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryConnector } from "@torsion/torsion/testing";
   * const connector = new MemoryConnector({ type: "TCP", host: "h", port: 1 });
   * connector.stopConnecting();
   * connector.connect();
   * assert.equal(connector.state, "connecting");
   * ```
   */
  connect(): void {
    this.state = "connecting";
  }

  /**
   * The address given at creation.
   *
   * @returns The destination.
   *
   * @example The destination given
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryConnector } from "@torsion/torsion/testing";
   * const connector = new MemoryConnector({ type: "TCP", host: "h", port: 1 });
   * assert.equal(connector.getDestination().host, "h");
   * ```
   */
  getDestination(): IAddress {
    return this.#address;
  }
}

/**
 * A reactor for tests: `listenTCP`, `connectTCP`, `listenSSL` and
 * `connectSSL` record their arguments in `tcpServers`, `tcpClients`,
 * `sslServers` and `sslClients` and return a {@linkcode MemoryPort} or
 * {@linkcode MemoryConnector}; time is a {@linkcode Clock} moved with
 * `advance()`. Mirrors Twisted's `MemoryReactorClock` (the `MemoryReactor`
 * and `Clock` in one).
 *
 * A test takes the factory from a record, builds a protocol and connects it
 * to a `StringTransport`: the code under test runs its real connection
 * logic without a socket. `run()` fires the startup triggers and
 * `callWhenRunning` calls; unlike Twisted's, which stops again at once, it
 * resolves when `stop()` is called, as the real reactor's does, and
 * `stop()` fires the shutdown triggers. Triggers behave as the real
 * reactor's (both share one implementation): a trigger that returns a
 * Deferred or a Promise holds the next phase until it settles, one that
 * throws is logged and the others still run, and without such a trigger
 * they all run before `run()` or `stop()` returns.
 *
 * @example Testing a client without a network
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory, Protocol } from "@torsion/torsion/reactor";
 * import { MemoryReactor, StringTransport } from "@torsion/torsion/testing";
 *
 * class Hello extends Protocol {
 *   override connectionMade(): void { this.transport!.write("hello"); }
 * }
 * const reactor = new MemoryReactor();
 * reactor.connectTCP("example.com", 7, ClientFactory.forProtocol(Hello));
 * const [host, port, factory] = reactor.tcpClients[0];
 * const protocol = factory.buildProtocol({ type: "TCP", host, port })!;
 * const transport = new StringTransport();
 * protocol.makeConnection(transport);
 * assert.equal(transport.valueString(), "hello");
 * ```
 */
export class MemoryReactor extends Clock implements IReactor {
  /** Every `listenTCP` call, in order. */
  readonly tcpServers: TCPServerRecord[] = [];
  /** Every `connectTCP` call, in order. */
  readonly tcpClients: TCPClientRecord[] = [];
  /** Every `listenSSL` call, in order. */
  readonly sslServers: SSLServerRecord[] = [];
  /** Every `connectSSL` call, in order. */
  readonly sslClients: SSLClientRecord[] = [];
  /** Every connector returned by `connectTCP` and `connectSSL`, in order. */
  readonly connectors: MemoryConnector[] = [];
  /** Whether `run()` has been called. */
  hasRun = false;
  /** Whether `stop()` has been called. */
  hasStopped = false;

  #state: RunState = "stopped";
  #running = false;
  readonly #triggers = new SystemEventTriggers();
  // The startup triggers still holding a phase, if any.
  #startup: Promise<void> | undefined;
  #stopped: (() => void) | null = null;

  /** Whether `run()` has been called and `stop()` has not. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Fires the startup triggers (which include `callWhenRunning` calls) and
   * waits for `stop()`.
   *
   * @returns A Promise that resolves once `stop()` has run the shutdown
   *   triggers; it rejects with `ReactorAlreadyRunning` if the reactor runs.
   *
   * @example Running until stopped
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * reactor.callWhenRunning(() => reactor.stop());
   * await reactor.run();
   * assert.equal(reactor.hasRun, true);
   * assert.equal(reactor.hasStopped, true);
   * ```
   */
  run(): Promise<void> {
    if (this.#state !== "stopped") {
      return Promise.reject(new ReactorAlreadyRunning());
    }
    this.#state = "running";
    this.#running = true;
    this.hasRun = true;
    const stopped = new Promise<void>((resolve) => {
      this.#stopped = resolve;
    });
    const startup = this.#triggers.fire("startup");
    this.#startup = startup;
    startup?.then(() => {
      if (this.#startup === startup) this.#startup = undefined;
    });
    return stopped;
  }

  /**
   * Fires the shutdown triggers and lets `run()` resolve; `running` turns
   * false after the "before" phase, as in the real reactor.
   *
   * @throws {ReactorNotRunning} The reactor is not running, or is already
   *   stopping.
   *
   * @example Stopping
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * const done = reactor.run();
   * reactor.stop();
   * await done;
   * assert.equal(reactor.running, false);
   * ```
   */
  stop(): void {
    requireStoppable(this.#state);
    this.#state = "stopping";
    this.hasStopped = true;
    const shutdown = (): Promise<void> | undefined =>
      this.#triggers.fire("shutdown", (phase) => {
        // As in the real reactor, `running` turns false once "before" is over.
        if (phase === "during") this.#running = false;
      });
    const finish = (): void => {
      this.#state = "stopped";
      this.#running = false;
      const stopped = this.#stopped;
      this.#stopped = null;
      stopped?.();
    };
    const startup = this.#startup;
    const done = startup === undefined ? shutdown() : startup.then(shutdown);
    if (done === undefined) finish();
    else done.then(finish);
  }

  /**
   * Calls `fn(...args)` when the reactor runs; at once if it already does.
   * Mirrors `IReactorCore.callWhenRunning`.
   *
   * @param fn The function.
   * @param args Its arguments.
   * @returns The trigger id, or `undefined` when `fn` ran at once.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Queueing a call for the run
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * let ran = false;
   * reactor.callWhenRunning(() => { ran = true; });
   * reactor.run();
   * reactor.stop();
   * assert.equal(ran, true);
   * ```
   */
  callWhenRunning<A extends unknown[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): number | undefined {
    return this.#triggers.callWhenRunning(this.#running, fn, args);
  }

  /**
   * Calls `fn(...args)` in `phase` of `event` (`run()` fires startup,
   * `stop()` shutdown). Mirrors `IReactorCore.addSystemEventTrigger`.
   *
   * @param phase `"before"`, `"during"` or `"after"`.
   * @param event `"startup"` or `"shutdown"`.
   * @param fn The function; a Deferred or Promise it returns holds the next phase.
   * @param args Its arguments.
   * @returns An id for `removeSystemEventTrigger`.
   * @throws {RangeError} `phase` or `event` is not one of the values above.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Cleaning up at shutdown
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * let cleaned = false;
   * reactor.addSystemEventTrigger("before", "shutdown", () => { cleaned = true; });
   * reactor.run();
   * reactor.stop();
   * assert.equal(cleaned, true);
   * ```
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): number {
    return this.#triggers.add(phase, event, fn, args);
  }

  /**
   * Removes a trigger.
   *
   * @param id The id `addSystemEventTrigger` or `callWhenRunning` returned.
   * @throws {RangeError} No trigger has that id.
   *
   * @example Removing a trigger
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * const reactor = new MemoryReactor();
   * let ran = false;
   * const id = reactor.addSystemEventTrigger("during", "startup", () => { ran = true; });
   * reactor.removeSystemEventTrigger(id);
   * reactor.callWhenRunning(() => reactor.stop());
   * await reactor.run();
   * assert.equal(ran, false);
   * ```
   */
  removeSystemEventTrigger(id: number): void {
    this.#triggers.remove(id);
  }

  /**
   * Records the call in `tcpServers`. Mirrors `MemoryReactor.listenTCP`.
   *
   * @param port The port asked for.
   * @param factory The factory.
   * @param options `backlog` and `interface`.
   * @returns A port reporting `interface` (or `0.0.0.0`) and `port`.
   *
   * @example Recording a listen
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * import { Factory, Protocol } from "@torsion/torsion/reactor";
   * const reactor = new MemoryReactor();
   * const port = reactor.listenTCP(80, Factory.forProtocol(Protocol));
   * assert.equal(port.getHost().port, 80);
   * ```
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options: ListenTCPOptions = {},
  ): IListeningPort {
    const iface = options.interface ?? "";
    this.tcpServers.push([
      port,
      factory,
      options.backlog ?? DEFAULT_BACKLOG,
      iface,
    ]);
    return new MemoryPort({ type: "TCP", host: iface || "0.0.0.0", port });
  }

  /**
   * Records the call in `tcpClients` and tells the factory it started
   * connecting. Mirrors `MemoryReactor.connectTCP`.
   *
   * @param host The host.
   * @param port The port.
   * @param factory The client factory.
   * @param options `timeout` and `bindAddress`.
   * @returns A connector that stays connecting until the test acts.
   *
   * @example Recording a connect
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * import { ClientFactory } from "@torsion/torsion/reactor";
   * const reactor = new MemoryReactor();
   * const connector = reactor.connectTCP("h", 1, new ClientFactory());
   * assert.equal(connector.state, "connecting");
   * ```
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options: ConnectTCPOptions = {},
  ): IConnector {
    this.tcpClients.push([
      host,
      port,
      factory,
      options.timeout ?? DEFAULT_TIMEOUT,
      options.bindAddress ?? null,
    ]);
    return this.#connector(host, port, factory);
  }

  /**
   * Records the call in `sslServers`. Mirrors `MemoryReactor.listenSSL`.
   *
   * @param port The port asked for.
   * @param factory The factory.
   * @param tls The certificate and key.
   * @param options `backlog` and `interface`.
   * @returns A port reporting `interface` (or `0.0.0.0`) and `port`.
   *
   * @example Recording a TLS listen
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * import { Factory, Protocol } from "@torsion/torsion/reactor";
   * const reactor = new MemoryReactor();
   * reactor.listenSSL(443, Factory.forProtocol(Protocol), { cert: "c", key: "k" });
   * assert.equal(reactor.sslServers[0][2].cert, "c");
   * ```
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    tls: TLSServerOptions,
    options: ListenTCPOptions = {},
  ): IListeningPort {
    const iface = options.interface ?? "";
    this.sslServers.push([
      port,
      factory,
      tls,
      options.backlog ?? DEFAULT_BACKLOG,
      iface,
    ]);
    return new MemoryPort({ type: "TCP", host: iface || "0.0.0.0", port });
  }

  /**
   * Records the call in `sslClients` and tells the factory it started
   * connecting. Mirrors `MemoryReactor.connectSSL`.
   *
   * @param host The host.
   * @param port The port.
   * @param factory The client factory.
   * @param tls The client TLS options.
   * @param options `timeout` and `bindAddress`.
   * @returns A connector that stays connecting until the test acts.
   *
   * @example Recording a TLS connect
   * ```ts
   * import assert from "node:assert/strict";
   * import { MemoryReactor } from "@torsion/torsion/testing";
   * import { ClientFactory } from "@torsion/torsion/reactor";
   * const reactor = new MemoryReactor();
   * reactor.connectSSL("h", 443, new ClientFactory(), { hostname: "h" });
   * assert.equal(reactor.sslClients[0][3].hostname, "h");
   * ```
   */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    tls: TLSClientOptions = {},
    options: ConnectTCPOptions = {},
  ): IConnector {
    this.sslClients.push([
      host,
      port,
      factory,
      tls,
      options.timeout ?? DEFAULT_TIMEOUT,
      options.bindAddress ?? null,
    ]);
    return this.#connector(host, port, factory);
  }

  #connector(host: string, port: number, factory: IClientFactory): IConnector {
    const connector = new MemoryConnector({ type: "TCP", host, port });
    this.connectors.push(connector);
    factory.startedConnecting(connector);
    return connector;
  }
}
