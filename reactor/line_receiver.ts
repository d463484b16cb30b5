/**
 * `LineReceiver`: a protocol that splits the byte stream into lines, with a
 * raw mode for binary payloads, as `twisted.protocols.basic.LineReceiver`.
 *
 * @module
 */
import { ByteBuffer } from "./_byte_buffer.ts";
import {
  delimiterBytes,
  isDisconnecting,
  pauseReceiving,
  resumeReceiving,
  stopReceiving,
  toBytes,
} from "./_receiver_support.ts";
import type { IProtocolFactory, IPushProducer } from "./interfaces.ts";
import { Protocol } from "./protocol.ts";

const decoder = new TextDecoder();

/**
 * A protocol that receives lines and, when switched to raw mode, raw data.
 * Mirrors Twisted's `basic.LineReceiver`.
 *
 * Bytes are split on `delimiter`; each line, without the delimiter, goes to
 * {@linkcode LineReceiver.lineBytesReceived}, which decodes it as UTF-8
 * (invalid sequences become U+FFFD) and calls
 * {@linkcode LineReceiver.lineReceived} with the string. Twisted hands
 * `lineReceived` bytes; Torsion hands it a string because line protocols are
 * text protocols and the string is what handlers want. Override
 * `lineBytesReceived` instead when lines carry bytes that are not UTF-8.
 *
 * A line longer than `MAX_LENGTH` goes to `lineLengthExceeded`, which closes
 * the connection. `setRawMode()` sends everything after the current line to
 * `rawDataReceived` until `setLineMode()`; that is how a line protocol reads
 * a length-delimited body (HTTP, memcached). The protocol is also a push
 * producer: `pauseProducing()` stops delivering lines (and pauses the
 * transport) until `resumeProducing()`.
 *
 * Buffered data is kept in one growable buffer scanned once, so a long line
 * arriving one byte at a time costs linear, not quadratic, time.
 *
 * @typeParam F The factory type, so `this.factory` is typed in subclasses.
 *
 * @example A line-based echo protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineReceiver } from "@torsion/torsion/reactor";
 * import { StringTransport } from "@torsion/torsion/testing";
 *
 * class Echo extends LineReceiver {
 *   override lineReceived(line: string): void {
 *     this.sendLine(`echo: ${line}`);
 *   }
 * }
 * const protocol = new Echo();
 * const transport = new StringTransport();
 * protocol.makeConnection(transport);
 * protocol.dataReceived(new TextEncoder().encode("hello\r\nwor"));
 * assert.equal(transport.valueString(), "echo: hello\r\n");
 * ```
 */
