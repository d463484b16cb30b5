/**
 * Helpers of the HTTP parser tests: feeding a parser and recording what it
 * reported, as text that can be compared across ways of splitting the input.
 *
 * @module
 */
import {
  HTTPClientParser,
  type HTTPClientParserOptions,
} from "../../http/_http_client_parser.ts";
import type { ResponseHead } from "../../http/interfaces.ts";
import type { Headers } from "../../http/headers.ts";
import { latin1Text } from "../_support/mod.ts";

/** What a parser reported for one input. */
export interface Parsed {
  /** The interim (1xx) heads, in order. */
  informational: ResponseHead[];
  /** The final head, if any. */
  head: ResponseHead | null;
  /** The body, concatenated, as latin-1 text. */
  body: string;
  /** How many `onBody` calls there were. */
  bodyCalls: number;
  /** Whether `onComplete` was called. */
  complete: boolean;
  /** The trailers given to `onComplete`. */
  trailers: Headers | null;
  /** The sum of `feed`'s return values. */
  consumed: number;
  /** What `feed` threw, if anything. */
  error: unknown;
  /** What `connectionLost` threw, if it was called and threw. */
  lostError: unknown;
  /** The parser, for further inspection. */
  parser: HTTPClientParser;
}

/** Options of {@linkcode parse}. */
export interface ParseOptions extends HTTPClientParserOptions {
  /** Call `connectionLost` after feeding every piece. */
  close?: boolean;
}

/** Feeds `pieces` to a new parser in order and records what happened. */
export function parse(
  pieces: Uint8Array | Uint8Array[],
  options: ParseOptions = {},
): Parsed {
  const body: string[] = [];
  const parsed = {
    informational: [] as ResponseHead[],
    head: null as ResponseHead | null,
    bodyCalls: 0,
    complete: false,
    trailers: null as Headers | null,
    consumed: 0,
    error: undefined as unknown,
    lostError: undefined as unknown,
  };
  const parser = new HTTPClientParser({
    onInformational(head): void {
      parsed.informational.push(head);
    },
    onHeaders(head): void {
      parsed.head = head;
    },
    onBody(chunk): void {
      parsed.bodyCalls++;
      body.push(latin1Text(chunk));
    },
    onComplete(trailers): void {
      parsed.complete = true;
      parsed.trailers = trailers;
    },
  }, options);
  try {
    for (const piece of Array.isArray(pieces) ? pieces : [pieces]) {
      parsed.consumed += parser.feed(piece);
    }
  } catch (error) {
    parsed.error = error;
  }
  if (options.close && parsed.error === undefined) {
    try {
      parser.connectionLost(new Error("Connection closed"));
    } catch (error) {
      parsed.lostError = error;
    }
  }
  return { ...parsed, body: body.join(""), parser };
}

function describeHead(head: ResponseHead): unknown {
  return {
    version: head.version,
    code: head.code,
    phrase: head.phrase,
    headers: [...head.headers.getAllRawHeaders()],
    length: head.length,
    framing: head.framing,
    keepAlive: head.keepAlive,
    upgraded: head.upgraded,
  };
}

function describeError(error: unknown): unknown {
  if (error === undefined) return undefined;
  const e = error as Error & { reasons?: { getErrorMessage(): string }[] };
  return {
    name: e.name,
    message: e.message,
    reasons: e.reasons?.map((r) => r.getErrorMessage()),
  };
}

/**
 * A summary of what was parsed that does not depend on how the input was
 * split: heads, body, completion, trailers, errors (and, without an error,
 * how much was consumed).
 */
export function summary(parsed: Parsed): string {
  return JSON.stringify({
    informational: parsed.informational.map(describeHead),
    head: parsed.head && describeHead(parsed.head),
    body: parsed.error === undefined ? parsed.body : undefined,
    complete: parsed.complete,
    trailers: parsed.trailers && [...parsed.trailers.getAllRawHeaders()],
    consumed: parsed.error === undefined ? parsed.consumed : undefined,
    error: describeError(parsed.error),
    lostError: describeError(parsed.lostError),
  });
}

/** `data` cut at the given offsets. */
export function splitAt(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(data.subarray(start, offset));
    start = offset;
  }
  pieces.push(data.subarray(start));
  return pieces;
}
