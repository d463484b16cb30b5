/**
 * `Protocol` and the factories that build protocols, as
 * `twisted.internet.protocol`.
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IClientFactory,
  IConnector,
  IProtocol,
  IProtocolFactory,
  ITransport,
} from "./interfaces.ts";

/**
 * The base class of connection handlers. Mirrors Twisted's `Protocol`:
 * subclass it and override `connectionMade`, `dataReceived` and
 * `connectionLost`; write with `this.transport`.
 *
 * @typeParam F The factory type, so `this.factory` is typed in subclasses.
 *
 * @example An echo protocol
 * ```ts
 * import { Protocol } from "@torsion/torsion/reactor";
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport?.write(data);
 *   }
 * }
 * ```
 */
export class Protocol<F extends IProtocolFactory = IProtocolFactory>
  implements IProtocol {
  /** The factory that built this protocol, set by `Factory.buildProtocol`. */
  factory: F | null = null;
  /** The transport, set by `makeConnection`; `null` before the connection is made. */
  transport: ITransport | null = null;
  /** Whether the connection is up. */
  connected = false;

  /**
   * Attaches the transport and calls `connectionMade`. Called by the
   * reactor (or by a test with a `StringTransport`). Mirrors
   * `Protocol.makeConnection`.
   *
   * @param transport The connection's transport.
   *
   * @example Connecting a protocol to a test transport
   * ```ts
   * import { Protocol } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const protocol = new Protocol();
   * protocol.makeConnection(new StringTransport());
   * console.assert(protocol.connected && protocol.transport !== null);
   * ```
   */
  makeConnection(transport: ITransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /**
   * Called once the connection is up, with `transport` set; override it to
   * greet the peer or set up per-connection state. Mirrors
   * `Protocol.connectionMade`.
   *
   * @example Greeting the peer
   * ```ts
   * import { Protocol } from "@torsion/torsion/reactor";
   * class Greeter extends Protocol {
   *   override connectionMade(): void {
   *     this.transport!.write("hello\r\n");
   *   }
   * }
   * console.assert(new Greeter().transport === null);
   * ```
   */
  connectionMade(): void {}

  /**
   * Called with each piece of bytes received; override it. Pieces are
   * arbitrary: a message may arrive split or several may arrive together,
   * which is what `LineReceiver` and the other framing protocols sort out.
   * Mirrors `Protocol.dataReceived`.
   *
   * @param _data The bytes, a copy the protocol may keep.
   *
   * @example Counting bytes
   * ```ts
   * import { Protocol } from "@torsion/torsion/reactor";
   * class Counter extends Protocol {
   *   received = 0;
   *   override dataReceived(data: Uint8Array): void {
   *     this.received += data.length;
   *   }
   * }
   * const counter = new Counter();
   * counter.dataReceived(new Uint8Array(3));
   * console.assert(counter.received === 3);
   * ```
   */
  dataReceived(_data: Uint8Array): void {}

  /**
   * Called once when the connection is gone; override it to release what
   * the connection held. Mirrors `Protocol.connectionLost`.
   *
   * @param _reason `ConnectionDone` for a clean close, `ConnectionLost` otherwise.
   *
   * @example Telling a clean close from a lost connection
   * ```ts
   * import type { Failure } from "@torsion/torsion";
   * import { ConnectionDone, Protocol } from "@torsion/torsion/reactor";
   * class Watcher extends Protocol {
   *   clean = false;
   *   override connectionLost(reason: Failure): void {
   *     this.clean = reason.check(ConnectionDone) !== null;
   *   }
   * }
   * console.assert(!new Watcher().clean);
   * ```
   */
  connectionLost(_reason: Failure): void {}
}

/**
 * A protocol class that a factory can instantiate: the type of Twisted's
 * `Factory.protocol` attribute.
 *
 * @example The base protocol as a class
 * ```ts
 * import { Protocol, type ProtocolClass } from "@torsion/torsion/reactor";
 * const cls: ProtocolClass = Protocol;
 * ```
 */
export type ProtocolClass<P extends IProtocol = IProtocol> = new () => P;

/**
 * Builds one protocol per connection and keeps state shared between them.
 * Mirrors Twisted's `Factory`: set `protocol` (or override
 * `buildProtocol`); `startFactory`/`stopFactory` run when the first port or
 * connector starts using it and the last one stops.
 *
 * @example A factory with shared state
 * ```ts
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * class Counter extends Protocol<CounterFactory> {
 *   override connectionMade(): void {
 *     this.factory!.connections++;
 *   }
 * }
 * class CounterFactory extends Factory {
 *   override protocol = Counter;
 *   connections = 0;
 * }
 * ```
 */
export class Factory implements IProtocolFactory {
  /** The protocol class `buildProtocol` instantiates. */
  protocol: ProtocolClass | null = null;
  /** How many ports or connectors use this factory. */
  numPorts = 0;

  /**
   * A factory whose `buildProtocol` instantiates `protocol`. Mirrors
   * `Factory.forProtocol`.
   *
   * @param protocol The protocol class.
   * @returns The factory, typed with `protocol`'s class so that
   *   `buildProtocol` of `@torsion/torsion/testing` returns its instances.
   *
   * @example A factory for a protocol class
   * ```ts
   * import { Factory, Protocol } from "@torsion/torsion/reactor";
   * const factory = Factory.forProtocol(Protocol);
   * ```
   */
  static forProtocol<T extends Factory, P extends IProtocol>(
    this: new () => T,
    protocol: ProtocolClass<P>,
  ): T & { protocol: ProtocolClass<P> } {
    const factory = new this();
    factory.protocol = protocol;
    return factory as T & { protocol: ProtocolClass<P> };
  }

  /**
   * Creates a protocol for a new connection and sets its `factory`.
   * Override it to pass state to each protocol, or to refuse a peer.
   * Mirrors `Factory.buildProtocol`.
   *
   * @param _addr The peer's address.
   * @returns The protocol, or `null` to refuse the connection.
   * @throws {TypeError} Neither `protocol` is set nor `buildProtocol` overridden.
   *
   * @example Refusing peers from outside loopback
   * ```ts
   * import { type IAddress, type IProtocol, Factory, Protocol } from "@torsion/torsion/reactor";
   * class LocalOnly extends Factory {
   *   override protocol = Protocol;
   *   override buildProtocol(addr: IAddress): IProtocol | null {
   *     return addr.host === "127.0.0.1" ? super.buildProtocol(addr) : null;
   *   }
   * }
   * console.assert(new LocalOnly().buildProtocol({ type: "TCP", host: "10.0.0.9", port: 1 }) === null);
   * ```
   */
  buildProtocol(_addr: IAddress): IProtocol | null {
    if (this.protocol === null) {
      throw new TypeError(
        "Cannot build a protocol: set factory.protocol or override buildProtocol",
      );
    }
    const protocol = new this.protocol();
    if (protocol instanceof Protocol) protocol.factory = this;
    return protocol;
  }

  /**
   * Counts a user of the factory (a port or connector); calls
   * `startFactory` for the first. Mirrors `Factory.doStart`.
   *
   * @example Counting users
   * ```ts
   * import { Factory } from "@torsion/torsion/reactor";
   * const factory = new Factory();
   * factory.doStart();
   * console.assert(factory.numPorts === 1);
   * ```
   */
  doStart(): void {
    if (this.numPorts === 0) this.startFactory();
    this.numPorts++;
  }

  /**
   * Uncounts a user; calls `stopFactory` when the last one stops. Mirrors
   * `Factory.doStop`.
   *
   * @example Stopping after the last user
   * ```ts
   * import { Factory } from "@torsion/torsion/reactor";
   * const factory = new Factory();
   * factory.doStart();
   * factory.doStop();
   * console.assert(factory.numPorts === 0);
   * ```
   */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) this.stopFactory();
  }

  /**
   * Called before the factory first serves; override it to open what its
   * protocols share (a log file, a database). Mirrors
   * `Factory.startFactory`.
   *
   * @example Opening shared state
   * ```ts
   * import { Factory } from "@torsion/torsion/reactor";
   * class Logged extends Factory {
   *   lines: string[] | null = null;
   *   override startFactory(): void { this.lines = []; }
   * }
   * const factory = new Logged();
   * factory.doStart();
   * console.assert(factory.lines !== null);
   * ```
   */
  startFactory(): void {}

  /**
   * Called after the factory last served; override it to release what
   * `startFactory` opened. Mirrors `Factory.stopFactory`.
   *
   * @example Releasing shared state
   * ```ts
   * import { Factory } from "@torsion/torsion/reactor";
   * class Logged extends Factory {
   *   open = false;
   *   override startFactory(): void { this.open = true; }
   *   override stopFactory(): void { this.open = false; }
   * }
   * const factory = new Logged();
   * factory.doStart();
   * factory.doStop();
   * console.assert(!factory.open);
   * ```
   */
  stopFactory(): void {}
}

