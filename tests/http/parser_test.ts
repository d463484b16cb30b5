import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertThrows,
} from "./_assert.ts";
import { Failure } from "../../deferred/failure.ts";
import { MAX_CHUNK_SIZE_LINE } from "../../http/_chunked_decoder.ts";
import { HTTPClientParser } from "../../http/_http_client_parser.ts";
import {
  ResponseFailed,
  ResponseNeverReceived,
} from "../../http/client_errors.ts";
import { BodyTooLargeError, DataLoss, ParseError } from "../../http/errors.ts";
import { parse, type Parsed, splitAt, summary } from "./_parse_helpers.ts";
import { latin1Bytes } from "../_support/mod.ts";

const noop = {
  onHeaders(): void {},
  onBody(): void {},
  onComplete(): void {},
};

function reasonOf(parsed: Parsed): Error {
  const error = parsed.error ?? parsed.lostError;
  assertInstanceOf(error, ResponseFailed);
  const last = error.reasons[error.reasons.length - 1];
  assertInstanceOf(last, Failure);
  return last.value as Error;
}

function parseError(parsed: Parsed): ParseError {
  const reason = reasonOf(parsed);
  assertInstanceOf(reason, ParseError);
  return reason;
}

// --- Status line -----------------------------------------------------------

Deno.test("HTTPClientParser given an HTTP/1.1 status line when parsed then version, code and phrase are reported", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.head?.version, ["HTTP", 1, 1]);
  assertEquals(parsed.head?.code, 404);
  assertEquals(parsed.head?.phrase, "Not Found");
  assert(parsed.complete);
});

Deno.test("HTTPClientParser given an HTTP/1.0 status line when parsed then the version is 1.0", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.head?.version, ["HTTP", 1, 0]);
});

Deno.test("HTTPClientParser given a status line without a reason phrase when parsed then the phrase is empty", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.head?.code, 200);
  assertEquals(parsed.head?.phrase, "");
});

Deno.test("HTTPClientParser given a status line with a trailing space and no phrase when parsed then the phrase is empty", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.head?.phrase, "");
});

Deno.test("HTTPClientParser given a reason phrase with spaces and obs-text when parsed then it is kept as latin-1", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 Tr\xe8s bien  ok\r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.head?.phrase, "Tr\xe8s bien  ok");
});

Deno.test("HTTPClientParser given empty lines before the status line when parsed then they are skipped", () => {
  const parsed = parse(
    latin1Bytes("\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.head?.code, 200);
});

for (
  const [description, line, expected] of [
    ["a lowercase protocol name", "http/1.1 200 OK", "Invalid status line"],
    ["a missing version", "200 OK", "Invalid status line"],
    ["garbage", "hello", "Invalid status line"],
    ["two spaces after the version", "HTTP/1.1  200 OK", "Invalid status code"],
    ["a two-digit code", "HTTP/1.1 20 OK", "Invalid status code"],
    ["a four-digit code", "HTTP/1.1 2000 OK", "Invalid status code"],
    ["a non-numeric code", "HTTP/1.1 2x0 OK", "Invalid status code"],
    ["a code below 100", "HTTP/1.1 099 OK", "Invalid status code"],
    ["a tab after the code", "HTTP/1.1 200\tOK", "Invalid status code"],
    ["HTTP/2.0", "HTTP/2.0 200 OK", "Unsupported HTTP version"],
    ["HTTP/0.9", "HTTP/0.9 200 OK", "Unsupported HTTP version"],
    ["a multi-digit version", "HTTP/1.10 200 OK", "Invalid status line"],
    [
      "a control byte in the phrase",
      "HTTP/1.1 200 O\x01K",
      "Invalid reason phrase",
    ],
    ["a NUL in the phrase", "HTTP/1.1 200 O\x00K", "Invalid reason phrase"],
    ["a bare CR in the phrase", "HTTP/1.1 200 O\rK", "Invalid reason phrase"],
  ]
) {
  Deno.test(`HTTPClientParser given a status line with ${description} when parsed then it fails with a ParseError`, () => {
    const parsed = parse(latin1Bytes(`${line}\r\nContent-Length: 0\r\n\r\n`));
    assertInstanceOf(parsed.error, ResponseFailed);
    const reason = parseError(parsed);
    assert(reason.message.startsWith(expected), reason.message);
    assertEquals(parsed.head, null);
    assert(parsed.parser.failed);
  });
}

Deno.test("HTTPClientParser given an invalid status line when parsed then the ParseError carries the line as data", () => {
  const parsed = parse(latin1Bytes("HTTP/1.1 2x0 OK\r\n\r\n"));
  assertEquals(parseError(parsed).data, "HTTP/1.1 2x0 OK");
  assertEquals(
    parseError(parsed).message,
    'Invalid status code: current value is "2x0 "',
  );
});

Deno.test("HTTPClientParser given a status code above 599 when parsed then it is accepted as RFC 9110 asks", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 799 Odd\r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.head?.code, 799);
});

// --- Header fields -----------------------------------------------------------

