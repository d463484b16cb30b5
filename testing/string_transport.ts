/**
 * `StringTransport`: an in-memory transport that records what a protocol
 * writes, as `twisted.internet.testing.StringTransport`.
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { ConnectionAborted, ConnectionDone } from "../reactor/errors.ts";
import type {
  IAddress,
  IProducer,
  IProtocol,
  ITCPTransport,
} from "../reactor/interfaces.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Options of {@linkcode StringTransport}: the `hostAddress` and
 * `peerAddress` arguments of Twisted's `StringTransport`.
 *
 * @example Reporting a peer address
 * ```ts
 * import type { StringTransportOptions } from "@torsion/torsion/testing";
 * const options: StringTransportOptions = {
 *   peerAddress: { type: "TCP", host: "127.0.0.1", port: 40000 },
 * };
 * ```
 */
export interface StringTransportOptions {
  /**
   * What `getHost()` returns.
   * @default { type: "TCP", host: "10.0.0.1", port: 12345 }
   */
  hostAddress?: IAddress;
  /**
   * What `getPeer()` returns.
   * @default { type: "TCP", host: "192.168.1.1", port: 54321 }
   */
  peerAddress?: IAddress;
}

/**
 * The state `pauseProducing`, `resumeProducing` and `stopProducing` leave,
 * as Twisted's `StringTransport.producerState`.
 *
 * @example Checking that a protocol paused its transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ProducerState, StringTransport } from "@torsion/torsion/testing";
 * const transport = new StringTransport();
 * transport.pauseProducing();
 * const state: ProducerState = transport.producerState;
 * assert.equal(state, "paused");
 * ```
 */
export type ProducerState = "producing" | "paused" | "stopped";

/**
 * A transport that keeps written bytes in memory. Mirrors Twisted's
 * `StringTransport`: connect a protocol to it with
 * `protocol.makeConnection(transport)`, feed it with
 * `protocol.dataReceived(...)`, then check `value()`. Nothing touches a
 * socket or a timer, so protocol tests are synchronous and deterministic.
 *
 * `loseConnection()` only sets `disconnecting` (as in Twisted the protocol
 * is not told); use {@linkcode StringTransportWithDisconnection} to have
 * `connectionLost` called. It implements the whole `ITCPTransport`,
 * including producer registration and the push-producer state, so code
 * written against a real TCP transport runs unchanged.
 *
 * @example Testing a greeting protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@torsion/torsion/reactor";
 * import { StringTransport } from "@torsion/torsion/testing";
 *
 * class Greeter extends Protocol {
 *   override connectionMade(): void {
 *     this.transport!.write("hello\r\n");
 *     this.transport!.loseConnection();
 *   }
 * }
 * const transport = new StringTransport();
 * new Greeter().makeConnection(transport);
 * assert.equal(transport.valueString(), "hello\r\n");
 * assert.equal(transport.disconnecting, true);
 * ```
 */
export class StringTransport implements ITCPTransport {
  /** Whether `loseConnection` (or `abortConnection`) has been called. */
  disconnecting = false;
  /** Whether the connection is up; only `StringTransportWithDisconnection` clears it. */
  connected = true;
  /** The producer registered with `registerProducer`, or `null`. */
  producer: IProducer | null = null;
  /** Whether the registered producer is a push producer; `null` without one. */
  streaming: boolean | null = null;
  /** What `pauseProducing`/`resumeProducing`/`stopProducing` last did. */
  producerState: ProducerState = "producing";
  /** What `getHost()` returns. */
  hostAddress: IAddress;
  /** What `getPeer()` returns. */
  peerAddress: IAddress;

  #chunks: Uint8Array[] = [];
  #noDelay = true;
  #keepAlive = false;

  /**
   * Creates a connected transport with nothing written.
   *
   * @param options The addresses to report.
   */
  constructor(options: StringTransportOptions = {}) {
    this.hostAddress = options.hostAddress ??
      { type: "TCP", host: "10.0.0.1", port: 12345 };
    this.peerAddress = options.peerAddress ??
      { type: "TCP", host: "192.168.1.1", port: 54321 };
  }

