/**
 * `LineOnlyReceiver`: the lighter line protocol without raw mode or
 * pausing, as `twisted.protocols.basic.LineOnlyReceiver`.
 *
 * @module
 */
import { ByteBuffer } from "./_byte_buffer.ts";
import { delimiterBytes, isDisconnecting } from "./_receiver_support.ts";
import type { IProtocolFactory } from "./interfaces.ts";
import { Protocol } from "./protocol.ts";

const decoder = new TextDecoder();

/**
 * A protocol that receives only lines. Mirrors Twisted's
 * `basic.LineOnlyReceiver`: like {@linkcode LineReceiver} without raw mode
 * and flow control, for protocols known never to need them. Lines after one
 * that called `loseConnection` are dropped; a line (or an unterminated
 * remainder) longer than `MAX_LENGTH` goes to `lineLengthExceeded`, which
 * closes the connection.
 *
 * As with `LineReceiver`, `lineReceived` gets the line decoded as UTF-8 and
 * `lineBytesReceived` can be overridden to get the bytes.
 *
 * @typeParam F The factory type, so `this.factory` is typed in subclasses.
 *
 * @example A command protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineOnlyReceiver } from "@torsion/torsion/reactor";
 * import { StringTransport } from "@torsion/torsion/testing";
 *
 * class Commands extends LineOnlyReceiver {
 *   override delimiter = "\n";
 *   override lineReceived(line: string): void {
 *     this.sendLine(line === "PING" ? "PONG" : "ERR");
 *   }
 * }
 * const protocol = new Commands();
 * const transport = new StringTransport();
 * protocol.makeConnection(transport);
 * protocol.dataReceived(new TextEncoder().encode("PING\n"));
 * assert.equal(transport.valueString(), "PONG\n");
 * ```
 */
