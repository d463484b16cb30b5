/**
 * A listening TCP (or TLS) socket, as Twisted's `tcp.Port`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { describeError, logError } from "../_util/log_error.ts";
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import type {
  IAddress,
  IListeningPort,
  IProtocolFactory,
} from "./interfaces.ts";
import { buildProtocol, callApplication } from "./_application_calls.ts";
import { closeQuietly, detach, toAddress } from "./_deno_socket.ts";
import { type Disconnectable, track, untrack } from "./_tcp_tracker.ts";
import { TCPTransport } from "./_tcp_transport.ts";

const CATEGORY = ["torsion", "reactor"] as const;

/**
 * Seconds to wait after `accept()` fails for a reason other than the port
 * closing (`EMFILE`: out of file descriptors), so the loop does not spin.
 */
const ACCEPT_RETRY_DELAY = 0.1;

/**
 * Accepts connections on a bound listener and gives each a protocol from
 * the factory. `factory.doStart()` runs on `startListening`, `doStop()`
 * once the listener is closed; accepted connections outlive the port.
 */
export class Port implements IListeningPort, Disconnectable {
  readonly #reactor: IReactorTime;
  readonly #factory: IProtocolFactory;
  readonly #listener: Deno.Listener;
  readonly #tls: boolean;
  readonly #host: IAddress;
  #stopping = false;
  #stopped = false;
  #waiters: Deferred<void>[] = [];
  #retry: { call: IDelayedCall; resume(): void } | null = null;

  /**
   * Wraps a bound listener; accepting starts with `startListening`.
   *
   * @param reactor The reactor the port belongs to.
   * @param factory Builds a protocol per connection.
   * @param listener The bound listener (TCP or TLS).
   * @param tls Whether the listener is a TLS one.
   */
  constructor(
    reactor: IReactorTime,
    factory: IProtocolFactory,
    listener: Deno.Listener,
    tls: boolean,
  ) {
    this.#reactor = reactor;
    this.#factory = factory;
    this.#listener = listener;
    this.#tls = tls;
    this.#host = toAddress(listener.addr);
  }

  /**
   * Starts the factory and the accept loop.
   *
   * @throws {unknown} Whatever `factory.doStart()` throws; the listener is closed then.
   */
  startListening(): void {
    try {
      this.#factory.doStart();
    } catch (error) {
      closeQuietly(this.#listener);
      throw error;
    }
    track(this.#reactor, this);
    detach(this.#acceptLoop(), "the accept loop");
  }

  /**
   * The bound address, with the real port when 0 was asked for.
   *
   * @returns The address.
   */
  getHost(): IAddress {
    return this.#host;
  }

  /**
   * Closes the listener. Accepted connections stay open.
   *
   * @returns A Deferred that fires once the listener is closed and
   *   `factory.doStop()` has run.
   */
  stopListening(): Deferred<void> {
    const deferred = new Deferred<void>();
    if (this.#stopped) {
      deferred.callback(undefined);
      return deferred;
    }
    this.#waiters.push(deferred);
    if (!this.#stopping) {
      this.#stopping = true;
      closeQuietly(this.#listener);
      const retry = this.#retry;
      if (retry !== null) {
        retry.call.cancel();
        retry.resume();
      }
    }
    return deferred;
  }

  /**
   * Stops listening (for `disconnectAll`).
   *
   * @param _reason Unused: a port has no protocol to tell.
   * @returns A Promise that resolves once the listener is closed.
   */
  async disconnect(_reason: Failure): Promise<void> {
    await this.stopListening();
  }

  async #acceptLoop(): Promise<void> {
    try {
      while (!this.#stopping) {
        let conn: Deno.Conn;
        try {
          conn = await this.#listener.accept();
        } catch (error) {
          if (this.#stopping) break;
          logError(
            CATEGORY,
            `Could not accept a connection on ${this.#host.host}:${this.#host.port}: ${
              describeError(error)
            }`,
            error,
          );
          if (error instanceof Deno.errors.BadResource) break;
          await this.#pause(ACCEPT_RETRY_DELAY);
          continue;
        }
        if (this.#tls) this.#handshake(conn as Deno.TlsConn);
        else this.#serve(conn);
      }
    } catch (error) {
      logError(CATEGORY, `Accept loop failed: ${describeError(error)}`, error);
    } finally {
      this.#finish();
    }
  }

  #pause(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = (): void => {
        this.#retry = null;
        resolve();
      };
      this.#retry = { call: this.#reactor.callLater(seconds, resume), resume };
    });
  }

  /**
   * Completes the TLS handshake before the protocol exists, so a client
   * that fails it (wrong protocol, untrusted certificate) costs a debug
   * log line and nothing else.
   */
  #handshake(conn: Deno.TlsConn): void {
    let aborted = false;
    const done = conn.handshake().then(
      (info) => {
        untrack(this.#reactor, pending);
        if (!aborted) this.#serve(conn, info.alpnProtocol);
      },
      (error) => {
        untrack(this.#reactor, pending);
        if (aborted) return;
        closeQuietly(conn);
        getLogger([...CATEGORY]).debug(
          "TLS handshake with {peer} failed: {error}",
          { peer: toAddress(conn.remoteAddr), error: describeError(error) },
        );
      },
    );
    detach(done, "the TLS handshake");
    const pending: Disconnectable = {
      disconnect(): Promise<void> {
        aborted = true;
        closeQuietly(conn);
        return done;
      },
    };
    track(this.#reactor, pending);
  }

  #serve(conn: Deno.Conn, negotiatedProtocol: string | null = null): void {
    try {
      if (!this.#tls) (conn as Deno.TcpConn).setNoDelay(true);
      const addr = toAddress(conn.remoteAddr);
      const { protocol } = buildProtocol(this.#factory, addr);
      if (protocol === null) {
        closeQuietly(conn);
        return;
      }
      new TCPTransport(conn, protocol, {
        reactor: this.#reactor,
        tlsHostname: addr.host,
        tls: this.#tls,
        noDelay: !this.#tls,
        negotiatedProtocol,
      }).start();
    } catch (error) {
      // Only a socket already reset can fail here (setNoDelay, remoteAddr).
      closeQuietly(conn);
      getLogger([...CATEGORY]).debug(
        "Dropped an accepted connection: {error}",
        {
          error: describeError(error),
        },
      );
    }
  }

  #finish(): void {
    this.#stopping = true;
    this.#stopped = true;
    untrack(this.#reactor, this);
    callApplication("doStop", () => this.#factory.doStop());
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const deferred of waiters) deferred.callback(undefined);
  }
}
