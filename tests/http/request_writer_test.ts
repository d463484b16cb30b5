import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  ChunkedEncoder,
  DEFAULT_USER_AGENT,
  encodeChunk,
  encodeLastChunk,
  encodeRequest,
  encodeRequestHead,
  hostHeader,
  type RequestHeadOptions,
  requestTarget,
} from "../../http/_request_writer.ts";
import { HTTPClientParser } from "../../http/_http_client_parser.ts";
import { Headers } from "../../http/headers.ts";
import { latin1Bytes, latin1Text } from "../_support/mod.ts";

function head(options: RequestHeadOptions): string {
  return latin1Text(encodeRequestHead(options));
}

function lines(options: RequestHeadOptions): string[] {
  return head(options).split("\r\n");
}

// --- Request line and target ---------------------------------------------------

Deno.test("encodeRequestHead given a GET when serialised then it writes request line, Host, User-Agent and a blank line", () => {
  assertEquals(
    head({ method: "GET", url: "http://example.com/path?q=1" }),
    `GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ${DEFAULT_USER_AGENT}\r\n\r\n`,
  );
});

Deno.test("encodeRequestHead given a URL with a fragment and credentials when serialised then neither is sent", () => {
  const [line, host] = lines({
    method: "GET",
    url: "http://user:pw@example.com/a#frag",
  });
  assertEquals(line, "GET /a HTTP/1.1");
  assertEquals(host, "Host: example.com");
});

Deno.test("encodeRequestHead given a URL with no path when serialised then the target is /", () => {
  assertEquals(
    lines({ method: "GET", url: "http://example.com" })[0],
    "GET / HTTP/1.1",
  );
});

Deno.test("encodeRequestHead given a URL object when serialised then it is used as is", () => {
  assertEquals(
    lines({ method: "GET", url: new URL("https://example.com/x") })[0],
    "GET /x HTTP/1.1",
  );
});

Deno.test("encodeRequestHead given a proxy request when serialised then the target is in absolute-form", () => {
  assertEquals(
    lines({
      method: "GET",
      url: "http://u:p@example.com:8080/a?b#c",
      proxy: true,
    })[0],
    "GET http://example.com:8080/a?b HTTP/1.1",
  );
});

Deno.test("encodeRequestHead given CONNECT when serialised then the target and Host are in authority-form with the port", () => {
  const [line, host] = lines({
    method: "CONNECT",
    url: "https://example.com/",
  });
  assertEquals(line, "CONNECT example.com:443 HTTP/1.1");
  assertEquals(host, "Host: example.com:443");
});

Deno.test("encodeRequestHead given CONNECT to an explicit port when serialised then that port is used", () => {
  assertEquals(
    lines({ method: "CONNECT", url: "http://example.com:8443" })[0],
    "CONNECT example.com:8443 HTTP/1.1",
  );
});

Deno.test("encodeRequestHead given a target override when serialised then it is used as is", () => {
  assertEquals(
    lines({ method: "OPTIONS", url: "http://example.com/", target: "*" })[0],
    "OPTIONS * HTTP/1.1",
  );
});

for (const target of ["/a b", "/a\r\nX: y", "/\x7f", "/caf\xe9", ""]) {
  Deno.test(`encodeRequestHead given the target ${JSON.stringify(target)} when serialised then it throws TypeError`, () => {
    assertThrows(
      () => encodeRequestHead({ method: "GET", url: "http://e.com/", target }),
      TypeError,
      "Request target must be non-empty visible ASCII",
    );
  });
}

Deno.test("encodeRequestHead given a URL string with CR and LF when parsed then the URL parser removes them and no line is injected", () => {
  const serialised = head({
    method: "GET",
    url: "http://e.com/a\r\nX-Injected: 1",
  });
  assertEquals(serialised.includes("\r\nX-Injected"), false);
});

for (const method of ["GE T", "GET\r\n", "", "G(E)T", "GÉT"]) {
  Deno.test(`encodeRequestHead given the method ${JSON.stringify(method)} when serialised then it throws TypeError`, () => {
    assertThrows(
      () => encodeRequestHead({ method, url: "http://e.com/" }),
      TypeError,
      "Method must be an HTTP token",
    );
  });
}

