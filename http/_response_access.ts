/**
 * A way into `Response` for the connection that feeds it: delivering body
 * bytes and the end of the body, which only the client protocol and the
 * decoders may do. Not part of the public API.
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import type { Response } from "./response.ts";

/** What `response.ts` registers. */
export interface ResponseAccess {
  /** Delivers a piece of body to the response. */
  received(response: Response, data: Uint8Array): void;
  /** Ends the body: `ResponseDone` when `reason` is undefined. */
  finished(response: Response, reason?: Failure): void;
}

let access: ResponseAccess | undefined;

/** Called once by `response.ts` when its class is defined. */
export function registerResponseAccess(fn: ResponseAccess): void {
  access = fn;
}

/** Delivers a piece of body to `response` (a view: it is copied if buffered). */
export function bodyDataReceived(response: Response, data: Uint8Array): void {
  (access as ResponseAccess).received(response, data);
}

/** Ends the body of `response`; `ResponseDone` when `reason` is undefined. */
export function bodyDataFinished(response: Response, reason?: Failure): void {
  (access as ResponseAccess).finished(response, reason);
}
