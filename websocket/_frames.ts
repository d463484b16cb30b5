/**
 * The RFC 6455 framing: writing frames (masked by clients, with the mask
 * applied while copying; small frames cut from the HTTP layer's slab), and
 * an incremental frame reader. A payload its handler keeps is copied once,
 * unmasked on the way, into an array of its own; any other is unmasked in
 * place and lent as a view of the bytes received.
 *
 * @module
 */
import { latin1 } from "../http/_latin1.ts";
import { allocate } from "../_util/slab.ts";
import type { ITransport } from "../reactor/interfaces.ts";
import { CloseCode } from "./close_codes.ts";
import { WebSocketProtocolError } from "./errors.ts";

/** The opcodes of RFC 6455 section 5.2. */
export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** Payloads up to this size are copied behind their header and written as one piece. */
const JOIN_LIMIT = 65536;

const encoder = new TextEncoder();

// Masks come from a pool refilled 1,024 masks at a time: one
// getRandomValues call per frame would cost more than the frame.
const MASK_POOL = new Uint8Array(4096);
let maskPosition = MASK_POOL.length;

function nextMask(into: Uint8Array, at: number): void {
  if (maskPosition === MASK_POOL.length) {
    crypto.getRandomValues(MASK_POOL);
    maskPosition = 0;
  }
  into[at] = MASK_POOL[maskPosition];
  into[at + 1] = MASK_POOL[maskPosition + 1];
  into[at + 2] = MASK_POOL[maskPosition + 2];
  into[at + 3] = MASK_POOL[maskPosition + 3];
  maskPosition += 4;
}

/** Payloads from this size on are unmasked a 64-bit word at a time. */
const WORD_MASK_MIN = 256;
const MASK_WORD = new BigUint64Array(1);
const MASK_WORD_BYTES = new Uint8Array(MASK_WORD.buffer);

/**
 * XORs `data` in place with the mask at `mask[maskAt..maskAt+4]`, starting
 * `offset` bytes into the masked stream. Large payloads are XORed a 64-bit
 * word at a time over their 8-byte aligned part (V8 compiles BigUint64Array
 * XORs to machine words: an eighth of the iterations); the word is
 * assembled in memory order, so the platform's byte order does not matter.
 */
export function applyMask(
  data: Uint8Array,
  mask: Uint8Array,
  maskAt: number,
  offset: number,
): void {
  const n = data.length;
  let i = 0;
  if (n >= WORD_MASK_MIN) {
    const head = (8 - (data.byteOffset & 7)) & 7;
    for (; i < head; i++) data[i] ^= mask[maskAt + ((offset + i) & 3)];
    for (let k = 0; k < 8; k++) {
      MASK_WORD_BYTES[k] = mask[maskAt + ((offset + i + k) & 3)];
    }
    const word = MASK_WORD[0];
    const count = (n - i) >>> 3;
    const words = new BigUint64Array(data.buffer, data.byteOffset + i, count);
    for (let j = 0; j < count; j++) words[j] ^= word;
    i += count << 3;
  }
  const m0 = mask[maskAt + ((offset + i) & 3)];
  const m1 = mask[maskAt + ((offset + i + 1) & 3)];
  const m2 = mask[maskAt + ((offset + i + 2) & 3)];
  const m3 = mask[maskAt + ((offset + i + 3) & 3)];
  const whole = i + ((n - i) & ~3);
  for (; i < whole; i += 4) {
    data[i] ^= m0;
    data[i + 1] ^= m1;
    data[i + 2] ^= m2;
    data[i + 3] ^= m3;
  }
  if (i < n) data[i] ^= m0;
  if (i + 1 < n) data[i + 1] ^= m1;
  if (i + 2 < n) data[i + 2] ^= m2;
}

/**
 * Copies `data` into `out` from `at`, XORed with the mask as
 * {@linkcode applyMask} would, leaving `data` as it is. When the two lie
 * alike against 8-byte boundaries a large payload is XORed a word at a time
 * on the way; otherwise it is copied, then unmasked in place.
 */
