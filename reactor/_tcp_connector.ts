/**
 * An outgoing TCP (or TLS) connection and its attempts, as Twisted's
 * `base.BaseConnector` with `tcp.Client`.
 *
 * @module
 */
import { describeError, logError } from "../_util/log_error.ts";
import { TimeoutError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";
import {
  ConnectError,
  ConnectionDone,
  NotConnectingError,
  TLSError,
  UserError,
} from "./errors.ts";
import type {
  IAddress,
  IClientFactory,
  IConnector,
  TLSClientOptions,
} from "./interfaces.ts";
import { buildProtocol, callApplication } from "./_application_calls.ts";
import { closeQuietly, toAddress } from "./_deno_socket.ts";
import { connectErrorFor, errorMessage } from "./_socket_errors.ts";
import { type Disconnectable, track, untrack } from "./_tcp_tracker.ts";
import { TCPTransport } from "./_tcp_transport.ts";

const CATEGORY = ["torsion", "reactor"] as const;

/** Where a connector is: Twisted's `BaseConnector.state`. */
type ConnectorState = IConnector["state"];

/** The factory callbacks that end a connection attempt or a connection. */
type EndCallback = "clientConnectionFailed" | "clientConnectionLost";

// Set by Connector's static block: how an attempt reports to its
// connector, with no closure made per attempt (thousands of connections may
// be opened at once).
let attemptConnected: (
  connector: Connector,
  attempt: ConnectAttempt,
  conn: Deno.Conn,
  negotiatedProtocol: string | null,
) => void;
let attemptFailed: (
  connector: Connector,
  attempt: ConnectAttempt,
  error: Error,
) => void;
let attemptShutdown: (
  connector: Connector,
  attempt: ConnectAttempt,
  reason: Failure,
) => void;

/** Forgets an attempt once its last operation settled. */
function attemptSettled(attempt: ConnectAttempt): void {
  untrack(attempt.reactor, attempt);
}

/**
 * What the connector's handling of an attempt's outcome throws is a bug to
 * log: the attempt's Promise never rejects, so it is forgotten whatever
 * happens.
 */
function attemptBroke(error: unknown): void {
  logError(
    CATEGORY,
    `Connection attempt failed: ${describeError(error)}`,
    error,
  );
}

/**
 * One `Deno.connect` (plus, for TLS, `Deno.startTls` and the handshake).
 * It stays tracked by the reactor until its last operation settles, so
 * `disconnectAll` never leaves a pending connect behind even after the
 * connector gave up on it.
 */
class ConnectAttempt implements Disconnectable {
  readonly #controller = new AbortController();
  readonly #connector: Connector;
  /** The reactor that tracks the attempt until it settles. */
  readonly reactor: IReactorTime;
  #conn: Deno.Conn | null = null;
  /** Resolves with the attempt once its last operation settled. */
  readonly settled: Promise<ConnectAttempt>;

  constructor(
    host: string,
    port: number,
    tls: TLSClientOptions | undefined,
    connector: Connector,
    reactor: IReactorTime,
  ) {
    this.#connector = connector;
    this.reactor = reactor;
    this.settled = this.#run(host, port, tls);
  }

  /** Stops the attempt: aborts the connect, or closes the socket mid-handshake. */
  abandon(): void {
    this.#controller.abort();
    if (this.#conn !== null) closeQuietly(this.#conn);
  }

  async disconnect(reason: Failure): Promise<void> {
    attemptShutdown(this.#connector, this, reason);
    await this.settled;
  }

  /** Connects; resolves with the attempt itself, for `attemptSettled`. */
  async #run(
    host: string,
    port: number,
    tls: TLSClientOptions | undefined,
  ): Promise<ConnectAttempt> {
    const signal = this.#controller.signal;
    let phase: "connect" | "tls" = "connect";
    let negotiatedProtocol: string | null = null;
    try {
      const tcp = await Deno.connect({
        hostname: host,
        port,
        signal,
      });
      this.#conn = tcp;
      if (signal.aborted) {
        closeQuietly(tcp);
        return this;
      }
      tcp.setNoDelay(true);
      if (tls !== undefined) {
        phase = "tls";
        const conn = await Deno.startTls(tcp, {
          hostname: tls.hostname ?? host,
          caCerts: tls.caCerts,
          alpnProtocols: tls.alpnProtocols,
        });
        this.#conn = conn;
        if (signal.aborted) {
          closeQuietly(conn);
          return this;
        }
        negotiatedProtocol = (await conn.handshake()).alpnProtocol;
        if (signal.aborted) return this;
      }
    } catch (error) {
      if (signal.aborted) return this;
      if (this.#conn !== null) closeQuietly(this.#conn);
      try {
        attemptFailed(
          this.#connector,
          this,
          phase === "tls"
            ? new TLSError(
              `TLS handshake with ${tls?.hostname ?? host}:${port} failed: ${
                errorMessage(error)
              }`,
              { cause: error },
            )
            : connectErrorFor(error, host, port),
        );
      } catch (internal) {
        attemptBroke(internal);
      }
      return this;
    }
    try {
      attemptConnected(this.#connector, this, this.#conn, negotiatedProtocol);
    } catch (internal) {
      attemptBroke(internal);
    }
    return this;
  }
}

/**
 * Connects to a host and port, reporting each attempt's fate to a client
 * factory. Mirrors Twisted's `BaseConnector` state machine: `connect()`
 * from `disconnected`, `stopConnecting()` while `connecting`,
 * `disconnect()` in any state, and `factory.doStop()` once the factory
 * stops calling `connect()` again from its callbacks.
 */
export class Connector implements IConnector {
  readonly #reactor: IReactorTime;
  readonly #host: string;
  readonly #port: number;
  readonly #factory: IClientFactory;
  readonly #timeout: number;
  readonly #tls: TLSClientOptions | undefined;
  #state: ConnectorState = "disconnected";
  #factoryStarted = false;
  #attempt: ConnectAttempt | null = null;
  #timeoutCall: IDelayedCall | null = null;
  #transport: TCPTransport | null = null;

  static {
    attemptConnected = (connector, attempt, conn, negotiatedProtocol) =>
      connector.#attemptConnected(attempt, conn, negotiatedProtocol);
    attemptFailed = (connector, attempt, error) =>
      connector.#attemptFailed(attempt, error);
    attemptShutdown = (connector, attempt, reason) =>
      connector.#attemptFailed(
        attempt,
        new ConnectError(
          `Connection attempt to ${connector.#host}:${connector.#port} stopped: ${reason.getErrorMessage()}`,
          { cause: reason.value },
        ),
      );
  }

  /**
   * Creates a connector; nothing happens until `connect()`.
   *
   * @param reactor Schedules the timeout and tracks the sockets.
   * @param host The host name or IP address.
   * @param port The port.
   * @param factory The client factory.
   * @param timeout Seconds before an attempt fails with `TimeoutError`.
   * @param tls TLS settings, to connect with TLS.
   */
  constructor(
    reactor: IReactorTime,
    host: string,
    port: number,
    factory: IClientFactory,
    timeout: number,
    tls: TLSClientOptions | undefined,
  ) {
    this.#reactor = reactor;
    this.#host = host;
    this.#port = port;
    this.#factory = factory;
    this.#timeout = timeout;
    this.#tls = tls;
  }

  /** `"connecting"`, `"connected"` or `"disconnected"`. */
  get state(): ConnectorState {
    return this.#state;
  }

  /**
   * The host and port this connector connects to, as given.
   *
   * @returns The destination.
   */
  getDestination(): IAddress {
    return { type: "TCP", host: this.#host, port: this.#port };
  }

  /**
   * Starts an attempt: `factory.doStart()` (the first time), then
   * `factory.startedConnecting(this)`.
   *
   * @throws {TypeError} The connector is already connecting or connected.
   */
  connect(): void {
    if (this.#state !== "disconnected") {
      throw new TypeError(
        `Cannot connect: the connector is ${this.#state}, not disconnected`,
      );
    }
    this.#state = "connecting";
    if (!this.#factoryStarted) {
      this.#factory.doStart();
      this.#factoryStarted = true;
    }
    const attempt = new ConnectAttempt(
      this.#host,
      this.#port,
      this.#tls,
      this,
      this.#reactor,
    );
    this.#attempt = attempt;
    track(this.#reactor, attempt);
    attempt.settled.then(attemptSettled);
    this.#timeoutCall = this.#reactor.callLater(this.#timeout, () => {
      this.#timeoutCall = null;
      this.#attemptFailed(
        attempt,
        new TimeoutError(
          `Timeout while connecting to ${this.#host}:${this.#port} after ${this.#timeout} seconds`,
        ),
      );
    });
    callApplication(
      "startedConnecting",
      () => this.#factory.startedConnecting(this),
    );
  }

  /**
   * Gives up the attempt in progress; the factory's
   * `clientConnectionFailed` receives `UserError`.
   *
   * @throws {NotConnectingError} No attempt is in progress.
   */
  stopConnecting(): void {
    const attempt = this.#attempt;
    if (this.#state !== "connecting" || attempt === null) {
      throw new NotConnectingError(
        `Cannot stop connecting: the connector is ${this.#state}`,
      );
    }
    this.#attemptFailed(attempt, new UserError());
  }

  /** Stops connecting, or loses the connection, whichever applies. */
  disconnect(): void {
    if (this.#state === "connecting") this.stopConnecting();
    else if (this.#state === "connected") this.#transport?.loseConnection();
  }

  #attemptFailed(attempt: ConnectAttempt, error: Error): void {
    if (this.#attempt !== attempt) return;
    this.#attempt = null;
    attempt.abandon();
    this.#ended("clientConnectionFailed", new Failure(error));
  }

  #attemptConnected(
    attempt: ConnectAttempt,
    conn: Deno.Conn,
    negotiatedProtocol: string | null,
  ): void {
    if (this.#attempt !== attempt) {
      closeQuietly(conn);
      return;
    }
    this.#attempt = null;
    this.#cancelTimeout();
    this.#state = "connected";
    const addr = toAddress(conn.remoteAddr);
    const built = buildProtocol(this.#factory, addr);
    if ("error" in built) {
      closeQuietly(conn);
      this.#ended(
        "clientConnectionFailed",
        new Failure(
          new ConnectError(
            `Could not build a protocol for ${addr.host}:${addr.port}`,
            { cause: built.error },
          ),
        ),
      );
      return;
    }
    const protocol = built.protocol;
    if (protocol === null) {
      // Twisted closes at once and reports a clean loss of the connection.
      closeQuietly(conn);
      queueMicrotask(() =>
        this.#ended("clientConnectionLost", new Failure(new ConnectionDone()))
      );
      return;
    }
    const transport = new TCPTransport(conn, protocol, {
      reactor: this.#reactor,
      peer: addr,
      tlsHostname: this.#host,
      tls: this.#tls !== undefined,
      noDelay: true,
      negotiatedProtocol,
      onLost: (reason) => {
        this.#transport = null;
        this.#ended("clientConnectionLost", reason);
      },
    });
    this.#transport = transport;
    transport.start();
  }

  #cancelTimeout(): void {
    const call = this.#timeoutCall;
    this.#timeoutCall = null;
    if (call !== null && call.active()) call.cancel();
  }

  /**
   * The attempt failed or the connection was lost. The timeout only
   * matters for a failed attempt: once connected it is already cancelled.
   */
  #ended(callback: EndCallback, reason: Failure): void {
    this.#cancelTimeout();
    this.#state = "disconnected";
    callApplication(callback, () => this.#factory[callback](this, reason));
    this.#stopFactoryUnlessReconnecting();
  }

  /** A factory that called `connect()` again from its callback keeps running. */
  #stopFactoryUnlessReconnecting(): void {
    if (this.#state !== "disconnected") return;
    this.#factoryStarted = false;
    callApplication("doStop", () => this.#factory.doStop());
  }
}
