/**
 * Throughput of the HTTP/1.1 response parser on typical responses: a 1 KiB
 * body framed by Content-Length, and the same body in chunked encoding,
 * each fed in one piece and in 512-byte reads.
 *
 * Run with `deno bench bench/http_parser_bench.ts`; `iter/s` is responses
 * parsed per second.
 *
 * @module
 */
import {
  HTTPClientParser,
  type ResponseParserHandler,
} from "../http/_http_client_parser.ts";

const encoder = new TextEncoder();
const body = "x".repeat(1024);

const HEAD_FIELDS = "Date: Sun, 23 Nov 2025 12:00:00 GMT\r\n" +
  "Server: nginx/1.25.3\r\n" +
  "Content-Type: application/json; charset=utf-8\r\n" +
  "Cache-Control: no-cache\r\n" +
  "Connection: keep-alive\r\n" +
  "X-Request-Id: 4f9c2a51-8d3e-4b7a-9c1e-2f6d8a0b3c45\r\n";

const lengthResponse = encoder.encode(
  `HTTP/1.1 200 OK\r\n${HEAD_FIELDS}Content-Length: ${body.length}\r\n\r\n${body}`,
);

const chunkedResponse = encoder.encode(
  `HTTP/1.1 200 OK\r\n${HEAD_FIELDS}Transfer-Encoding: chunked\r\n\r\n` +
    `200\r\n${body.slice(0, 512)}\r\n200\r\n${body.slice(512)}\r\n0\r\n\r\n`,
);

let received = 0;
const handler: ResponseParserHandler = {
  onHeaders(head): void {
    received += head.code;
  },
  onBody(chunk): void {
    received += chunk.length;
  },
  onComplete(): void {
    received++;
  },
};

const parser = new HTTPClientParser(handler);

function parseWhole(bytes: Uint8Array): void {
  parser.reset("GET");
  parser.feed(bytes);
  if (!parser.done) throw new Error("Response did not complete");
}

function parseInReads(bytes: Uint8Array, size: number): void {
  parser.reset("GET");
  for (let i = 0; i < bytes.length; i += size) {
    parser.feed(bytes.subarray(i, i + size));
  }
  if (!parser.done) throw new Error("Response did not complete");
}

Deno.bench("parse 1 KiB Content-Length response, one read", () => {
  parseWhole(lengthResponse);
});

Deno.bench("parse 1 KiB chunked response, one read", () => {
  parseWhole(chunkedResponse);
});

Deno.bench("parse 1 KiB Content-Length response, 512-byte reads", () => {
  parseInReads(lengthResponse, 512);
});

Deno.bench("parse 1 KiB chunked response, 512-byte reads", () => {
  parseInReads(chunkedResponse, 512);
});
