/**
 * Host name resolution as a step of its own before TCP connects, as
 * Twisted's `HostnameEndpoint` (through `reactor.nameResolver`) and
 * Tornado's `Resolver` do it: a connect timeout can then say whether the
 * name lookup or the connection ran out, and a lookup failure is a
 * `DNSLookupError` whatever the platform's message.
 *
 * Which resolver applies:
 * - a reactor with a `resolve(name)` method (Twisted's
 *   `IReactorCore.resolve`) resolves with it, a Deferred answering
 *   synchronously as in Twisted: tests use this to stall or fail a lookup;
 * - Torsion's real reactor resolves with the system resolver
 *   (`getaddrinfo`, through `node:dns`), as `Deno.connect` itself does, so
 *   `/etc/hosts` and the like apply as before; but only when the process
 *   may connect anywhere (`--allow-net` without a host list): a permission
 *   granted for a host name does not cover its addresses, so with one the
 *   name goes to `Deno.connect` as is (and its lookup counts as connecting);
 * - any other reactor (`MemoryReactor`) gets the name as is.
 *
 * IP literals and `localhost` are never looked up.
 *
 * @module
 */
import { DNSLookupError } from "../reactor/errors.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import { Reactor } from "../reactor/reactor.ts";
import { dnsLookupErrorFor } from "../reactor/_socket_errors.ts";

/** Resolves a host name to one address (a Deferred or a Promise of it). */
export type Resolve = (host: string) => PromiseLike<string>;

/** A reactor that can resolve names, as Twisted's `IReactorCore.resolve`. */
interface ResolvingReactor {
  resolve(name: string): PromiseLike<string>;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether `host` needs no lookup: an IP literal or `localhost`. */
export function isLiteralHost(host: string): boolean {
  return IPV4.test(host) || host.includes(":") ||
    host.toLowerCase() === "localhost";
}

async function systemResolve(host: string): Promise<string> {
  // Loaded on the first lookup of a name: most programs connect to
  // addresses, and Node's DNS module adds to every importer's start-up.
  const { lookup } = await import("node:dns/promises");
  const { address } = await lookup(host, { verbatim: true });
  return address;
}

/**
 * The resolver for connections of `reactor` to `host`, or `null` when the
 * name goes to `connectTCP` as is.
 */
export function resolverFor(reactor: IReactor, host: string): Resolve | null {
  if (isLiteralHost(host)) return null;
  const own = (reactor as Partial<ResolvingReactor>).resolve;
  if (typeof own === "function") return (name) => own.call(reactor, name);
  if (reactor instanceof Reactor && mayConnectAnywhere()) return systemResolve;
  return null;
}

/** Whether `net` is granted for every host, so that an address may be dialled. */
function mayConnectAnywhere(): boolean {
  try {
    return Deno.permissions.querySync({ name: "net" }).state === "granted";
  } catch {
    return false;
  }
}

/** A lookup failure as Twisted's `DNSLookupError`, kept as is when it is one. */
export function dnsLookupError(error: unknown, host: string): Error {
  if (error instanceof DNSLookupError) return error;
  return dnsLookupErrorFor(error, host);
}
