import assert from "node:assert/strict";
import { reactor } from "../../reactor/reactor.ts";
import { Agent } from "../../http/agent.ts";
import { BrowserLikeRedirectAgent } from "../../http/browser_like_redirect_agent.ts";
import {
  InfiniteRedirection,
  PageRedirect,
  RedirectWithNoLocation,
  ResponseFailed,
} from "../../http/client_errors.ts";
import { HTTPConnectionPool } from "../../http/connection_pool.ts";
import { Headers } from "../../http/headers.ts";
import { readBody } from "../../http/read_body.ts";
import { RedirectAgent } from "../../http/redirect_agent.ts";
import { StringProducer } from "../../http/string_producer.ts";
import {
  CREDENTIAL_FIELDS,
  rejection,
  startCannedServer,
  startServer,
} from "./_servers.ts";
import { text } from "../_support/mod.ts";

function pooled(): { agent: Agent; close(): Promise<void> } {
  const pool = new HTTPConnectionPool(reactor);
  return {
    agent: new Agent(reactor, { pool }),
    close: () => pool.closeCachedConnections().asPromise(),
  };
}

async function reasonOf(promise: PromiseLike<unknown>): Promise<unknown> {
  const error = await rejection(promise);
  assert.ok(error instanceof ResponseFailed, String(error));
  return error.reasons[0].value;
}

Deno.test("RedirectAgent given relative redirects when followed then chains previousResponse", async () => {
  await using server = await startServer();
  const { agent, close } = pooled();
  const response = await new RedirectAgent(agent).request(
    "GET",
    `${server.url}/redirect/2`,
  );
  assert.equal(response.code, 200);
  assert.equal(text(await readBody(response)), "done");
  assert.equal(response.previousResponse?.code, 302);
  assert.equal(response.previousResponse?.previousResponse?.code, 302);
  assert.equal(response.request?.absoluteURI, `${server.url}/redirect/0`);
  assert.equal(server.connections.size, 1);
  await close();
});

Deno.test("RedirectAgent given more redirects than redirectLimit when followed then fails with InfiniteRedirection", async () => {
  await using server = await startServer();
  const { agent, close } = pooled();
  const reason = await reasonOf(
    new RedirectAgent(agent, 3).request("GET", `${server.url}/loop`),
  );
  assert.ok(reason instanceof InfiniteRedirection);
  assert.equal(server.requests, 4);
  await close();
});

Deno.test("RedirectAgent given a POST answered by 303 when followed then the next request is a GET", async () => {
  await using server = await startServer();
  const { agent, close } = pooled();
  const response = await new RedirectAgent(agent).request(
    "POST",
    `${server.url}/redirect-to?status=303&url=/echo`,
    null,
    new StringProducer("payload"),
  );
  const echo = JSON.parse(text(await readBody(response)));
  assert.equal(echo.method, "GET");
  assert.equal(echo.body, "");
  await close();
});

Deno.test("BrowserLikeRedirectAgent given a POST answered by 301 or 302 when followed then the next request is a GET", async () => {
  await using server = await startServer();
  const { agent, close } = pooled();
  for (const status of [301, 302]) {
    const response = await new BrowserLikeRedirectAgent(agent).request(
      "POST",
      `${server.url}/redirect-to?status=${status}&url=/echo`,
      null,
      new StringProducer("payload"),
    );
    assert.equal(JSON.parse(text(await readBody(response))).method, "GET");
  }
  await close();
});

