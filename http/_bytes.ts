/**
 * Helpers shared by the body readers (`readBody`, the engine's sink,
 * `RedirectAgent` and the decoders).
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import { Protocol } from "../reactor/protocol.ts";
import { ResponseFailed } from "./client_errors.ts";
import { DataLoss } from "./errors.ts";

/**
 * The `DataLoss` among the reasons of a `ResponseFailed`: a body cut short,
 * which readers turn into a `PartialDownloadError` holding what arrived.
 */
export function dataLossOf(reason: Failure): Failure | undefined {
  const value = reason.value;
  if (!(value instanceof ResponseFailed)) return undefined;
  return value.reasons.find((r) => r.check(DataLoss) !== null);
}

/** Reads and drops the body of a redirect, so its connection can be reused. */
export class Discard extends Protocol {}
