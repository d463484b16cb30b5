/**
 * The client factory behind `TCP4ClientEndpoint.connect`: it turns the
 * factory callbacks of one connection attempt into a Deferred of the
 * connected protocol, as Twisted's `endpoints._WrappingFactory`.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import {
  ConnectingCancelledError,
  NoProtocol,
  NotConnectingError,
} from "./errors.ts";
import type {
  IAddress,
  IConnector,
  IProtocol,
  IProtocolFactory,
} from "./interfaces.ts";
import { ClientFactory, Protocol } from "./protocol.ts";

/**
 * Stands between the transport and the user's protocol until the
 * connection is made, so that the Deferred fires exactly then; afterwards
 * it only forwards events.
 */
class WrappingProtocol extends Protocol {
  readonly #connected: Deferred<IProtocol>;
  readonly #wrapped: IProtocol;

  constructor(connected: Deferred<IProtocol>, wrapped: IProtocol) {
    super();
    this.#connected = connected;
    this.#wrapped = wrapped;
  }

  override connectionMade(): void {
    this.#wrapped.makeConnection(this.transport!);
    this.#connected.callback(this.#wrapped);
  }

  override dataReceived(data: Uint8Array): void {
    this.#wrapped.dataReceived(data);
  }

  override connectionLost(reason: Failure): void {
    this.#wrapped.connectionLost(reason);
  }
}

/** One connection attempt's factory; `onConnection` fires with the protocol. */
export class WrappingFactory extends ClientFactory {
  /** Fires with the user's protocol once connected, or fails with why not. */
  readonly onConnection: Deferred<IProtocol>;
  readonly #wrapped: IProtocolFactory;
  #connector: IConnector | null = null;

  constructor(wrapped: IProtocolFactory) {
    super();
    this.#wrapped = wrapped;
    this.onConnection = new Deferred<IProtocol>((d) => this.#cancel(d));
  }

  /** Records the connector so that cancelling can stop it. */
  setConnector(connector: IConnector): void {
    this.#connector = connector;
  }

  override startedConnecting(connector: IConnector): void {
    this.#connector = connector;
  }

  override buildProtocol(addr: IAddress): IProtocol | null {
    let protocol: IProtocol | null;
    try {
      protocol = this.#wrapped.buildProtocol(addr);
    } catch (error) {
      this.onConnection.errback(error);
      return null;
    }
    if (protocol === null) {
      this.onConnection.errback(new NoProtocol());
      return null;
    }
    return new WrappingProtocol(this.onConnection, protocol);
  }

  override clientConnectionFailed(
    _connector: IConnector,
    reason: Failure,
  ): void {
    if (!this.onConnection.called) this.onConnection.errback(reason);
  }

  override doStart(): void {
    this.#wrapped.doStart();
  }

  override doStop(): void {
    this.#wrapped.doStop();
  }

  #cancel(d: Deferred<IProtocol>): void {
    const connector = this.#connector;
    if (connector === null) return;
    d.errback(new ConnectingCancelledError(connector.getDestination()));
    try {
      connector.stopConnecting();
    } catch (error) {
      if (!(error instanceof NotConnectingError)) throw error;
    }
  }
}
