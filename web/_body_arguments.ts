/**
 * Form parsing shared by both web faces: query strings and
 * `application/x-www-form-urlencoded` bodies (Tornado's
 * `escape.parse_qs_bytes`) and `multipart/form-data` bodies (Tornado's
 * `httputil.parse_body_arguments` and `parse_multipart_form_data`).
 *
 * Values stay bytes, as in Tornado's `request.arguments` and Twisted's
 * `request.args`, so each face decodes them its own way. Names are decoded
 * as UTF-8 (Tornado decodes them as latin-1, which turns a non-ASCII name
 * into mojibake no handler can ask for). Malformed input throws
 * {@linkcode BodyArgumentsError}, which the faces answer with 400, as
 * Tornado 6.2 does with `HTTPInputError`.
 *
 * @module
 */
import type { Headers } from "../http/headers.ts";
import { latin1Bytes } from "../http/_latin1.ts";
import type { ArgumentMap, BodyArgumentsLimits, FileMap } from "./http_file.ts";

export type { ArgumentMap, BodyArgumentsLimits, FileMap } from "./http_file.ts";

/**
 * The input is not a well-formed form, or is over a limit. Tornado's
 * `httputil.HTTPInputError` from the form parsers; answered with 400.
 */
export class BodyArgumentsError extends Error {
  /**
   * @param message What is wrong with the input.
   */
  constructor(message: string) {
    super(message);
    this.name = "BodyArgumentsError";
  }
}

const DEFAULT_MAX_FIELDS = 10_000;
const DEFAULT_MAX_PART_HEADER_SIZE = 16_384;
const PLUS = 0x2b;
const PERCENT = 0x25;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const utf8 = new TextDecoder();

/** A new empty map with no prototype, so `__proto__` is an ordinary name. */
export function emptyArguments<T>(): Record<string, T[]> {
  return Object.create(null) as Record<string, T[]>;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * Decodes `%XX` (and `+` as a space when `plus`) in `bytes[start, end)`,
 * leaving a `%` not followed by two hex digits as it is (Python's
 * `unquote_plus` and `unquote_to_bytes`).
 */
function unquotePlus(
  bytes: Uint8Array,
  start: number,
  end: number,
  plus = true,
): Uint8Array {
  const out = new Uint8Array(end - start);
  let length = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte === PLUS && plus) {
      out[length++] = 0x20;
    } else if (byte === PERCENT && i + 2 < end) {
      const high = hexValue(bytes[i + 1]);
      const low = hexValue(bytes[i + 2]);
      if (high < 0 || low < 0) {
        out[length++] = byte;
      } else {
        out[length++] = high * 16 + low;
        i += 2;
      }
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

/**
 * Percent-decodes a path segment to bytes, leaving `+` as it is, as
 * Tornado's `url_unescape(value, encoding=None, plus=False)`.
 *
 * @param text The encoded text (latin-1, as on the wire).
 * @returns The decoded bytes.
 */
export function unquoteToBytes(text: string): Uint8Array {
  const bytes = latin1Bytes(text);
  // Most path segments hold no escape: their bytes are the decoded ones.
  if (!text.includes("%")) return bytes;
  return unquotePlus(bytes, 0, bytes.length, false);
}

/**
 * Parses a query string or urlencoded body into names and byte values, as
 * Tornado's `escape.parse_qs_bytes` (Python's `parse_qs`): pairs split on
 * `&`, `+` is a space, an invalid `%` escape is kept as it is, and a name
 * without `=` has an empty value.
 *
 * @param qs The query (without `?`) as latin-1 text, or the body bytes.
 * @param keepBlankValues Whether pairs with an empty value are kept.
 * @param limits The most fields accepted.
 * @returns A map with no prototype.
 * @throws {BodyArgumentsError} More than `maxFields` pairs.
 */
export function parseQsBytes(
  qs: string | Uint8Array,
  keepBlankValues = false,
  limits: BodyArgumentsLimits = {},
): ArgumentMap {
  const bytes = typeof qs === "string" ? latin1Bytes(qs) : qs;
  const maxFields = limits.maxFields ?? DEFAULT_MAX_FIELDS;
  const result = emptyArguments<Uint8Array>();
  let fields = 0;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(AMPERSAND, start);
    if (end === -1) end = bytes.length;
    if (end > start) {
      if (++fields > maxFields) {
        throw new BodyArgumentsError(
          `Too many fields: more than ${maxFields}`,
        );
      }
      let equals = bytes.indexOf(EQUALS, start);
      if (equals === -1 || equals >= end) equals = -1;
      const valueStart = equals === -1 ? end : equals + 1;
      if (keepBlankValues || valueStart < end) {
        const name = utf8.decode(
          unquotePlus(bytes, start, equals === -1 ? end : equals),
        );
        const value = unquotePlus(bytes, valueStart, end);
        (result[name] ??= []).push(value);
      }
    }
    start = end + 1;
  }
  return result;
}

function indexOfBytes(
  haystack: Uint8Array,
  needle: Uint8Array,
  from = 0,
): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last;) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i = haystack.indexOf(first, i + 1);
  }
  return -1;
}

function lastIndexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  for (
    let i = haystack.lastIndexOf(first, haystack.length - needle.length);
    i !== -1;
    i = i === 0 ? -1 : haystack.lastIndexOf(first, i - 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** Splits a header value on `;` outside double quotes (Python's `_parseparam`). */
function splitParams(line: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === "\\" && quoted) i++;
    else if (char === '"') quoted = !quoted;
    else if (char === ";" && !quoted) {
      parts.push(line.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(line.slice(start).trim());
  return parts;
}

function unquoteParam(value: string): string {
  if (value.length >= 2 && value[0] === '"' && value.at(-1) === '"') {
    return value.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return value;
}

/** Decodes an RFC 5987 value (`utf-8''T%C3%A4st`), or `undefined` when malformed. */
function decodeExtendedValue(value: string): string | undefined {
  const match = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (match === null) return undefined;
  const charset = match[1].toLowerCase() || "us-ascii";
  // RFC 5987 has no `+`-for-space rule, so a literal `+` must survive unquoting.
  const escaped = latin1Bytes(match[2].replaceAll("+", "%2B"));
  const bytes = unquotePlus(escaped, 0, escaped.length);
  try {
    return new TextDecoder(charset === "us-ascii" ? "utf-8" : charset, {
      fatal: true,
    }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Splits a `Content-Type`- or `Content-Disposition`-like value into its
 * main value and lower-cased parameters, unquoting quoted values and
 * decoding RFC 2231/5987 `name*=charset''value` parameters, as Tornado's
 * `httputil._parse_header`.
 *
 * @param line The header value.
 * @returns `[value, params]`, params in a map with no prototype.
 */
export function parseHeaderParams(
  line: string,
): [string, Record<string, string>] {
  const [key, ...rest] = splitParams(line);
  const params = Object.create(null) as Record<string, string>;
  const extended: [string, string][] = [];
  for (const part of rest) {
    const equals = part.indexOf("=");
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim().toLowerCase();
    const value = part.slice(equals + 1).trim();
    if (name.endsWith("*")) extended.push([name.slice(0, -1), value]);
    else params[name] = unquoteParam(value);
  }
  for (const [name, value] of extended) {
    const decoded = decodeExtendedValue(unquoteParam(value));
    if (decoded !== undefined) params[name] = decoded;
  }
  return [key.trim(), params];
}

function partHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split("\r\n")) {
    if (line === "") continue;
    if ((line[0] === " " || line[0] === "\t") && last !== undefined) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new BodyArgumentsError(
        `Invalid multipart/form-data: header line without a colon: ${
          JSON.stringify(line.slice(0, 80))
        }`,
      );
    }
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * Parses a `multipart/form-data` body into `args` and `files`, as Tornado's
 * `httputil.parse_multipart_form_data`: the body must end with the final
 * boundary; each part needs a header block, a `Content-Disposition:
 * form-data` with a `name`, and a CRLF before the next boundary. A part
 * with a `filename` (or `filename*`) is a file.
 *
 * @param boundary The boundary from the `Content-Type` (quotes are removed).
 * @param data The body.
 * @param args Where fields are added.
 * @param files Where files are added.
 * @param limits The most parts and part header bytes accepted.
 * @throws {BodyArgumentsError} The body is malformed or over a limit.
 */
export function parseMultipartFormData(
  boundary: string,
  data: Uint8Array,
  args: ArgumentMap,
  files: FileMap,
  limits: BodyArgumentsLimits = {},
): void {
  if (boundary.length >= 2 && boundary[0] === '"' && boundary.at(-1) === '"') {
    boundary = boundary.slice(1, -1);
  }
  if (boundary === "") {
    throw new BodyArgumentsError("Invalid multipart/form-data: empty boundary");
  }
  const maxFields = limits.maxFields ?? DEFAULT_MAX_FIELDS;
  const maxHeader = limits.maxPartHeaderSize ?? DEFAULT_MAX_PART_HEADER_SIZE;
  const final = lastIndexOfBytes(data, latin1Bytes(`--${boundary}--`));
  if (final === -1) {
    throw new BodyArgumentsError(
      "Invalid multipart/form-data: no final boundary found",
    );
  }
  const separator = latin1Bytes(`--${boundary}\r\n`);
  let parts = 0;
  let start = 0;
  while (start < final) {
    let end = indexOfBytes(data, separator, start);
    if (end === -1 || end > final) end = final;
    if (end > start) {
      if (++parts > maxFields) {
        throw new BodyArgumentsError(
          `Invalid multipart/form-data: more than ${maxFields} parts`,
        );
      }
      addPart(data.subarray(start, end), args, files, maxHeader);
    }
    start = end + separator.length;
  }
}

const CRLFCRLF = latin1Bytes("\r\n\r\n");

function addPart(
  part: Uint8Array,
  args: ArgumentMap,
  files: FileMap,
  maxHeader: number,
): void {
  const eoh = indexOfBytes(part, CRLFCRLF);
  if (eoh === -1) {
    throw new BodyArgumentsError(
      "Invalid multipart/form-data: part without a header block",
    );
  }
  if (eoh > maxHeader) {
    throw new BodyArgumentsError(
      `Invalid multipart/form-data: part headers over ${maxHeader} bytes`,
    );
  }
  let block: string;
  try {
    block = new TextDecoder("utf-8", { fatal: true }).decode(
      part.subarray(0, eoh),
    );
  } catch {
    throw new BodyArgumentsError(
      "Invalid multipart/form-data: part headers are not UTF-8",
    );
  }
  const headers = partHeaders(block);
  const [disposition, params] = parseHeaderParams(
    headers.get("content-disposition") ?? "",
  );
  const length = part.length;
  if (
    disposition.toLowerCase() !== "form-data" || length < eoh + 6 ||
    part[length - 2] !== 0x0d || part[length - 1] !== 0x0a
  ) {
    throw new BodyArgumentsError(
      "Invalid multipart/form-data: part is not form-data or lacks its CRLF",
    );
  }
  const name = params["name"];
  if (!name) {
    throw new BodyArgumentsError(
      "Invalid multipart/form-data: part without a name",
    );
  }
  const value = part.slice(eoh + 4, length - 2);
  if (params["filename"]) {
    (files[name] ??= []).push({
      filename: params["filename"],
      body: value,
      contentType: headers.get("content-type") ?? "application/unknown",
    });
  } else {
    (args[name] ??= []).push(value);
  }
}

/**
 * Whether a body of `contentType` holds form arguments (urlencoded or
 * multipart), the only bodies `parseBodyArguments` reads.
 */
export function isFormContentType(contentType: string): boolean {
  return contentType.startsWith("application/x-www-form-urlencoded") ||
    contentType.startsWith("multipart/form-data");
}

/**
 * Parses a form body into `args` and `files` by its content type, as
 * Tornado's `httputil.parse_body_arguments`: urlencoded bodies keep blank
 * values, multipart bodies need a `boundary` parameter, other types are
 * left alone. A form body with a `Content-Encoding` is refused (the engine
 * has already removed gzip when `decompressRequest` is set).
 *
 * @param contentType The request's `Content-Type`, `""` when absent.
 * @param body The request body.
 * @param args Where fields are added.
 * @param files Where files are added.
 * @param headers The request headers, to refuse an encoded body.
 * @param limits The most fields and part header bytes accepted.
 * @throws {BodyArgumentsError} The body is malformed or over a limit.
 */
export function parseBodyArguments(
  contentType: string,
  body: Uint8Array,
  args: ArgumentMap,
  files: FileMap,
  headers?: Headers,
  limits: BodyArgumentsLimits = {},
): void {
  if (!isFormContentType(contentType)) return;
  const urlencoded = contentType.startsWith(
    "application/x-www-form-urlencoded",
  );
  const encoding = headers?.get("content-encoding");
  if (encoding !== undefined) {
    throw new BodyArgumentsError(
      `Unsupported Content-Encoding: ${encoding}`,
    );
  }
  if (urlencoded) {
    const parsed = parseQsBytes(body, true, limits);
    for (const name in parsed) (args[name] ??= []).push(...parsed[name]);
    return;
  }
  for (const field of contentType.split(";")) {
    const trimmed = field.trim();
    const equals = trimmed.indexOf("=");
    if (equals < 0) continue;
    const value = trimmed.slice(equals + 1);
    if (trimmed.slice(0, equals) === "boundary" && value !== "") {
      parseMultipartFormData(value, body, args, files, limits);
      return;
    }
  }
  throw new BodyArgumentsError(
    "Invalid multipart/form-data: boundary not found",
  );
}
