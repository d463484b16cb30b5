/**
 * Malformed requests and the status a server must answer each with, shared
 * by the request parser's tests and the server's loopback tests.
 *
 * @module
 */
import { MAX_CHUNK_SIZE_LINE } from "../../http/_chunked_decoder.ts";

/** One malformed request. */
export interface MalformedRequest {
  /** What is wrong with it, for the test name. */
  readonly description: string;
  /** The request's bytes, as latin-1 text. */
  readonly request: string;
  /** The status to answer it with. */
  readonly status: number;
  /** The limits it needs to be over. */
  readonly options?: { maxHeaderSize?: number; maxBodySize?: number };
}

const H = "Host: a\r\n";

type Row = [string, string, number, MalformedRequest["options"]?];

const ROWS: Row[] = [
  [
    "both Content-Length and Transfer-Encoding",
    `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    "a Transfer-Encoding whose last coding is not chunked",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n`,
    400,
  ],
  [
    "a Transfer-Encoding of gzip alone",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`,
    400,
  ],
  [
    "an unknown transfer coding",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: foo, chunked\r\n\r\n`,
    501,
  ],
  [
    "a transfer coding before chunked that is not implemented",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n`,
    501,
  ],
  [
    "chunked applied twice",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n`,
    400,
  ],
  [
    "differing Content-Lengths",
    `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
    400,
  ],
  [
    "a non-numeric Content-Length",
    `POST / HTTP/1.1\r\n${H}Content-Length: 1a\r\n\r\n`,
    400,
  ],
  [
    "a negative Content-Length",
    `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`,
    400,
  ],
  [
    "a Content-Length over maxBodySize",
    `POST / HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\n`,
    413,
    { maxBodySize: 10 },
  ],
  [
    "an invalid chunk size",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
    400,
  ],
  [
    "an overflowing chunk size",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${
      "f".repeat(16)
    }\r\n`,
    400,
  ],
  [
    "whitespace after a chunk size",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5  \r\nhello\r\n0\r\n\r\n`,
    400,
  ],
  [
    "a chunk extension without a name",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2;\r\nab\r\n0\r\n\r\n`,
    400,
  ],
  [
    "a chunk extension with an unbalanced quoted value",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2;a="b\r\nab\r\n0\r\n\r\n`,
    400,
  ],
  [
    "a chunk-size line over the limit",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2;${
      "a".repeat(MAX_CHUNK_SIZE_LINE)
    }\r\n`,
    400,
  ],
  [
    "chunk data not ended by CRLF",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nabX`,
    400,
  ],
  [
    "obs-fold",
    `GET / HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`,
    400,
  ],
  ["a bare LF after the request line", `GET / HTTP/1.1\n${H}\r\n`, 400],
  ["a bare LF after a field", `GET / HTTP/1.1\r\nHost: a\n\r\n`, 400],
  ["a bare LF ending the head", `GET / HTTP/1.1\r\n${H}\n`, 400],
  [
    "a bare CR in a field value",
    `GET / HTTP/1.1\r\n${H}X-A: b\rc\r\n\r\n`,
    400,
  ],
  ["a bare CR in the request line", `GET /\r HTTP/1.1\r\n${H}\r\n`, 400],
  ["a NUL in a field value", `GET / HTTP/1.1\r\n${H}X-A: b\x00c\r\n\r\n`, 400],
  [
    "a control byte in a field value",
    `GET / HTTP/1.1\r\n${H}X-A: b\x01c\r\n\r\n`,
    400,
  ],
  ["a DEL in a field value", `GET / HTTP/1.1\r\n${H}X-A: b\x7fc\r\n\r\n`, 400],
  ["a field without a colon", `GET / HTTP/1.1\r\n${H}NoColon\r\n\r\n`, 400],
  [
    "whitespace before the colon",
    `GET / HTTP/1.1\r\n${H}X-A : b\r\n\r\n`,
    400,
  ],
  ["an empty field name", `GET / HTTP/1.1\r\n${H}: b\r\n\r\n`, 400],
  ["an invalid method token", `G(T / HTTP/1.1\r\n${H}\r\n`, 400],
  ["a request line without a target", `GET HTTP/1.1\r\n${H}\r\n`, 400],
  ["two spaces after the method", `GET  / HTTP/1.1\r\n${H}\r\n`, 400],
  ["a target with a control byte", `GET /a\x01b HTTP/1.1\r\n${H}\r\n`, 400],
  ["a target that is not a path", `GET a/b HTTP/1.1\r\n${H}\r\n`, 400],
  ["an asterisk target for GET", `GET * HTTP/1.1\r\n${H}\r\n`, 400],
  ["an unknown HTTP version", `GET / HTTP/1.9\r\n${H}\r\n`, 505],
  ["HTTP/2.0 in a request line", `GET / HTTP/2.0\r\n${H}\r\n`, 505],
  ["a malformed version", `GET / HTTX/1.1\r\n${H}\r\n`, 400],
  ["a lower-case version", `GET / http/1.1\r\n${H}\r\n`, 400],
  ["a missing version", `GET /\r\n${H}\r\n`, 400],
  ["no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400],
  ["two Host fields", `GET / HTTP/1.1\r\n${H}${H}\r\n`, 400],
  [
    "a request line over maxHeaderSize",
    `GET /${"a".repeat(200)} HTTP/1.1\r\n${H}\r\n`,
    414,
    { maxHeaderSize: 100 },
  ],
  [
    "a head over maxHeaderSize",
    `GET / HTTP/1.1\r\n${H}X-A: ${"a".repeat(200)}\r\n\r\n`,
    431,
    { maxHeaderSize: 100 },
  ],
  [
    "a trailer block over maxHeaderSize",
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nX: ${
      "a".repeat(200)
    }\r\n\r\n`,
    431,
    { maxHeaderSize: 100 },
  ],
];

/** Every malformed case, one per rule of RFC 9112 that llhttp enforces. */
export const MALFORMED_REQUESTS: readonly MalformedRequest[] = ROWS.map((
  [description, request, status, options],
) => ({ description, request, status, options }));
