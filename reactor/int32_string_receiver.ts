/**
 * `Int32StringReceiver`: strings framed by a 4-byte big-endian length, as
 * `twisted.protocols.basic.Int32StringReceiver`.
 *
 * @module
 */
import { ByteBuffer } from "./_byte_buffer.ts";
import {
  pauseReceiving,
  resumeReceiving,
  stopReceiving,
  toBytes,
} from "./_receiver_support.ts";
import type { IProtocolFactory, IPushProducer } from "./interfaces.ts";
import { Protocol } from "./protocol.ts";

const PREFIX_LENGTH = 4;
const MAX_PREFIXED = 2 ** 32 - 1;

/**
 * A protocol that sends and receives strings, each preceded by its length
 * as an unsigned 32-bit big-endian integer. Mirrors Twisted's
 * `basic.Int32StringReceiver` (an `IntNStringReceiver`).
 *
 * Each complete payload goes to `stringReceived` as bytes. A length above
 * `MAX_LENGTH` goes to `lengthLimitExceeded`, which closes the connection.
 * The protocol is a push producer: `pauseProducing()` stops delivering
 * strings until `resumeProducing()`.
 *
 * @typeParam F The factory type, so `this.factory` is typed in subclasses.
 *
 * @example Framing messages
 * ```ts
 * import assert from "node:assert/strict";
 * import { Int32StringReceiver } from "@torsion/torsion/reactor";
 * import { StringTransport } from "@torsion/torsion/testing";
 *
 * class Echo extends Int32StringReceiver {
 *   override stringReceived(string: Uint8Array): void {
 *     this.sendString(string);
 *   }
 * }
 * const protocol = new Echo();
 * const transport = new StringTransport();
 * protocol.makeConnection(transport);
 * protocol.dataReceived(new Uint8Array([0, 0, 0, 2, 104, 105]));
 * assert.equal(transport.valueString(), "\x00\x00\x00\x02hi");
 * ```
 */
