/**
 * Errors of the reactor layer, mirroring `twisted.internet.error`.
 *
 * @module
 */
import { CancelledError } from "../deferred/errors.ts";
import type { IAddress } from "./interfaces.ts";

/**
 * Cancelling or rescheduling a delayed call that has already run. Mirrors
 * Twisted's `error.AlreadyCalled`.
 *
 * @example Naming the error
 * ```ts
 * import { AlreadyCalled } from "@torsion/torsion/reactor";
 * console.assert(new AlreadyCalled().name === "AlreadyCalled");
 * ```
 */
export class AlreadyCalled extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "Tried to cancel an already-called event") {
    super(message);
    this.name = "AlreadyCalled";
  }
}

/**
 * Cancelling or rescheduling a delayed call that was cancelled. Mirrors
 * Twisted's `error.AlreadyCancelled`.
 *
 * @example Naming the error
 * ```ts
 * import { AlreadyCancelled } from "@torsion/torsion/reactor";
 * console.assert(new AlreadyCancelled().name === "AlreadyCancelled");
 * ```
 */
export class AlreadyCancelled extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "Tried to cancel an already-cancelled event") {
    super(message);
    this.name = "AlreadyCancelled";
  }
}

/**
 * `stop()` on a reactor that is not running. Mirrors Twisted's
 * `error.ReactorNotRunning`.
 *
 * @example Naming the error
 * ```ts
 * import { ReactorNotRunning } from "@torsion/torsion/reactor";
 * console.assert(new ReactorNotRunning().name === "ReactorNotRunning");
 * ```
 */
export class ReactorNotRunning extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "Cannot stop a reactor that is not running") {
    super(message);
    this.name = "ReactorNotRunning";
  }
}

/**
 * `run()` on a reactor that is already running. Mirrors Twisted's
 * `error.ReactorAlreadyRunning`.
 *
 * @example Naming the error
 * ```ts
 * import { ReactorAlreadyRunning } from "@torsion/torsion/reactor";
 * console.assert(new ReactorAlreadyRunning().name === "ReactorAlreadyRunning");
 * ```
 */
export class ReactorAlreadyRunning extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "Cannot run a reactor that is already running") {
    super(message);
    this.name = "ReactorAlreadyRunning";
  }
}

/**
 * A connection could not be set up. Base of the connect errors. Mirrors
 * Twisted's `error.ConnectError`.
 *
 * @example Catching every connect failure
 * ```ts
 * import { ConnectError, ConnectionRefusedError } from "@torsion/torsion/reactor";
 * console.assert(new ConnectionRefusedError() instanceof ConnectError);
 * ```
 */
export class ConnectError extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   * @param options `cause`: the underlying error.
   */
  constructor(
    message = "An error occurred while connecting",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ConnectError";
  }
}

/**
 * The peer refused the connection. Mirrors Twisted's
 * `error.ConnectionRefusedError`.
 *
 * @example Naming the error
 * ```ts
 * import { ConnectionRefusedError } from "@torsion/torsion/reactor";
 * console.assert(new ConnectionRefusedError().name === "ConnectionRefusedError");
 * ```
 */
export class ConnectionRefusedError extends ConnectError {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   * @param options `cause`: the underlying error.
   */
  constructor(
    message = "Connection was refused by other side",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ConnectionRefusedError";
  }
}

/**
 * A host name did not resolve. Mirrors Twisted's `error.DNSLookupError`.
 *
 * @example Naming the error
 * ```ts
 * import { DNSLookupError } from "@torsion/torsion/reactor";
 * console.assert(new DNSLookupError().name === "DNSLookupError");
 * ```
 */
export class DNSLookupError extends ConnectError {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   * @param options `cause`: the underlying error.
   */
  constructor(message = "DNS lookup failed", options?: ErrorOptions) {
    super(message, options);
    this.name = "DNSLookupError";
  }
}

/**
 * The connection attempt was stopped by the user (`stopConnecting`).
 * Mirrors Twisted's `error.UserError`.
 *
 * @example Naming the error
 * ```ts
 * import { UserError } from "@torsion/torsion/reactor";
 * console.assert(new UserError().name === "UserError");
 * ```
 */
export class UserError extends ConnectError {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "User aborted connection") {
    super(message);
    this.name = "UserError";
  }
}

/**
 * A TLS handshake failed: the peer's certificate is not trusted or does not
 * match the host name, or the peer does not speak TLS. Plays the part of
 * pyOpenSSL's `SSL.Error` in Twisted: `connectSSL` reports it through
 * `clientConnectionFailed`, `startTLS` through its Deferred.
 *
 * @example Catching a handshake failure as a connect failure
 * ```ts
 * import { ConnectError, TLSError } from "@torsion/torsion/reactor";
 * console.assert(new TLSError() instanceof ConnectError);
 * ```
 */
