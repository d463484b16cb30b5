/**
 * The errors of the twisted.web face, as `twisted.web.error`.
 *
 * @module
 */

/**
 * Thrown by `Resource.render` when the resource has no `render_<METHOD>`
 * for the request's method; the request answers 405 with an `Allow` header
 * listing `allowedMethods` (or 501 for a method HTTP does not define).
 * Mirrors Twisted's `twisted.web.error.UnsupportedMethod`.
 *
 * @example Reading the allowed methods
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedMethod } from "@torsion/torsion/web";
 * const error = new UnsupportedMethod(["GET", "HEAD"]);
 * assert.deepEqual(error.allowedMethods, ["GET", "HEAD"]);
 * ```
 */
export class UnsupportedMethod extends Error {
  /** The methods the resource does render. */
  readonly allowedMethods: readonly string[];

  /**
   * Reports the methods that are rendered.
   *
   * @param allowedMethods The methods the resource does render.
   */
  constructor(allowedMethods: readonly string[]) {
    super(
      `Method not supported: allowed methods are ${allowedMethods.join(", ")}`,
    );
    this.name = "UnsupportedMethod";
    this.allowedMethods = allowedMethods;
  }
}
