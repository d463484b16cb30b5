/**
 * The framing fields of a message (RFC 9112 section 6): reading
 * `Content-Length` and `Transfer-Encoding` as both parsers must, strictly,
 * and which status codes never carry a body.
 * What a parser then decides from them differs by direction, and lives with
 * each parser.
 *
 * @module
 */
import { isDigit, trimOWS } from "./_chars.ts";
import { malformed } from "./_wire_error.ts";

/**
 * The value of a `Content-Length` of digits only and at most 15 of them
 * (an exact integer), as almost every message has; -1 for anything else,
 * which the full reading handles.
 */
function plainLength(value: string): number {
  const size = value.length;
  if (size === 0 || size > 15) return -1;
  let n = 0;
  for (let i = 0; i < size; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * The length a message's `Content-Length` values declare: a list of equal
 * values (`5, 5`, or two fields of `5`) is one length.
 *
 * @throws {WireError} A value is not a decimal number, is too large for an
 * exact integer, or differs from another.
 */
export function contentLength(values: readonly string[]): number {
  let length = -1;
  for (const value of values) {
    const plain = plainLength(value);
    if (plain >= 0 && (length === -1 || plain === length)) {
      length = plain;
      continue;
    }
    for (const element of value.split(",")) {
      const digits = trimOWS(element);
      let valid = digits.length > 0;
      for (let i = 0; valid && i < digits.length; i++) {
        valid = isDigit(digits.charCodeAt(i));
      }
      const n = valid ? Number(digits) : NaN;
      if (!Number.isSafeInteger(n)) {
        throw malformed(
          `Invalid Content-Length: current value is ${JSON.stringify(value)}`,
          value,
        );
      }
      if (length !== -1 && n !== length) {
        const all = values.join(", ");
        throw malformed(
          `Conflicting Content-Length values: current values are ${
            JSON.stringify(all)
          }`,
          all,
        );
      }
      length = n;
    }
  }
  return length;
}

/**
 * The transfer codings of a message's `Transfer-Encoding` values, in order,
 * lower-cased, without their parameters.
 */
export function transferCodings(values: readonly string[]): string[] {
  const codings: string[] = [];
  for (const value of values) {
    for (const element of value.split(",")) {
      const coding = trimOWS(element.split(";", 1)[0]).toLowerCase();
      if (coding !== "") codings.push(coding);
    }
  }
  return codings;
}

/**
 * Whether `chunked` is the final transfer coding, checking that it appears
 * at most once and nowhere else (RFC 9112 section 6.1).
 *
 * @param codings As {@linkcode transferCodings} returns them.
 * @param raw The field values joined, for the error message.
 * @throws {WireError} `chunked` is applied twice or is not the final coding.
 */
export function isChunked(codings: readonly string[], raw: string): boolean {
  const last = codings.length - 1;
  for (let i = 0; i < last; i++) {
    if (codings[i] === "chunked") {
      throw malformed(
        `Invalid Transfer-Encoding: chunked must be the final coding, current value is ${
          JSON.stringify(raw)
        }`,
        raw,
      );
    }
  }
  return last >= 0 && codings[last] === "chunked";
}

/**
 * Whether a response with status `code` may carry a body: not a 1xx, 204
 * or 304 (RFC 9110 sections 15.2, 15.3.5 and 15.4.5). A response to HEAD
 * never does either, whatever its code.
 */
export function statusHasBody(code: number): boolean {
  return code >= 200 && code !== 204 && code !== 304;
}
