/**
 * `ErrorHandler`: answers every request with one error status, as
 * `tornado.web.ErrorHandler`.
 *
 * @module
 */
import { HTTPError } from "./http_error.ts";
import { type HandlerResult, RequestHandler } from "./request_handler.ts";

/**
 * Answers every request with `statusCode` (through `writeError`), as
 * Tornado's `tornado.web.ErrorHandler`. It is what an `Application` uses
 * for a path no route matches (404).
 *
 * @example A route that is gone
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, ErrorHandler } from "@torsion/torsion/web";
 * const app = new Application([["/old", ErrorHandler, { statusCode: 410 }]]);
 * const server = app.listen(0, { address: "127.0.0.1" });
 * const response = await fetch(`http://127.0.0.1:${server.port}/old`);
 * assert.equal(response.status, 410);
 * await response.body?.cancel();
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export class ErrorHandler extends RequestHandler {
  #statusCode = 404;

  /**
   * Takes the status code to answer with.
   *
   * @param initArgs `{ statusCode }`.
   * @throws {RangeError} The status code is not valid.
   */
  override initialize(initArgs: { statusCode?: number }): void {
    this.#statusCode = initArgs.statusCode ?? 404;
    this.setStatus(this.#statusCode);
  }

  /**
   * Throws the error before any method runs, for every method.
   *
   * @throws {HTTPError} Always, with the status code.
   */
  override prepare(): HandlerResult {
    throw new HTTPError(this.#statusCode);
  }
}
