/**
 * `UNKNOWN_LENGTH`: the length of a body that is not known in advance, as
 * `twisted.web.iweb.UNKNOWN_LENGTH`.
 *
 * @module
 */

/**
 * The `length` of a response body or body producer whose size is not known
 * before it ends: a chunked or close-delimited response, or an upload sent
 * with chunked coding. Mirrors Twisted's `twisted.web.iweb.UNKNOWN_LENGTH`.
 *
 * @example Checking a response's length
 * ```ts
 * import assert from "node:assert/strict";
 * import { UNKNOWN_LENGTH } from "@torsion/torsion/http";
 * function describeLength(length: number | typeof UNKNOWN_LENGTH): string {
 *   return length === UNKNOWN_LENGTH ? "unknown" : `${length} bytes`;
 * }
 * assert.equal(describeLength(UNKNOWN_LENGTH), "unknown");
 * ```
 */
export const UNKNOWN_LENGTH = "UNKNOWN_LENGTH" as const;