Deno.test("RedirectAgent given Authorization and Cookie when redirected across origins then drops them and keeps them within one origin", async () => {
  await using a = await startServer();
  await using b = await startServer();
  const { agent, close } = pooled();
  const headers = new Headers({
    Authorization: "Bearer t",
    Cookie: "c=1",
    "X-Keep": "yes",
  });
  const header = (echo: { headers: [string, string][] }, name: string) =>
    echo.headers.find(([n]) => n === name)?.[1];
  const cross = JSON.parse(text(
    await readBody(
      await new RedirectAgent(agent).request(
        "GET",
        `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
        headers,
      ),
    ),
  ));
  assert.equal(header(cross, "authorization"), undefined);
  assert.equal(header(cross, "cookie"), undefined);
  assert.equal(header(cross, "x-keep"), "yes");
  const same = JSON.parse(text(
    await readBody(
      await new RedirectAgent(agent).request(
        "GET",
        `${a.url}/redirect-to?url=/echo`,
        headers,
      ),
    ),
  ));
  assert.equal(header(same, "authorization"), "Bearer t");
  assert.equal(header(same, "cookie"), "c=1");
  assert.equal(headers.get("authorization"), "Bearer t");
  await close();
});

Deno.test("RedirectAgent given a redirect without Location when received then fails with RedirectWithNoLocation", async () => {
  await using server = startCannedServer(
    "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n",
  );
  const { agent, close } = pooled();
  const reason = await reasonOf(
    new RedirectAgent(agent).request("GET", `${server.url}/`),
  );
  assert.ok(reason instanceof RedirectWithNoLocation);
  await close();
});

Deno.test("RedirectAgent given a negative redirectLimit when constructed then throws RangeError", () => {
  assert.throws(() => new RedirectAgent(new Agent(reactor), -1), RangeError);
});

/** The value of `name` in an `/echo` body, or `undefined`. */
function echoedField(body: Uint8Array, name: string): string | undefined {
  const echo = JSON.parse(text(body)) as { headers: [string, string][] };
  return echo.headers.find(([n]) => n === name.toLowerCase())?.[1];
}

for (const [name, value] of CREDENTIAL_FIELDS) {
  Deno.test(`RedirectAgent given a ${name} field when a redirect goes to another port then it is not sent there`, async () => {
    await using a = await startServer();
    await using b = await startServer();
    const { agent, close } = pooled();
    const headers = new Headers({ [name]: value });
    const response = await new RedirectAgent(agent).request(
      "GET",
      `${a.url}/redirect-to?url=${encodeURIComponent(`${b.url}/echo`)}`,
      headers,
    );
    assert.equal(echoedField(await readBody(response), name), undefined);
    assert.equal(headers.get(name), value, "the caller's Headers are intact");
    await close();
  });

  Deno.test(`RedirectAgent given a ${name} field when a redirect stays on the origin then it is sent again`, async () => {
    await using server = await startServer();
    const { agent, close } = pooled();
    const response = await new RedirectAgent(agent).request(
      "GET",
      `${server.url}/redirect-to?url=/echo`,
      new Headers({ [name]: value }),
    );
    assert.equal(echoedField(await readBody(response), name), value);
    await close();
  });
}

const REFUSED_POSTS: [typeof RedirectAgent, number][] = [
  [RedirectAgent, 301],
  [RedirectAgent, 302],
  [RedirectAgent, 307],
  [RedirectAgent, 308],
  [BrowserLikeRedirectAgent, 307],
  [BrowserLikeRedirectAgent, 308],
];

for (const [Redirector, status] of REFUSED_POSTS) {
  Deno.test(`${Redirector.name} given a POST answered by ${status} when handled then it fails with PageRedirect as Twisted's does`, async () => {
    await using server = await startServer();
    const { agent, close } = pooled();
    const reason = await reasonOf(
      new Redirector(agent).request(
        "POST",
        `${server.url}/redirect-to?status=${status}&url=/echo`,
        null,
        new StringProducer("x"),
      ),
    );
    assert.ok(reason instanceof PageRedirect);
    assert.equal(reason.status, status);
    await close();
  });
}

Deno.test("RedirectAgent given 301, 302, 307 and 308 to a GET when followed then each leads to the target", async () => {
  await using server = await startServer();
  const { agent, close } = pooled();
  for (const status of [301, 302, 307, 308]) {
    const response = await new RedirectAgent(agent).request(
      "GET",
      `${server.url}/redirect-to?status=${status}&url=/bytes/3`,
    );
    assert.equal(response.code, 200);
    assert.equal(response.previousResponse?.code, status);
    assert.equal((await readBody(response)).length, 3);
  }
  await close();
});
