import assert from "node:assert/strict";
import {
  HTTPClientError,
  HTTPTimeoutError,
} from "../../http/http_client_error.ts";
import { Headers } from "../../http/headers.ts";
import { HTTPRequest } from "../../http/http_request.ts";
import { HTTPResponse } from "../../http/http_response.ts";

const request = new HTTPRequest("http://example.com/page");

function withType(contentType: string, body: Uint8Array): HTTPResponse {
  return new HTTPResponse(request, 200, {
    headers: new Headers({ "Content-Type": contentType }),
    body,
  });
}

Deno.test("HTTPResponse() given only a request and a code when constructed then fills Tornado's defaults", () => {
  const response = new HTTPResponse(request, 200);
  assert.equal(response.request, request);
  assert.equal(response.code, 200);
  assert.equal(response.reason, "OK");
  assert.deepEqual(response.body, new Uint8Array(0));
  assert.equal(response.effectiveUrl, "http://example.com/page");
  assert.equal(response.error, undefined);
  assert.equal(response.requestTime, undefined);
  assert.equal(response.startTime, undefined);
  assert.deepEqual(response.timeInfo, {});
  assert.deepEqual([...response.headers], []);
});

Deno.test("HTTPResponse() given a non-2xx code when constructed then its error is an HTTPClientError referring to it", () => {
  const response = new HTTPResponse(request, 404);
  assert.ok(response.error instanceof HTTPClientError);
  assert.equal((response.error as HTTPClientError).code, 404);
  assert.equal((response.error as HTTPClientError).response, response);
  assert.equal(response.error.message, "Not Found");
  assert.equal(String(response.error), "HTTP 404: Not Found");
});

Deno.test("HTTPResponse() given a reason when constructed then its error uses it", () => {
  const response = new HTTPResponse(request, 500, { reason: "Kaput" });
  assert.equal(response.reason, "Kaput");
  assert.equal(response.error?.message, "Kaput");
});

Deno.test("HTTPResponse() given a 1xx or 3xx code when constructed then has an error, as in Tornado", () => {
  assert.ok(new HTTPResponse(request, 302).error instanceof HTTPClientError);
  assert.ok(new HTTPResponse(request, 199).error instanceof HTTPClientError);
  assert.equal(new HTTPResponse(request, 204).error, undefined);
});

Deno.test("HTTPResponse() given a transport error when constructed then keeps it", () => {
  const error = new HTTPTimeoutError("Timeout while connecting", "connect");
  const response = new HTTPResponse(request, 599, { error });
  assert.equal(response.error, error);
  assert.equal(response.reason, "Unknown");
});

Deno.test("HTTPResponse.text given no charset when read then decodes UTF-8", () => {
  const response = new HTTPResponse(request, 200, {
    body: new TextEncoder().encode("héllo ✓"),
  });
  assert.equal(response.text, "héllo ✓");
});

Deno.test("HTTPResponse.text given a declared charset when read then decodes by it", () => {
  const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
  assert.equal(withType("text/plain; charset=ISO-8859-1", latin1).text, "café");
  assert.equal(
    withType('text/html; Charset="iso-8859-1"', latin1).text,
    "café",
  );
  const sjis = new Uint8Array([0x82, 0xa0]); // あ in Shift_JIS
  assert.equal(withType("text/plain;charset=shift_jis", sjis).text, "あ");
});

Deno.test("HTTPResponse.text given an unknown charset when read then falls back to UTF-8", () => {
  const response = withType(
    "text/plain; charset=no-such-charset",
    new TextEncoder().encode("ok ✓"),
  );
  assert.equal(response.text, "ok ✓");
});

Deno.test("HTTPResponse.text given invalid bytes when read then replaces them instead of throwing", () => {
  const response = new HTTPResponse(request, 200, {
    body: new Uint8Array([0x61, 0xff, 0x62]),
  });
  assert.equal(response.text, "a\ufffdb");
});

Deno.test("HTTPResponse.rethrow() given an error or a success when called then throws the error or does nothing", () => {
  new HTTPResponse(request, 200).rethrow();
  const failed = new HTTPResponse(request, 503);
  assert.throws(() => failed.rethrow(), (error: unknown) => {
    assert.ok(error instanceof HTTPClientError);
    assert.equal(error.code, 503);
    assert.equal(error.response, failed);
    return true;
  });
  const transport = new Error("connection refused");
  assert.throws(
    () => new HTTPResponse(request, 599, { error: transport }).rethrow(),
    (error: unknown) => error === transport,
  );
});

Deno.test("HTTPResponse() given timings and an effective URL when constructed then keeps them", () => {
  const response = new HTTPResponse(request, 200, {
    effectiveUrl: "http://example.com/final",
    requestTime: 0.25,
    startTime: 1700000000,
    timeInfo: { queue: 0.5 },
  });
  assert.equal(response.effectiveUrl, "http://example.com/final");
  assert.equal(response.requestTime, 0.25);
  assert.equal(response.startTime, 1700000000);
  assert.deepEqual(response.timeInfo, { queue: 0.5 });
});