Deno.test("encodeRequestHead given an extension method when serialised then its case is kept", () => {
  assertEquals(
    lines({ method: "PROPFIND", url: "http://e.com/" })[0],
    "PROPFIND / HTTP/1.1",
  );
  assertEquals(
    lines({ method: "get", url: "http://e.com/" })[0],
    "get / HTTP/1.1",
  );
});

Deno.test("encodeRequestHead given an invalid URL string when serialised then it throws TypeError", () => {
  assertThrows(
    () => encodeRequestHead({ method: "GET", url: "not a url" }),
    TypeError,
  );
});

// --- Host -----------------------------------------------------------------------

for (
  const [url, expected] of [
    ["http://example.com/", "example.com"],
    ["http://example.com:80/", "example.com"],
    ["http://example.com:8080/", "example.com:8080"],
    ["https://example.com:443/", "example.com"],
    ["https://example.com:80/", "example.com:80"],
    ["http://[::1]/", "[::1]"],
    ["http://[::1]:8080/", "[::1]:8080"],
    ["http://127.0.0.1:3000/", "127.0.0.1:3000"],
    ["http://EXAMPLE.com/", "example.com"],
  ]
) {
  Deno.test(`hostHeader given ${url} when computed then it is ${expected}`, () => {
    assertEquals(hostHeader(url), expected);
    assertEquals(lines({ method: "GET", url })[1], `Host: ${expected}`);
  });
}

Deno.test("encodeRequestHead given a Host among the headers when serialised then it replaces the URL's and is sent once", () => {
  const serialised = head({
    method: "GET",
    url: "http://a.com/",
    headers: new Headers({ host: "b.com" }),
  });
  assertEquals(serialised.match(/host:/gi)?.length, 1);
  assert(serialised.includes("\r\nhost: b.com\r\n"));
});

// --- Headers and User-Agent -----------------------------------------------------------

Deno.test("encodeRequestHead given headers when serialised then they follow Host in order with their capitalisation", () => {
  const headers = new Headers([["X-B", "2"], ["accept", "*/*"], ["x-b", "3"]]);
  assertEquals(
    lines({ method: "GET", url: "http://e.com/", headers }).slice(1, 5),
    [
      "Host: e.com",
      "X-B: 2",
      "X-B: 3",
      "accept: */*",
    ],
  );
});

Deno.test("encodeRequestHead given latin-1 header values when serialised then each character is one byte", () => {
  const serialised = encodeRequestHead({
    method: "GET",
    url: "http://e.com/",
    headers: new Headers({ X: "caf\xe9" }),
  });
  const at = latin1Text(serialised).indexOf("caf");
  assertEquals(serialised[at + 3], 0xe9);
  assertEquals(serialised.length, latin1Text(serialised).length);
});

Deno.test("encodeRequestHead given a User-Agent among the headers when serialised then no default is added", () => {
  const serialised = head({
    method: "GET",
    url: "http://e.com/",
    headers: new Headers({ "user-agent": "me" }),
  });
  assertEquals(serialised.match(/user-agent/gi)?.length, 1);
});

Deno.test("encodeRequestHead given a userAgent option when serialised then it is sent", () => {
  assert(
    head({ method: "GET", url: "http://e.com/", userAgent: "Bot/2" }).includes(
      "\r\nUser-Agent: Bot/2\r\n",
    ),
  );
});

Deno.test("encodeRequestHead given userAgent null when serialised then no User-Agent is sent", () => {
  assertEquals(
    head({ method: "GET", url: "http://e.com/", userAgent: null }).includes(
      "User-Agent",
    ),
    false,
  );
});

Deno.test("encodeRequestHead given a userAgent with CRLF when serialised then it throws TypeError", () => {
  assertThrows(
    () =>
      encodeRequestHead({
        method: "GET",
        url: "http://e.com/",
        userAgent: "a\r\nX: y",
      }),
    TypeError,
    "userAgent must be latin-1",
  );
});

Deno.test("encodeRequestHead given persistent false when serialised then Connection: close is sent", () => {
  assert(
    head({ method: "GET", url: "http://e.com/", persistent: false }).includes(
      "\r\nConnection: close\r\n",
    ),
  );
});

Deno.test("encodeRequestHead given persistent false and a Connection header when serialised then only the header's is sent", () => {
  const serialised = head({
    method: "GET",
    url: "http://e.com/",
    persistent: false,
    headers: new Headers({ Connection: "Upgrade" }),
  });
  assertEquals(serialised.match(/connection/gi)?.length, 1);
});