Deno.test("HTTPClientParser given header fields when parsed then names keep their case and values are trimmed of OWS", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nX-Custom:  \t value \t \r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.headers.getRawHeaders("x-custom"), ["value"]);
  assertEquals([...parsed.head!.headers.getAllRawHeaders()][0][0], "X-Custom");
});

Deno.test("HTTPClientParser given repeated fields when parsed then every value is kept in order", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nVia: x\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.headers.getRawHeaders("Set-Cookie"), [
    "a=1",
    "b=2",
  ]);
});

Deno.test("HTTPClientParser given an empty field value when parsed then it is kept as an empty string", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Blank:   \r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.headers.getRawHeaders("X-Empty"), [""]);
  assertEquals(parsed.head?.headers.getRawHeaders("X-Blank"), [""]);
});

Deno.test("HTTPClientParser given a value with a colon when parsed then only the first colon separates name and value", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nLocation: http://a:80/\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.headers.get("location"), "http://a:80/");
});

Deno.test("HTTPClientParser given obs-text bytes in a value when parsed then they decode as latin-1", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nX-Name: caf\xe9 \x85\xff\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.headers.get("X-Name"), "caf\xe9 \x85\xff");
});

Deno.test("HTTPClientParser given an obs-fold continuation line when parsed then it is joined to the value with a space", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nX-Folded: first\r\n  second\r\n\tthird\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.headers.get("X-Folded"), "first second third");
});

Deno.test("HTTPClientParser given a continuation line right after the status line when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\n  folded\r\nContent-Length: 0\r\n\r\n"),
  );
  assert(
    parseError(parsed).message.startsWith("Continuation line without a field"),
  );
});

Deno.test("HTTPClientParser given lines ending in a bare LF when parsed then they are accepted", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\nContent-Length: 2\nX: y\n\nhi"),
  );
  assertEquals(parsed.head?.headers.get("x"), "y");
  assertEquals(parsed.body, "hi");
  assert(parsed.complete);
});

for (
  const [description, line, expected] of [
    [
      "whitespace before the colon",
      "Content-Length : 0",
      "Whitespace between header field name and colon",
    ],
    [
      "a tab before the colon",
      "X-A\t: b",
      "Whitespace between header field name and colon",
    ],
    ["an empty name", ": value", "Empty header field name"],
    ["a space inside the name", "X A: b", "Invalid header field name"],
    ["a non-token byte in the name", "X(A): b", "Invalid header field name"],
    ["no colon", "NoColonHere", "Header field line without a colon"],
    ["a NUL in the value", "X-A: b\x00c", "Invalid header field value"],
    ["a bare CR in the value", "X-A: b\rc", "Invalid header field value"],
    [
      "a control byte in the value",
      "X-A: b\x01c",
      "Invalid header field value",
    ],
    ["a DEL in the value", "X-A: b\x7fc", "Invalid header field value"],
    [
      "obs-fold inside Content-Length",
      "Content-Length: 0\r\n 0",
      "Obsolete line folding in Content-Length",
    ],
    [
      "obs-fold inside Transfer-Encoding",
      "Transfer-Encoding: gzip,\r\n chunked",
      "Obsolete line folding in Transfer-Encoding",
    ],
  ]
) {
  Deno.test(`HTTPClientParser given a field line with ${description} when parsed then it fails with a ParseError`, () => {
    const parsed = parse(
      latin1Bytes(`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`),
    );
    const reason = parseError(parsed);
    assert(reason.message.startsWith(expected), reason.message);
  });
}

// --- Header size limit ---------------------------------------------------------

Deno.test("HTTPClientParser given a head of exactly maxHeaderSize bytes when parsed then it is accepted", () => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  const parsed = parse(latin1Bytes(head), { maxHeaderSize: head.length });
  assert(parsed.complete);
});

Deno.test("HTTPClientParser given a head one byte over maxHeaderSize when parsed then it fails", () => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  const parsed = parse(latin1Bytes(head), { maxHeaderSize: head.length - 1 });
  assertEquals(
    parseError(parsed).message,
    `Response head exceeds maxHeaderSize: limit is ${head.length - 1} bytes`,
  );
});

Deno.test("HTTPClientParser given a header block over the 64 KiB default when parsed then it fails", () => {
  const big = `X-Big: ${"a".repeat(70000)}\r\n`;
  const parsed = parse(latin1Bytes(`HTTP/1.1 200 OK\r\n${big}\r\n`));
  assert(parseError(parsed).message.includes("limit is 65536 bytes"));
});

Deno.test("HTTPClientParser given a status line that never ends when more than maxHeaderSize arrives then it fails without waiting for a newline", () => {
  const parsed = parse([
    latin1Bytes("HTTP/1.1 200 "),
    latin1Bytes("a".repeat(200)),
  ], {
    maxHeaderSize: 100,
  });
  assert(
    parseError(parsed).message.startsWith(
      "Response head exceeds maxHeaderSize",
    ),
  );
});