export class Int32StringReceiver<F extends IProtocolFactory = IProtocolFactory>
  extends Protocol<F>
  implements IPushProducer {
  /**
   * The longest payload accepted, in bytes.
   *
   * @default 99999
   */
  MAX_LENGTH = 99999;
  /** Whether delivery is paused by `pauseProducing`. */
  paused = false;

  readonly #buffer = new ByteBuffer();

  /**
   * Parses length-prefixed strings out of `data` and delivers each complete
   * one.
   *
   * @param data The bytes received.
   * @throws {TypeError} A string arrived and `stringReceived` is not overridden.
   *
   * @example Delivering an empty and a one-byte frame
   * ```ts
   * import assert from "node:assert/strict";
   * import { Int32StringReceiver } from "@torsion/torsion/reactor";
   * let got = 0;
   * class Count extends Int32StringReceiver {
   *   override stringReceived(_s: Uint8Array): void { got++; }
   * }
   * new Count().dataReceived(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, 7]));
   * assert.equal(got, 2);
   * ```
   */
  override dataReceived(data: Uint8Array): void {
    const buffer = this.#buffer;
    buffer.append(data);
    while (buffer.length >= PREFIX_LENGTH && !this.paused) {
      const length = (buffer.at(0) * 0x1000000) +
        ((buffer.at(1) << 16) | (buffer.at(2) << 8) | buffer.at(3));
      if (length > this.MAX_LENGTH) {
        this.lengthLimitExceeded(length);
        return;
      }
      if (buffer.length < PREFIX_LENGTH + length) return;
      buffer.skip(PREFIX_LENGTH);
      this.stringReceived(buffer.take(length));
    }
  }

  /**
   * Called with each payload received; override it. Mirrors
   * `IntNStringReceiver.stringReceived`.
   *
   * @param string The payload bytes (a copy the protocol may keep).
   * @throws {TypeError} Not overridden.
   *
   * @example Handling each payload
   * ```ts
   * import assert from "node:assert/strict";
   * import { Int32StringReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const lengths: number[] = [];
   * class Print extends Int32StringReceiver {
   *   override stringReceived(s: Uint8Array): void { lengths.push(s.length); }
   * }
   * const protocol = new Print();
   * protocol.makeConnection(new StringTransport());
   * protocol.dataReceived(new Uint8Array([0, 0, 0, 2, 0x68, 0x69, 0, 0, 0, 1]));
   * assert.deepEqual(lengths, [2]); // the second payload's byte has not arrived
   * ```
   */
  stringReceived(string: Uint8Array): void {
    throw new TypeError(
      `Cannot deliver string of ${string.length} bytes: override stringReceived`,
    );
  }

  /**
   * Called when the peer announces a string longer than `MAX_LENGTH`. By
   * default closes the connection. Mirrors
   * `IntNStringReceiver.lengthLimitExceeded`.
   *
   * @param _length The announced length.
   *
   * @example Logging before the connection closes
   * ```ts
   * import assert from "node:assert/strict";
   * import { Int32StringReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const refused: number[] = [];
   * class Loud extends Int32StringReceiver {
   *   override MAX_LENGTH = 10;
   *   override lengthLimitExceeded(length: number): void {
   *     refused.push(length); // log it, say
   *     super.lengthLimitExceeded(length);
   *   }
   * }
   * const protocol = new Loud();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.dataReceived(new Uint8Array([0, 0, 1, 0])); // announces 256 bytes
   * assert.deepEqual(refused, [256]);
   * assert.equal(transport.disconnecting, true); // the default closes the connection
   * ```
   */
  lengthLimitExceeded(_length: number): void {
    this.transport?.loseConnection();
  }

  /**
   * Writes `string` preceded by its length. Mirrors
   * `IntNStringReceiver.sendString`.
   *
   * @param string The payload (strings are UTF-8 encoded; the length counts bytes).
   * @throws {TypeError} The protocol has no transport yet.
   * @throws {RangeError} The payload does not fit a 32-bit length.
   *
   * @example Framing a reply
   * ```ts
   * import assert from "node:assert/strict";
   * import { Int32StringReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const protocol = new Int32StringReceiver();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.sendString("ok");
   * assert.equal(transport.value().length, 6);
   * ```
   */
  sendString(string: Uint8Array | string): void {
    if (this.transport === null) {
      throw new TypeError("Cannot send a string before the connection is made");
    }
    const payload = toBytes(string);
    if (payload.length > MAX_PREFIXED) {
      throw new RangeError(
        `Cannot send a string longer than ${MAX_PREFIXED} bytes: length is ${payload.length}`,
      );
    }
    const frame = new Uint8Array(PREFIX_LENGTH + payload.length);
    new DataView(frame.buffer).setUint32(0, payload.length);
    frame.set(payload, PREFIX_LENGTH);
    this.transport.write(frame);
  }

  /**
   * Stops delivering strings and pauses the transport: frames that still
   * arrive wait in the buffer. Call it from `stringReceived` when a message
   * starts work that must finish before the next one. Mirrors Twisted's
   * `_PauseableMixin.pauseProducing`.
   *
   * @example One message at a time
   * ```ts
   * import assert from "node:assert/strict";
   * import { Int32StringReceiver } from "@torsion/torsion/reactor";
   * const sizes: number[] = [];
   * class Serial extends Int32StringReceiver {
   *   override stringReceived(s: Uint8Array): void {
   *     sizes.push(s.length);
   *     this.pauseProducing();
   *   }
   * }
   * const protocol = new Serial();
   * protocol.dataReceived(new Uint8Array([0, 0, 0, 1, 9, 0, 0, 0, 2, 8, 8]));
   * assert.deepEqual(sizes, [1]);
   * ```
   */
  pauseProducing(): void {
    pauseReceiving(this);
  }

  /**
   * Resumes the transport and delivers the frames that waited, until one
   * of them pauses again. Mirrors Twisted's
   * `_PauseableMixin.resumeProducing`.
   *
   * @throws {TypeError} A buffered string cannot be delivered.
   *
   * @example Releasing the frames held during a pause
   * ```ts
   * import assert from "node:assert/strict";
   * import { Int32StringReceiver } from "@torsion/torsion/reactor";
   * let got = 0;
   * class Count extends Int32StringReceiver {
   *   override stringReceived(_s: Uint8Array): void { got++; }
   * }
   * const protocol = new Count();
   * protocol.pauseProducing();
   * protocol.dataReceived(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0]));
   * protocol.resumeProducing();
   * assert.equal(got, 2);
   * ```
   */
  resumeProducing(): void {
    resumeReceiving(this);
  }

  /**
   * Stops delivering strings for good and stops the transport's
   * producing, which closes a TCP connection. Mirrors Twisted's
   * `_PauseableMixin.stopProducing`.
   *
   * @example Dropping frames after a stop
   * ```ts
   * import assert from "node:assert/strict";
   * import { Int32StringReceiver } from "@torsion/torsion/reactor";
   * let got = 0;
   * class Count extends Int32StringReceiver {
   *   override stringReceived(_s: Uint8Array): void { got++; }
   * }
   * const protocol = new Count();
   * protocol.stopProducing();
   * protocol.dataReceived(new Uint8Array([0, 0, 0, 0]));
   * assert.equal(got, 0);
   * ```
   */
  stopProducing(): void {
    stopReceiving(this);
  }
}
