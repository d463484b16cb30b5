/**
 * Deno's sockets as the TCP transport, port and connector need them:
 * Twisted's address shape for Deno's addresses, closing a resource that may
 * already be closed, and running the read and accept loops detached.
 *
 * @module
 */
import { describeError, logError } from "../_util/log_error.ts";
import type { IAddress } from "./interfaces.ts";

const CATEGORY = ["torsion", "reactor"] as const;

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