export class LineReceiver<F extends IProtocolFactory = IProtocolFactory>
  extends Protocol<F>
  implements IPushProducer {
  /**
   * What separates lines, as a string (UTF-8 encoded) or bytes. May be
   * changed at any time, also from `lineReceived`.
   *
   * @default "\r\n"
   */
  delimiter: string | Uint8Array = "\r\n";
  /**
   * The longest line, in bytes without the delimiter, that is delivered;
   * a longer one goes to `lineLengthExceeded`.
   *
   * @default 16384
   */
  MAX_LENGTH = 16384;
  /** Whether delivery is paused by `pauseProducing`. */
  paused = false;

  #lineMode = true;
  #busy = false;
  readonly #buffer = new ByteBuffer();
  #delimiterSource: string | Uint8Array | null = null;
  #delimiterBytes: Uint8Array = new Uint8Array(0);
  // How far from the front the buffer is known to hold no delimiter, so a
  // long partial line is not searched again from its start on every read.
  #scanFrom = 0;

  /** Whether the protocol is in line mode (`true`) or raw mode. Mirrors `line_mode`. */
  get lineMode(): boolean {
    return this.#lineMode;
  }

  /**
   * Splits `data` into lines (or passes it on raw) and delivers them. Data
   * that arrives while a line is being handled, or while paused, is
   * buffered and delivered in order afterwards.
   *
   * @param data The bytes received.
   * @throws {RangeError} `delimiter` is empty.
   * @throws {TypeError} A line arrived and neither `lineReceived` nor
   *   `lineBytesReceived` is overridden (or raw data and `rawDataReceived`).
   *
   * @example Splitting lines
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * const lines: string[] = [];
   * class Collect extends LineReceiver {
   *   override lineReceived(line: string): void { lines.push(line); }
   * }
   * const protocol = new Collect();
   * protocol.dataReceived(new TextEncoder().encode("a\r\nb\r\n"));
   * assert.deepEqual(lines, ["a", "b"]);
   * ```
   */
  override dataReceived(data: Uint8Array): void {
    if (this.#busy) {
      this.#buffer.append(data);
      return;
    }
    this.#busy = true;
    try {
      this.#buffer.append(data);
      this.#deliver();
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Called with each line, decoded as UTF-8, without its delimiter;
   * override it. Mirrors `LineReceiver.lineReceived`.
   *
   * @param line The line.
   * @throws {TypeError} Not overridden.
   *
   * @example Answering each line
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * class Shout extends LineReceiver {
   *   override lineReceived(line: string): void {
   *     this.sendLine(line.toUpperCase());
   *   }
   * }
   * const protocol = new Shout();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.dataReceived(new TextEncoder().encode("hi\r\nthere\r\npartial"));
   * assert.equal(transport.valueString(), "HI\r\nTHERE\r\n"); // "partial" waits for its delimiter
   * ```
   */
  lineReceived(line: string): void {
    throw new TypeError(
      `Cannot deliver line of ${line.length} characters: override lineReceived or lineBytesReceived`,
    );
  }

  /**
   * Called with each line's bytes, without the delimiter. By default decodes
   * them as UTF-8 and calls `lineReceived`; override it for binary lines.
   *
   * @param line The line's bytes (a copy the protocol may keep).
   * @throws {TypeError} Neither this nor `lineReceived` is overridden.
   *
   * @example A protocol that keeps lines as bytes
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * class Binary extends LineReceiver {
   *   lines: Uint8Array[] = [];
   *   override lineBytesReceived(line: Uint8Array): void {
   *     this.lines.push(line);
   *   }
   * }
   * const protocol = new Binary();
   * protocol.dataReceived(new Uint8Array([0xff, 13, 10]));
   * assert.equal(protocol.lines[0][0], 0xff);
   * ```
   */
  lineBytesReceived(line: Uint8Array): void {
    this.lineReceived(decoder.decode(line));
  }

  /**
   * Called with data received in raw mode; override it when you use
   * `setRawMode`. Mirrors `LineReceiver.rawDataReceived`.
   *
   * @param data The bytes (a copy the protocol may keep).
   * @throws {TypeError} Not overridden.
   *
   * @example Reading a fixed-size body after a header line
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * class Upload extends LineReceiver {
   *   body = "";
   *   override lineReceived(_line: string): void { this.setRawMode(); }
   *   override rawDataReceived(data: Uint8Array): void {
   *     this.body += new TextDecoder().decode(data);
   *   }
   * }
   * const protocol = new Upload();
   * protocol.dataReceived(new TextEncoder().encode("SIZE 3\r\nabc"));
   * assert.equal(protocol.body, "abc");
   * ```
   */
  rawDataReceived(data: Uint8Array): void {
    throw new TypeError(
      `Cannot deliver ${data.length} raw bytes: override rawDataReceived`,
    );
  }

  /**
   * Writes `line` followed by `delimiter`, as one write. Mirrors
   * `LineReceiver.sendLine`.
   *
   * @param line The line, without delimiter (strings are UTF-8 encoded).
   * @throws {TypeError} The protocol has no transport yet.
   *
   * @example Sending a line
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const protocol = new LineReceiver();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.sendLine("PING");
   * assert.equal(transport.valueString(), "PING\r\n");
   * ```
   */
  sendLine(line: string | Uint8Array): void {
    if (this.transport === null) {
      throw new TypeError("Cannot send a line before the connection is made");
    }
    if (typeof line === "string" && typeof this.delimiter === "string") {
      this.transport.write(line + this.delimiter);
      return;
    }
    const head = toBytes(line);
    const tail = this.#delimiter();
    const joined = new Uint8Array(head.length + tail.length);
    joined.set(head);
    joined.set(tail, head.length);
    this.transport.write(joined);
  }

  /**
   * Switches to line mode. Mirrors `LineReceiver.setLineMode`.
   *
   * @param extra Data to process at once in line mode: the part of a raw
   *   chunk that belongs to the lines after the raw payload.
   * @throws {TypeError} A line in `extra` cannot be delivered (see `dataReceived`).
   *
   * @example Switching back to lines
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * const protocol = new LineReceiver();
   * protocol.setRawMode();
   * protocol.setLineMode();
   * assert.equal(protocol.lineMode, true);
   * ```
   */
  setLineMode(extra?: Uint8Array | string): void {
    this.#lineMode = true;
    if (extra !== undefined && extra.length > 0) {
      this.dataReceived(toBytes(extra));
    }
  }

  /**
   * Switches to raw mode: everything received from now on, including the
   * rest of the current chunk, goes to `rawDataReceived`. Mirrors
   * `LineReceiver.setRawMode`.
   *
   * @example Switching to raw data
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * const protocol = new LineReceiver();
   * protocol.setRawMode();
   * assert.equal(protocol.lineMode, false);
   * ```
   */
  setRawMode(): void {
    this.#lineMode = false;
  }

  /**
   * Empties the buffer of data received but not yet delivered. Mirrors
   * `LineReceiver.clearLineBuffer`.
   *
   * @returns The data that was buffered.
   *
   * @example Taking the rest of the buffer from a line handler
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * let rest = "";
   * class Once extends LineReceiver {
   *   override lineReceived(_line: string): void {
   *     rest = new TextDecoder().decode(this.clearLineBuffer());
   *   }
   * }
   * new Once().dataReceived(new TextEncoder().encode("a\r\nb\r\nc"));
   * assert.equal(rest, "b\r\nc");
   * ```
   */
  clearLineBuffer(): Uint8Array {
    this.#scanFrom = 0;
    return this.#buffer.takeAll();
  }

  /**
   * Called with the offending data when a line exceeds `MAX_LENGTH`: the
   * line with everything buffered after it. By default closes the
   * connection. Mirrors `LineReceiver.lineLengthExceeded`.
   *
   * @param _line The data that was dropped.
   *
   * @example Replying before closing
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * import { StringTransport } from "@torsion/torsion/testing";
   * class Strict extends LineReceiver {
   *   override MAX_LENGTH = 4;
   *   override lineLengthExceeded(line: Uint8Array): void {
   *     this.sendLine(`line too long: ${line.length} bytes`);
   *     super.lineLengthExceeded(line);
   *   }
   * }
   * const protocol = new Strict();
   * const transport = new StringTransport();
   * protocol.makeConnection(transport);
   * protocol.dataReceived(new TextEncoder().encode("abcdefgh"));
   * assert.equal(transport.valueString(), "line too long: 8 bytes\r\n");
   * assert.equal(transport.disconnecting, true); // the default closes the connection
   * ```
   */
  lineLengthExceeded(_line: Uint8Array): void {
    this.transport?.loseConnection();
  }

  /**
   * Stops delivering lines and pauses the transport: bytes that still
   * arrive are buffered, and the line being handled is the last one until
   * `resumeProducing()`. Call it from `lineReceived` to finish slow work on
   * one line before the next. Mirrors Twisted's
   * `_PauseableMixin.pauseProducing`.
   *
   * @example Holding the next lines while one is handled
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * const lines: string[] = [];
   * class OneAtATime extends LineReceiver {
   *   override lineReceived(line: string): void {
   *     lines.push(line);
   *     this.pauseProducing();
   *   }
   * }
   * const protocol = new OneAtATime();
   * protocol.dataReceived(new TextEncoder().encode("a\r\nb\r\n"));
   * assert.deepEqual(lines, ["a"]);
   * assert.equal(protocol.paused, true);
   * ```
   */
  pauseProducing(): void {
    pauseReceiving(this);
  }

  /**
   * Resumes the transport and delivers the lines buffered while paused, in
   * order, until one of them pauses again. Mirrors Twisted's
   * `_PauseableMixin.resumeProducing`.
   *
   * @throws {TypeError} A buffered line cannot be delivered (see `dataReceived`).
   *
   * @example Delivering what arrived during a pause
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * const lines: string[] = [];
   * class Collect extends LineReceiver {
   *   override lineReceived(line: string): void { lines.push(line); }
   * }
   * const protocol = new Collect();
   * protocol.pauseProducing();
   * protocol.dataReceived(new TextEncoder().encode("a\r\n"));
   * assert.equal(lines.length, 0);
   * protocol.resumeProducing();
   * assert.equal(lines[0], "a");
   * ```
   */
  resumeProducing(): void {
    resumeReceiving(this);
  }

  /**
   * Stops delivering lines for good and stops the transport's producing,
   * which closes a TCP connection. Mirrors Twisted's
   * `_PauseableMixin.stopProducing`.
   *
   * @example Ignoring everything after a stop
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@torsion/torsion/reactor";
   * let delivered = 0;
   * class Count extends LineReceiver {
   *   override lineReceived(_line: string): void { delivered++; }
   * }
   * const protocol = new Count();
   * protocol.stopProducing();
   * protocol.dataReceived(new TextEncoder().encode("ignored\r\n"));
   * assert.equal(delivered, 0);
   * ```
   */
  stopProducing(): void {
    stopReceiving(this);
  }

  #deliver(): void {
    const buffer = this.#buffer;
    while (buffer.length > 0 && !this.paused) {
      if (!this.#lineMode) {
        this.#scanFrom = 0;
        this.rawDataReceived(buffer.takeAll());
        continue;
      }
      const delimiter = this.#delimiter();
      const at = buffer.indexOf(delimiter, this.#scanFrom);
      if (at === -1) {
        if (buffer.length >= this.MAX_LENGTH + delimiter.length) {
          this.#scanFrom = 0;
          this.lineLengthExceeded(buffer.takeAll());
          return;
        }
        this.#scanFrom = Math.max(0, buffer.length - delimiter.length + 1);
        return;
      }
      this.#scanFrom = 0;
      if (at > this.MAX_LENGTH) {
        this.lineLengthExceeded(buffer.takeAll());
        return;
      }
      const line = buffer.take(at);
      buffer.skip(delimiter.length);
      this.lineBytesReceived(line);
      if (isDisconnecting(this.transport)) return;
    }
  }

  #delimiter(): Uint8Array {
    if (this.delimiter !== this.#delimiterSource) {
      this.#delimiterBytes = delimiterBytes(this.delimiter);
      this.#delimiterSource = this.delimiter;
      this.#scanFrom = 0;
    }
    return this.#delimiterBytes;
  }
}
