/**
 * permessage-deflate (RFC 7692): parsing `Sec-WebSocket-Extensions`, the
 * server's and the client's side of the negotiation, and compressing and
 * inflating whole messages.
 *
 * Torsion compresses every message on its own (no context takeover, which
 * it asks of the peer too: RFC 7692 7.1.1.1), with node:zlib's synchronous
 * raw deflate. Inflating must keep the peer's context all the same: Tornado
 * 6.2 drops valueless extension parameters and keeps its context whatever
 * was agreed. So each connection inflates with one persistent raw inflater,
 * driven synchronously (message order and the size limit then need no
 * asynchronous stream), created at its first compressed message.
 *
 * @module
 */
import zlib from "node:zlib";
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { CloseCode } from "./close_codes.ts";
import { WebSocketProtocolError } from "./errors.ts";

/**
 * Options of permessage-deflate, as Tornado's `compression_options`
 * (`compression_level`, `mem_level`).
 *
 * @example Fast compression
 * ```ts
 * import type { CompressionOptions } from "@torsion/torsion/websocket";
 * const options: CompressionOptions = { compressionLevel: 1 };
 * ```
 */
export interface CompressionOptions {
  /**
   * zlib's compression level, 0-9.
   * @default 6
   */
  compressionLevel?: number;
  /**
   * zlib's memory level, 1-9.
   * @default 8
   */
  memLevel?: number;
}

/** One extension of a `Sec-WebSocket-Extensions` header: its name and parameters. */
export interface ExtensionOffer {
  /** The extension's name, lower-cased (`permessage-deflate`). */
  name: string;
  /** Its parameters: a value, or `true` for a parameter without one. */
  params: Map<string, string | true>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a `Sec-WebSocket-Extensions` value (RFC 6455 9.1).
 *
 * @returns The extensions in order; a malformed one ends the list as invalid.
 * @throws {SyntaxError} The value is malformed.
 */
export function parseExtensions(value: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  for (const item of value.split(",")) {
    if (item.trim() === "") continue;
    const [name, ...rest] = item.split(";").map((part) => part.trim());
    if (!TOKEN.test(name)) {
      throw new SyntaxError(
        `Malformed extension name: ${JSON.stringify(name)}`,
      );
    }
    const params = new Map<string, string | true>();
    for (const param of rest) {
      const eq = param.indexOf("=");
      const key = (eq < 0 ? param : param.slice(0, eq)).trim();
      let raw: string | true = eq < 0 ? true : param.slice(eq + 1).trim();
      if (typeof raw === "string" && raw.startsWith('"') && raw.endsWith('"')) {
        raw = raw.slice(1, -1);
      }
      if (!TOKEN.test(key) || (raw !== true && !TOKEN.test(raw))) {
        throw new SyntaxError(
          `Malformed extension parameter: ${JSON.stringify(param)}`,
        );
      }
      if (params.has(key)) {
        throw new SyntaxError(`Duplicate extension parameter: ${key}`);
      }
      params.set(key, raw);
    }
    offers.push({ name: name.toLowerCase(), params });
  }
  return offers;
}

function windowBits(value: string | true | undefined): number | null {
  if (value === undefined || value === true) return null;
  if (!/^\d+$/.test(value)) return NaN;
  const bits = Number(value);
  return bits >= 8 && bits <= 15 ? bits : NaN;
}

/**
 * The server's answer to the client's offers: the first acceptable
 * permessage-deflate offer, answered with no context takeover both ways.
 *
 * @returns The response extension and the compressor, or `null` to decline.
 */
export function acceptDeflateOffer(
  offers: readonly ExtensionOffer[],
  options: CompressionOptions,
): { response: string; deflate: PerMessageDeflate } | null {
  if (!deflateAvailable()) return null;
  for (const offer of offers) {
    if (offer.name !== "permessage-deflate") continue;
    const known = [
      "server_no_context_takeover",
      "client_no_context_takeover",
      "server_max_window_bits",
      "client_max_window_bits",
    ];
    if ([...offer.params.keys()].some((key) => !known.includes(key))) continue;
    if (
      offer.params.get("server_no_context_takeover") !== undefined &&
      offer.params.get("server_no_context_takeover") !== true
    ) continue;
    if (
      offer.params.get("client_no_context_takeover") !== undefined &&
      offer.params.get("client_no_context_takeover") !== true
    ) continue;
    const serverBits = windowBits(offer.params.get("server_max_window_bits"));
    if (offer.params.get("server_max_window_bits") === true) continue;
    const clientBits = offer.params.get("client_max_window_bits");
    if (
      clientBits !== undefined && clientBits !== true &&
      Number.isNaN(windowBits(clientBits))
    ) {
      continue;
    }
    // zlib cannot deflate with a 256-byte window (it widens 8 to 9).
    if (Number.isNaN(serverBits) || serverBits === 8) continue;
    let response =
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    if (serverBits !== null) {
      response += `; server_max_window_bits=${serverBits}`;
    }
    return {
      response,
      deflate: new PerMessageDeflate(options, serverBits ?? 15),
    };
  }
  return null;
}

/**
 * The client's offer: no context takeover both ways; `null` when this
 * runtime cannot inflate synchronously.
 */
export function deflateOffer(): string | null {
  return deflateAvailable() ? DEFLATE_OFFER : null;
}

const DEFLATE_OFFER =
  "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits";

/**
 * Checks the server's answer to {@linkcode deflateOffer}.
 *
 * @returns The compressor, or `null` when the server declined.
 * @throws {SyntaxError} The answer is not one the offer allows.
 */
export function acceptDeflateResponse(
  value: string | null,
  options: CompressionOptions,
): PerMessageDeflate | null {
  if (value === null) return null;
  const extensions = parseExtensions(value);
  if (extensions.length === 0) return null;
  if (extensions.length > 1 || extensions[0].name !== "permessage-deflate") {
    throw new SyntaxError(
      `Server accepted an extension never offered: ${value}`,
    );
  }
  const params = extensions[0].params;
  for (const [key, param] of params) {
    if (
      key === "server_no_context_takeover" ||
      key === "client_no_context_takeover"
    ) {
      if (param !== true) throw new SyntaxError(`Malformed ${key}: ${value}`);
    } else if (
      key === "server_max_window_bits" || key === "client_max_window_bits"
    ) {
      if (Number.isNaN(windowBits(param)) || param === true) {
        throw new SyntaxError(`Malformed ${key}: ${value}`);
      }
    } else {
      throw new SyntaxError(
        `Unknown permessage-deflate parameter ${key}: ${value}`,
      );
    }
  }
  const clientBits = windowBits(params.get("client_max_window_bits"));
  return new PerMessageDeflate(
    options,
    clientBits === null ? 15 : Math.max(9, clientBits),
  );
}

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
const INFLATE_CHUNK = 65536;

/** The part of node:zlib's stream handle that its own `*Sync` functions drive. */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  onerror: (message: string, errno: number) => void;
}

