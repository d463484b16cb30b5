/**
 * Helpers shared by the body readers (`readBody`, the engine's sink
 * and the decoders).
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
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
