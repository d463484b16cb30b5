import assert from "node:assert/strict";
import { CancelledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { Deferred, succeed } from "../../deferred/deferred.ts";
import { ConnectionDone, ConnectionLost } from "../../reactor/errors.ts";
import type { IConsumer } from "../../reactor/interfaces.ts";
import { Protocol } from "../../reactor/protocol.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import {
  PotentialDataLoss,
  RequestGenerationFailed,
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseDone,
  ResponseFailed,
  ResponseNeverReceived,
} from "../../http/client_errors.ts";
import { DataLoss, ParseError } from "../../http/errors.ts";
import { Headers } from "../../http/headers.ts";
import type { IBodyProducer } from "../../http/interfaces.ts";
import { HTTP11ClientProtocol } from "../../http/_client_protocol.ts";
import { ClientRequest, type ClientRequestInit } from "../../http/_request.ts";
import { parseURI } from "../../http/_url.ts";
import type { Response } from "../../http/response.ts";
import { FileBodyProducer } from "../../http/file_body_producer.ts";
import { sleep } from "../_support/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function request(init: Partial<ClientRequestInit> = {}): ClientRequest {
  return new ClientRequest({
    method: "GET",
    uri: parseURI("http://example.com/path?q=1"),
    headers: new Headers(),
    ...init,
  });
}

/** A POST of "payload" that waits for 100 Continue before its body. */
function expectingRequest(): ClientRequest {
  return request({
    method: "POST",
    body: encoder.encode("payload"),
    expectContinue: true,
  });
}

interface Harness {
  protocol: HTTP11ClientProtocol;
  transport: StringTransport;
  quiescent: number;
  feed(text: string, split?: boolean): void;
}

function connect(): Harness {
  const harness = {
    quiescent: 0,
  } as Harness;
  const protocol = new HTTP11ClientProtocol(() => harness.quiescent++);
  const transport = new StringTransport();
  protocol.makeConnection(transport);
  harness.protocol = protocol;
  harness.transport = transport;
  harness.feed = (text: string, split = false) => {
    const bytes = encoder.encode(text);
    if (!split) protocol.dataReceived(bytes);
    else {for (let i = 0; i < bytes.length; i++) {
        protocol.dataReceived(bytes.subarray(i, i + 1));
      }}
  };
  return harness;
}

interface Outcome {
  response?: Response;
  error?: unknown;
  body: string;
  reason?: Failure;
}

function send(harness: Harness, req: ClientRequest = request()): Outcome {
  const outcome: Outcome = { body: "" };
  harness.protocol.request(req).addCallbacks(
    (response: Response) => {
      outcome.response = response;
      response.deliverBody(
        new (class extends Protocol {
          override dataReceived(data: Uint8Array): void {
            outcome.body += decoder.decode(data);
          }
          override connectionLost(reason: Failure): void {
            outcome.reason = reason;
          }
        })(),
      );
    },
    (failure: Failure) => {
      outcome.error = failure.value;
    },
  );
  return outcome;
}

for (const split of [false, true]) {
  const how = split ? "split byte by byte" : "whole";
  Deno.test(`HTTP11ClientProtocol given a Content-Length response sent ${how} when parsed then delivers it and goes back to QUIESCENT`, () => {
    const h = connect();
    const outcome = send(h);
    assert.equal(
      h.transport.valueString(),
      "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Torsion/0.2.0\r\n\r\n",
    );
    assert.equal(h.protocol.state, "WAITING");
    h.feed(
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello",
      split,
    );
    assert.equal(outcome.response?.code, 200);
    assert.equal(outcome.response?.phrase, "OK");
    assert.deepEqual(outcome.response?.version, ["HTTP", 1, 1]);
    assert.equal(outcome.response?.length, 5);
    assert.deepEqual(outcome.response?.headers.getRawHeaders("x-a"), [
      "1",
      "2",
    ]);
    assert.equal(outcome.body, "hello");
    assert.ok(outcome.reason?.check(ResponseDone));
    assert.equal(h.protocol.state, "QUIESCENT");
    assert.equal(h.quiescent, 1);
  });

  Deno.test(`HTTP11ClientProtocol given a chunked response with extensions and trailers sent ${how} when parsed then decodes the body`, () => {
    const h = connect();
    const outcome = send(h);
    h.feed(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
      split,
    );
    assert.equal(outcome.response?.length, "UNKNOWN_LENGTH");
    assert.equal(outcome.body, "hello world");
    assert.ok(outcome.reason?.check(ResponseDone));
    assert.equal(h.quiescent, 1);
  });
}

