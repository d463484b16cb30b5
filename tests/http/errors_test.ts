import { assert, assertEquals, assertInstanceOf } from "./_assert.ts";
import { Failure } from "../../deferred/failure.ts";
import {
  PageError,
  PartialDownloadError,
  RequestGenerationFailed,
  RequestTransmissionFailed,
  ResponseFailed,
  ResponseNeverReceived,
  WrapperException,
} from "../../http/client_errors.ts";
import { BodyTooLargeError, DataLoss, ParseError } from "../../http/errors.ts";
import {
  HTTPClientError,
  HTTPStreamClosedError,
  HTTPTimeoutError,
} from "../../http/http_client_error.ts";

Deno.test("ParseError given a message and data when created then both are kept and the name is set", () => {
  const error = new ParseError(
    'Invalid status line: current value is "x"',
    "x",
  );
  assertEquals(error.name, "ParseError");
  assertEquals(error.message, 'Invalid status line: current value is "x"');
  assertEquals(error.data, "x");
  assertInstanceOf(error, Error);
});

Deno.test("ParseError given no data when created then data is empty", () => {
  assertEquals(new ParseError("bad").data, "");
});

Deno.test("DataLoss given a declared length when created then the message states received and expected bytes", () => {
  const error = new DataLoss(3, 10);
  assertEquals(error.name, "DataLoss");
  assertEquals(
    error.message,
    "Connection closed before the response body was complete: received 3 of 10 bytes",
  );
  assertEquals([error.received, error.expected], [3, 10]);
});

Deno.test("DataLoss given a chunked body when created then the message states the bytes received", () => {
  const error = new DataLoss(7, null);
  assertEquals(
    error.message,
    "Connection closed before the chunked response body was complete: received 7 bytes",
  );
  assertEquals(error.expected, null);
});

Deno.test("BodyTooLargeError given a limit and a size when created then both are kept and stated", () => {
  const error = new BodyTooLargeError(100, 250);
  assertEquals(error.name, "BodyTooLargeError");
  assertEquals([error.maxBodySize, error.size], [100, 250]);
  assertEquals(
    error.message,
    "Response body exceeds maxBodySize: limit is 100 bytes, body has at least 250",
  );
});

Deno.test("ResponseFailed given reasons when created then they are kept, described, and the first is the cause", () => {
  const lost = new Error("Connection lost");
  const reasons = [new Failure(lost), new Failure(new DataLoss(1, 2))];
  const error = new ResponseFailed(reasons, { code: 200 });
  assertEquals(error.name, "ResponseFailed");
  assertEquals(error.reasons, reasons);
  assertEquals(error.response, { code: 200 });
  assertEquals(error.cause, lost);
  assert(
    error.message.startsWith(
      "Response failed: Connection lost; Connection closed before",
    ),
  );
});

Deno.test("ResponseFailed given no response when created then response is undefined", () => {
  assertEquals(new ResponseFailed([]).response, undefined);
  assertEquals(new ResponseFailed([]).message, "Response failed");
});

Deno.test("ResponseNeverReceived given reasons when created then it is a ResponseFailed with its own name and message", () => {
  const error = new ResponseNeverReceived([new Failure(new Error("reset"))]);
  assertInstanceOf(error, ResponseFailed);
  assertEquals(error.name, "ResponseNeverReceived");
  assertEquals(error.message, "Response never received: reset");
  assertEquals(error.response, undefined);
});

Deno.test("RequestTransmissionFailed given reasons when created then they are kept and described", () => {
  const error = new RequestTransmissionFailed([
    new Failure(new Error("broken pipe")),
  ]);
  assertEquals(error.name, "RequestTransmissionFailed");
  assertEquals(error.message, "Request transmission failed: broken pipe");
  assertEquals(error.reasons.length, 1);
});

Deno.test("PageError given only a status when created then the message is the standard reason phrase", () => {
  const error = new PageError(404);
  assertEquals(error.name, "PageError");
  assertEquals(error.status, 404);
  assertEquals(error.message, "Not Found");
  assertEquals(error.response, undefined);
});

Deno.test("PageError given a status, message and body when stringified then it reads like Twisted's str(Error)", () => {
  const body = new Uint8Array([1, 2]);
  const error = new PageError(500, "Oops", body);
  assertEquals(String(error), "500 Oops");
  assertEquals(error.response, body);
});

