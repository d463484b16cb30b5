/**
 * Calling application code (protocols, factories, producers) from the TCP
 * transport, port and connector, as Twisted does: a throw is logged under
 * `["torsion", "reactor"]` and never stops the socket code that called.
 *
 * @module
 */
import { describeError, logError } from "../_util/log_error.ts";
import type { IAddress, IProtocol, IProtocolFactory } from "./interfaces.ts";

const CATEGORY = ["torsion", "reactor"] as const;

/** Logs a throw from application code (a protocol, factory or producer). */
export function logApplicationError(what: string, error: unknown): void {
  logError(
    CATEGORY,
    `Unhandled error in ${what}: ${describeError(error)}`,
    error,
  );
}

/**
 * Calls application code whose throw must not stop the caller, as Twisted
 * logs errors from callbacks it makes on behalf of a socket.
 */
export function callApplication(what: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    logApplicationError(what, error);
  }
}

/** What a factory gave for a new connection. */
export type BuiltProtocol =
  /** A protocol, or `null` to refuse the connection. */
  | { protocol: IProtocol | null }
  /** What `buildProtocol` threw (already logged). */
  | { protocol: null; error: unknown };

/**
 * Asks `factory` for the protocol of a connection with `addr`, as Twisted's
 * ports and connectors do; a throw is logged and handed back.
 */
export function buildProtocol(
  factory: IProtocolFactory,
  addr: IAddress,
): BuiltProtocol {
  try {
    return { protocol: factory.buildProtocol(addr) };
  } catch (error) {
    logApplicationError("buildProtocol", error);
    return { protocol: null, error };
  }
}
