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
   * reactor (or by a test with a `StringTransport`).
   *
   * @param transport The connection's transport.
   */
  makeConnection(transport: ITransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** Called once the connection is up; override it. */
  connectionMade(): void {}

  /**
   * Called with each piece of bytes received; override it. Pieces are
   * arbitrary: a message may arrive split or several may arrive together.
   *
   * @param _data The bytes.
   */
  dataReceived(_data: Uint8Array): void {}

  /**
   * Called once when the connection is gone; override it.
   *
   * @param _reason `ConnectionDone` for a clean close, `ConnectionLost` otherwise.
   */
  connectionLost(_reason: Failure): void {}
}

/**
 * A protocol class that a factory can instantiate.
 *
 * @example
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
   * @returns The factory.
   *
   * @example
   * ```ts
   * import { Factory, Protocol } from "@torsion/torsion/reactor";
   * const factory = Factory.forProtocol(Protocol);
   * ```
   */
  static forProtocol<T extends Factory>(
    this: new () => T,
    protocol: ProtocolClass,
  ): T {
    const factory = new this();
    factory.protocol = protocol;
    return factory;
  }

  /**
   * Creates a protocol for a new connection and sets its `factory`.
   *
   * @param _addr The peer's address.
   * @returns The protocol, or `null` to refuse the connection.
   * @throws {TypeError} Neither `protocol` is set nor `buildProtocol` overridden.
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

  /** Counts a user of the factory; calls `startFactory` for the first. */
  doStart(): void {
    if (this.numPorts === 0) this.startFactory();
    this.numPorts++;
  }

  /** Uncounts a user; calls `stopFactory` when the last one stops. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) this.stopFactory();
  }

  /** Called before the factory first serves; override for setup. */
  startFactory(): void {}

  /** Called after the factory last served; override for cleanup. */
  stopFactory(): void {}
}

/**
 * A factory for servers. Mirrors Twisted's `ServerFactory`.
 *
 * @example
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
 * @example
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
   * A connection attempt has started.
   *
   * @param _connector The connector.
   */
  startedConnecting(_connector: IConnector): void {}

  /**
   * A connection attempt failed.
   *
   * @param _connector The connector; `connector.connect()` retries.
   * @param _reason Why: refused, DNS, timeout or `UserError`.
   */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}

  /**
   * An established connection was lost.
   *
   * @param _connector The connector; `connector.connect()` reconnects.
   * @param _reason `ConnectionDone` or `ConnectionLost`.
   */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}
