/**
 * The errors of the WebSocket layer: a closed connection (Tornado's
 * `WebSocketClosedError`), a failed opening handshake (Autobahn's
 * `ConnectionDeny` / Tornado's `WebSocketError` with an HTTP status), a
 * protocol violation with the close code it ends in, and a peer that
 * stopped reading.
 *
 * @module
 */

/**
 * The base of the WebSocket errors. Mirrors Tornado's
 * `websocket.WebSocketError`.
 *
 * @example Catching any WebSocket error
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebSocketClosedError, WebSocketError } from "@torsion/torsion/websocket";
 * assert.ok(new WebSocketClosedError() instanceof WebSocketError);
 * ```
 */
export class WebSocketError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WebSocketError";
  }
}

/**
 * A message was written to, or read from, a closed connection. Mirrors
 * Tornado's `websocket.WebSocketClosedError`.
 *
 * @example Naming the error
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebSocketClosedError } from "@torsion/torsion/websocket";
 * assert.equal(new WebSocketClosedError().name, "WebSocketClosedError");
 * ```
 */
export class WebSocketClosedError extends WebSocketError {
  /**
   * Creates the error.
   *
   * @param message What could not be done.
   * @param options `cause`: what closed the connection.
   */
  constructor(message = "WebSocket is closed", options?: ErrorOptions) {
    super(message, options);
    this.name = "WebSocketClosedError";
  }
}

/**
 * The opening handshake failed: the server answered with something other
 * than a valid `101 Switching Protocols`, or the request was not a valid
 * upgrade. `status` is the HTTP status (the server's answer, or the one a
 * server sends back). Mirrors Autobahn's `ConnectionDeny` and the
 * `HTTPClientError` Tornado's `websocket_connect` fails with.
 *
 * @example A refused upgrade
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebSocketHandshakeError } from "@torsion/torsion/websocket";
 * const error = new WebSocketHandshakeError(403, "Origin not allowed");
 * assert.equal(error.status, 403);
 * ```
 */
export class WebSocketHandshakeError extends WebSocketError {
  /** The HTTP status code. */
  readonly status: number;

  /**
   * Creates the error.
   *
   * @param status The HTTP status code.
   * @param message Why the handshake failed.
   * @param options `cause`: the underlying error.
   */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WebSocketHandshakeError";
    this.status = status;
  }
}

/**
 * The peer broke the protocol: `code` is the close code the connection
 * was failed with (1002 protocol error, 1007 invalid payload, 1009 message
 * too big, ...). Mirrors Autobahn's `ProtocolError`/`PayloadExceededError`.
 *
 * @example A frame with a reserved bit set
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebSocketProtocolError } from "@torsion/torsion/websocket";
 * const error = new WebSocketProtocolError(1002, "Reserved bits set: 0x40");
 * assert.equal(error.code, 1002);
 * ```
 */
export class WebSocketProtocolError extends WebSocketError {
  /** The close code the connection is failed with. */
  readonly code: number;

  /**
   * Creates the error.
   *
   * @param code The close code.
   * @param message What the peer did.
   */
  constructor(code: number, message: string) {
    super(message);
    this.name = "WebSocketProtocolError";
    this.code = code;
  }
}

/**
 * The peer does not read: more than `maxWriteBufferSize` bytes waited to
 * be flushed, so the connection was aborted instead of buffering without
 * bound.
 *
 * @example Naming the error
 * ```ts
 * import assert from "node:assert/strict";
 * import { WebSocketWriteBufferFullError } from "@torsion/torsion/websocket";
 * assert.equal(new WebSocketWriteBufferFullError(1024).limit, 1024);
 * ```
 */
export class WebSocketWriteBufferFullError extends WebSocketError {
  /** The limit that was passed, in bytes. */
  readonly limit: number;

  /**
   * Creates the error.
   *
   * @param limit The write buffer limit, in bytes.
   */
  constructor(limit: number) {
    super(
      `The peer is not reading: more than ${limit} bytes wait to be written`,
    );
    this.name = "WebSocketWriteBufferFullError";
    this.limit = limit;
  }
}
