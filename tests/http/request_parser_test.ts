import assert from "node:assert/strict";
import {
  HTTPRequestParser,
  type HTTPRequestParserOptions,
} from "../../http/_http_request_parser.ts";
import { BodyTooLargeError, ParseError } from "../../http/errors.ts";
import { MALFORMED_REQUESTS } from "./_malformed_requests.ts";
import type { Headers } from "../../http/headers.ts";
import type { RequestHead } from "../../http/server_interfaces.ts";
import { latin1Bytes as bytes, latin1Text as text } from "../_support/mod.ts";

interface Parsed {
  heads: RequestHead[];
  body: string;
  completed: number;
  /** `keepAlive` as each request completed. */
  keepAlive: boolean[];
  trailers: Headers | null;
  consumed: number;
  error: unknown;
  parser: HTTPRequestParser;
}

/** Feeds `pieces` in order, resetting after each complete request. */
function parse(
  pieces: string | string[],
  options?: HTTPRequestParserOptions,
): Parsed {
  const parsed: Parsed = {
    heads: [],
    body: "",
    completed: 0,
    keepAlive: [],
    trailers: null,
    consumed: 0,
    error: undefined,
    parser: undefined as unknown as HTTPRequestParser,
  };
  const parser = new HTTPRequestParser({
    onRequest(head): void {
      parsed.heads.push(head);
    },
    onBody(chunk): void {
      parsed.body += text(chunk);
    },
    onComplete(trailers): void {
      parsed.completed++;
      parsed.keepAlive.push(parser.keepAlive);
      parsed.trailers = trailers;
    },
  }, options);
  parsed.parser = parser;
  try {
    for (const piece of typeof pieces === "string" ? [pieces] : pieces) {
      let data = bytes(piece);
      for (let round = 0; round < 100 && data.length > 0; round++) {
        const used = parser.feed(data);
        parsed.consumed += used;
        data = data.subarray(used);
        if (parser.done) parser.reset();
      }
    }
  } catch (error) {
    parsed.error = error;
  }
  return parsed;
}

function statusOf(
  request: string,
  options?: HTTPRequestParserOptions,
): number {
  const parsed = parse(request, options);
  assert.ok(parsed.error instanceof Error, "the request was accepted");
  assert.ok(parsed.parser.failed);
  return parsed.parser.errorStatus;
}

const H = "Host: a\r\n";

// --- Accepted requests ---------------------------------------------------------

Deno.test("HTTPRequestParser given a GET with a Host when parsed then it reports the head and completes without a body", () => {
  const parsed = parse(`GET /x?y=1 HTTP/1.1\r\n${H}Accept: */*\r\n\r\n`);
  assert.equal(parsed.error, undefined);
  assert.equal(parsed.heads.length, 1);
  const head = parsed.heads[0];
  assert.equal(head.method, "GET");
  assert.equal(head.target, "/x?y=1");
  assert.deepEqual(head.version, ["HTTP", 1, 1]);
  assert.equal(head.headers.get("accept"), "*/*");
  assert.equal(head.length, 0);
  assert.equal(parsed.completed, 1);
  assert.deepEqual(parsed.keepAlive, [true]);
});

Deno.test("HTTPRequestParser given lines longer and shorter than 64 bytes, whole and split across reads, when parsed then each field is read whole", () => {
  const long = "v".repeat(150);
  const head = `GET /${
    "p".repeat(100)
  } HTTP/1.1\r\nHost: a\r\nX-Long: ${long}\r\nX-Short: s\r\n\r\n`;
  for (
    const pieces of [[head], [
      head.slice(0, 70),
      head.slice(70, 150),
      head.slice(150),
    ]]
  ) {
    const parsed = parse(pieces);
    assert.equal(parsed.error, undefined);
    assert.equal(parsed.heads[0].target, `/${"p".repeat(100)}`);
    assert.equal(parsed.heads[0].headers.get("x-long"), long);
    assert.equal(parsed.heads[0].headers.get("x-short"), "s");
    assert.equal(parsed.completed, 1);
  }
});

Deno.test("HTTPRequestParser given a POST with Content-Length when fed byte by byte then the body arrives whole", () => {
  const request = `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`;
  const parsed = parse(request.split(""));
  assert.equal(parsed.body, "hello");
  assert.equal(parsed.heads[0].length, 5);
  assert.equal(parsed.completed, 1);
});

