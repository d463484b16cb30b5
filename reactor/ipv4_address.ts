/**
 * `IPv4Address`: an {@linkcode IAddress} built from its parts, as Twisted's
 * `twisted.internet.address.IPv4Address`.
 *
 * @module
 */
import type { IAddress } from "./interfaces.ts";

/**
 * The address of one end of a TCP connection. Mirrors Twisted's
 * `IPv4Address(type, host, port)`: it is an {@linkcode IAddress}, so it can
 * be passed to `buildProtocol` or a `StringTransport` straight from a
 * variable, where a plain object literal would need a type annotation to
 * keep its `type` as `"TCP"`.
 *
 * @example An address for a factory under test
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, IPv4Address, Protocol } from "@torsion/torsion/reactor";
 * const peer = new IPv4Address("TCP", "127.0.0.1", 5000);
 * const protocol = Factory.forProtocol(Protocol).buildProtocol(peer);
 * assert.ok(protocol instanceof Protocol);
 * assert.equal(String(peer), "IPv4Address(type='TCP', host='127.0.0.1', port=5000)");
 * ```
 */
export class IPv4Address implements IAddress {
  /** The transport type. */
  readonly type: "TCP";
  /** The IP address, or a host name not yet resolved. */
  readonly host: string;
  /** The port number. */
  readonly port: number;

  /**
   * Creates the address.
   *
   * @param type The transport type: `"TCP"` (also for TLS over TCP).
   * @param host The IP address or host name.
   * @param port The port number, from 0 to 65535.
   * @throws {TypeError} `type` is not `"TCP"`.
   * @throws {RangeError} `port` is not an integer from 0 to 65535.
   */
  constructor(type: "TCP", host: string, port: number) {
    if (type !== "TCP") {
      throw new TypeError(
        `Cannot create an IPv4Address of type other than TCP: current value is ${
          JSON.stringify(type)
        }`,
      );
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(
        `Cannot create an IPv4Address with a port outside 0-65535: current value is ${port}`,
      );
    }
    this.type = type;
    this.host = host;
    this.port = port;
  }

  /**
   * The address as Twisted's `repr` shows it.
   *
   * @returns `IPv4Address(type='TCP', host='…', port=…)`.
   */
  toString(): string {
    return `IPv4Address(type='${this.type}', host='${this.host}', port=${this.port})`;
  }
}
