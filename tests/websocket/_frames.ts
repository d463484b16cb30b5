/**
 * Raw WebSocket frames for the tests: building any frame, valid or not,
 * and reading back the frames an endpoint wrote.
 *
 * @module
 */

const encoder = new TextEncoder();

/** How to build a frame. */
export interface FrameSpec {
  /** The FIN bit. @default true */
  fin?: boolean;
  /** The RSV bits, 0-7 (4 = RSV1). @default 0 */
  rsv?: number;
  /** Whether to mask (a client's frames are). @default true */
  mask?: boolean;
  /** Force the 7-bit length field (126 or 127 select the longer forms). */
  len7?: number;
  /** Bytes to use as the extended length (with `len7`). */
  extended?: number[];
}

/** One frame as read back. */
export interface ReadFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
}

/** Builds a frame. */
export function frame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  spec: FrameSpec = {},
): Uint8Array {
  const data = typeof payload === "string" ? encoder.encode(payload) : payload;
  const fin = spec.fin ?? true;
  const mask = spec.mask ?? true;
  const head: number[] = [(fin ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | opcode];
  if (spec.len7 !== undefined) {
    head.push((mask ? 0x80 : 0) | spec.len7, ...(spec.extended ?? []));
  } else if (data.length < 126) {
    head.push((mask ? 0x80 : 0) | data.length);
  } else if (data.length < 65536) {
    head.push((mask ? 0x80 : 0) | 126, data.length >> 8, data.length & 0xff);
  } else {
    const n = data.length;
    head.push(
      (mask ? 0x80 : 0) | 127,
      0,
      0,
      0,
      0,
      (n >>> 24) & 0xff,
      (n >>> 16) & 0xff,
      (n >>> 8) & 0xff,
      n & 0xff,
    );
  }
  const key = [0x12, 0x34, 0x56, 0x78];
  if (mask) head.push(...key);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  for (let i = 0; i < data.length; i++) {
    out[head.length + i] = mask ? data[i] ^ key[i & 3] : data[i];
  }
  return out;
}

/** A close frame's payload: the code and the reason. */
export function closePayload(code: number, reason = ""): Uint8Array {
  const text = encoder.encode(reason);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

/** Reads every complete frame of `bytes`, unmasking masked ones. */
export function readFrames(bytes: Uint8Array): ReadFrame[] {
  const frames: ReadFrame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const b0 = bytes[at];
    const b1 = bytes[at + 1];
    let length = b1 & 0x7f;
    let p = at + 2;
    if (length === 126) {
      length = (bytes[p] << 8) | bytes[p + 1];
      p += 2;
    } else if (length === 127) {
      length = 0;
      for (let i = 0; i < 8; i++) length = length * 256 + bytes[p + i];
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(p, p + 4) : null;
    if (masked) p += 4;
    if (p + length > bytes.length) break;
    const payload = bytes.slice(p, p + length);
    if (key !== null) {
      for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    }
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 7,
      opcode: b0 & 0x0f,
      masked,
      payload,
    });
    at = p + length;
  }
  return frames;
}

/** The code of a close frame's payload, or `null` when it has none. */
export function closeCodeOf(frame: ReadFrame): number | null {
  return frame.payload.length >= 2
    ? (frame.payload[0] << 8) | frame.payload[1]
    : null;
}
