/**
 * `NetstringReceiver`: length-prefixed strings in D. J. Bernstein's
 * netstring format (`5:hello,`), as `twisted.protocols.basic.NetstringReceiver`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { ByteBuffer } from "./_byte_buffer.ts";
import { toBytes } from "./_receiver_support.ts";
import type { IProtocolFactory } from "./interfaces.ts";
import { Protocol } from "./protocol.ts";

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
const encoder = new TextEncoder();
const logger = getLogger(["torsion", "reactor"]);

/**
 * The peer sent something that is not a netstring: a missing or malformed
 * length, a length above `MAX_LENGTH`, or a payload not followed by a comma.
 * Mirrors Twisted's `basic.NetstringParseError`. `NetstringReceiver` does
 * not throw it: it drops the connection, sets `brokenPeer`, and logs the
 * error at debug level under `["torsion", "reactor"]`.
 */
export class NetstringParseError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was wrong with the input.
   */
  constructor(message: string) {
    super(message);
    this.name = "NetstringParseError";
  }
}

/**
 * A protocol that sends and receives netstrings: `<length>:<bytes>,` with
 * the length in decimal, no leading zeros. Mirrors Twisted's
 * `basic.NetstringReceiver`.
 *
 * Each complete payload goes to `stringReceived` as bytes: netstrings frame
 * binary data, so unlike `LineReceiver` nothing is decoded. Malformed input
 * or a length above `MAX_LENGTH` is answered, as in Twisted, by
 * `transport.loseConnection()` and `brokenPeer = true`; data after that is
 * ignored.
 *
 * @typeParam F The factory type, so `this.factory` is typed in subclasses.
 *
 * @example An echo protocol over netstrings
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetstringReceiver } from "@torsion/torsion/reactor";
 * import { StringTransport } from "@torsion/torsion/testing";
 *
 * class Echo extends NetstringReceiver {
 *   override stringReceived(string: Uint8Array): void {
 *     this.sendString(string);
 *   }
 * }
 * const protocol = new Echo();
 * const transport = new StringTransport();
 * protocol.makeConnection(transport);
 * protocol.dataReceived(new TextEncoder().encode("5:hello,"));
 * assert.equal(transport.valueString(), "5:hello,");
 * ```
 */
export class NetstringReceiver<F extends IProtocolFactory = IProtocolFactory>
  extends Protocol<F> {
  /**
   * The longest payload accepted, in bytes.
   *
   * @default 99999
   */
  MAX_LENGTH = 99999;
  /** Whether the peer sent malformed data and the connection is being dropped. */
  brokenPeer = false;

  readonly #buffer = new ByteBuffer();
  // The payload length being waited for, or -1 while reading a length.
  #expected = -1;

  /**
   * Parses netstrings out of `data` and delivers each complete one.
   *
   * @param data The bytes received.
   * @throws {TypeError} A string arrived and `stringReceived` is not overridden.
   *
   * @example Receiving two netstrings
   * ```ts
   * import assert from "node:assert/strict";
   * import { NetstringReceiver } from "@torsion/torsion/reactor";
   * const got: string[] = [];
   * class Collect extends NetstringReceiver {
   *   override stringReceived(s: Uint8Array): void {
   *     got.push(new TextDecoder().decode(s));
   *   }
   * }
   * new Collect().dataReceived(new TextEncoder().encode("1:a,2:bc,"));
   * assert.deepEqual(got, ["a", "bc"]);
   * ```
   */
  override dataReceived(data: Uint8Array): void {
    if (this.brokenPeer) return;
    this.#buffer.append(data);
    try {
      this.#consume();
    } catch (error) {
      if (!(error instanceof NetstringParseError)) throw error;
      logger.debug("Dropping a peer that sent a bad netstring: {message}", {
        message: error.message,
        error,
      });
      this.#buffer.takeAll();
      this.brokenPeer = true;
      this.transport?.loseConnection();
    }
  }

  /**
   * Called with each payload received; override it. Mirrors
   * `NetstringReceiver.stringReceived`.
   *
   * @param string The payload bytes (a copy the protocol may keep).
   * @throws {TypeError} Not overridden.
   *
   * @example Printing each payload
   * ```ts
   * import assert from "node:assert/strict";
   * import { NetstringReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const printed: string[] = [];
   * class Print extends NetstringReceiver {
   *   override stringReceived(s: Uint8Array): void {
   *     printed.push(new TextDecoder().decode(s));
   *   }
   * }
   * const protocol = new Print();
   * protocol.makeConnection(new StringTransport());
   * protocol.dataReceived(new TextEncoder().encode("5:hello,0:,3:ab"));
   * assert.deepEqual(printed, ["hello", ""]); // the third is not complete yet
   * ```
   */
  stringReceived(string: Uint8Array): void {
    throw new TypeError(
      `Cannot deliver netstring of ${string.length} bytes: override stringReceived`,
    );
  }

  /**
   * Writes `string` as one netstring. Mirrors `NetstringReceiver.sendString`.
   *
   * @param string The payload (strings are UTF-8 encoded; the length counts bytes).
   * @throws {TypeError} The protocol has no transport yet.
   *
   * @example Counting bytes, not characters
   * ```ts
   * import assert from "node:assert/strict";
   * import { NetstringReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const protocol = new NetstringReceiver();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.sendString("héllo");
   * assert.equal(transport.valueString(), "6:héllo,");
   * ```
   */
  sendString(string: Uint8Array | string): void {
    if (this.transport === null) {
      throw new TypeError(
        "Cannot send a netstring before the connection is made",
      );
    }
    const payload = toBytes(string);
    const head = encoder.encode(`${payload.length}:`);
    const frame = new Uint8Array(head.length + payload.length + 1);
    frame.set(head);
    frame.set(payload, head.length);
    frame[frame.length - 1] = COMMA;
    this.transport.write(frame);
  }

  #consume(): void {
    const buffer = this.#buffer;
    while (buffer.length > 0) {
      if (this.#expected === -1) {
        const length = this.#readLength();
        if (length === -1) return;
        this.#expected = length;
      }
      if (buffer.length < this.#expected + 1) return;
      if (buffer.at(this.#expected) !== COMMA) {
        throw new NetstringParseError(
          `Netstring of length ${this.#expected} is not followed by a comma`,
        );
      }
      const payload = buffer.take(this.#expected);
      buffer.skip(1);
      this.#expected = -1;
      this.stringReceived(payload);
    }
  }

  // Consumes `<digits>:` and returns the length, or returns -1 when the
  // digits are not complete yet (after checking they could still be valid).
  #readLength(): number {
    const buffer = this.#buffer;
    const maxDigits = Math.ceil(Math.log10(this.MAX_LENGTH)) + 1;
    let digits = 0;
    let value = 0;
    while (digits < buffer.length) {
      const byte = buffer.at(digits);
      if (byte === COLON && digits > 0) break;
      if (byte < ZERO || byte > NINE || (digits === 1 && value === 0)) {
        throw new NetstringParseError(
          "Netstring does not start with a length: expected digits without leading zeros and a colon",
        );
      }
      value = value * 10 + (byte - ZERO);
      digits++;
      if (digits > maxDigits || value > this.MAX_LENGTH) {
        throw new NetstringParseError(
          `Netstring is longer than MAX_LENGTH: maximum is ${this.MAX_LENGTH}`,
        );
      }
    }
    if (digits === buffer.length) return -1;
    buffer.skip(digits + 1);
    return value;
  }
}
