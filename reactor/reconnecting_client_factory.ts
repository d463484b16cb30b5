/**
 * `ReconnectingClientFactory`: a client factory that reconnects with
 * exponential back-off, as `twisted.internet.protocol.ReconnectingClientFactory`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import { NotConnectingError } from "./errors.ts";
import type { IConnector } from "./interfaces.ts";
import { ClientFactory } from "./protocol.ts";
import { reactor } from "./reactor.ts";

const logger = getLogger(["torsion", "reactor"]);

/**
 * A client factory that reconnects whenever the connection fails or is
 * lost, waiting longer after each failure. Mirrors Twisted's
 * `ReconnectingClientFactory`, defaults included.
 *
 * Each retry multiplies `delay` by `factor` (e), caps it at `maxDelay`,
 * then draws the wait from a normal distribution around that value with
 * relative standard deviation `jitter` (so that many clients cut off
 * together do not all come back at the same instant); the wait drawn
 * becomes the new `delay`. `delay` starts at 1 second, as in Twisted, so
 * with the defaults the first retry waits about e ≈ 2.7 seconds, the
 * second about e² ≈ 7.4, and so on. `initialDelay` is the value
 * `resetDelay()` puts back into `delay`: it does not change the first
 * retry of a new factory (set `delay` for that), only the retries after a
 * reset, the first of which waits about `initialDelay * factor`. Call
 * `resetDelay()` once a connection has succeeded (typically in
 * `buildProtocol`), and `stopTrying()` to give up. `maxRetries` bounds the
 * number of attempts in a row.
 *
 * The waits are scheduled on `clock`, the global reactor unless a test sets
 * a `Clock`.
 *
 * @example A client that stays connected
 * ```ts
 * import {
 *   type IAddress,
 *   type IProtocol,
 *   Protocol,
 *   ReconnectingClientFactory,
 * } from "@torsion/torsion/reactor";
 * import { MemoryReactor } from "@torsion/torsion/testing";
 *
 * class Persistent extends ReconnectingClientFactory {
 *   override protocol = Protocol;
 *   override buildProtocol(addr: IAddress): IProtocol | null {
 *     this.resetDelay();
 *     return super.buildProtocol(addr);
 *   }
 * }
 * const factory = new Persistent();
 * factory.maxDelay = 60;
 * const reactor = new MemoryReactor(); // the global reactor in a real program
 * reactor.connectTCP("127.0.0.1", 8000, factory);
 * ```
 */
export class ReconnectingClientFactory extends ClientFactory {
  /**
   * The longest wait between attempts, in seconds (before jitter).
   *
   * @default 3600
   */
  maxDelay = 3600;
  /**
   * The value `resetDelay()` puts back into `delay`, in seconds; the retry
   * after a reset then waits about `initialDelay * factor`. A new factory's
   * `delay` is 1 whatever this says, as in Twisted.
   *
   * @default 1
   */
  initialDelay = 1.0;
  /**
   * How much the wait grows after each failure.
   *
   * @default Math.E
   */
  factor = 2.7182818284590451;
  /**
   * The relative standard deviation of the random variation of each wait;
   * 0 makes waits exact.
   *
   * @default 0.11962656472
   */
  jitter = 0.11962656472;
  /**
   * The last wait, in seconds; the next retry waits about `delay * factor`.
   *
   * @default 1
   */
  delay = 1.0;
  /** How many attempts have been scheduled since the last `resetDelay()`. */
  retries = 0;
  /**
   * The most attempts in a row before giving up; `null` for no limit.
   *
   * @default null
   */
  maxRetries: number | null = null;
  /** Whether failures still lead to retries; `stopTrying()` clears it. */
  continueTrying = true;
  /** The connector of the last failure, which `retry()` reconnects. */
  connector: IConnector | null = null;
  /**
   * What schedules the waits; `null` means the global reactor, set on first use.
   *
   * @default null
   */
  clock: IReactorTime | null = null;

  #callID: IDelayedCall | null = null;

  /**
   * Schedules a retry if still trying. Mirrors
   * `ReconnectingClientFactory.clientConnectionFailed`.
   *
   * @param connector The connector that failed.
   * @param _reason Why.
   *
   * @example Scheduling a retry after a refusal
   * ```ts
   * import { ReconnectingClientFactory } from "@torsion/torsion/reactor";
   * import { Clock, MemoryConnector } from "@torsion/torsion/testing";
   * import { ConnectionRefusedError } from "@torsion/torsion/reactor";
   * import { Failure } from "@torsion/torsion";
   * const factory = new ReconnectingClientFactory();
   * factory.clock = new Clock();
   * const connector = new MemoryConnector({ type: "TCP", host: "h", port: 1 });
   * factory.clientConnectionFailed(connector, new Failure(new ConnectionRefusedError()));
   * console.assert(factory.retries === 1);
   * ```
   */
  override clientConnectionFailed(
    connector: IConnector,
    _reason: Failure,
  ): void {
    if (!this.continueTrying) return;
    this.connector = connector;
    this.retry();
  }