/**
 * A factory for servers. Mirrors Twisted's `ServerFactory`.
 *
 * @example A server factory for a protocol class
 * ```ts
 * import { Protocol, ServerFactory } from "@torsion/torsion/reactor";
 * const factory = ServerFactory.forProtocol(Protocol);
 * ```
 */
export class ServerFactory extends Factory {}

/**
 * A factory for clients, told when an attempt starts, fails or its
 * connection is lost. Mirrors Twisted's `ClientFactory`.
 *
 * @example Reporting failed attempts
 * ```ts
 * import { ClientFactory, type IConnector } from "@torsion/torsion/reactor";
 * import type { Failure } from "@torsion/torsion";
 * class Reporting extends ClientFactory {
 *   override clientConnectionFailed(_c: IConnector, reason: Failure): void {
 *     console.error("connection failed:", reason.getErrorMessage());
 *   }
 * }
 * ```
 */
export class ClientFactory extends Factory implements IClientFactory {
  /**
   * A connection attempt has started. Mirrors
   * `ClientFactory.startedConnecting`.
   *
   * @param _connector The connector; `stopConnecting()` gives up.
   *
   * @example Keeping the connector to give up later
   * ```ts
   * import { ClientFactory, type IConnector } from "@torsion/torsion/reactor";
   * class Impatient extends ClientFactory {
   *   connector: IConnector | null = null;
   *   override startedConnecting(connector: IConnector): void {
   *     this.connector = connector;
   *   }
   * }
   * console.assert(new Impatient().connector === null);
   * ```
   */
  startedConnecting(_connector: IConnector): void {}