Deno.test("encodeRequestHead given the default when serialised then no Connection header is sent", () => {
  assertEquals(
    head({ method: "GET", url: "http://e.com/" }).includes("Connection"),
    false,
  );
});

// --- Body framing -----------------------------------------------------------------

Deno.test("encodeRequestHead given a bodyLength when serialised then Content-Length is sent", () => {
  assert(
    head({ method: "PUT", url: "http://e.com/", bodyLength: 42 }).includes(
      "\r\nContent-Length: 42\r\n",
    ),
  );
});

Deno.test("encodeRequestHead given bodyLength 0 on a GET when serialised then Content-Length: 0 is sent", () => {
  assert(
    head({ method: "GET", url: "http://e.com/", bodyLength: 0 }).includes(
      "\r\nContent-Length: 0\r\n",
    ),
  );
});

for (const method of ["POST", "PUT", "PATCH"]) {
  Deno.test(`encodeRequestHead given a ${method} without a body when serialised then Content-Length: 0 is sent`, () => {
    assert(
      head({ method, url: "http://e.com/" }).includes(
        "\r\nContent-Length: 0\r\n",
      ),
    );
  });
}

for (const method of ["GET", "HEAD", "DELETE", "OPTIONS"]) {
  Deno.test(`encodeRequestHead given a ${method} without a body when serialised then no framing header is sent`, () => {
    const serialised = head({ method, url: "http://e.com/" });
    assertEquals(serialised.includes("Content-Length"), false);
    assertEquals(serialised.includes("Transfer-Encoding"), false);
  });
}

Deno.test("encodeRequestHead given a chunked body when serialised then Transfer-Encoding: chunked is sent and no Content-Length", () => {
  const serialised = head({
    method: "POST",
    url: "http://e.com/",
    bodyLength: "chunked",
  });
  assert(serialised.includes("\r\nTransfer-Encoding: chunked\r\n"));
  assertEquals(serialised.includes("Content-Length"), false);
});

for (const bodyLength of [-1, 1.5, NaN, Infinity]) {
  Deno.test(`encodeRequestHead given bodyLength ${bodyLength} when serialised then it throws RangeError`, () => {
    assertThrows(
      () =>
        encodeRequestHead({ method: "POST", url: "http://e.com/", bodyLength }),
      RangeError,
    );
  });
}

Deno.test("encodeRequestHead given a Content-Length header that matches bodyLength when serialised then it is sent once", () => {
  const serialised = head({
    method: "POST",
    url: "http://e.com/",
    bodyLength: 5,
    headers: new Headers({ "content-length": "5" }),
  });
  assertEquals(serialised.match(/content-length/gi)?.length, 1);
});

Deno.test("encodeRequestHead given a Content-Length header that differs from bodyLength when serialised then it throws TypeError", () => {
  assertThrows(
    () =>
      encodeRequestHead({
        method: "POST",
        url: "http://e.com/",
        bodyLength: 5,
        headers: new Headers({ "Content-Length": "6" }),
      }),
    TypeError,
    'Content-Length header conflicts with the body: header is "6", body is 5 bytes',
  );
});

Deno.test("encodeRequestHead given a Content-Length header with a chunked body when serialised then it throws TypeError", () => {
  assertThrows(
    () =>
      encodeRequestHead({
        method: "POST",
        url: "http://e.com/",
        bodyLength: "chunked",
        headers: new Headers({ "Content-Length": "6" }),
      }),
    TypeError,
    "body is chunked",
  );
});

Deno.test("encodeRequestHead given a Transfer-Encoding header with a known length when serialised then it throws TypeError", () => {
  assertThrows(
    () =>
      encodeRequestHead({
        method: "POST",
        url: "http://e.com/",
        bodyLength: 3,
        headers: new Headers({ "Transfer-Encoding": "chunked" }),
      }),
    TypeError,
    "Transfer-Encoding header conflicts with the body",
  );
});

Deno.test("encodeRequestHead given a Transfer-Encoding: chunked header with a chunked body when serialised then it is sent once", () => {
  const serialised = head({
    method: "POST",
    url: "http://e.com/",
    bodyLength: "chunked",
    headers: new Headers({ "transfer-encoding": "Chunked" }),
  });
  assertEquals(serialised.match(/transfer-encoding/gi)?.length, 1);
});