Deno.test("HTTPClientParser given a trailer block over maxHeaderSize when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${
        "a".repeat(200)
      }\r\n\r\n`,
    ),
    { maxHeaderSize: 100 },
  );
  assert(
    parseError(parsed).message.startsWith(
      "Response trailer block exceeds maxHeaderSize",
    ),
  );
});

Deno.test("HTTPClientParser given a non-positive maxHeaderSize when constructed then it throws RangeError", () => {
  assertThrows(
    () => new HTTPClientParser(noop, { maxHeaderSize: 0 }),
    RangeError,
  );
});

// --- Content-Length framing ------------------------------------------------------

Deno.test("HTTPClientParser given a Content-Length body when fed whole then the body is delivered and the response completes", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
  );
  assertEquals(parsed.head?.framing, "length");
  assertEquals(parsed.head?.length, 5);
  assertEquals(parsed.body, "hello");
  assert(parsed.complete);
  assertEquals(parsed.trailers, null);
});

Deno.test("HTTPClientParser given a Content-Length body in pieces when fed then each piece is delivered as it arrives", () => {
  const parsed = parse([
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
    latin1Bytes("def"),
    latin1Bytes("ghij"),
  ]);
  assertEquals(parsed.bodyCalls, 3);
  assertEquals(parsed.body, "abcdefghij");
});

Deno.test("HTTPClientParser given body bytes when delivered then they are views of the fed buffer, not copies", () => {
  const data = latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  let chunk: Uint8Array | undefined;
  new HTTPClientParser({ ...noop, onBody: (c) => chunk = c }).feed(data);
  assert(chunk !== undefined);
  assertEquals(chunk.buffer, data.buffer);
  assertEquals(chunk.byteOffset, data.length - 5);
});

Deno.test("HTTPClientParser given Content-Length: 0 when parsed then it completes with no body call", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
  );
  assertEquals(parsed.bodyCalls, 0);
  assert(parsed.complete);
  assert(parsed.parser.done);
});

Deno.test("HTTPClientParser given identical duplicate Content-Length fields when parsed then they are accepted", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
    ),
  );
  assertEquals(parsed.head?.length, 3);
  assertEquals(parsed.body, "abc");
});

Deno.test("HTTPClientParser given a comma list of equal Content-Length values when parsed then it is accepted", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc"),
  );
  assertEquals(parsed.head?.length, 3);
});

Deno.test("HTTPClientParser given duplicate Content-Length fields that differ when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    ),
  );
  assertEquals(
    parseError(parsed).message,
    'Conflicting Content-Length values: current values are "3, 4"',
  );
});

Deno.test("HTTPClientParser given a comma list of differing Content-Length values when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd"),
  );
  assert(
    parseError(parsed).message.startsWith("Conflicting Content-Length values"),
  );
});

for (
  const value of [
    "abc",
    "-1",
    "+5",
    "5.0",
    "0x10",
    "",
    "1 2",
    "99999999999999999",
  ]
) {
  Deno.test(`HTTPClientParser given Content-Length ${JSON.stringify(value)} when parsed then it fails as invalid`, () => {
    const parsed = parse(
      latin1Bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\n`),
    );
    assertEquals(
      parseError(parsed).message,
      `Invalid Content-Length: current value is ${JSON.stringify(value)}`,
    );
  });
}

Deno.test("HTTPClientParser given a Content-Length body when the connection closes early then it fails with a DataLoss reason", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
    { close: true },
  );
  assertInstanceOf(parsed.lostError, ResponseFailed);
  assertEquals(parsed.lostError.reasons.length, 2);
  assertEquals(
    parsed.lostError.reasons[0].getErrorMessage(),
    "Connection closed",
  );
  const loss = reasonOf(parsed);
  assertInstanceOf(loss, DataLoss);
  assertEquals([loss.received, loss.expected], [3, 10]);
  assertEquals(parsed.lostError.response, parsed.head);
  assert(!parsed.complete);
});

Deno.test("HTTPClientParser given a Content-Length over maxBodySize when the head is parsed then it fails before any body", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"),
    { maxBodySize: 10 },
  );
  const reason = reasonOf(parsed);
  assertInstanceOf(reason, BodyTooLargeError);
  assertEquals([reason.maxBodySize, reason.size], [10, 11]);
  assertEquals(parsed.head, null);
});

Deno.test("HTTPClientParser given a Content-Length equal to maxBodySize when parsed then it is accepted", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"),
    { maxBodySize: 10 },
  );
  assert(parsed.complete);
});

// --- Chunked framing ---------------------------------------------------------------

const CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

Deno.test("HTTPClientParser given a chunked body when parsed then the chunks are delivered without framing", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`),
  );
  assertEquals(parsed.head?.framing, "chunked");
  assertEquals(parsed.head?.length, null);
  assertEquals(parsed.body, "hello world");
  assert(parsed.complete);
  assertEquals(parsed.trailers, null);
});

Deno.test("HTTPClientParser given upper- and lower-case hex chunk sizes with leading zeros when parsed then they are read as hex", () => {
  const data = "x".repeat(26);
  const parsed = parse(
    latin1Bytes(
      `${CHUNKED_HEAD}0000A\r\n${data.slice(0, 10)}\r\n10\r\n${
        data.slice(10)
      }\r\n0\r\n\r\n`,
    ),
  );
  assertEquals(parsed.body, data);
});

Deno.test("HTTPClientParser given chunk extensions when parsed then they are ignored", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}5;name=value;flag\r\nhello\r\n0;last\r\n\r\n`),
  );
  assertEquals(parsed.body, "hello");
  assert(parsed.complete);
});

