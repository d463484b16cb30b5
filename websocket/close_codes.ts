/**
 * The close codes of RFC 6455 section 7.4.1, with Autobahn's names
 * (`CLOSE_STATUS_CODE_NORMAL`, ...) shortened.
 *
 * @module
 */

/**
 * The WebSocket close status codes. Mirrors Autobahn's
 * `WebSocketProtocol.CLOSE_STATUS_CODE_*` constants.
 *
 * @example Closing normally
 * ```ts
 * import assert from "node:assert/strict";
 * import { CloseCode } from "@torsion/torsion/websocket";
 * assert.equal(CloseCode.NORMAL, 1000);
 * ```
 */
export const CloseCode = {
  /** 1000: the purpose of the connection was fulfilled. */
  NORMAL: 1000,
  /** 1001: the endpoint is going away (server shutdown, page left). */
  GOING_AWAY: 1001,
  /** 1002: the peer broke the protocol. */
  PROTOCOL_ERROR: 1002,
  /** 1003: a message of a type the endpoint cannot accept. */
  UNSUPPORTED_DATA: 1003,
  /** 1005: no status code was given (never sent on the wire). */
  NO_STATUS: 1005,
  /** 1006: the connection closed without a close frame (never sent). */
  ABNORMAL: 1006,
  /** 1007: a text message that is not valid UTF-8. */
  INVALID_PAYLOAD: 1007,
  /** 1008: a message that violates the endpoint's policy. */
  POLICY_VIOLATION: 1008,
  /** 1009: a message too big to process. */
  MESSAGE_TOO_BIG: 1009,
  /** 1010: the client needed an extension the server did not accept. */
  MANDATORY_EXTENSION: 1010,
  /** 1011: the server met an unexpected condition. */
  INTERNAL_ERROR: 1011,
} as const;

/**
 * Whether `code` may appear in a close frame on the wire (RFC 6455 7.4):
 * 1000-1003, 1007-1014, or 3000-4999.
 *
 * @param code A close code.
 * @returns Whether a peer may send it.
 *
 * @example Codes that never travel
 * ```ts
 * import assert from "node:assert/strict";
 * import { isValidCloseCode } from "@torsion/torsion/websocket";
 * assert.equal(isValidCloseCode(1005), false);
 * assert.equal(isValidCloseCode(4000), true);
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}