Deno.test("encodeRequestHead given a POST without bodyLength but with the caller's Content-Length when serialised then the caller's framing is sent as is", () => {
  const serialised = head({
    method: "POST",
    url: "http://e.com/",
    headers: new Headers({ "Content-Length": "9" }),
  });
  assertEquals(serialised.match(/content-length/gi)?.length, 1);
  assert(serialised.includes("Content-Length: 9"));
});

// --- Expect: 100-continue ---------------------------------------------------------

Deno.test("encodeRequestHead given expectContinue with a body when serialised then Expect: 100-continue is sent", () => {
  assert(
    head({
      method: "PUT",
      url: "http://e.com/",
      bodyLength: 10,
      expectContinue: true,
    })
      .includes("\r\nExpect: 100-continue\r\n"),
  );
  assert(
    head({
      method: "PUT",
      url: "http://e.com/",
      bodyLength: "chunked",
      expectContinue: true,
    })
      .includes("\r\nExpect: 100-continue\r\n"),
  );
});

Deno.test("encodeRequestHead given expectContinue without a body when serialised then no Expect is sent", () => {
  assertEquals(
    head({ method: "POST", url: "http://e.com/", expectContinue: true })
      .includes("Expect"),
    false,
  );
  assertEquals(
    head({
      method: "POST",
      url: "http://e.com/",
      bodyLength: 0,
      expectContinue: true,
    }).includes("Expect"),
    false,
  );
});

// --- encodeRequest ----------------------------------------------------------------------

Deno.test("encodeRequest given a byte body when serialised then the head carries its length and the body follows", () => {
  const body = new Uint8Array([0, 1, 2, 255]);
  const serialised = encodeRequest({
    method: "POST",
    url: "http://e.com/",
    body,
  });
  const written = latin1Text(serialised);
  assert(written.includes("\r\nContent-Length: 4\r\n\r\n"));
  assertEquals(serialised.subarray(serialised.length - 4), body);
});

Deno.test("encodeRequest given a string body when serialised then it is sent as UTF-8 with its byte length", () => {
  const serialised = encodeRequest({
    method: "POST",
    url: "http://e.com/",
    body: "h\u00e9\u2603",
  });
  const written = latin1Text(serialised);
  assert(written.includes("\r\nContent-Length: 6\r\n\r\n"));
  assertEquals(
    new TextDecoder().decode(serialised.subarray(serialised.length - 6)),
    "h\u00e9\u2603",
  );
});

Deno.test("encodeRequest given an empty body on a GET when serialised then Content-Length: 0 is sent", () => {
  assert(
    latin1Text(encodeRequest({ method: "GET", url: "http://e.com/", body: "" }))
      .includes("Content-Length: 0"),
  );
});

Deno.test("encodeRequest given no body on a GET when serialised then it equals the head alone", () => {
  assertEquals(
    encodeRequest({ method: "GET", url: "http://e.com/" }),
    encodeRequestHead({ method: "GET", url: "http://e.com/" }),
  );
});

Deno.test("encodeRequest given latin-1 headers and a body when serialised then both are byte-exact", () => {
  const serialised = encodeRequest({
    method: "POST",
    url: "http://e.com/",
    headers: new Headers({ X: "\xe9" }),
    body: new Uint8Array([0xc3, 0xa9]),
  });
  const written = latin1Text(serialised);
  assert(written.includes("\r\nX: \xe9\r\n"));
  assert(written.endsWith("\r\n\r\n\xc3\xa9"));
});

Deno.test("encodeRequest given a small request when encoded then it is a view of a larger shared buffer whose bytes later requests leave intact", () => {
  const first = encodeRequest({ method: "GET", url: "http://example.com/a" });
  const text = latin1Text(first);
  for (let i = 0; i < 1000; i++) {
    encodeRequest({ method: "GET", url: `http://example.com/${i}` });
  }
  assert(first.buffer.byteLength > first.byteLength);
  assertEquals(latin1Text(first), text);
  assert(text.startsWith("GET /a HTTP/1.1\r\n"));
});

Deno.test("encodeRequest given a body over 4 KiB when encoded then the request has a buffer of its own", () => {
  const out = encodeRequest({
    method: "POST",
    url: "http://example.com/",
    body: "x".repeat(5000),
  });
  assertEquals(out.buffer.byteLength, out.byteLength);
  assert(latin1Text(out).endsWith("x".repeat(5000)));
});