Deno.test("HTTPClientParser given whitespace between the chunk size and an extension when parsed then it fails as llhttp does", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}5 \t;ext="q"\r\nhello\r\n0\r\n\r\n`),
  );
  assertEquals(
    parseError(parsed).message,
    "Invalid chunk size: unexpected byte 0x20",
  );
});

Deno.test("HTTPClientParser given a quoted chunk extension with an escaped quote when parsed then it is accepted", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}5;a="x\\"y";b=c;d\r\nhello\r\n0\r\n\r\n`),
  );
  assertEquals(parsed.body, "hello");
});

Deno.test("HTTPClientParser given trailer fields when parsed then they are passed to onComplete", () => {
  const parsed = parse(
    latin1Bytes(
      `${CHUNKED_HEAD}5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n`,
    ),
  );
  assertEquals(parsed.trailers?.get("x-checksum"), "abc");
  assertEquals(parsed.trailers?.get("X-Other"), "1");
  assertEquals(parsed.head?.headers.hasHeader("X-Checksum"), false);
});

Deno.test("HTTPClientParser given a chunked response when it completes then the bytes after it are not consumed", () => {
  const data = latin1Bytes(`${CHUNKED_HEAD}0\r\n\r\nHTTP/1.1 200 OK\r\n`);
  const parsed = parse(data);
  assertEquals(parsed.consumed, CHUNKED_HEAD.length + 5);
});

for (
  const [description, chunk, expected] of [
    [
      "a non-hex size",
      "g\r\n",
      "Invalid chunk size: byte 0x67 where a hex digit was expected",
    ],
    [
      "an empty size",
      "\r\n",
      "Invalid chunk size: byte 0x0d where a hex digit was expected",
    ],
    [
      "a negative size",
      "-5\r\n",
      "Invalid chunk size: byte 0x2d where a hex digit was expected",
    ],
    ["a 0x prefix", "0x5\r\n", "Invalid chunk size: unexpected byte 0x78"],
    [
      "whitespace after the size",
      "5  \r\nhello\r\n",
      "Invalid chunk size: unexpected byte 0x20",
    ],
    [
      "an extension without a name",
      "5;\r\nhello\r\n",
      "Invalid chunk extension: byte 0x0d",
    ],
    [
      "an unbalanced quoted extension value",
      '5;a="b\r\nhello\r\n',
      "Invalid chunk extension: byte 0x0d",
    ],
    [
      "an extension with an empty value",
      "5;a=\r\nhello\r\n",
      "Invalid chunk extension: byte 0x0d",
    ],
    [
      "a size line ending in a bare LF",
      "5\nhello\r\n",
      "Invalid chunk size: unexpected byte 0x0a",
    ],
    [
      "a CR not followed by LF",
      "5\rhello\r\n",
      "Chunk size line must end with CRLF: found byte 0x68 after CR",
    ],
    [
      "data not followed by CRLF",
      "5\r\nhelloX\r\n",
      "Chunk data must end with CRLF: found byte 0x58",
    ],
    [
      "data followed by a bare LF",
      "5\r\nhello\n0\r\n\r\n",
      "Chunk data must end with CRLF: found byte 0x0a",
    ],
    [
      "data followed by CR and no LF",
      "5\r\nhello\rX",
      "Chunk data must end with CRLF: found byte 0x58",
    ],
    [
      "a control byte in an extension",
      "5;a\x01b\r\nhello\r\n",
      "Invalid chunk extension: byte 0x01",
    ],
  ]
) {
  Deno.test(`HTTPClientParser given a chunk with ${description} when parsed then it fails with a ParseError`, () => {
    const parsed = parse(latin1Bytes(`${CHUNKED_HEAD}${chunk}0\r\n\r\n`));
    assertEquals(parseError(parsed).message, expected);
  });
}

Deno.test("HTTPClientParser given a chunk size that overflows 2^53 when parsed then it fails", () => {
  const parsed = parse(latin1Bytes(`${CHUNKED_HEAD}${"f".repeat(14)}\r\n`));
  assert(parseError(parsed).message.startsWith("Chunk size overflows"));
});

Deno.test("HTTPClientParser given a chunk size just below the overflow limit with leading zeros when parsed then the size line is accepted", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}${"0".repeat(40)}1\r\nx\r\n0\r\n\r\n`),
  );
  assertEquals(parsed.body, "x");
});

Deno.test("HTTPClientParser given a chunk-size line longer than the limit when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes(
      `${CHUNKED_HEAD}5;${"e".repeat(MAX_CHUNK_SIZE_LINE)}\r\nhello\r\n`,
    ),
  );
  assertEquals(
    parseError(parsed).message,
    `Chunk size line exceeds ${MAX_CHUNK_SIZE_LINE} bytes`,
  );
});

Deno.test("HTTPClientParser given a chunked body when the connection closes inside a chunk then it fails with a DataLoss reason", () => {
  const parsed = parse(latin1Bytes(`${CHUNKED_HEAD}a\r\nhel`), { close: true });
  const loss = reasonOf(parsed);
  assertInstanceOf(loss, DataLoss);
  assertEquals([loss.received, loss.expected], [3, null]);
});

Deno.test("HTTPClientParser given a chunked body when the connection closes before the last chunk then it fails with a DataLoss reason", () => {
  const parsed = parse(latin1Bytes(`${CHUNKED_HEAD}5\r\nhello\r\n`), {
    close: true,
  });
  assertInstanceOf(reasonOf(parsed), DataLoss);
  assertEquals(parsed.body, "hello");
});

Deno.test("HTTPClientParser given a chunked body when the connection closes inside the trailers then it fails with a DataLoss reason", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}5\r\nhello\r\n0\r\nX-T: 1\r\n`),
    {
      close: true,
    },
  );
  assertInstanceOf(reasonOf(parsed), DataLoss);
});

