import assert from "node:assert/strict";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import { ContentDecoderAgent } from "../../http/content_decoder_agent.ts";
import { DeflateDecoder } from "../../http/deflate_decoder.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { ResponseFailed } from "../../http/client_errors.ts";
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