  /**
   * Everything written since creation or the last `clear()`. Mirrors
   * `StringTransport.value`.
   *
   * @returns The bytes.
   *
   * @example Reading what was written
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.write(new Uint8Array([1, 2]));
   * assert.equal(transport.value().length, 2);
   * ```
   */
  value(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0];
    let size = 0;
    for (const chunk of this.#chunks) size += chunk.length;
    const joined = joinChunks(this.#chunks, size);
    // Later calls return the joined copy instead of joining again.
    this.#chunks = size === 0 ? [] : [joined];
    return joined;
  }

  /**
   * `value()` decoded as UTF-8: the convenient form for text protocols.
   *
   * @returns The text written.
   *
   * @example Reading what was written as text
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.write("héllo");
   * assert.equal(transport.valueString(), "héllo");
   * ```
   */
  valueString(): string {
    return decoder.decode(this.value());
  }

  /**
   * Forgets everything written so far. Mirrors `StringTransport.clear`.
   *
   * @example Forgetting earlier writes
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.write("x");
   * transport.clear();
   * assert.equal(transport.value().length, 0);
   * ```
   */
  clear(): void {
    this.#chunks = [];
  }

  /**
   * Records `data`. Writes after `loseConnection` are recorded too, as in
   * Twisted.
   *
   * @param data Bytes, or a string to UTF-8 encode.
   * @throws {TypeError} `data` is neither a string nor a Uint8Array.
   *
   * @example Recording strings and bytes
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.write("a");
   * transport.write(new TextEncoder().encode("b"));
   * assert.equal(transport.valueString(), "ab");
   * ```
   */
  write(data: Uint8Array | string): void {
    if (typeof data === "string") {
      this.#chunks.push(encoder.encode(data));
    } else if (data instanceof Uint8Array) {
      // A copy: the caller may reuse its array, as with a real socket.
      this.#chunks.push(data.slice());
    } else {
      throw new TypeError(
        `Cannot write ${typeof data}: data must be a Uint8Array or a string`,
      );
    }
  }

  /**
   * Records each piece in order.
   *
   * @param data The pieces.
   * @throws {TypeError} A piece is neither a string nor a Uint8Array.
   *
   * @example Recording a sequence
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.writeSequence(["a", "b"]);
   * assert.equal(transport.valueString(), "ab");
   * ```
   */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const piece of data) this.write(piece);
  }

  /**
   * Sets `disconnecting`; the protocol is not told. Mirrors
   * `StringTransport.loseConnection`.
   *
   * @example Closing without telling the protocol
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.loseConnection();
   * assert.equal(transport.disconnecting, true);
   * ```
   */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /**
   * The same as `loseConnection` here. Mirrors
   * `StringTransport.abortConnection`.
   *
   * @example Aborting
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.abortConnection();
   * assert.equal(transport.disconnecting, true);
   * ```
   */
  abortConnection(): void {
    this.loseConnection();
  }

  /**
   * The peer's address.
   *
   * @returns `peerAddress`.
   *
   * @example The default peer
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * assert.equal(new StringTransport().getPeer().port, 54321);
   * ```
   */
  getPeer(): IAddress {
    return this.peerAddress;
  }

  /**
   * This end's address.
   *
   * @returns `hostAddress`.
   *
   * @example The default host
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * assert.equal(new StringTransport().getHost().port, 12345);
   * ```
   */
  getHost(): IAddress {
    return this.hostAddress;
  }

  /**
   * Records the producer. Mirrors `StringTransport.registerProducer`.
   *
   * @param producer The producer.
   * @param streaming Whether it is a push producer.
   * @throws {TypeError} A producer is already registered.
   *
   * @example Registering a pull producer
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.registerProducer({ resumeProducing() {}, stopProducing() {} }, false);
   * assert.equal(transport.streaming, false);
   * ```
   */
  registerProducer(producer: IProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new TypeError(
        "Cannot register a producer: a producer is already registered",
      );
    }
    this.producer = producer;
    this.streaming = streaming;
  }

  /**
   * Forgets the producer. Mirrors `StringTransport.unregisterProducer`.
   *
   * @throws {TypeError} No producer is registered.
   *
   * @example Unregistering
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.registerProducer({ resumeProducing() {}, stopProducing() {} }, false);
   * transport.unregisterProducer();
   * assert.equal(transport.producer, null);
   * ```
   */
  unregisterProducer(): void {
    if (this.producer === null) {
      throw new TypeError(
        "Cannot unregister a producer: no producer is registered",
      );
    }
    this.producer = null;
    this.streaming = null;
  }

  /**
   * Records that the protocol asked to stop reading.
   *
   * @throws {TypeError} The transport is disconnecting or stopped.
   *
   * @example Pausing
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.pauseProducing();
   * assert.equal(transport.producerState, "paused");
   * ```
   */
  pauseProducing(): void {
    this.#checkState("pause");
    this.producerState = "paused";
  }

  /**
   * Records that the protocol asked to read again.
   *
   * @throws {TypeError} The transport is disconnecting or stopped.
   *
   * @example Resuming
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.pauseProducing();
   * transport.resumeProducing();
   * assert.equal(transport.producerState, "producing");
   * ```
   */
  resumeProducing(): void {
    this.#checkState("resume");
    this.producerState = "producing";
  }

  /**
   * Records that the protocol asked to stop reading for good.
   *
   * @example Stopping
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.stopProducing();
   * assert.equal(transport.producerState, "stopped");
   * ```
   */
  stopProducing(): void {
    this.producerState = "stopped";
  }

  /**
   * Records the Nagle setting.
   *
   * @param enabled `true` turns Nagle's algorithm off.
   *
   * @example Turning Nagle's algorithm on
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.setTcpNoDelay(false);
   * assert.equal(transport.getTcpNoDelay(), false);
   * ```
   */
  setTcpNoDelay(enabled: boolean): void {
    this.#noDelay = enabled;
  }

  /**
   * The recorded Nagle setting (on, like Torsion's real transports).
   *
   * @returns Whether Nagle's algorithm is off.
   *
   * @example Nagle's algorithm is off by default
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * assert.equal(new StringTransport().getTcpNoDelay(), true);
   * ```
   */
  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  /**
   * Records the keep-alive setting.
   *
   * @param enabled Whether keep-alive probes are on.
   *
   * @example Turning keep-alive on
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * const transport = new StringTransport();
   * transport.setTcpKeepAlive(true);
   * assert.equal(transport.getTcpKeepAlive(), true);
   * ```
   */
  setTcpKeepAlive(enabled: boolean): void {
    this.#keepAlive = enabled;
  }

  /**
   * The recorded keep-alive setting (off by default).
   *
   * @returns Whether keep-alive probes are on.
   *
   * @example Keep-alive is off by default
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringTransport } from "@torsion/torsion/testing";
   * assert.equal(new StringTransport().getTcpKeepAlive(), false);
   * ```
   */
  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  #checkState(action: string): void {
    if (this.disconnecting) {
      throw new TypeError(
        `Cannot ${action} producing after loseConnection: the transport is disconnecting`,
      );
    }
    if (this.producerState === "stopped") {
      throw new TypeError(
        `Cannot ${action} producing: the producer is stopped`,
      );
    }
  }
}

