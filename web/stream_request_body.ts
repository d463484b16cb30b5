/**
 * `streamRequestBody`: marks a handler class that receives its request
 * body piece by piece, as Tornado's `@tornado.web.stream_request_body`.
 *
 * @module
 */
import type { RequestHandlerClass } from "./request_handler.ts";

const STREAM_REQUEST_BODY = Symbol("streamRequestBody");

/**
 * Makes a handler class receive its request body piece by piece in
 * `dataReceived` as it arrives, instead of buffered in `request.body`, as
 * Tornado's `@tornado.web.stream_request_body` class decorator: `prepare`
 * runs once the headers are in, then `dataReceived` for each piece (each
 * waits for the Promise the one before returned), then the method.
 * Subclasses inherit it. Form arguments are not parsed for such a class.
 *
 * @param handlerClass The handler class.
 * @param _context The decorator context, when used as `@streamRequestBody`.
 * @returns The same class.
 *
 * @example Counting an upload's bytes as they arrive
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, RequestHandler, streamRequestBody } from "@torsion/torsion/web";
 * @streamRequestBody
 * class Upload extends RequestHandler {
 *   bytes = 0;
 *   override dataReceived(chunk: Uint8Array): void {
 *     this.bytes += chunk.length;
 *   }
 *   override put(): void {
 *     this.write({ bytes: this.bytes });
 *   }
 * }
 * const server = new Application([["/upload", Upload]]).listen(0, { address: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${server.port}/upload`, {
 *   method: "PUT",
 *   body: new Uint8Array(100_000),
 * });
 * assert.deepEqual(await response.json(), { bytes: 100_000 });
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export function streamRequestBody<C extends RequestHandlerClass>(
  handlerClass: C,
  _context?: ClassDecoratorContext,
): C {
  Object.defineProperty(handlerClass, STREAM_REQUEST_BODY, { value: true });
  return handlerClass;
}

/**
 * Whether a handler class receives its body in pieces (marked by
 * {@linkcode streamRequestBody}, itself or through a parent).
 *
 * @param handlerClass The handler class.
 * @returns `true` when it streams.
 */
export function hasStreamRequestBody(
  handlerClass: RequestHandlerClass,
): boolean {
  return (handlerClass as unknown as Record<symbol, unknown>)[
    STREAM_REQUEST_BODY
  ] === true;
}