export class LineOnlyReceiver<F extends IProtocolFactory = IProtocolFactory>
  extends Protocol<F> {
  /**
   * What separates lines, as a string (UTF-8 encoded) or bytes.
   *
   * @default "\r\n"
   */
  delimiter: string | Uint8Array = "\r\n";
  /**
   * The longest line, in bytes without the delimiter, that is delivered.
   *
   * @default 16384
   */
  MAX_LENGTH = 16384;

  readonly #buffer = new ByteBuffer();
  // How far the buffer is known to hold no `#scanned` delimiter.
  #scanFrom = 0;
  #scanned: string | Uint8Array | null = null;
  #delimiterBytes: Uint8Array = new Uint8Array(0);

  /**
   * Splits `data` into lines and delivers each complete one.
   *
   * @param data The bytes received.
   * @throws {RangeError} `delimiter` is empty.
   * @throws {TypeError} Neither `lineReceived` nor `lineBytesReceived` is overridden.
   *
   * @example Splitting lines
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineOnlyReceiver } from "@torsion/torsion/reactor";
   * const lines: string[] = [];
   * class Collect extends LineOnlyReceiver {
   *   override lineReceived(line: string): void { lines.push(line); }
   * }
   * new Collect().dataReceived(new TextEncoder().encode("x\r\ny\r\n"));
   * assert.deepEqual(lines, ["x", "y"]);
   * ```
   */
  override dataReceived(data: Uint8Array): void {
    const buffer = this.#buffer;
    buffer.append(data);
    if (this.delimiter !== this.#scanned) {
      // Encoded once per delimiter, not per chunk; an empty one throws on
      // every chunk, since it is never recorded as scanned.
      this.#delimiterBytes = delimiterBytes(this.delimiter);
      this.#scanned = this.delimiter;
      this.#scanFrom = 0;
    }
    const delimiter = this.#delimiterBytes;
    for (;;) {
      const at = buffer.indexOf(delimiter, this.#scanFrom);
      if (at === -1) break;
      this.#scanFrom = 0;
      if (isDisconnecting(this.transport)) {
        // A line earlier in this chunk closed the connection: the peer's
        // later lines must not be acted on.
        buffer.takeAll();
        return;
      }
      const line = buffer.take(at);
      buffer.skip(delimiter.length);
      if (line.length > this.MAX_LENGTH) {
        buffer.takeAll();
        this.lineLengthExceeded(line);
        return;
      }
      this.lineBytesReceived(line);
    }
    if (buffer.length > this.MAX_LENGTH) {
      this.#scanFrom = 0;
      this.lineLengthExceeded(buffer.takeAll());
      return;
    }
    this.#scanFrom = Math.max(0, buffer.length - delimiter.length + 1);
  }

  /**
   * Called with each line, decoded as UTF-8; override it. Mirrors
   * `LineOnlyReceiver.lineReceived`.
   *
   * @param line The line, without delimiter.
   * @throws {TypeError} Not overridden.
   *
   * @example Printing each line
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineOnlyReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const printed: string[] = [];
   * class Log extends LineOnlyReceiver {
   *   override lineReceived(line: string): void { printed.push(line); }
   * }
   * const protocol = new Log();
   * protocol.makeConnection(new StringTransport());
   * protocol.dataReceived(new TextEncoder().encode("one\r\ntwo\r\n"));
   * assert.deepEqual(printed, ["one", "two"]);
   * ```
   */
  lineReceived(line: string): void {
    throw new TypeError(
      `Cannot deliver line of ${line.length} characters: override lineReceived or lineBytesReceived`,
    );
  }

  /**
   * Called with each line's bytes. By default decodes them as UTF-8 and
   * calls `lineReceived`; override it for binary lines.
   *
   * @param line The line's bytes, without delimiter.
   * @throws {TypeError} Neither this nor `lineReceived` is overridden.
   *
   * @example Measuring lines as bytes
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineOnlyReceiver } from "@torsion/torsion/reactor";
   * let size = 0;
   * class Sizes extends LineOnlyReceiver {
   *   override lineBytesReceived(line: Uint8Array): void { size = line.length; }
   * }
   * new Sizes().dataReceived(new Uint8Array([1, 2, 13, 10]));
   * assert.equal(size, 2);
   * ```
   */
  lineBytesReceived(line: Uint8Array): void {
    this.lineReceived(decoder.decode(line));
  }

  /**
   * Writes `line` and `delimiter` as one `writeSequence`. Mirrors
   * `LineOnlyReceiver.sendLine`.
   *
   * @param line The line, without delimiter (strings are UTF-8 encoded).
   * @throws {TypeError} The protocol has no transport yet.
   *
   * @example Sending a line
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineOnlyReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const protocol = new LineOnlyReceiver();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.sendLine("hi");
   * assert.equal(transport.valueString(), "hi\r\n");
   * ```
   */
  sendLine(line: string | Uint8Array): void {
    if (this.transport === null) {
      throw new TypeError("Cannot send a line before the connection is made");
    }
    this.transport.writeSequence([line, this.delimiter]);
  }

  /**
   * Called with a line (or unterminated data) longer than `MAX_LENGTH`. By
   * default closes the connection. Mirrors
   * `LineOnlyReceiver.lineLengthExceeded`.
   *
   * @param _line The offending data.
   *
   * @example Answering instead of closing
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineOnlyReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * class Lenient extends LineOnlyReceiver {
   *   override MAX_LENGTH = 4;
   *   override lineLengthExceeded(_line: Uint8Array): void {
   *     this.sendLine("too long, ignored");
   *   }
   * }
   * const protocol = new Lenient();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.dataReceived(new TextEncoder().encode("much too long\r\n"));
   * assert.equal(transport.valueString(), "too long, ignored\r\n");
   * assert.equal(transport.disconnecting, false); // still connected
   * ```
   */
  lineLengthExceeded(_line: Uint8Array): void {
    this.transport?.loseConnection();
  }
}