export class TLSError extends ConnectError {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   * @param options `cause`: the TLS library's error.
   */
  constructor(message = "TLS handshake failed", options?: ErrorOptions) {
    super(message, options);
    this.name = "TLSError";
  }
}

/**
 * `stopConnecting()` on a connector that is not connecting. Mirrors
 * Twisted's `error.NotConnectingError`.
 *
 * @example Naming the error
 * ```ts
 * import { NotConnectingError } from "@torsion/torsion/reactor";
 * console.assert(new NotConnectingError().name === "NotConnectingError");
 * ```
 */
export class NotConnectingError extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "The connector is not connecting") {
    super(message);
    this.name = "NotConnectingError";
  }
}

/**
 * A client endpoint's `connect()` Deferred was cancelled before the
 * connection was made. Mirrors Twisted's `error.ConnectingCancelledError`;
 * unlike Twisted's it is a `CancelledError`, so trapping either works.
 *
 * @example Trapping it as a cancellation
 * ```ts
 * import { CancelledError } from "@torsion/torsion";
 * import { ConnectingCancelledError } from "@torsion/torsion/reactor";
 * const error = new ConnectingCancelledError({ type: "TCP", host: "h", port: 1 });
 * console.assert(error instanceof CancelledError && error.address.port === 1);
 * ```
 */
export class ConnectingCancelledError extends CancelledError {
  /** The destination the cancelled attempt was connecting to. */
  readonly address: IAddress;

  /**
   * Creates the error for the attempt to `address`.
   *
   * @param address The destination of the cancelled attempt.
   */
  constructor(address: IAddress) {
    super(`Connecting to ${address.host}:${address.port} was cancelled`);
    this.name = "ConnectingCancelledError";
    this.address = address;
  }
}

/**
 * The factory given to a client endpoint returned `null` from
 * `buildProtocol`. Mirrors Twisted's `error.NoProtocol`.
 *
 * @example Naming the error
 * ```ts
 * import { NoProtocol } from "@torsion/torsion/reactor";
 * console.assert(new NoProtocol().name === "NoProtocol");
 * ```
 */
export class NoProtocol extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "The factory returned no protocol for the connection") {
    super(message);
    this.name = "NoProtocol";
  }
}

/**
 * A listening socket could not be opened. Mirrors Twisted's
 * `error.CannotListenError`.
 *
 * @example Reading the port that could not be bound
 * ```ts
 * import { CannotListenError } from "@torsion/torsion/reactor";
 * console.assert(new CannotListenError("127.0.0.1", 80).port === 80);
 * ```
 */
export class CannotListenError extends Error {
  /** The interface that was asked for. */
  readonly interface: string;
  /** The port that was asked for. */
  readonly port: number;

  /**
   * Creates the error for an interface and port.
   *
   * @param iface The interface asked for ("" for all).
   * @param port The port asked for.
   * @param options `cause`: the OS error.
   */
  constructor(iface: string, port: number, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error
      ? `: ${options.cause.message}`
      : "";
    super(`Couldn't listen on ${iface || "any"}:${port}${reason}`, options);
    this.name = "CannotListenError";
    this.interface = iface;
    this.port = port;
  }
}

/**
 * The connection was closed cleanly. `connectionLost` receives it wrapped in
 * a Failure. Mirrors Twisted's `error.ConnectionDone`.
 *
 * @example Naming the error
 * ```ts
 * import { ConnectionDone } from "@torsion/torsion/reactor";
 * console.assert(new ConnectionDone().name === "ConnectionDone");
 * ```
 */
export class ConnectionDone extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "Connection was closed cleanly") {
    super(message);
    this.name = "ConnectionDone";
  }
}

/**
 * The connection was lost in a non-clean fashion (reset, error, abort).
 * Mirrors Twisted's `error.ConnectionLost`.
 *
 * @example Naming the error
 * ```ts
 * import { ConnectionLost } from "@torsion/torsion/reactor";
 * console.assert(new ConnectionLost().name === "ConnectionLost");
 * ```
 */
export class ConnectionLost extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   * @param options `cause`: the underlying error.
   */
  constructor(
    message = "Connection to the other side was lost in a non-clean fashion",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ConnectionLost";
  }
}

/**
 * The connection was aborted locally with `abortConnection`. Mirrors
 * Twisted's `error.ConnectionAborted`.
 *
 * @example Treating an abort as a lost connection
 * ```ts
 * import { ConnectionAborted, ConnectionLost } from "@torsion/torsion/reactor";
 * console.assert(new ConnectionAborted() instanceof ConnectionLost);
 * ```
 */
export class ConnectionAborted extends ConnectionLost {
  /**
   * Creates the error.
   *
   * @param message What happened, when the default text is not enough.
   */
  constructor(message = "Connection was aborted locally") {
    super(message);
    this.name = "ConnectionAborted";
  }
}
