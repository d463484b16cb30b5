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
 * @example Posting JSON with an Agent
 * ```ts
 * import assert from "node:assert/strict";
 * import { Agent, Headers, HTTPConnectionPool, readBody, StringProducer } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   async (request) => new Response(String((await request.json()).name)),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const response = await new Agent(reactor, { pool }).request(
 *   "POST",
 *   `http://127.0.0.1:${server.addr.port}/items`,
 *   new Headers({ "Content-Type": "application/json" }),
 *   new StringProducer(JSON.stringify({ name: "torsion" })),
 * );
 * assert.equal(new TextDecoder().decode(await readBody(response)), "torsion");
 * await pool.closeCachedConnections();
 * await server.shutdown();
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
   * @example Writing into a collecting consumer
   * ```ts
   * import assert from "node:assert/strict";
   * import { StringProducer } from "@torsion/torsion/http";
   * const parts: Uint8Array[] = [];
   * new StringProducer("hi").startProducing({
   *   write: (data) => { parts.push(data as Uint8Array); },
   *   registerProducer() {},
   *   unregisterProducer() {},
   * });
   * assert.equal(parts[0].length, 2);
   * ```
   */
  startProducing(consumer: IConsumer): Deferred<void> {
    if (this.length > 0) consumer.write(this.body);
    return succeed(undefined);
  }

  /**
   * Does nothing: the body is written at once. Part of Twisted's
   * `IPushProducer`.
   */
  pauseProducing(): void {}

  /**
   * Does nothing: there is nothing to resume. Part of Twisted's
   * `IPushProducer`.
   */
  resumeProducing(): void {}

  /**
   * Does nothing: there is nothing left to stop once the body is written.
   * Part of Twisted's `IPushProducer`.
   */
  stopProducing(): void {}
}