Deno.test("HTTP11ClientProtocol given a close-delimited body when the connection closes then ends it with PotentialDataLoss and does not reuse the connection", () => {
  const h = connect();
  const outcome = send(h);
  h.feed("HTTP/1.0 200 OK\r\n\r\nall of it");
  assert.equal(outcome.body, "all of it");
  assert.equal(outcome.reason, undefined);
  h.protocol.connectionLost(new Failure(new ConnectionDone()));
  assert.ok((outcome.reason as Failure | undefined)?.check(PotentialDataLoss));
  assert.equal(h.quiescent, 0);
  assert.equal(h.protocol.state, "CONNECTION_LOST");
});

Deno.test("HTTP11ClientProtocol given a truncated Content-Length body when the connection closes then fails with ResponseFailed holding DataLoss", () => {
  const h = connect();
  const outcome = send(h);
  h.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
  h.protocol.connectionLost(new Failure(new ConnectionLost()));
  const error = outcome.reason?.value;
  assert.ok(error instanceof ResponseFailed);
  assert.ok(error.reasons.some((r) => r.check(DataLoss)));
  assert.equal(outcome.body, "half");
});

Deno.test("HTTP11ClientProtocol given HEAD, 204, 304 or 1xx responses when parsed then they have no body and 1xx are skipped", () => {
  for (
    const [method, head] of [
      ["HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"],
      ["GET", "HTTP/1.1 204 No Content\r\n\r\n"],
      ["GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n"],
      [
        "GET",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
      ],
    ] as const
  ) {
    const h = connect();
    const outcome = send(h, request({ method }));
    h.feed(head);
    assert.ok(outcome.reason?.check(ResponseDone), `${method} ${head}`);
    assert.equal(outcome.body, "");
    assert.equal(h.protocol.state, "QUIESCENT");
  }
});