/** A raw inflater that keeps its window from message to message. */
class Inflater {
  readonly #stream: zlib.InflateRaw;
  readonly #handle: ZlibHandle;
  readonly #state: Uint32Array;
  #error: string | null = null;

  constructor() {
    this.#stream = zlib.createInflateRaw();
    const internals = this.#stream as unknown as {
      _handle?: ZlibHandle;
      _writeState?: Uint32Array;
    };
    if (
      typeof internals._handle?.writeSync !== "function" ||
      !(internals._writeState instanceof Uint32Array)
    ) {
      this.#stream.close();
      throw new TypeError("node:zlib offers no synchronous inflate handle");
    }
    this.#handle = internals._handle;
    this.#state = internals._writeState;
    // The stream would report errors asynchronously; the handle reports
    // them during writeSync.
    this.#handle.onerror = (message) => {
      this.#error = message;
    };
  }

  inflate(input: Uint8Array, limit: number): Uint8Array {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let offset = 0;
    let length = input.length;
    for (;;) {
      const out = new Uint8Array(INFLATE_CHUNK);
      this.#handle.writeSync(
        zlib.constants.Z_SYNC_FLUSH,
        input,
        offset,
        length,
        out,
        0,
        out.length,
      );
      if (this.#error !== null) {
        throw new WebSocketProtocolError(
          CloseCode.INVALID_PAYLOAD,
          `Compressed message does not inflate: ${this.#error}`,
        );
      }
      const availableOut = this.#state[0];
      const availableIn = this.#state[1];
      const produced = out.length - availableOut;
      if (produced > 0) {
        chunks.push(out.subarray(0, produced));
        total += produced;
        if (total > limit) {
          throw new WebSocketProtocolError(
            CloseCode.MESSAGE_TOO_BIG,
            `Message too big after inflating: the limit is ${limit} bytes`,
          );
        }
      }
      offset += length - availableIn;
      length = availableIn;
      if (availableOut !== 0) break;
    }
    return joinChunks(chunks, total);
  }

  close(): void {
    this.#stream.close();
  }
}

let available: boolean | null = null;

/**
 * Whether node:zlib here offers the synchronous inflate handle the
 * inflater drives; without it compression is neither offered nor accepted.
 */
export function deflateAvailable(): boolean {
  if (available === null) {
    try {
      new Inflater().close();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Compresses and inflates whole messages. */
export class PerMessageDeflate {
  readonly #deflateOptions: zlib.ZlibOptions;
  #inflater: Inflater | null = null;

  /**
   * @param options Level and memory level.
   * @param windowBits The window this side compresses with.
   */
  constructor(options: CompressionOptions, windowBits: number) {
    this.#deflateOptions = {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      level: options.compressionLevel ?? 6,
      memLevel: options.memLevel ?? 8,
      windowBits,
    };
  }

  /** The message compressed, without the 00 00 ff ff tail (RFC 7692 7.2.1). */
  compress(data: Uint8Array): Uint8Array {
    const out = zlib.deflateRawSync(data, this.#deflateOptions);
    return new Uint8Array(out.buffer, out.byteOffset, out.length - 4);
  }

  /**
   * The message inflated, with the peer's earlier messages as context.
   *
   * @param data The compressed payload of every frame.
   * @param limit The largest inflated size accepted.
   * @throws {WebSocketProtocolError} 1009 past `limit`, 1007 for data that
   *   does not inflate.
   */
  decompress(data: Uint8Array, limit: number): Uint8Array {
    const input = new Uint8Array(data.length + 4);
    input.set(data);
    input.set(TAIL, data.length);
    const inflater = this.#inflater ??= new Inflater();
    return inflater.inflate(input, limit);
  }

  /** Releases the inflater. */
  close(): void {
    this.#inflater?.close();
    this.#inflater = null;
  }
}
