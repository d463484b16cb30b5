import assert from "node:assert/strict";
import { Headers } from "../../http/headers.ts";
import { HTTPRequest } from "../../http/http_request.ts";

Deno.test("HTTPRequest.DEFAULTS given no configuration when read then holds Tornado's defaults", () => {
  assert.deepEqual({ ...HTTPRequest.DEFAULTS }, {
    connectTimeout: 20,
    requestTimeout: 20,
    followRedirects: true,
    maxRedirects: 5,
    decompressResponse: true,
    proxyPassword: "",
    allowNonstandardMethods: false,
    validateCert: true,
  });
  assert.ok(Object.isFrozen(HTTPRequest.DEFAULTS));
});

Deno.test("HTTPRequest() given unset options when constructed then leaves them undefined so client defaults can apply", () => {
  const request = new HTTPRequest("http://example.com/");
  assert.equal(request.url, "http://example.com/");
  assert.equal(request.method, "GET");
  assert.equal(request.body, undefined);
  assert.equal(request.connectTimeout, undefined);
  assert.equal(request.requestTimeout, undefined);
  assert.equal(request.followRedirects, undefined);
  assert.equal(request.validateCert, undefined);
  assert.equal(request.expect100Continue, false);
  assert.equal(request.signal, undefined);
  assert.ok(request.headers instanceof Headers);
  assert.deepEqual([...request.headers], []);
});

Deno.test("HTTPRequest() given the current time when constructed then records startTime in seconds since the epoch", () => {
  const before = Date.now() / 1000;
  const request = new HTTPRequest("http://example.com/");
  assert.ok(
    request.startTime >= before && request.startTime <= Date.now() / 1000,
  );
});

Deno.test("HTTPRequest() given a string body when constructed then encodes it as UTF-8", () => {
  const request = new HTTPRequest("http://example.com/", {
    method: "POST",
    body: "café",
  });
  assert.deepEqual(request.body, new TextEncoder().encode("café"));
});

Deno.test("HTTPRequest() given a byte body when constructed then keeps it as given", () => {
  const body = new Uint8Array([1, 2, 3]);
  const request = new HTTPRequest("http://example.com/", {
    method: "PUT",
    body,
  });
  assert.equal(request.body, body);
});

Deno.test("HTTPRequest() given headers as a record or a Headers when constructed then accepts both", () => {
  const fromRecord = new HTTPRequest("http://example.com/", {
    headers: { "X-One": "1", "X-Many": ["a", "b"] },
  });
  assert.equal(fromRecord.headers.get("x-one"), "1");
  assert.deepEqual(fromRecord.headers.getList("X-Many"), ["a", "b"]);
  const headers = new Headers({ Accept: "text/plain" });
  const fromHeaders = new HTTPRequest("http://example.com/", { headers });
  assert.equal(fromHeaders.headers, headers);
});

Deno.test("HTTPRequest() given ifModifiedSince when constructed then formats it as an HTTP date", () => {
  const fromSeconds = new HTTPRequest("http://example.com/", {
    ifModifiedSince: 784111777,
  });
  assert.equal(
    fromSeconds.headers.get("If-Modified-Since"),
    "Sun, 06 Nov 1994 08:49:37 GMT",
  );
  const fromDate = new HTTPRequest("http://example.com/", {
    ifModifiedSince: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)),
  });
  assert.equal(
    fromDate.headers.get("If-Modified-Since"),
    "Thu, 02 Jan 2020 03:04:05 GMT",
  );
});

Deno.test("HTTPRequest() given an invalid ifModifiedSince when constructed then throws RangeError", () => {
  assert.throws(
    () => new HTTPRequest("http://example.com/", { ifModifiedSince: NaN }),
    RangeError,
  );
});

Deno.test("HTTPRequest() given both body and bodyProducer when constructed then throws TypeError", () => {
  assert.throws(
    () =>
      new HTTPRequest("http://example.com/", {
        method: "POST",
        body: "x",
        bodyProducer: () => {},
      }),
    { name: "TypeError", message: /both body and bodyProducer/ },
  );
});

Deno.test("HTTPRequest() given a url that is not a string when constructed then throws TypeError", () => {
  assert.throws(
    () => new HTTPRequest(42 as unknown as string),
    { name: "TypeError", message: /current value is 42/ },
  );
});

Deno.test("HTTPRequest() given every option when constructed then stores each", () => {
  const streamingCallback = (_chunk: Uint8Array): void => {};
  const headerCallback = (_line: string): void => {};
  const signal = new AbortController().signal;
  const request = new HTTPRequest("https://example.com/x", {
    method: "DELETE",
    authUsername: "user",
    authPassword: "pass",
    authMode: "basic",
    connectTimeout: 1,
    requestTimeout: 2,
    followRedirects: false,
    maxRedirects: 3,
    userAgent: "test/1",
    decompressResponse: false,
    streamingCallback,
    headerCallback,
    proxyHost: "proxy",
    proxyPort: 3128,
    proxyUsername: "pu",
    proxyPassword: "pp",
    validateCert: false,
    caCerts: ["PEM"],
    allowNonstandardMethods: true,
    expect100Continue: true,
    signal,
  });
  assert.equal(request.method, "DELETE");
  assert.equal(request.authUsername, "user");
  assert.equal(request.authPassword, "pass");
  assert.equal(request.authMode, "basic");
  assert.equal(request.connectTimeout, 1);
  assert.equal(request.requestTimeout, 2);
  assert.equal(request.followRedirects, false);
  assert.equal(request.maxRedirects, 3);
  assert.equal(request.userAgent, "test/1");
  assert.equal(request.decompressResponse, false);
  assert.equal(request.streamingCallback, streamingCallback);
  assert.equal(request.headerCallback, headerCallback);
  assert.equal(request.proxyHost, "proxy");
  assert.equal(request.proxyPort, 3128);
  assert.equal(request.proxyUsername, "pu");
  assert.equal(request.proxyPassword, "pp");
  assert.equal(request.validateCert, false);
  assert.deepEqual(request.caCerts, ["PEM"]);
  assert.equal(request.allowNonstandardMethods, true);
  assert.equal(request.expect100Continue, true);
  assert.equal(request.signal, signal);
});