  /**
   * A connection attempt failed. Mirrors
   * `ClientFactory.clientConnectionFailed`.
   *
   * @param _connector The connector; `connector.connect()` retries.
   * @param _reason Why: refused, DNS, timeout or `UserError`.
   *
   * @example Retrying once
   * ```ts
   * import { ClientFactory, type IConnector } from "@torsion/torsion/reactor";
   * import type { Failure } from "@torsion/torsion";
   * class RetryOnce extends ClientFactory {
   *   retried = false;
   *   override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
   *     if (this.retried) return;
   *     this.retried = true;
   *     connector.connect();
   *   }
   * }
   * console.assert(!new RetryOnce().retried);
   * ```
   */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}

  /**
   * An established connection was lost. Mirrors
   * `ClientFactory.clientConnectionLost`.
   *
   * @param _connector The connector; `connector.connect()` reconnects.
   * @param _reason `ConnectionDone` or `ConnectionLost`.
   *
   * @example Reconnecting after an unclean loss
   * ```ts
   * import { ClientFactory, ConnectionDone, type IConnector } from "@torsion/torsion/reactor";
   * import type { Failure } from "@torsion/torsion";
   * class Sticky extends ClientFactory {
   *   override clientConnectionLost(connector: IConnector, reason: Failure): void {
   *     if (!reason.check(ConnectionDone)) connector.connect();
   *   }
   * }
   * console.assert(new Sticky() instanceof ClientFactory);
   * ```
   */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}