Deno.test("HTTP11ClientProtocol given Connection: close or HTTP/1.0 without keep-alive when the response ends then the connection is not reused", () => {
  for (
    const head of [
      "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    ]
  ) {
    const h = connect();
    send(h);
    h.feed(head);
    assert.equal(h.quiescent, 0);
    assert.ok(h.transport.disconnecting);
  }
  const h = connect();
  send(h);
  h.feed(
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
  );
  assert.equal(h.quiescent, 1);
});

Deno.test("HTTP11ClientProtocol given a non-persistent request when sent then carries Connection: close and the connection is not reused", () => {
  const h = connect();
  send(h, request({ persistent: false }));
  assert.match(h.transport.valueString(), /\r\nConnection: close\r\n/);
  h.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  assert.equal(h.quiescent, 0);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTP11ClientProtocol given a malformed status line when parsed then fails with ResponseFailed holding a ParseError", () => {
  for (
    const bad of [
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/2 200 OK\r\n\r\n",
      "garbage\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
    ]
  ) {
    const h = connect();
    const outcome = send(h);
    h.feed(bad);
    assert.ok(outcome.error instanceof ResponseFailed, bad);
    assert.ok(outcome.error.reasons[0].check(ParseError), bad);
    assert.ok(h.transport.disconnecting);
    assert.notEqual(h.protocol.state, "QUIESCENT");
  }
});

Deno.test("HTTP11ClientProtocol given a bad chunk size after the head when parsed then the body fails with ResponseFailed", () => {
  const h = connect();
  const outcome = send(h);
  h.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  assert.equal(outcome.response?.code, 200);
  const error = outcome.reason?.value;
  assert.ok(error instanceof ResponseFailed);
  assert.ok(error.reasons[0].check(ParseError));
});

Deno.test("HTTP11ClientProtocol given no byte received when the connection closes then fails with ResponseNeverReceived", () => {
  const h = connect();
  const outcome = send(h);
  h.protocol.connectionLost(new Failure(new ConnectionDone()));
  assert.ok(outcome.error instanceof ResponseNeverReceived);
  assert.ok(outcome.error.reasons[0].check(ConnectionDone));
});

Deno.test("HTTP11ClientProtocol given a request in flight when a second is made then fails it with RequestNotSent", () => {
  const h = connect();
  send(h);
  const second = send(h);
  assert.ok(second.error instanceof RequestNotSent);
});

Deno.test("HTTP11ClientProtocol given a request in flight when it is cancelled then aborts the connection at once", () => {
  const h = connect();
  const d = h.protocol.request(request());
  let error: unknown;
  d.addErrback((f: Failure) => {
    error = f.value;
  });
  d.cancel();
  assert.ok(error instanceof ResponseNeverReceived);
  assert.ok(error.reasons[0].check(CancelledError));
  assert.ok(h.transport.disconnecting);
  assert.equal(h.protocol.state, "ABORTING");
});

Deno.test("HTTP11ClientProtocol given a bytes body when the request is sent then head and body go in one write", () => {
  const h = connect();
  const writes: Uint8Array[] = [];
  const original = h.transport.write.bind(h.transport);
  h.transport.write = (data) => {
    writes.push(data as Uint8Array);
    original(data);
  };
  send(h, request({ method: "POST", body: encoder.encode("a=1") }));
  assert.equal(writes.length, 1);
  assert.match(h.transport.valueString(), /Content-Length: 3\r\n\r\na=1$/);
});

Deno.test("HTTP11ClientProtocol given a producer of unknown length when the request is sent then uses chunked coding", async () => {
  const h = connect();
  const producer = new FileBodyProducer([
    encoder.encode("ab"),
    encoder.encode("cde"),
  ]);
  send(h, request({ method: "PUT", bodyProducer: producer }));
  for (
    let i = 0;
    i < 5 && !h.transport.valueString().endsWith("0\r\n\r\n");
    i++
  ) {
    await sleep(0);
  }
  const text = h.transport.valueString();
  assert.match(text, /Transfer-Encoding: chunked\r\n/);
  assert.ok(text.endsWith("\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"), text);
  assert.equal(h.protocol.state, "WAITING");
});

Deno.test("HTTP11ClientProtocol given a producer that writes less than its length when it finishes then fails with RequestGenerationFailed", () => {
  const h = connect();
  const producer: IBodyProducer = {
    length: 10,
    startProducing(consumer: IConsumer): Deferred<void> {
      consumer.write("short");
      return succeed(undefined);
    },
    pauseProducing(): void {},
    resumeProducing(): void {},
    stopProducing(): void {},
  };
  const outcome = send(h, request({ method: "PUT", bodyProducer: producer }));
  assert.ok(outcome.error instanceof RequestGenerationFailed);
  assert.match(outcome.error.message, /wrote less than its length/);
});

Deno.test("HTTP11ClientProtocol given a producer writing when the connection drops then fails with RequestTransmissionFailed", () => {
  const h = connect();
  let stopped = false;
  const producer: IBodyProducer = {
    length: "UNKNOWN_LENGTH",
    startProducing(): Deferred<void> {
      return new Deferred<void>();
    },
    pauseProducing(): void {},
    resumeProducing(): void {},
    stopProducing(): void {
      stopped = true;
    },
  };
  const outcome = send(h, request({ method: "PUT", bodyProducer: producer }));
  h.protocol.connectionLost(new Failure(new ConnectionLost()));
  assert.ok(outcome.error instanceof RequestTransmissionFailed);
  assert.ok(stopped);
});

Deno.test("HTTP11ClientProtocol given expectContinue when the request is sent then the body waits for 100 Continue", () => {
  const h = connect();
  const outcome = send(
    h,
    expectingRequest(),
  );
  assert.match(h.transport.valueString(), /Expect: 100-continue\r\n\r\n$/);
  h.feed("HTTP/1.1 100 Continue\r\n\r\n");
  assert.ok(h.transport.valueString().endsWith("\r\n\r\npayload"));
  h.feed("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  assert.equal(outcome.response?.code, 201);
  assert.equal(h.quiescent, 1);
});

Deno.test("HTTP11ClientProtocol given a response head larger than maxHeaderSize when parsed then fails the request", () => {
  const h = connect();
  const outcome = send(h, request({ maxHeaderSize: 100 }));
  h.feed(`HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(200)}\r\n\r\n`);
  assert.ok(outcome.error instanceof ResponseFailed);
  assert.match(outcome.error.reasons[0].getErrorMessage(), /maxHeaderSize/);
});

Deno.test("HTTP11ClientProtocol given a maxHeaderSize of 0 when the request is sent then it fails with RangeError and nothing is written", () => {
  const h = connect();
  const outcome = send(h, request({ maxHeaderSize: 0 }));
  assert.ok(outcome.error instanceof RangeError);
  assert.match(outcome.error.message, /maxHeaderSize/);
  assert.equal(h.transport.valueString(), "");
  assert.equal(h.protocol.state, "QUIESCENT");
});

Deno.test("HTTP11ClientProtocol given a kept-alive connection when the next request has a smaller maxHeaderSize then its response is held to it", () => {
  const h = connect();
  const head = `HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(200)}\r\n`;
  const first = send(h);
  h.feed(`${head}Content-Length: 0\r\n\r\n`);
  assert.equal(first.response?.code, 200);
  assert.equal(h.quiescent, 1);
  const second = send(h, request({ maxHeaderSize: 100 }));
  h.feed(`${head}\r\n`);
  assert.ok(second.error instanceof ResponseFailed);
  assert.match(second.error.reasons[0].getErrorMessage(), /maxHeaderSize/);
});

Deno.test("HTTP11ClientProtocol given bytes after a complete response when they arrive then closes the connection", () => {
  const h = connect();
  send(h);
  h.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n");
  assert.equal(h.quiescent, 0);
  assert.ok(h.transport.disconnecting);
});

/** The body pieces a response buffered before deliverBody, as delivered. */
function bufferedPieces(read: Uint8Array): Uint8Array[] {
  const h = connect();
  let response: Response | undefined;
  h.protocol.request(request()).addCallback((r: Response) => {
    response = r;
  });
  h.protocol.dataReceived(read);
  const pieces: Uint8Array[] = [];
  response?.deliverBody(
    new (class extends Protocol {
      override dataReceived(data: Uint8Array): void {
        pieces.push(data);
      }
    })(),
  );
  return pieces;
}

Deno.test("Response given body bytes that are most of their read buffer when they arrive before deliverBody then they are delivered uncopied", () => {
  const read = encoder.encode(
    `HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${"x".repeat(100)}`,
  );
  const pieces = bufferedPieces(read);
  assert.equal(pieces.length, 1);
  assert.equal(pieces[0].buffer, read.buffer);
  assert.equal(decoder.decode(pieces[0]), "x".repeat(100));
});

Deno.test("Response given body bytes that are a small part of a large read buffer when they arrive before deliverBody then they are delivered as a copy of their own size", () => {
  const buffer = new Uint8Array(65536);
  const head = encoder.encode(
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
  );
  buffer.set(head);
  const pieces = bufferedPieces(buffer.subarray(0, head.length));
  assert.equal(pieces.length, 1);
  assert.notEqual(pieces[0].buffer, buffer.buffer);
  assert.equal(pieces[0].buffer.byteLength, 3);
  assert.equal(decoder.decode(pieces[0]), "abc");
});

Deno.test("HTTP11ClientProtocol given a body read late when it arrives before deliverBody then it is buffered and the connection goes back first", () => {
  const h = connect();
  let response: Response | undefined;
  h.protocol.request(request()).addCallback((r: Response) => {
    response = r;
  });
  h.feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  assert.equal(h.quiescent, 1);
  let body = "";
  let reason: Failure | undefined;
  response?.deliverBody(
    new (class extends Protocol {
      override dataReceived(data: Uint8Array): void {
        body += decoder.decode(data);
      }
      override connectionLost(r: Failure): void {
        reason = r;
      }
    })(),
  );
  assert.equal(body, "abc");
  assert.ok(reason?.check(ResponseDone));
  assert.throws(() => response?.deliverBody(new Protocol()), TypeError);
});

Deno.test("HTTP11ClientProtocol given a request through a proxy when sent then the target is the absolute URI", () => {
  const h = connect();
  send(h, request({ proxy: true }));
  assert.ok(
    h.transport.valueString().startsWith(
      "GET http://example.com/path?q=1 HTTP/1.1\r\n",
    ),
  );
});

Deno.test("HTTP11ClientProtocol given expectContinue when a final status arrives without 100 Continue then the response is delivered, the body is never written and the connection is not reused", () => {
  const h = connect();
  const outcome = send(
    h,
    expectingRequest(),
  );
  const head = h.transport.valueString();
  h.feed("HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig");
  assert.equal(outcome.response?.code, 413);
  assert.equal(outcome.body, "big");
  assert.equal(h.transport.valueString(), head, "nothing more was written");
  assert.equal(h.quiescent, 0);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTP11ClientProtocol given expectContinue and a body producer when 100 Continue arrives then the producer starts only then", async () => {
  const h = connect();
  let started = false;
  const producer: IBodyProducer = {
    length: 4,
    startProducing(consumer: IConsumer): Deferred<void> {
      started = true;
      consumer.write(encoder.encode("data"));
      return succeed(undefined);
    },
    pauseProducing(): void {},
    resumeProducing(): void {},
    stopProducing(): void {},
  };
  const outcome = send(
    h,
    request({ method: "PUT", bodyProducer: producer, expectContinue: true }),
  );
  assert.match(h.transport.valueString(), /Expect: 100-continue\r\n/);
  assert.equal(started, false);
  h.feed("HTTP/1.1 100 Continue\r\n\r\n");
  assert.equal(started, true);
  assert.ok(h.transport.valueString().endsWith("\r\n\r\ndata"));
  h.feed("HTTP/1.1 204 No Content\r\n\r\n");
  await Promise.resolve();
  assert.equal(outcome.response?.code, 204);
});
