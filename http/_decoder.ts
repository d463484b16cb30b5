/**
 * Incremental decompression of `gzip` and `deflate` response bodies for
 * `GzipDecoder` and the engine, on the runtime's `DecompressionStream`.
 *
 * Measured on Deno 2.9 against `node:zlib`'s synchronous `gunzipSync`
 * (27 µs per 1 KiB body each way), `DecompressionStream` costs the same and
 * streams, which a one-shot inflater cannot; it is only created when a body
 * is actually encoded. Its output for one write is unbounded (50 MiB of
 * zeros compress to 50 KB and come out as one piece), so input is fed in
 * slices of {@linkcode SLICE} bytes: one piece of output is then at most
 * about a thousand times that, and a decompression bomb is stopped soon
 * after `maxBodySize` instead of after it has been inflated whole.
 *
 * @module
 */
import { joinChunks } from "../reactor/_byte_buffer.ts";
import { ContentDecodingError } from "./content_decoding_error.ts";

/** The content codings this module decodes. */
export type ContentCoding = "gzip" | "deflate";

/** Largest piece of compressed input handed to the stream at once. */
export const SLICE = 8192;

/** Where a {@linkcode StreamDecoder} reports to. */
export interface DecoderSink {
  /** A piece of decoded bytes, in order. */
  onData(chunk: Uint8Array): void;
  /** Decoding finished: `error` is set when the input was not valid. */
  onEnd(error?: unknown): void;
}

/**
 * Whether `coding` (a `Content-Encoding` token, any case) is one this
 * module decodes, and which.
 */
export function codingOf(token: string): ContentCoding | null {
  const lower = token.trim().toLowerCase();
  if (lower === "gzip" || lower === "x-gzip") return "gzip";
  if (lower === "deflate") return "deflate";
  return null;
}

/**
 * Decodes one body. `write` and `end` return at once; decoded pieces and
 * the end are reported to the sink later, in order. `onEnd` is called
 * exactly once unless `abort` is called first.
 */
export class StreamDecoder {
  #coding: ContentCoding;
  #sink: DecoderSink;
  #writer: WritableStreamDefaultWriter<BufferSource> | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #head: Uint8Array | null = null;
  #finished = false;

  constructor(coding: ContentCoding, sink: DecoderSink) {
    this.#coding = coding;
    this.#sink = sink;
  }

  /** Feeds compressed bytes; they are copied, the caller may reuse `data`. */
  write(data: Uint8Array): void {
    if (this.#finished || data.length === 0) return;
    if (this.#writer === null) {
      // Raw DEFLATE (no zlib header) is sent by some servers as "deflate":
      // two bytes tell the formats apart, so wait for them.
      if (this.#coding === "deflate") {
        const head = this.#head === null
          ? data
          : joinChunks([this.#head, data], this.#head.length + data.length);
        if (head.length < 2) {
          this.#head = head.slice();
          return;
        }
        this.#head = null;
        this.#start(isZlib(head) ? "deflate" : "deflate-raw");
        this.#feed(head);
        return;
      }
      this.#start("gzip");
    }
    this.#feed(data);
  }

  /** No more input: flushes and ends (reports an error for a cut stream). */
  end(): void {
    if (this.#finished) return;
    if (this.#writer === null) {
      if (this.#head !== null) {
        this.#start("deflate-raw");
        this.#feed(this.#head);
        this.#head = null;
      } else {
        this.#finished = true;
        this.#sink.onEnd();
        return;
      }
    }
    (this.#writer as WritableStreamDefaultWriter<BufferSource>).close().catch(
      ignore,
    );
  }

  /** Stops decoding; the sink hears nothing more. */
  abort(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#writer?.abort().catch(ignore);
    this.#reader?.cancel().catch(ignore);
  }

  #start(format: CompressionFormat): void {
    const stream = new DecompressionStream(format);
    this.#writer = stream.writable.getWriter();
    this.#reader = stream.readable.getReader();
    this.#pump(this.#reader);
  }

  #feed(data: Uint8Array): void {
    const writer = this.#writer as WritableStreamDefaultWriter<BufferSource>;
    for (let offset = 0; offset < data.length; offset += SLICE) {
      writer.write(data.slice(offset, offset + SLICE)).catch(ignore);
    }
  }

  async #pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    let error: unknown = undefined;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (this.#finished) return;
        if (done) break;
        this.#sink.onData(value);
      }
    } catch (e) {
      error = e;
    }
    if (this.#finished) return;
    this.#finished = true;
    this.#sink.onEnd(
      error === undefined
        ? undefined
        : new ContentDecodingError(this.#coding, error),
    );
  }
}

function isZlib(head: Uint8Array): boolean {
  return (head[0] & 0x0f) === 8 && ((head[0] << 8) | head[1]) % 31 === 0;
}

function ignore(): void {}