  /**
   * Schedules a reconnection if still trying. Mirrors
   * `ReconnectingClientFactory.clientConnectionLost`.
   *
   * @param connector The connector whose connection was lost.
   * @param _reason Why.
   *
   * @example Scheduling a reconnection after a loss
   * ```ts
   * import { ConnectionLost, ReconnectingClientFactory } from "@torsion/torsion/reactor";
   * import { Clock, MemoryConnector } from "@torsion/torsion/testing";
   * import { Failure } from "@torsion/torsion";
   * const factory = new ReconnectingClientFactory();
   * factory.clock = new Clock();
   * const connector = new MemoryConnector({ type: "TCP", host: "h", port: 1 });
   * factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
   * console.assert(factory.clock.getDelayedCalls().length === 1);
   * ```
   */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (!this.continueTrying) return;
    this.connector = connector;
    this.retry();
  }

  /**
   * Schedules `connector.connect()` after the next, longer, delay; does
   * nothing once `stopTrying()` was called or `maxRetries` is reached.
   * Mirrors `ReconnectingClientFactory.retry`.
   *
   * @param connector The connector; defaults to the last one that failed.
   * @throws {TypeError} No connector is given and none has failed yet.
   *
   * @example The first retry waits e seconds
   * ```ts
   * import { ReconnectingClientFactory } from "@torsion/torsion/reactor";
   * import { Clock, MemoryConnector } from "@torsion/torsion/testing";
   * const clock = new Clock();
   * const factory = new ReconnectingClientFactory();
   * factory.clock = clock;
   * factory.jitter = 0;
   * factory.retry(new MemoryConnector({ type: "TCP", host: "h", port: 1 }));
   * console.assert(clock.getDelayedCalls()[0].getTime() === Math.E);
   * ```
   */
  retry(connector?: IConnector): void {
    if (!this.continueTrying) {
      logger.info("Abandoning {connector} on explicit request", {
        connector: describe(connector ?? this.connector),
      });
      return;
    }
    const target = connector ?? this.connector;
    if (target === null) {
      throw new TypeError("Cannot retry: no connector to retry");
    }
    this.retries++;
    if (this.maxRetries !== null && this.retries > this.maxRetries) {
      logger.info("Abandoning {connector} after {retries} retries", {
        connector: describe(target),
        retries: this.retries,
      });
      return;
    }
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) {
      // A normal draw below zero is ~8 standard deviations away at the
      // default jitter; clamping keeps callLater's delay valid regardless.
      this.delay = Math.max(
        0,
        normalVariate(this.delay, this.delay * this.jitter),
      );
    }
    logger.info("{connector} will retry in {delay} seconds", {
      connector: describe(target),
      delay: Math.floor(this.delay),
    });
    this.clock ??= reactor;
    this.#callID = this.clock.callLater(this.delay, () => {
      this.#callID = null;
      target.connect();
    });
  }

  /**
   * Stops reconnecting: cancels a scheduled retry and stops an attempt in
   * progress; an established connection stays up. Mirrors
   * `ReconnectingClientFactory.stopTrying`.
   *
   * @example Giving up
   * ```ts
   * import { ReconnectingClientFactory } from "@torsion/torsion/reactor";
   * const factory = new ReconnectingClientFactory();
   * factory.stopTrying();
   * console.assert(!factory.continueTrying);
   * ```
   */
  stopTrying(): void {
    if (this.#callID !== null) {
      if (this.#callID.active()) this.#callID.cancel();
      this.#callID = null;
    }
    this.continueTrying = false;
    if (this.connector === null) return;
    try {
      this.connector.stopConnecting();
    } catch (error) {
      if (!(error instanceof NotConnectingError)) throw error;
    }
  }

  /**
   * Returns to the initial delay and retry count and resumes trying; call
   * it once a connection succeeds. Mirrors
   * `ReconnectingClientFactory.resetDelay`.
   *
   * @example Starting over after a success
   * ```ts
   * import { ReconnectingClientFactory } from "@torsion/torsion/reactor";
   * const factory = new ReconnectingClientFactory();
   * factory.retries = 5;
   * factory.resetDelay();
   * console.assert(factory.retries === 0 && factory.delay === 1);
   * ```
   */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.#callID = null;
    this.continueTrying = true;
  }
}

// A draw from the normal distribution (Box–Muller), as Python's
// random.normalvariate which Twisted uses.
function normalVariate(mean: number, deviation: number): number {
  const u = 1 - Math.random();
  const v = Math.random();
  return mean +
    deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function describe(connector: IConnector | null | undefined): string {
  if (connector === null || connector === undefined) return "no connector";
  const { host, port } = connector.getDestination();
  return `connector to ${host}:${port}`;
}
