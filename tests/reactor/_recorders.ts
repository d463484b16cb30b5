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
  IProtocol,
} from "../../reactor/interfaces.ts";
import {
  ClientFactory,
  Protocol,
  ServerFactory,
} from "../../reactor/protocol.ts";

const decoder = new TextDecoder();

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

  /** Everything received, as one array. */
  joined(): Uint8Array {
    const size = this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const out = new Uint8Array(size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
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
