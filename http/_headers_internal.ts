/**
 * A way into `Headers` for the response parser, which has already checked
 * every name and value byte: adding a field without checking it again, under
 * a lower-cased key the parser knows. Not part of the public API.
 *
 * @module
 */
import type { Headers } from "./headers.ts";

/** Adds a checked field to `headers`; `key` is `name` lower-cased. */
export type AddCheckedField = (
  headers: Headers,
  key: string,
  name: string,
  value: string,
) => void;

let add: AddCheckedField | undefined;

/** Called once by `headers.ts` when its class is defined. */
export function registerAddCheckedField(fn: AddCheckedField): void {
  add = fn;
}

/** Adds a field the caller has checked: a token name, a value without CR, LF, NUL. */
export function addCheckedField(
  headers: Headers,
  key: string,
  name: string,
  value: string,
): void {
  (add as AddCheckedField)(headers, key, name, value);
}
