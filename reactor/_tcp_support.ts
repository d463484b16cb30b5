/**
 * Small helpers shared by the TCP transport, port and connector: address
 * conversion, quiet closing, calling application code, and mapping Deno's
 * socket errors to Twisted's.
 *
 * @module
 */
import { describeError, logError } from "../deferred/_logging.ts";
import {
  ConnectError,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
} from "./errors.ts";
import type { IAddress, IProtocol, IProtocolFactory } from "./interfaces.ts";

/** The logging category of every socket event. */
export const CATEGORY: readonly string[] = ["torsion", "reactor"];

/** Converts Deno's address of a TCP socket to Twisted's `IPv4Address` shape. */
export function toAddress(addr: Deno.Addr): IAddress {
  const net = addr as Deno.NetAddr;
  return { type: "TCP", host: net.hostname, port: net.port };
}

/**
 * Closes a socket or listener that may already be closed (or consumed by
 * `Deno.startTls`), where the resulting `BadResource` means nothing.
 */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Already closed: the only outcome close() can report.
  }
}

export { describeError };

/**
 * Lets an async loop run on its own. The loops handle their errors inside;
 * whatever still escapes is a bug to log, never an unhandled rejection
 * that would end the process.
 */
export function detach(loop: Promise<unknown>, what: string): void {
  loop.catch((error) =>
    logError(
      CATEGORY,
      `Internal error in ${what}: ${describeError(error)}`,
      error,
    )
  );
}

/** The message of an error (its text for non-errors), for error messages. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

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

/**
 * Maps a failed `Deno.connect` to Twisted's connect errors. Deno reports a
 * failed name lookup as a plain `Error` ("failed to lookup address
 * information") or, for a malformed name, a `URIError`.
 */
export function connectErrorFor(
  error: unknown,
  host: string,
  port: number,
): ConnectError {
  const options = { cause: error };
  const reason = errorMessage(error);
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new ConnectionRefusedError(
      `Connection was refused by other side: ${host}:${port}: ${reason}`,
      options,
    );
  }
  if (
    error instanceof URIError ||
    error instanceof Deno.errors.NotFound ||
    /failed to lookup address/i.test(reason)
  ) {
    return dnsLookupErrorFor(error, host);
  }
  return new ConnectError(
    `An error occurred while connecting to ${host}:${port}: ${reason}`,
    options,
  );
}

/**
 * A failed name lookup as Twisted's `DNSLookupError`, one message whether
 * `Deno.connect` looked the name up or a resolver did before it.
 */
export function dnsLookupErrorFor(
  error: unknown,
  host: string,
): DNSLookupError {
  return new DNSLookupError(
    `Address '${host}' not found: ${errorMessage(error)}`,
    { cause: error },
  );
}

/** Wraps a read or write error (reset, broken pipe) in `ConnectionLost`. */
export function connectionLostFor(error: unknown): ConnectionLost {
  return new ConnectionLost(
    `Connection to the other side was lost in a non-clean fashion: ${
      errorMessage(error)
    }`,
    { cause: error },
  );
}
