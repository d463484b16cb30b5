/**
 * How the shared parser core reports malformed input: a `WireError` holds
 * the reason (a `ParseError` or `BodyTooLargeError`) and the status a server
 * answers it with. Each parser turns it into what its callers catch (the
 * response parser into a `ResponseFailed`, the request parser into the
 * reason with the status kept beside it).
 *
 * @module
 */
import { ParseError } from "./errors.ts";

/** A malformed or oversized message, with the status that answers it. */
export class WireError {
  /**
   * @param reason What is wrong with the message.
   * @param status The status a server answers with: 400, 413, 414, 431,
   * 501 or 505.
   */
  constructor(readonly reason: Error, readonly status: number) {}
}

/** A `WireError` whose reason is a `ParseError`; `status` defaults to 400. */
export function malformed(
  message: string,
  data?: string,
  status = 400,
): WireError {
  return new WireError(new ParseError(message, data), status);
}