Deno.test("PageError given an unknown status when created then the message is Unknown", () => {
  assertEquals(new PageError(799).message, "Unknown");
});

Deno.test("PartialDownloadError given a status and partial body when created then it is a PageError holding the body", () => {
  const error = new PartialDownloadError(
    200,
    undefined,
    new Uint8Array([104, 105]),
  );
  assertInstanceOf(error, PageError);
  assertEquals(error.name, "PartialDownloadError");
  assertEquals(error.message, "OK");
  assertEquals(error.response, new Uint8Array([104, 105]));
});

Deno.test("HTTPClientError given a code only when created then the message is the reason phrase and str is Tornado's", () => {
  const error = new HTTPClientError(503);
  assertEquals(error.name, "HTTPClientError");
  assertEquals(error.code, 503);
  assertEquals(error.message, "Service Unavailable");
  assertEquals(String(error), "HTTP 503: Service Unavailable");
  assertEquals(error.response, undefined);
});

Deno.test("HTTPClientError given 599 without a message when created then the message is Unknown as in Tornado", () => {
  assertEquals(new HTTPClientError(599).message, "Unknown");
});

Deno.test("HTTPClientError given a response and a cause when created then both are kept", () => {
  const cause = new Error("underlying");
  const response = { body: "x" };
  const error = new HTTPClientError(404, "Missing", response, { cause });
  assertEquals(error.response, response);
  assertEquals(error.cause, cause);
  assertEquals(error.message, "Missing");
});

Deno.test("HTTPTimeoutError given a message and phase when created then it is a 599 HTTPClientError with that phase", () => {
  const error = new HTTPTimeoutError("Timeout in request queue", "queue");
  assertInstanceOf(error, HTTPClientError);
  assertEquals(error.name, "HTTPTimeoutError");
  assertEquals(error.code, 599);
  assertEquals(error.phase, "queue");
  assertEquals(String(error), "Timeout in request queue");
});

Deno.test("HTTPTimeoutError given no arguments when created then the message is Timeout and the phase request", () => {
  const error = new HTTPTimeoutError();
  assertEquals(error.message, "Timeout");
  assertEquals(error.phase, "request");
});

Deno.test("HTTPStreamClosedError given no message when created then it is a 599 HTTPClientError saying Stream closed", () => {
  const cause = new Error("ECONNRESET");
  const error = new HTTPStreamClosedError(undefined, { cause });
  assertInstanceOf(error, HTTPClientError);
  assertEquals(error.name, "HTTPStreamClosedError");
  assertEquals(error.code, 599);
  assertEquals(error.message, "Stream closed");
  assertEquals(String(error), "Stream closed");
  assertEquals(error.cause, cause);
});

Deno.test("HTTP errors given each class when caught by Failure.check then it matches itself and its base", () => {
  const failure = new Failure(
    new HTTPTimeoutError("Timeout while connecting", "connect"),
  );
  assertEquals(failure.check(HTTPClientError), HTTPClientError);
  assertEquals(failure.check(ResponseFailed), null);
});

Deno.test("WrapperException given reasons and a summary when created then the message lists each reason and the first is the cause", () => {
  const first = new Error("reset");
  const error = new WrapperException(
    [new Failure(first), new Failure(new Error("truncated"))],
    "Fetch failed",
  );
  assertEquals(error.name, "WrapperException");
  assertEquals(error.message, "Fetch failed: reset; truncated");
  assertEquals(error.cause, first);
  assertEquals(error.reasons.length, 2);
});

Deno.test("WrapperException given no reasons when created then the message is the summary alone", () => {
  assertEquals(new WrapperException([]).message, "Failed");
});

Deno.test("WrapperException given each wrapper of Twisted's when checked then it is a WrapperException", () => {
  const reasons = [new Failure(new Error("x"))];
  for (
    const error of [
      new ResponseFailed(reasons),
      new ResponseNeverReceived(reasons),
      new RequestTransmissionFailed(reasons),
      new RequestGenerationFailed(reasons),
    ]
  ) {
    assertInstanceOf(error, WrapperException);
    assertEquals(error.reasons, reasons);
    assert(new Failure(error).check(WrapperException) === WrapperException);
  }
});