// --- requestTarget -----------------------------------------------------------------------

Deno.test("requestTarget given a plain request, a proxy request and CONNECT when computed then each form is right", () => {
  const url = "http://example.com:8080/p?q#f";
  assertEquals(requestTarget("GET", url), "/p?q");
  assertEquals(requestTarget("GET", url, true), "http://example.com:8080/p?q");
  assertEquals(requestTarget("CONNECT", url), "example.com:8080");
  assertEquals(requestTarget("CONNECT", "http://[::1]/"), "[::1]:80");
});

Deno.test("requestTarget given CONNECT to a scheme with no default port when computed then it throws TypeError", () => {
  assertThrows(
    () => requestTarget("CONNECT", "foo://host/"),
    TypeError,
    "CONNECT needs a port",
  );
});

// --- Chunked encoding ---------------------------------------------------------------------

Deno.test("encodeChunk given data when framed then it is hex size, CRLF, data, CRLF", () => {
  assertEquals(latin1Text(encodeChunk(latin1Bytes("hello"))), "5\r\nhello\r\n");
  assertEquals(
    latin1Text(encodeChunk(new Uint8Array(300))).slice(0, 5),
    "12c\r\n",
  );
});

Deno.test("encodeChunk given empty data when framed then nothing is produced", () => {
  assertEquals(encodeChunk(new Uint8Array(0)).length, 0);
});

Deno.test("encodeLastChunk given no trailers when framed then it is 0 CRLF CRLF", () => {
  assertEquals(latin1Text(encodeLastChunk()), "0\r\n\r\n");
});

Deno.test("encodeLastChunk given trailers when framed then they come between the zero chunk and the final CRLF", () => {
  assertEquals(
    latin1Text(encodeLastChunk(new Headers({ "X-Sum": "1" }))),
    "0\r\nX-Sum: 1\r\n\r\n",
  );
});

Deno.test("ChunkedEncoder given a sink with write only when data is written and finished then it gets framed chunks and the last chunk", () => {
  const written: string[] = [];
  const encoder = new ChunkedEncoder({
    write: (b) => written.push(latin1Text(b)),
  });
  encoder.write(latin1Bytes("hello"));
  encoder.write(new Uint8Array(0));
  encoder.write(latin1Bytes(" world"));
  encoder.finish();
  assertEquals(written, ["5\r\nhello\r\n", "6\r\n world\r\n", "0\r\n\r\n"]);
  assert(encoder.finished);
});

Deno.test("ChunkedEncoder given a sink with writeSequence when data is written then the data is passed through without a copy", () => {
  const sequences: Uint8Array[][] = [];
  const data = latin1Bytes("hello");
  const encoder = new ChunkedEncoder({
    write(): void {},
    writeSequence: (parts) => sequences.push(parts),
  });
  encoder.write(data);
  assertEquals(sequences.length, 1);
  assertEquals(sequences[0].map(latin1Text), ["5\r\n", "hello", "\r\n"]);
  assert(sequences[0][1] === data);
});

Deno.test("ChunkedEncoder given a finished encoder when written to or finished again then it throws TypeError", () => {
  const encoder = new ChunkedEncoder({ write(): void {} });
  encoder.finish();
  assertThrows(
    () => encoder.write(latin1Bytes("x")),
    TypeError,
    "after finish",
  );
  assertThrows(() => encoder.finish(), TypeError, "twice");
});

Deno.test("ChunkedEncoder given its output when parsed as a chunked response body then the original data comes back", () => {
  const pieces: Uint8Array[] = [
    latin1Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
  ];
  const encoder = new ChunkedEncoder({ write: (b) => pieces.push(b) });
  const original = "x".repeat(1000);
  for (let i = 0; i < original.length; i += 333) {
    encoder.write(latin1Bytes(original.slice(i, i + 333)));
  }
  encoder.finish(new Headers({ "X-T": "done" }));
  let body = "";
  let trailer: string | undefined;
  const parser = new HTTPClientParser({
    onHeaders(): void {},
    onBody: (c) => body += latin1Text(c),
    onComplete: (t) => trailer = t?.get("x-t"),
  });
  for (const piece of pieces) parser.feed(piece);
  assertEquals(body, original);
  assertEquals(trailer, "done");
});
