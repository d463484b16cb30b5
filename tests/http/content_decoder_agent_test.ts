import assert from "node:assert/strict";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import { ContentDecoderAgent } from "../../http/content_decoder_agent.ts";
import { DeflateDecoder } from "../../http/deflate_decoder.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { ResponseFailed } from "../../http/client_errors.ts";
import { BodyTooLargeError } from "../../http/errors.ts";
import { ContentDecodingError } from "../../http/content_decoding_error.ts";
import { GzipDecoder } from "../../http/gzip_decoder.ts";
import { readBody } from "../../http/read_body.ts";
import { startCannedServer, startServer } from "./_servers.ts";
import { text } from "../_support/mod.ts";

const EXPECTED = "hello gzip ".repeat(100);

function decodingAgent(): {
  agent: ContentDecoderAgent;
  close(): Promise<void>;
} {
  const pool = new HTTPConnectionPool(reactor);
  const agent = new ContentDecoderAgent(new Agent(reactor, { pool }), [
    ["gzip", GzipDecoder],
    ["deflate", DeflateDecoder],
  ]);
  return { agent, close: () => pool.closeCachedConnections().asPromise() };
}

Deno.test("ContentDecoderAgent given decoders when it requests then advertises their codings in Accept-Encoding", async () => {
  await using server = await startServer();
  const { agent, close } = decodingAgent();
  const echo = JSON.parse(
    text(await readBody(await agent.request("GET", `${server.url}/echo`))),
  );
  assert.deepEqual(
    echo.headers.find(([name]: [string]) => name === "accept-encoding"),
    ["accept-encoding", "gzip,deflate"],
  );
  await close();
});

for (const route of ["gzip", "deflate", "deflate-raw"]) {
  Deno.test(`ContentDecoderAgent given a ${route} body when read then decodes it and removes Content-Encoding`, async () => {
    await using server = await startServer();
    const { agent, close } = decodingAgent();
    const response = await agent.request("GET", `${server.url}/${route}`);
    assert.equal(response.length, "UNKNOWN_LENGTH");
    assert.equal(response.headers.hasHeader("content-encoding"), false);
    assert.equal(text(await readBody(response)), EXPECTED);
    await close();
  });
}

Deno.test("ContentDecoderAgent given an unknown coding when read then leaves the body alone", async () => {
  await using server = startCannedServer(
    "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc",
  );
  const { agent, close } = decodingAgent();
  const response = await agent.request("GET", `${server.url}/`);
  assert.equal(response.headers.get("content-encoding"), "br");
  assert.equal(text(await readBody(response)), "abc");
  await close();
});

Deno.test("GzipDecoder given an invalid gzip body when read then ends it with ResponseFailed", async () => {
  await using server = startCannedServer(
    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n\r\nnot gzip!!!!",
  );
  const { agent, close } = decodingAgent();
  const response = await agent.request("GET", `${server.url}/`);
  await assert.rejects(readBody(response).asPromise(), ResponseFailed);
  await close();
});

Deno.test("ContentDecoderAgent given no decoder when constructed then throws TypeError", () => {
  assert.throws(
    () => new ContentDecoderAgent(new Agent(reactor), []),
    TypeError,
  );
});

Deno.test("ContentDecoderAgent given an Agent with maxBodySize when a gzip bomb arrives then the decoded body fails with BodyTooLargeError near the limit", async () => {
  await using server = await startServer();
  const pool = new HTTPConnectionPool(reactor);
  const agent = new ContentDecoderAgent(
    new Agent(reactor, { pool, maxBodySize: 1 << 20 }),
    [["gzip", GzipDecoder]],
  );
  const response = await agent.request("GET", `${server.url}/bomb?mb=64`);
  const error = await readBody(response).asPromise().then(
    () => assert.fail("the bomb was read whole"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ResponseFailed);
  const tooLarge = error.reasons.find((r) =>
    r.check(BodyTooLargeError) !== null
  );
  assert.ok(tooLarge !== undefined);
  assert.equal((tooLarge.value as BodyTooLargeError).maxBodySize, 1 << 20);
  assert.ok((tooLarge.value as BodyTooLargeError).size < 16 << 20);
  await pool.closeCachedConnections();
});

Deno.test("GzipDecoder given a corrupt gzip body when read then it fails with a ContentDecodingError among the reasons", async () => {
  const garbage = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not deflate at all";
  await using server = startCannedServer(
    `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${garbage.length}\r\n\r\n${garbage}`,
  );
  const { agent, close } = decodingAgent();
  const response = await agent.request("GET", server.url);
  const error = await readBody(response).asPromise().then(
    () => assert.fail("the corrupt body was read"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ResponseFailed);
  const decoding = error.reasons.find((r) =>
    r.check(ContentDecodingError) !== null
  );
  assert.ok(decoding !== undefined);
  assert.equal((decoding.value as ContentDecodingError).coding, "gzip");
  await close();
});
