/**
 * Learning when a transport has flushed what was written to it, the one
 * drain signal a reactor transport gives: a pull producer registered on it
 * is asked for more once its queue is empty. `IOStream.write` and the
 * WebSocket engine settle their writes with it.
 *
 * @module
 */
import type { IPullProducer, ITransport } from "./interfaces.ts";

/** Calls `onDrain` each time the transport's queue empties after a write. */
export class FlushWatcher {
  readonly #transport: ITransport;
  readonly #onDrain: () => void;
  readonly #onStop: () => void;
  #watching = false;
  #registering = false;
  #askedWhileRegistering = false;
  readonly #producer: IPullProducer = {
    resumeProducing: () => this.#drained(),
    stopProducing: () => {
      this.#watching = false;
      this.#onStop();
    },
  };

  /**
   * @param transport The transport to watch.
   * @param onDrain Called once everything written so far is flushed.
   * @param onStop Called when the transport stops the producer (the
   *   connection is gone) while waiting.
   */
  constructor(transport: ITransport, onDrain: () => void, onStop: () => void) {
    this.#transport = transport;
    this.#onDrain = onDrain;
    this.#onStop = onStop;
  }

  /** Whether a drain is awaited. */
  get watching(): boolean {
    return this.#watching;
  }

  /**
   * Waits for the next drain, after bytes were written. A transport that
   * does not ask a pull producer for data when it is registered (as
   * Twisted's transports do) writes through, like `StringTransport`: its
   * writes count as flushed at once.
   */
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    this.#registering = true;
    this.#askedWhileRegistering = false;
    try {
      this.#transport.registerProducer(this.#producer, false);
    } finally {
      this.#registering = false;
    }
    if (this.#watching && !this.#askedWhileRegistering) this.#drained();
  }

  #drained(): void {
    if (this.#registering) {
      this.#askedWhileRegistering = true;
      return;
    }
    if (!this.#watching) return;
    this.#watching = false;
    this.#transport.unregisterProducer();
    this.#onDrain();
  }
}
