/**
 * `buildProtocol`: the protocol a factory builds, typed as the factory's
 * own protocol class, for tests of a factory.
 *
 * @module
 */
import { AssertionError } from "node:assert";
import type {
  IAddress,
  IProtocol,
  IProtocolFactory,
} from "../reactor/interfaces.ts";
import { IPv4Address } from "../reactor/ipv4_address.ts";

/**
 * The protocol type a factory builds: the return type of its
 * `buildProtocol`, without `null`, when it declares a narrower one than
 * `IProtocol`, otherwise the instance type of its `protocol` class (as a
 * `Factory` subclass that sets `override protocol = Echo` gives).
 */
export type BuiltProtocol<F extends IProtocolFactory> = IProtocol extends
  NonNullable<ReturnType<F["buildProtocol"]>>
  ? F extends { protocol: infer C }
    ? NonNullable<C> extends new () => infer P ? P : IProtocol
  : IProtocol
  : NonNullable<ReturnType<F["buildProtocol"]>>;

/**
 * Calls `factory.buildProtocol(address)` and returns the protocol typed as
 * the factory's own protocol class, so that a test reaches the protocol's
 * fields without a cast; a `null` (a refused peer) fails the test. It is
 * the first step of a Twisted test of a factory:
 * `proto = factory.buildProtocol(addr)`, then `proto.makeConnection(transport)`.
 *
 * @param factory The factory under test.
 * @param address The peer's address; `IPv4Address("TCP", "127.0.0.1", 0)`
 *   when left out.
 * @returns The protocol.
 * @throws {AssertionError} The factory returned `null`.
 *
 * @example Testing a factory's protocol with a StringTransport
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * import { buildProtocol, StringTransport } from "@torsion/torsion/testing";
 *
 * class Greeter extends Protocol {
 *   greeted = false;
 *   override connectionMade(): void {
 *     this.transport!.write(new TextEncoder().encode("hello\n"));
 *     this.greeted = true;
 *   }
 * }
 * class GreeterFactory extends Factory {
 *   override protocol = Greeter;
 * }
 *
 * const protocol = buildProtocol(new GreeterFactory());
 * const transport = new StringTransport();
 * protocol.makeConnection(transport);
 * assert.equal(protocol.greeted, true); // typed as Greeter: no cast
 * assert.equal(new TextDecoder().decode(transport.value()), "hello\n");
 * ```
 */
export function buildProtocol<F extends IProtocolFactory>(
  factory: F,
  address: IAddress = new IPv4Address("TCP", "127.0.0.1", 0),
): BuiltProtocol<F> {
  const protocol = factory.buildProtocol(address);
  if (protocol === null) {
    throw new AssertionError({
      message: `Protocol expected from buildProtocol, found null for ${
        JSON.stringify(address)
      }`,
    });
  }
  return protocol as BuiltProtocol<F>;
}