export function copyMasked(
  data: Uint8Array,
  out: Uint8Array,
  at: number,
  mask: Uint8Array,
  maskAt: number,
  offset: number,
): void {
  const n = data.length;
  if (n < WORD_MASK_MIN) {
    // Four bytes a turn with the mask's bytes in locals: a byte a turn
    // looking the mask up again costs more than the rest of a small echo.
    const m0 = mask[maskAt + (offset & 3)];
    const m1 = mask[maskAt + ((offset + 1) & 3)];
    const m2 = mask[maskAt + ((offset + 2) & 3)];
    const m3 = mask[maskAt + ((offset + 3) & 3)];
    const whole = n & ~3;
    let i = 0;
    for (; i < whole; i += 4) {
      out[at + i] = data[i] ^ m0;
      out[at + i + 1] = data[i + 1] ^ m1;
      out[at + i + 2] = data[i + 2] ^ m2;
      out[at + i + 3] = data[i + 3] ^ m3;
    }
    if (i < n) out[at + i] = data[i] ^ m0;
    if (i + 1 < n) out[at + i + 1] = data[i + 1] ^ m1;
    if (i + 2 < n) out[at + i + 2] = data[i + 2] ^ m2;
    return;
  }
  const target = out.subarray(at, at + n);
  if (((data.byteOffset ^ target.byteOffset) & 7) !== 0) {
    target.set(data);
    applyMask(target, mask, maskAt, offset);
    return;
  }
  let i = 0;
  const head = (8 - (data.byteOffset & 7)) & 7;
  for (; i < head; i++) {
    target[i] = data[i] ^ mask[maskAt + ((offset + i) & 3)];
  }
  for (let k = 0; k < 8; k++) {
    MASK_WORD_BYTES[k] = mask[maskAt + ((offset + i + k) & 3)];
  }
  const word = MASK_WORD[0];
  const count = (n - i) >>> 3;
  const from = new BigUint64Array(data.buffer, data.byteOffset + i, count);
  const to = new BigUint64Array(target.buffer, target.byteOffset + i, count);
  for (let j = 0; j < count; j++) to[j] = from[j] ^ word;
  for (i += count << 3; i < n; i++) {
    target[i] = data[i] ^ mask[maskAt + ((offset + i) & 3)];
  }
}

function headerSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes the header into `frame` and returns where the payload starts. */
function writeHeader(
  frame: Uint8Array,
  first: number,
  length: number,
  masked: boolean,
): number {
  frame[0] = first;
  let at: number;
  if (length < 126) {
    frame[1] = length;
    at = 2;
  } else if (length < 65536) {
    frame[1] = 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
    at = 4;
  } else {
    frame[1] = 127;
    const high = Math.floor(length / 0x100000000);
    frame[2] = 0;
    frame[3] = 0;
    frame[4] = (high >>> 8) & 0xff;
    frame[5] = high & 0xff;
    frame[6] = length >>> 24;
    frame[7] = (length >>> 16) & 0xff;
    frame[8] = (length >>> 8) & 0xff;
    frame[9] = length & 0xff;
    at = 10;
  }
  if (masked) {
    frame[1] |= 0x80;
    nextMask(frame, at);
    at += 4;
  }
  return at;
}

/**
 * Writes one frame to `transport`.
 *
 * @param first The first byte: FIN, RSV1 and the opcode.
 * @param payload The payload; a client's is masked while copied, so the
 *   caller's array is never modified.
 * @param masked Whether to mask (clients do).
 * @param room How many bytes before `payload` in its buffer are free (see
 *   {@linkcode FrameReaderHandler.onFrame}): when the header fits there,
 *   an unmasked frame is written in place, header and payload in one piece
 *   without a copy.
 * @returns How many bytes were written.
 */
export function writeFrame(
  transport: ITransport,
  first: number,
  payload: Uint8Array,
  masked: boolean,
  room: number = 0,
): number {
  const length = payload.length;
  const size = headerSize(length, masked);
  if (!masked && room >= size) {
    const frame = new Uint8Array(
      payload.buffer,
      payload.byteOffset - size,
      size + length,
    );
    writeHeader(frame, first, length, false);
    transport.write(frame);
    return size + length;
  }
  if (!masked && length > JOIN_LIMIT) {
    const header = allocate(size);
    writeHeader(header, first, length, false);
    transport.write(header);
    transport.write(payload);
    return size + length;
  }
  const frame = allocate(size + length);
  const at = writeHeader(frame, first, length, masked);
  frame.set(payload, at);
  if (masked) applyMask(frame.subarray(at), frame, at - 4, 0);
  transport.write(frame);
  return frame.length;
}