/**
 * A `StringTransport` whose `loseConnection` tells the protocol. Mirrors
 * Twisted's `StringTransportWithDisconnection`: set `protocol` (or pass it
 * to the constructor); `loseConnection()` then calls
 * `protocol.connectionLost` with `ConnectionDone` once, and
 * `abortConnection()` with `ConnectionAborted`, as a real transport would.
 *
 * @example Checking what a protocol does when it closes the connection
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@torsion/torsion";
 * import { Protocol } from "@torsion/torsion/reactor";
 * import { StringTransportWithDisconnection } from "@torsion/torsion/testing";
 *
 * let lost = "";
 * class Quitter extends Protocol {
 *   override connectionMade(): void { this.transport!.loseConnection(); }
 *   override connectionLost(reason: Failure): void {
 *     lost = reason.getErrorMessage();
 *   }
 * }
 * const protocol = new Quitter();
 * const transport = new StringTransportWithDisconnection({}, protocol);
 * protocol.makeConnection(transport);
 * assert.equal(lost, "Connection was closed cleanly");
 * ```
 */
export class StringTransportWithDisconnection extends StringTransport {
  /** The protocol told about the disconnection. */
  protocol: IProtocol | null;

  /**
   * Creates a connected transport.
   *
   * @param options The addresses to report.
   * @param protocol The protocol to tell; may be set later.
   */
  constructor(
    options: StringTransportOptions = {},
    protocol: IProtocol | null = null,
  ) {
    super(options);
    this.protocol = protocol;
  }

  /**
   * Marks the transport disconnected and calls `connectionLost` with
   * `ConnectionDone`, once.
   *
   * @throws {TypeError} `protocol` is not set.
   *
   * @example Telling the protocol about a clean close
   * ```ts
   * import assert from "node:assert/strict";
   * import { Protocol } from "@torsion/torsion/reactor";
   * import { StringTransportWithDisconnection } from "@torsion/torsion/testing";
   * const protocol = new Protocol();
   * const transport = new StringTransportWithDisconnection({}, protocol);
   * transport.loseConnection();
   * assert.equal(transport.connected, false);
   * ```
   */
  override loseConnection(): void {
    this.#disconnect(new ConnectionDone());
  }

  /**
   * Marks the transport disconnected and calls `connectionLost` with
   * `ConnectionAborted`, once.
   *
   * @throws {TypeError} `protocol` is not set.
   *
   * @example Telling the protocol about an abort
   * ```ts
   * import assert from "node:assert/strict";
   * import { Protocol } from "@torsion/torsion/reactor";
   * import { StringTransportWithDisconnection } from "@torsion/torsion/testing";
   * const transport = new StringTransportWithDisconnection({}, new Protocol());
   * transport.abortConnection();
   * assert.equal(transport.disconnecting, true);
   * ```
   */
  override abortConnection(): void {
    this.#disconnect(new ConnectionAborted());
  }

  #disconnect(reason: Error): void {
    this.disconnecting = true;
    if (!this.connected) return;
    if (this.protocol === null) {
      throw new TypeError(
        "Cannot deliver connectionLost: set transport.protocol first",
      );
    }
    this.connected = false;
    this.protocol.connectionLost(new Failure(reason));
  }
}
