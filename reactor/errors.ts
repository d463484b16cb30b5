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
 * @example Cancelling a call that has run
 * ```ts
 * import assert from "node:assert/strict";
 * import { AlreadyCalled } from "@torsion/torsion/reactor";
 * import { Clock } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * const call = clock.callLater(1, () => {});
 * clock.advance(1);
 * assert.throws(() => call.cancel(), AlreadyCalled);
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
 * import assert from "node:assert/strict";
 * import { ConnectError, ConnectionRefusedError } from "@torsion/torsion/reactor";
 * assert.ok(new ConnectionRefusedError() instanceof ConnectError);
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
 * import assert from "node:assert/strict";
 * import { ConnectError, TLSError } from "@torsion/torsion/reactor";
 * assert.ok(new TLSError() instanceof ConnectError);
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
 * import assert from "node:assert/strict";
 * import { CancelledError } from "@torsion/torsion";
 * import { ConnectingCancelledError } from "@torsion/torsion/reactor";
 * const error = new ConnectingCancelledError({ type: "TCP", host: "h", port: 1 });
 * assert.ok(error instanceof CancelledError); // f.trap(CancelledError) catches it
 * assert.equal(error.address.port, 1);
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
 * import assert from "node:assert/strict";
 * import { ConnectionAborted, ConnectionLost } from "@torsion/torsion/reactor";
 * assert.ok(new ConnectionAborted() instanceof ConnectionLost);
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
