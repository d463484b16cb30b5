/**
 * `StringProducer`: a request body held in memory, the body producer of
 * Twisted's client how-to (`twisted.web.client` users write it in every
 * project; `FileBodyProducer` over `BytesIO` is its library form).
 *
 * @module
 */
import { type Deferred, succeed } from "../deferred/deferred.ts";
import type { IConsumer } from "../reactor/interfaces.ts";
import type { IBodyProducer } from "./interfaces.ts";

const encoder = new TextEncoder();

/**
 * A body producer for bytes or a string (sent as UTF-8). Mirrors the
 * `StringProducer` of Twisted's client how-to, and `FileBodyProducer` over
 * an in-memory file: it writes the whole body at once, its `length` is
 * known (so it is sent with `Content-Length`), and it can be produced again,
 * so a request carrying it may be retried on a fresh connection or follow a
 * 307 or 308 redirect with its body.
 *
 * @example Posting JSON
 * ```ts ignore
 * import { Agent, Headers, StringProducer } from "@torsion/torsion/http";
 * const body = new StringProducer(JSON.stringify({ name: "torsion" }));
 * await new Agent().request(
 *   "POST",
 *   "http://127.0.0.1:8080/items",
 *   new Headers({ "Content-Type": "application/json" }),
 *   body,
 * );
 * ```
 */
export class StringProducer implements IBodyProducer {
  /** The body's length in bytes. */
  readonly length: number;
  /** The body's bytes. */
  readonly body: Uint8Array;

  /**
   * Creates a producer of `body`.
   *
   * @param body The body; a string is encoded as UTF-8.
   * @throws {TypeError} `body` is neither a string nor bytes.
   */
  constructor(body: string | Uint8Array) {
    if (typeof body === "string") this.body = encoder.encode(body);
    else if (body instanceof Uint8Array) this.body = body;
    else {
      throw new TypeError(
        `StringProducer body must be a string or a Uint8Array: current value is ${typeof body}`,
      );
    }
    this.length = this.body.length;
  }

  /**
   * Writes the body to `consumer`.
   *
   * @param consumer The connection.
   * @returns A Deferred that has already fired.
   *
   * @example
   * ```ts
   * import { StringProducer } from "@torsion/torsion/http";
   * const parts: Uint8Array[] = [];
   * new StringProducer("hi").startProducing({
   *   write: (data) => { parts.push(data as Uint8Array); },
   *   registerProducer() {},
   *   unregisterProducer() {},
   * });
   * console.assert(parts[0].length === 2);
   * ```
   */
  startProducing(consumer: IConsumer): Deferred<void> {
    if (this.length > 0) consumer.write(this.body);
    return succeed(undefined);
  }

  /** Nothing to pause: the body is written at once. */
  pauseProducing(): void {}

  /** Nothing to resume. */
  resumeProducing(): void {}

  /** Nothing to stop. */
  stopProducing(): void {}
}