Deno.test("HTTPClientParser given chunks adding up to more than maxBodySize when parsed then it fails at the size line", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`),
    { maxBodySize: 8 },
  );
  const reason = reasonOf(parsed);
  assertInstanceOf(reason, BodyTooLargeError);
  assertEquals(reason.size, 11);
  assertEquals(parsed.body, "hello");
});

// --- Transfer-Encoding and Content-Length together ------------------------------------

Deno.test("HTTPClientParser given Transfer-Encoding and Content-Length when parsed then chunked wins and the connection is not reusable", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.framing, "chunked");
  assertEquals(parsed.body, "abc");
  assert(parsed.complete);
  assertEquals(parsed.head?.keepAlive, false);
  assertEquals(parsed.parser.keepAlive, false);
});

Deno.test("HTTPClientParser given Transfer-Encoding in any case when parsed then chunked is recognised", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.framing, "chunked");
});

Deno.test("HTTPClientParser given chunked that is not the final coding when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
    ),
  );
  assert(
    parseError(parsed).message.startsWith(
      "Invalid Transfer-Encoding: chunked must be the final coding",
    ),
  );
});

Deno.test("HTTPClientParser given chunked applied twice when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
    ),
  );
  assert(parseError(parsed).message.startsWith("Invalid Transfer-Encoding"));
});

Deno.test("HTTPClientParser given an unsupported transfer coding when parsed then it fails", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
  );
  assertEquals(
    parseError(parsed).message,
    'Unsupported transfer coding: current value is "gzip, chunked"',
  );
});

Deno.test("HTTPClientParser given Transfer-Encoding without chunked when parsed then the body is close-delimited", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nabc"),
    { close: true },
  );
  assertEquals(parsed.head?.framing, "close");
  assertEquals(parsed.body, "abc");
  assert(parsed.complete);
  assertEquals(parsed.head?.keepAlive, false);
});

// --- Close-delimited bodies -------------------------------------------------------------

Deno.test("HTTPClientParser given no framing headers when the connection closes then the body ends cleanly", () => {
  const parsed = parse([
    latin1Bytes("HTTP/1.1 200 OK\r\n\r\nsome"),
    latin1Bytes(" body"),
  ], {
    close: true,
  });
  assertEquals(parsed.head?.framing, "close");
  assertEquals(parsed.head?.length, null);
  assertEquals(parsed.body, "some body");
  assert(parsed.complete);
  assertEquals(parsed.lostError, undefined);
  assertEquals(parsed.head?.keepAlive, false);
});

Deno.test("HTTPClientParser given a close-delimited body when it arrives then it is not complete until the close", () => {
  const parsed = parse(latin1Bytes("HTTP/1.1 200 OK\r\n\r\nsome"));
  assertEquals(parsed.complete, false);
  assertEquals(parsed.consumed, 23);
});

Deno.test("HTTPClientParser given a close-delimited body over maxBodySize when parsed then it fails", () => {
  const parsed = parse([
    latin1Bytes("HTTP/1.1 200 OK\r\n\r\n12345"),
    latin1Bytes("678"),
  ], {
    maxBodySize: 6,
  });
  assertInstanceOf(reasonOf(parsed), BodyTooLargeError);
});

// --- Bodiless responses -------------------------------------------------------------------

Deno.test("HTTPClientParser given a response to HEAD with a Content-Length when parsed then there is no body", () => {
  const data = latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  const parsed = parse(data, { method: "HEAD" });
  assertEquals(parsed.head?.framing, "none");
  assertEquals(parsed.head?.length, 0);
  assertEquals(parsed.head?.headers.get("Content-Length"), "1000");
  assert(parsed.complete);
  assertEquals(parsed.consumed, data.length);
  assert(parsed.head?.keepAlive);
});

Deno.test("HTTPClientParser given a response to HEAD with chunked encoding when parsed then there is no body", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
    { method: "HEAD" },
  );
  assert(parsed.complete);
  assertEquals(parsed.head?.framing, "none");
});

for (const code of [204, 304]) {
  Deno.test(`HTTPClientParser given a ${code} response when parsed then there is no body whatever the headers say`, () => {
    const data = latin1Bytes(
      `HTTP/1.1 ${code} X\r\nContent-Length: 10\r\n\r\n`,
    );
    const parsed = parse([data, latin1Bytes("HTTP/1.1")]);
    assertEquals(parsed.head?.framing, "none");
    assert(parsed.complete);
    assertEquals(parsed.consumed, data.length);
    assertEquals(parsed.bodyCalls, 0);
  });
}

Deno.test("HTTPClientParser given a bodiless response when the connection closes afterwards then nothing is thrown", () => {
  const parsed = parse(latin1Bytes("HTTP/1.1 204 No Content\r\n\r\n"), {
    close: true,
  });
  assertEquals(parsed.lostError, undefined);
});

// --- Interim responses --------------------------------------------------------------------

Deno.test("HTTPClientParser given 100 Continue followed by 200 when parsed then the interim response is reported and skipped", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ),
  );
  assertEquals(parsed.informational.map((h) => h.code), [100]);
  assertEquals(parsed.head?.code, 200);
  assertEquals(parsed.body, "ok");
});

Deno.test("HTTPClientParser given 103 Early Hints with headers when parsed then its headers stay apart from the final ones", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.informational[0].headers.get("Link"), "</a.css>");
  assertEquals(parsed.head?.headers.hasHeader("Link"), false);
});

Deno.test("HTTPClientParser given several interim responses when parsed then each is reported in order", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(parsed.informational.map((h) => h.code), [100, 102]);
  assertEquals(parsed.head?.code, 201);
});

Deno.test("HTTPClientParser given an interim response only when the connection closes then the failure is ResponseFailed not ResponseNeverReceived", () => {
  const parsed = parse(latin1Bytes("HTTP/1.1 100 Continue\r\n\r\n"), {
    close: true,
  });
  assertInstanceOf(parsed.lostError, ResponseFailed);
  assert(!(parsed.lostError instanceof ResponseNeverReceived));
});

Deno.test("HTTPClientParser given a handler without onInformational when an interim response arrives then it is skipped silently", () => {
  let code = 0;
  const parser = new HTTPClientParser({
    ...noop,
    onHeaders: (h) => code = h.code,
  });
  parser.feed(
    latin1Bytes(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  assertEquals(code, 200);
});

Deno.test("HTTPClientParser given 101 Switching Protocols when parsed then it is final, upgraded, and the new protocol's bytes are left", () => {
  const head =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  const parsed = parse(latin1Bytes(`${head}\x81\x05hello`));
  assertEquals(parsed.informational.length, 0);
  assertEquals(parsed.head?.code, 101);
  assert(parsed.head?.upgraded);
  assertEquals(parsed.head?.keepAlive, false);
  assert(parsed.complete);
  assertEquals(parsed.consumed, head.length);
});

Deno.test("HTTPClientParser given a 200 answer to CONNECT when parsed then it opens a tunnel with no body", () => {
  const head =
    "HTTP/1.1 200 Connection established\r\nContent-Length: 5\r\n\r\n";
  const parsed = parse(latin1Bytes(`${head}TLS..`), { method: "CONNECT" });
  assert(parsed.head?.upgraded);
  assert(parsed.complete);
  assertEquals(parsed.consumed, head.length);
});

Deno.test("HTTPClientParser given a 407 answer to CONNECT when parsed then its body is read normally", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno"),
    { method: "CONNECT" },
  );
  assertEquals(parsed.head?.upgraded, false);
  assertEquals(parsed.body, "no");
});

// --- Keep-alive -----------------------------------------------------------------------------

for (
  const [description, version, connection, expected] of [
    ["HTTP/1.1 by default", "1.1", null, true],
    ["HTTP/1.1 with Connection: close", "1.1", "close", false],
    [
      "HTTP/1.1 with Connection: Close in a token list",
      "1.1",
      "Upgrade, Close",
      false,
    ],
    ["HTTP/1.1 with Connection: keep-alive", "1.1", "keep-alive", true],
    ["HTTP/1.0 by default", "1.0", null, false],
    ["HTTP/1.0 with Connection: keep-alive", "1.0", "keep-alive", true],
    ["HTTP/1.0 with Connection: Keep-Alive", "1.0", "Keep-Alive", true],
    ["HTTP/1.0 with keep-alive and close", "1.0", "keep-alive, close", false],
  ] as const
) {
  Deno.test(`HTTPClientParser given ${description} and a Content-Length when parsed then keepAlive is ${expected}`, () => {
    const field = connection === null ? "" : `Connection: ${connection}\r\n`;
    const parsed = parse(
      latin1Bytes(
        `HTTP/${version} 200 OK\r\n${field}Content-Length: 1\r\n\r\nx`,
      ),
    );
    assertEquals(parsed.head?.keepAlive, expected);
    assertEquals(parsed.parser.keepAlive, expected);
  });
}

Deno.test("HTTPClientParser given HTTP/1.0 with Connection: keep-alive but no length when parsed then keepAlive is false", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nbody"),
  );
  assertEquals(parsed.head?.framing, "close");
  assertEquals(parsed.head?.keepAlive, false);
});

Deno.test("HTTPClientParser given HTTP/1.0 with Connection: keep-alive and chunked encoding when parsed then keepAlive is false", () => {
  const parsed = parse(
    latin1Bytes(
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
  );
  assertEquals(parsed.head?.keepAlive, false);
});

Deno.test("HTTPClientParser given HTTP/1.0 with Connection: keep-alive and a 304 when parsed then keepAlive is true", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.0 304 Not Modified\r\nConnection: keep-alive\r\n\r\n"),
  );
  assertEquals(parsed.head?.keepAlive, true);
});

Deno.test("HTTPClientParser given a parser before any head when asked then keepAlive is false", () => {
  assertEquals(new HTTPClientParser(noop).keepAlive, false);
});

// --- Leftover bytes, reuse, and connection loss ------------------------------------------------

Deno.test("HTTPClientParser given bytes after a complete response when fed then they are not consumed and the parser reports done", () => {
  const response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const data = latin1Bytes(`${response}EXTRA`);
  const parser = new HTTPClientParser(noop);
  assertEquals(parser.feed(data), response.length);
  assert(parser.done);
  assertEquals(parser.feed(latin1Bytes("more")), 0);
});

Deno.test("HTTPClientParser given two pipelined responses when the parser is reset between them then both are parsed from one buffer", () => {
  const codes: number[] = [];
  const bodies: string[] = [];
  const parser = new HTTPClientParser({
    onHeaders: (h) => codes.push(h.code),
    onBody: (c) => bodies.push(new TextDecoder().decode(c)),
    onComplete(): void {},
  });
  const data = latin1Bytes(
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 201 OK\r\nContent-Length: 1\r\n\r\nb",
  );
  const first = parser.feed(data);
  parser.reset("GET");
  const second = parser.feed(data.subarray(first));
  assertEquals(first + second, data.length);
  assertEquals(codes, [200, 201]);
  assertEquals(bodies, ["a", "b"]);
});

Deno.test("HTTPClientParser given a reset to HEAD when the next response has a Content-Length then no body is expected", () => {
  const parsed: boolean[] = [];
  const parser = new HTTPClientParser({
    ...noop,
    onComplete: () => parsed.push(true),
  });
  parser.feed(latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));
  parser.reset("HEAD");
  parser.feed(latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n"));
  assertEquals(parsed, [true, true]);
});

Deno.test("HTTPClientParser given no bytes at all when the connection closes then it throws ResponseNeverReceived with the reason", () => {
  const parsed = parse([], { close: true });
  assertInstanceOf(parsed.lostError, ResponseNeverReceived);
  assertEquals(parsed.lostError.reasons.map((r) => r.getErrorMessage()), [
    "Connection closed",
  ]);
});

Deno.test("HTTPClientParser given a Failure as the close reason when the connection closes then it is used as is", () => {
  const parser = new HTTPClientParser(noop);
  const failure = new Failure(new Error("reset"));
  const error = assertThrows(
    () => parser.connectionLost(failure),
    ResponseNeverReceived,
  );
  assertEquals(error.reasons[0], failure);
});

Deno.test("HTTPClientParser given a partial head when the connection closes then it throws ResponseFailed with only the close reason", () => {
  const parsed = parse(latin1Bytes("HTTP/1.1 200 OK\r\nContent-Le"), {
    close: true,
  });
  assertInstanceOf(parsed.lostError, ResponseFailed);
  assert(!(parsed.lostError instanceof ResponseNeverReceived));
  assertEquals(parsed.lostError.reasons.length, 1);
});

Deno.test("HTTPClientParser given a complete response when the connection closes then nothing is thrown", () => {
  const parsed = parse(
    latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
    {
      close: true,
    },
  );
  assertEquals(parsed.lostError, undefined);
});

Deno.test("HTTPClientParser given a failed parser when fed again then it throws the same error", () => {
  const parser = new HTTPClientParser(noop);
  const first = assertThrows(
    () => parser.feed(latin1Bytes("garbage\r\n")),
    ResponseFailed,
  );
  const second = assertThrows(
    () => parser.feed(latin1Bytes("HTTP/1.1 200 OK\r\n")),
    ResponseFailed,
  );
  assertEquals(first, second);
  parser.connectionLost(new Error("closed"));
});

Deno.test("HTTPClientParser given a handler that throws when fed then the error propagates unchanged and the parser is failed", () => {
  const boom = new Error("handler failed");
  const parser = new HTTPClientParser({
    ...noop,
    onHeaders: () => {
      throw boom;
    },
  });
  const error = assertThrows(() =>
    parser.feed(latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
  );
  assertEquals(error, boom);
  assert(parser.failed);
});

Deno.test("HTTPClientParser given an empty buffer when fed then nothing is consumed and no byte counts as received", () => {
  const parser = new HTTPClientParser(noop);
  assertEquals(parser.feed(new Uint8Array(0)), 0);
  assertThrows(
    () => parser.connectionLost(new Error("closed")),
    ResponseNeverReceived,
  );
});

Deno.test("HTTPClientParser given a parsed body when asked then bodySize counts the delivered bytes", () => {
  const parsed = parse(
    latin1Bytes(`${CHUNKED_HEAD}3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`),
  );
  assertEquals(parsed.parser.bodySize, 5);
});

// --- Property: the split of the input does not matter ---------------------------------------------

interface Case {
  name: string;
  data: string;
  method?: string;
  maxHeaderSize?: number;
  maxBodySize?: number;
}

const CORPUS: Case[] = [
  {
    name: "content-length",
    data:
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
  },
  {
    name: "empty content-length",
    data: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
  },
  {
    name: "chunked with extensions and trailers",
    data:
      `${CHUNKED_HEAD}5;a=b\r\nhello\r\n1;c\r\n \r\nB\r\n big chunk!\r\n0\r\nX-T: 1\r\nX-U:  2 \r\n\r\n`,
  },
  {
    name: "chunked, many small chunks",
    data: `${CHUNKED_HEAD}${"1\r\nx\r\n".repeat(20)}0\r\n\r\n`,
  },
  {
    name: "close-delimited",
    data: "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nthe body runs to the close",
  },
  {
    name: "HTTP/1.0 keep-alive",
    data:
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
  },
  {
    name: "HTTP/1.0 close",
    data: "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
  },
  { name: "204", data: "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n" },
  {
    name: "304 with length",
    data: "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n",
  },
  {
    name: "HEAD",
    data: "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n",
    method: "HEAD",
  },
  {
    name: "100 then 200",
    data:
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  },
  {
    name: "103 then 200 chunked",
    data:
      `HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n${CHUNKED_HEAD}2\r\nok\r\n0\r\n\r\n`,
  },
  {
    name: "obs-fold",
    data: "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\t c\r\nContent-Length: 1\r\n\r\n!",
  },
  { name: "bare LF", data: "HTTP/1.1 200 OK\nX: y\nContent-Length: 2\n\nok" },
  {
    name: "no reason phrase",
    data: "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
  },
  {
    name: "leading blank lines",
    data: "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  },
  {
    name: "leftover bytes",
    data: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n",
  },
  {
    name: "101 upgrade",
    data:
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00frames",
  },
  {
    name: "te and cl",
    data:
      "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
  },
  {
    name: "latin-1 values",
    data:
      "HTTP/1.1 200 \xc7a va\r\nX: caf\xe9\x85\r\nContent-Length: 1\r\n\r\n\xff",
  },
  { name: "bad status line", data: "HTTP/1.1 2x0 OK\r\n\r\n" },
  { name: "bad chunk size", data: `${CHUNKED_HEAD}5\r\nhello\r\nzz\r\n` },
  { name: "chunk size overflow", data: `${CHUNKED_HEAD}fffffffffffffff\r\n` },
  { name: "missing chunk CRLF", data: `${CHUNKED_HEAD}5\r\nhelloX` },
  {
    name: "conflicting content-length",
    data: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
  },
  {
    name: "invalid content-length",
    data: "HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\nab",
  },
  { name: "space before colon", data: "HTTP/1.1 200 OK\r\nHost : x\r\n\r\n" },
  {
    name: "head too large",
    data: `HTTP/1.1 200 OK\r\nX: ${"a".repeat(100)}\r\n\r\n`,
    maxHeaderSize: 64,
  },
  {
    name: "truncated content-length",
    data: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
  },
  { name: "truncated chunked", data: `${CHUNKED_HEAD}5\r\nhel` },
  { name: "truncated head", data: "HTTP/1.1 200 OK\r\nX: y\r\n" },
  {
    name: "chunked over maxBodySize",
    data: `${CHUNKED_HEAD}4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n`,
    maxBodySize: 6,
  },
];

/** A deterministic pseudo-random generator (LCG), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

for (const testCase of CORPUS) {
  Deno.test(`HTTPClientParser property given the "${testCase.name}" response when split at every boundary, byte by byte or at random then the result is the same`, () => {
    const data = latin1Bytes(testCase.data);
    const options = {
      method: testCase.method,
      maxHeaderSize: testCase.maxHeaderSize,
      maxBodySize: testCase.maxBodySize,
      close: true,
    };
    const expected = summary(parse(data, options));
    for (let k = 0; k <= data.length; k++) {
      assertEquals(
        summary(parse(splitAt(data, [k]), options)),
        expected,
        `split at ${k}`,
      );
    }
    const byteByByte = Array.from({ length: data.length - 1 }, (_, i) => i + 1);
    assertEquals(
      summary(parse(splitAt(data, byteByByte), options)),
      expected,
      "byte by byte",
    );
    const next = random(data.length);
    for (let round = 0; round < 50; round++) {
      const cuts = byteByByte.filter(() => next() < 0.2);
      assertEquals(
        summary(parse(splitAt(data, cuts), options)),
        expected,
        `cuts ${cuts}`,
      );
    }
  });
}

Deno.test("HTTPClientParser property given the corpus when parsed whole then each case gives the outcome it was written for", () => {
  const outcomes = CORPUS.map((testCase) => {
    const parsed = parse(latin1Bytes(testCase.data), {
      method: testCase.method,
      maxHeaderSize: testCase.maxHeaderSize,
      maxBodySize: testCase.maxBodySize,
      close: true,
    });
    return parsed.error !== undefined || parsed.lostError !== undefined
      ? "error"
      : "ok";
  });
  assertEquals(outcomes.filter((o) => o === "ok").length, 20);
  assertEquals(outcomes.slice(20).every((o) => o === "error"), true);
});