/** Texts up to this many characters are checked for ASCII and copied in JavaScript. */
const ASCII_LIMIT = 4096;

/**
 * Writes one text frame. ASCII text of up to 4096 characters is copied
 * behind its header (and masked) in one pass: for small messages that is
 * cheaper than a call into the runtime's encoder.
 *
 * @returns How many bytes were written.
 */
export function writeTextFrame(
  transport: ITransport,
  first: number,
  text: string,
  masked: boolean,
): number {
  const length = text.length;
  if (length > ASCII_LIMIT || !isAscii(text)) {
    return writeFrame(transport, first, encoder.encode(text), masked);
  }
  const size = headerSize(length, masked);
  const frame = allocate(size + length);
  const at = writeHeader(frame, first, length, masked);
  if (masked) {
    const m0 = frame[at - 4];
    const m1 = frame[at - 3];
    const m2 = frame[at - 2];
    const m3 = frame[at - 1];
    for (let i = 0; i < length; i++) {
      const m = (i & 3) === 0
        ? m0
        : (i & 3) === 1
        ? m1
        : (i & 3) === 2
        ? m2
        : m3;
      frame[at + i] = text.charCodeAt(i) ^ m;
    }
  } else {
    for (let i = 0; i < length; i++) frame[at + i] = text.charCodeAt(i);
  }
  transport.write(frame);
  return frame.length;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes UTF-8, throwing on invalid input. Short ASCII payloads are
 * decoded in JavaScript, cheaper than a call into the runtime's decoder.
 *
 * @throws {TypeError} The bytes are not valid UTF-8.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length <= ASCII_LIMIT) {
    let ascii = true;
    for (let i = 0; i < length; i++) {
      if (bytes[i] > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return latin1(bytes, 0, length);
  }
  return strictDecoder.decode(bytes);
}

/** What a {@linkcode FrameReader} reports. */
export interface FrameReaderHandler {
  /**
   * A frame header was read. Throws `WebSocketProtocolError` to fail the
   * connection (a reserved bit, an opcode, a size).
   *
   * @returns Whether the payload will be kept: it is then handed over as an
   *   array of its own, never lent.
   */
  onHeader(fin: boolean, rsv: number, opcode: number, length: number): boolean;
  /**
   * The whole payload of the frame whose header was reported last, unmasked.
   *
   * @param payload The payload.
   * @param room How many bytes directly before `payload` in its buffer
   *   are free (the frame's own header, which nothing reads any more, or
   *   space left for one): room to write a header in front of the payload
   *   and send it back without a copy.
   * @param lent Whether `payload` is a view of the bytes given to `feed`,
   *   valid only until `onFrame` returns (the caller of `feed` may reuse
   *   them); otherwise it is an array of its own, handed over.
   */
  onFrame(payload: Uint8Array, room: number, lent: boolean): void;
}

const HEADER_MAX = 14;
const EMPTY = new Uint8Array(0);
/** The longest header of an unmasked frame: reassembled payloads start after room for it. */
const ROOM = 10;
/**
 * The most a payload spanning reads is first given, however long its
 * header says it is: its buffer doubles as its bytes come, so a header
 * announcing a large frame costs no memory until the frame is sent.
 */
const FIRST_PART = 65536;
/**
 * Kept payloads up to this size, with room for a header, are copied into a
 * buffer the connection's small payloads share, as the transport shares its
 * reads: a buffer of its own per payload costs more to make than a small
 * payload costs to copy.
 */
const SHARED_MAX = 2048;
/** The size of that shared buffer: a payload kept holds at most this much. */
const SHARED_SIZE = 16384;

/**
 * Reads frames from the bytes of a connection, in any split. The bytes
 * passed to `feed` are read during the call only: a payload the handler
 * keeps is copied, and any other that lies in them whole is unmasked in
 * place and lent, so the caller may reuse them once `feed` returns (a
 * transport lends its read buffer).
 */
export class FrameReader {
  readonly #expectMasked: boolean;
  readonly #handler: FrameReaderHandler;
  readonly #header = new Uint8Array(HEADER_MAX);
  #headerLength = 0;
  #inPayload = false;
  #needed = 0;
  #received = 0;
  #room = 0;
  #masked = false;
  readonly #mask = new Uint8Array(4);
  /** Whether the handler keeps the payload being read. */
  #keepPayload = false;
  /** The payload spanning reads, from byte `ROOM` on. */
  #part: Uint8Array | null = null;
  #shared: Uint8Array | null = null;
  #sharedUsed = 0;
  /** The room in front of the payload {@linkcode #own} copied last. */
  #ownRoom = 0;
  #failed = false;
  #paused = false;
  /** Bytes received while paused, read on resume. */
  #held: Uint8Array | null = null;

  /**
   * @param expectMasked Whether frames must be masked (a server's reader)
   *   or must not be (a client's).
   * @param handler Where headers and payloads go.
   */
  constructor(expectMasked: boolean, handler: FrameReaderHandler) {
    this.#expectMasked = expectMasked;
    this.#handler = handler;
  }

  /**
   * Reads every frame completed by `data`. Stops at the first error.
   *
   * @throws {WebSocketProtocolError} A malformed frame, or what
   *   `onHeader` threw; later calls do nothing.
   */
  feed(data: Uint8Array): void {
    if (this.#failed) return;
    if (this.#paused) {
      this.#hold(data);
      return;
    }
    try {
      this.#feed(data);
    } catch (error) {
      this.#failed = true;
      throw error;
    }
  }

  /** Stops reading: later bytes are ignored. */
  stop(): void {
    this.#failed = true;
    this.#part = null;
    this.#held = null;
  }

  /**
   * Reads no further frame once the one being handled is done: the bytes
   * after it, and those fed meanwhile, are held until `resume`.
   */
  pause(): void {
    this.#paused = true;
  }

  /**
   * Reads the bytes held while paused, and goes on reading.
   *
   * @throws {WebSocketProtocolError} As `feed`.
   */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held;
    this.#held = null;
    if (held !== null) this.feed(held);
  }

  #hold(data: Uint8Array): void {
    const held = this.#held;
    if (held === null) {
      this.#held = data.slice();
      return;
    }
    const joined = new Uint8Array(held.length + data.length);
    joined.set(held);
    joined.set(data, held.length);
    this.#held = joined;
  }

  #feed(data: Uint8Array): void {
    let pos = 0;
    const end = data.length;
    // A payload going on from an earlier read has its header elsewhere.
    if (this.#inPayload) this.#room = 0;
    while (pos < end && !this.#failed) {
      if (this.#paused) {
        this.#hold(data.subarray(pos));
        return;
      }
      if (!this.#inPayload) {
        if (this.#headerLength === 0 && end - pos >= HEADER_MAX) {
          const used = this.#parseHeader(data, pos, end - pos);
          this.#room = used;
          pos += used;
          continue;
        }
        const header = this.#header;
        const have = this.#headerLength;
        const take = Math.min(HEADER_MAX - have, end - pos);
        header.set(data.subarray(pos, pos + take), have);
        const used = this.#parseHeader(header, 0, have + take);
        if (used === 0) {
          this.#headerLength = have + take;
          return;
        }
        this.#headerLength = 0;
        this.#room = used - have;
        pos += used - have;
        continue;
      }
      const needed = this.#needed;
      const take = Math.min(needed - this.#received, end - pos);
      const piece = data.subarray(pos, pos + take);
      pos += take;
      if (take === needed) {
        this.#inPayload = false;
        if (this.#keepPayload) {
          const owned = this.#own(piece);
          this.#handler.onFrame(owned, this.#ownRoom, false);
        } else {
          if (this.#masked) applyMask(piece, this.#mask, 0, 0);
          this.#handler.onFrame(piece, this.#room, true);
        }
        continue;
      }
      this.#keep(piece);
      if (this.#received < needed) continue;
      const part = this.#part as Uint8Array;
      this.#part = null;
      this.#inPayload = false;
      this.#handler.onFrame(part.subarray(ROOM, ROOM + needed), ROOM, false);
    }
  }

  /**
   * A copy of a whole payload, unmasked, with room for an unmasked header
   * in front (see {@linkcode #ownRoom}).
   */
  #own(piece: Uint8Array): Uint8Array {
    const length = piece.length;
    const room = headerSize(length, false);
    let out: Uint8Array;
    let at: number;
    if (room + length <= SHARED_MAX) {
      out = this.#shared as Uint8Array;
      at = this.#sharedUsed + room;
      if (this.#shared === null || at + length > out.length) {
        out = this.#shared = new Uint8Array(SHARED_SIZE);
        at = room;
      }
      this.#sharedUsed = at + length;
      this.#ownRoom = room;
    } else {
      // Lying as the bytes received do against 8-byte boundaries, the
      // payload is unmasked a word at a time as it is copied.
      at = room + ((piece.byteOffset - room) & 7);
      out = new Uint8Array(at + length);
      this.#ownRoom = at;
    }
    this.#copy(piece, out, at, 0);
    return out.subarray(at, at + length);
  }

  /** Copies `piece`, `offset` bytes into the payload, to `out` from `at`, unmasked. */
  #copy(piece: Uint8Array, out: Uint8Array, at: number, offset: number): void {
    if (this.#masked) copyMasked(piece, out, at, this.#mask, 0, offset);
    else out.set(piece, at);
  }

  /** Copies a piece of a payload spanning reads behind the pieces before it. */
  #keep(piece: Uint8Array): void {
    const at = ROOM + this.#received;
    const until = at + piece.length;
    let part = this.#part;
    if (part === null || until > part.length) {
      const size = Math.min(
        this.#needed,
        Math.max(FIRST_PART, 2 * (until - ROOM)),
      );
      const larger = new Uint8Array(ROOM + size);
      if (part !== null) larger.set(part.subarray(0, at));
      part = this.#part = larger;
    }
    this.#copy(piece, part, at, this.#received);
    this.#received += piece.length;
  }

  /**
   * Parses a header from `bytes[at..at+available]`.
   *
   * @returns How many bytes it took, or 0 when more are needed.
   */
  #parseHeader(bytes: Uint8Array, at: number, available: number): number {
    if (available < 2) return 0;
    const b0 = bytes[at];
    const b1 = bytes[at + 1];
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    const size = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) +
      (masked ? 4 : 0);
    if (masked !== this.#expectMasked) {
      throw new WebSocketProtocolError(
        CloseCode.PROTOCOL_ERROR,
        this.#expectMasked
          ? "Client frames must be masked: got an unmasked frame"
          : "Server frames must not be masked: got a masked frame",
      );
    }
    if (available < size) return 0;
    let length = len7;
    let p = at + 2;
    if (len7 === 126) {
      length = (bytes[p] << 8) | bytes[p + 1];
      p += 2;
    } else if (len7 === 127) {
      if (bytes[p] & 0x80) {
        throw new WebSocketProtocolError(
          CloseCode.PROTOCOL_ERROR,
          "Frame length has its most significant bit set",
        );
      }
      const high = ((bytes[p] << 24) | (bytes[p + 1] << 16) |
        (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0;
      const low = ((bytes[p + 4] << 24) | (bytes[p + 5] << 16) |
        (bytes[p + 6] << 8) | bytes[p + 7]) >>> 0;
      length = high * 0x100000000 + low;
      p += 8;
    }
    if (masked) {
      this.#mask[0] = bytes[p];
      this.#mask[1] = bytes[p + 1];
      this.#mask[2] = bytes[p + 2];
      this.#mask[3] = bytes[p + 3];
    }
    this.#masked = masked;
    this.#keepPayload = this.#handler.onHeader(
      (b0 & 0x80) !== 0,
      (b0 >>> 4) & 0x7,
      b0 & 0x0f,
      length,
    );
    if (length === 0) {
      this.#handler.onFrame(EMPTY, 0, false);
    } else {
      this.#inPayload = true;
      this.#needed = length;
      this.#received = 0;
    }
    return size;
  }
}
