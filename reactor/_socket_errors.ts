/**
 * Deno's socket errors as Twisted's: a failed connect as `ConnectError`,
 * `ConnectionRefusedError` or `DNSLookupError`, a failed read or write as
 * `ConnectionLost`.
 *
 * @module
 */
import {
  ConnectError,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
} from "./errors.ts";

/** The message of an error (its text for non-errors), for error messages. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
