/**
 * Seeded mutations of HTTP messages for the fuzz harnesses: a small PRNG
 * (so a seed replays a run exactly), the valid responses mutations start
 * from, and the mutations themselves (byte flips, insertions, deletions,
 * truncations, duplicated segments).
 *
 * @module
 */

const encoder = new TextEncoder();

/** A seeded pseudo-random generator (mulberry32): the same seed, the same run. */
export class Random {
  #state: number;

  /** @param seed Any 32-bit integer. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** A valid response to start from, and what its body decodes to. */
export interface BaseResponse {
  /** A short name, for the counts. */
  readonly name: string;
  /** The bytes on the wire. */
  readonly wire: Uint8Array;
  /** Whether the body is gzip-compressed (the client should decode it). */
  readonly gzip: boolean;
}

/** The parts, strings as UTF-8, joined in one array. */
export function joined(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const pieces = parts.map((p) =>
    typeof p === "string" ? encoder.encode(p) : p
  );
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

/** `data` (a string as UTF-8) gzip-compressed. */
export async function gzip(data: string | Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The valid responses every run starts from: Content-Length, chunked (with
 * an extension and a trailer), gzip, a keep-alive pair in one write, and an
 * HTTP/1.0 close-delimited body.
 */
export async function baseResponses(): Promise<BaseResponse[]> {
  const body = "hello fuzz ".repeat(20);
  const compressed = await gzip(body.repeat(10));
  return [
    {
      name: "content-length",
      wire: joined([
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ]),
      gzip: false,
    },
    {
      name: "chunked",
      wire: joined([
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        `10;ext=1\r\n${body.slice(0, 16)}\r\n`,
        `${(body.length - 16).toString(16)}\r\n${body.slice(16)}\r\n`,
        "0\r\nX-Trailer: yes\r\n\r\n",
      ]),
      gzip: false,
    },
    {
      name: "gzip",
      wire: joined([
        `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${compressed.length}\r\n\r\n`,
        compressed,
      ]),
      gzip: true,
    },
    {
      name: "keep-alive-pair",
      wire: joined([
        `HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst`,
        `HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond`,
      ]),
      gzip: false,
    },
    {
      name: "http10-close",
      wire: joined([`HTTP/1.0 200 OK\r\nServer: old\r\n\r\n${body}`]),
      gzip: false,
    },
  ];
}

/** The kinds of mutation, as counted. */
export const MUTATIONS = [
  "none",
  "flip",
  "insert",
  "delete",
  "truncate",
  "duplicate",
] as const;

/** One kind of mutation. */
export type Mutation = typeof MUTATIONS[number];

/** Bytes worth inserting: the ones parsers care about. */
const INTERESTING = encoder.encode('\r\n:; \t0\x00\x7f\xff9fF"-');

/**
 * Mutates `wire`: `rounds` mutations of the kind drawn (one to three),
 * except `"none"`, which keeps it valid. With `tokens`, half the
 * insertions insert one of them whole (a percent-escape, a `..`, a
 * multipart boundary): the bytes a parser above HTTP cares about. Without
 * them the draws are as they always were, so a seed replays its old run.
 *
 * @param wire The valid bytes.
 * @param random The run's generator.
 * @param tokens Whole byte strings worth inserting.
 * @returns The mutated bytes and the kind of mutation.
 */
export function mutate(
  wire: Uint8Array,
  random: Random,
  tokens?: readonly Uint8Array[],
): { bytes: Uint8Array; mutation: Mutation } {
  const mutation = random.pick(MUTATIONS);
  let bytes: Uint8Array = wire.slice();
  const rounds = 1 + random.below(3);
  for (let round = 0; round < rounds && mutation !== "none"; round++) {
    const at = random.below(bytes.length + 1);
    switch (mutation) {
      case "flip":
        if (bytes.length > 0) {
          bytes[Math.min(at, bytes.length - 1)] ^= 1 << random.below(8);
        }
        break;
      case "insert": {
        const inserted = tokens !== undefined && random.next() < 0.5
          ? random.pick(tokens)
          : random.next() < 0.5
          ? INTERESTING.subarray(random.below(INTERESTING.length)).subarray(
            0,
            1 + random.below(3),
          )
          : Uint8Array.of(random.below(256));
        bytes = joined([bytes.subarray(0, at), inserted, bytes.subarray(at)]);
        break;
      }
      case "delete": {
        const length = 1 + random.below(4);
        bytes = joined([bytes.subarray(0, at), bytes.subarray(at + length)]);
        break;
      }
      case "truncate":
        bytes = bytes.slice(0, at);
        round = rounds;
        break;
      case "duplicate": {
        const length = 1 + random.below(Math.min(64, bytes.length + 1));
        const start = random.below(Math.max(1, bytes.length - length + 1));
        const segment = bytes.slice(start, start + length);
        bytes = joined([bytes.subarray(0, at), segment, bytes.subarray(at)]);
        break;
      }
    }
  }
  return { bytes, mutation };
}