Deno.test("HTTPRequestParser given a chunked body with trailers when parsed then the body and trailers are reported", () => {
  const parsed = parse(
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n`,
  );
  assert.equal(parsed.error, undefined);
  assert.equal(parsed.body, "hello!");
  assert.equal(parsed.heads[0].length, null);
  assert.equal(parsed.trailers?.get("x-t"), "1");
});

Deno.test("HTTPRequestParser given two pipelined requests in one read when parsed then both are reported in order", () => {
  const parsed = parse(
    `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}\r\n`,
  );
  assert.deepEqual(parsed.heads.map((h) => h.target), ["/a", "/b"]);
  assert.equal(parsed.completed, 2);
});

Deno.test("HTTPRequestParser given HTTP/1.0 without keep-alive when parsed then the connection is not kept alive", () => {
  const parsed = parse("GET / HTTP/1.0\r\n\r\n");
  assert.equal(parsed.completed, 1);
  assert.deepEqual(parsed.keepAlive, [false]);
});

Deno.test("HTTPRequestParser given HTTP/1.0 with Connection keep-alive when parsed then the connection is kept alive", () => {
  const parsed = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  assert.deepEqual(parsed.keepAlive, [true]);
});

Deno.test("HTTPRequestParser given HTTP/1.1 with Connection close when parsed then the connection is not kept alive", () => {
  const parsed = parse(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  assert.deepEqual(parsed.keepAlive, [false]);
});

Deno.test("HTTPRequestParser given an empty line before the request line when parsed then it is skipped", () => {
  const parsed = parse(`\r\nGET / HTTP/1.1\r\n${H}\r\n`);
  assert.equal(parsed.completed, 1);
});

Deno.test("HTTPRequestParser given OPTIONS * and CONNECT host:port when parsed then both targets are accepted", () => {
  const parsed = parse(
    `OPTIONS * HTTP/1.1\r\n${H}\r\nCONNECT a.example:443 HTTP/1.1\r\n${H}\r\n`,
  );
  assert.deepEqual(parsed.heads.map((h) => h.target), ["*", "a.example:443"]);
});

Deno.test("HTTPRequestParser given an absolute-form target when parsed then it is accepted as sent", () => {
  const parsed = parse(`GET http://a.example/x HTTP/1.1\r\n${H}\r\n`);
  assert.equal(parsed.heads[0].target, "http://a.example/x");
});

Deno.test("HTTPRequestParser given an extension method when parsed then it is kept as sent", () => {
  const parsed = parse(`PROPFIND / HTTP/1.1\r\n${H}\r\n`);
  assert.equal(parsed.heads[0].method, "PROPFIND");
});

Deno.test("HTTPRequestParser given a chunked body over maxBodySize when parsed then it answers 413", () => {
  const parsed = parse(
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n`,
    { maxBodySize: 6 },
  );
  assert.ok(parsed.error instanceof BodyTooLargeError);
  assert.equal(parsed.parser.errorStatus, 413);
});

// --- Malformed requests, each with its status ---------------------------------

for (const { description, request, status, options } of MALFORMED_REQUESTS) {
  Deno.test(`HTTPRequestParser given ${description} when parsed then it fails with status ${status}`, () => {
    assert.equal(statusOf(request, options), status);
  });
}

Deno.test("HTTPRequestParser given a malformed request when parsed then the error is a ParseError holding the offending line", () => {
  const parsed = parse(`GET / HTTP/1.1\r\n${H}X-A : b\r\n\r\n`);
  assert.ok(parsed.error instanceof ParseError);
  assert.equal(parsed.error.data, "X-A : b");
});

Deno.test("HTTPRequestParser given a failed parser when fed again then it throws the same error", () => {
  const parsed = parse(`GET / HTTP/1.9\r\n${H}\r\n`);
  assert.throws(
    () => parsed.parser.feed(bytes("GET")),
    (e) => e === parsed.error,
  );
});

Deno.test("HTTPRequestParser given a request line that never ends when maxHeaderSize arrives then it fails without waiting for a newline", () => {
  const parsed = parse(["GET /", "a".repeat(200)], { maxHeaderSize: 100 });
  assert.equal(parsed.parser.errorStatus, 414);
});
