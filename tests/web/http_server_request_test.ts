import assert from "node:assert/strict";
import { Headers, type HTTPServerRequestChannel } from "../../http/mod.ts";
import { BodyArgumentsError } from "../../web/_body_arguments.ts";
import { HTTPServerRequest } from "../../web/mod.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

Deno.test("HTTPServerRequest given no query when its argument maps are read twice then each is the same empty map and keeps what is put in it", () => {
  const request = new HTTPServerRequest({ uri: "/items" });
  for (
    const read of [
      () => request.arguments,
      () => request.queryArguments,
      () => request.bodyArguments,
      () => request.files,
    ]
  ) {
    assert.deepEqual(Object.keys(read()), []);
    assert.equal(read(), read());
  }
  request.arguments.added = [bytes("1")];
  assert.equal(text(request.arguments.added[0]), "1");
  assert.equal(request.queryArguments.added, undefined);
});

Deno.test("HTTPServerRequest given a query when queryArguments is changed afterwards then arguments keeps the values of the query", () => {
  const request = new HTTPServerRequest({ uri: "/?a=1" });
  request.queryArguments.a.push(bytes("2"));
  assert.deepEqual(request.arguments.a.map(text), ["1"]);
  assert.deepEqual(request.queryArguments.a.map(text), ["1", "2"]);
});

Deno.test("HTTPServerRequest given a body that is not a form when parsed then every argument map stays empty", () => {
  const request = new HTTPServerRequest({
    method: "POST",
    uri: "/?q=1",
    headers: new Headers({ "Content-Type": "application/json" }),
    body: bytes('{"a":1}'),
  });
  request.parseBody();
  assert.deepEqual(Object.keys(request.bodyArguments), []);
  assert.deepEqual(Object.keys(request.files), []);
  assert.deepEqual(Object.keys(request.arguments), ["q"]);
});

Deno.test("HTTPServerRequest given a urlencoded body and a query when parsed then arguments holds the query's values before the body's", () => {
  const request = new HTTPServerRequest({
    method: "POST",
    uri: "/?a=1",
    headers: new Headers({
      "Content-Type": "application/x-www-form-urlencoded",
    }),
    body: bytes("a=2&b=3"),
  });
  request.parseBody();
  assert.deepEqual(request.arguments.a.map(text), ["1", "2"]);
  assert.deepEqual(request.bodyArguments.a.map(text), ["2"]);
  assert.deepEqual(request.queryArguments.b, undefined);
  assert.deepEqual(request.arguments.b.map(text), ["3"]);
});

Deno.test("HTTPServerRequest given a multipart body without a boundary when parsed then throws BodyArgumentsError", () => {
  const request = new HTTPServerRequest({
    method: "POST",
    headers: new Headers({ "Content-Type": "multipart/form-data" }),
    body: bytes(""),
  });
  assert.throws(() => request.parseBody(), BodyArgumentsError);
});

Deno.test("HTTPServerRequest given a connection that times its requests when marked finished then requestTime is the connection's elapsed time then and stays", () => {
  let elapsed = 0.25;
  const connection = {
    elapsed: (): number => elapsed,
    getPeer: () => ({ type: "TCP", host: "127.0.0.1", port: 1 }),
    isSecure: () => false,
  } as unknown as HTTPServerRequestChannel;
  const request = new HTTPServerRequest({ connection });
  assert.equal(request.requestTime(), 0.25);
  elapsed = 0.5;
  request.markFinished();
  elapsed = 2;
  assert.equal(request.requestTime(), 0.5);
});

Deno.test("HTTPServerRequest given no connection when marked finished then requestTime stays at the time it took", async () => {
  const request = new HTTPServerRequest();
  await new Promise((resolve) => setTimeout(resolve, 5));
  request.markFinished();
  const took = request.requestTime();
  assert.ok(took >= 0.004, `took ${took}`);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(request.requestTime(), took);
});

Deno.test("HTTPServerRequest given a connection when remoteIp and protocol are read twice then the connection is asked once for each", () => {
  let peers = 0;
  let secures = 0;
  const connection = {
    getPeer: () => {
      peers++;
      return { type: "TCP", host: "10.0.0.7", port: 1 };
    },
    isSecure: () => {
      secures++;
      return true;
    },
  } as unknown as HTTPServerRequestChannel;
  const request = new HTTPServerRequest({ connection });
  assert.equal(peers + secures, 0);
  assert.equal(request.remoteIp, "10.0.0.7");
  assert.equal(request.remoteIp, "10.0.0.7");
  assert.equal(request.protocol, "https");
  assert.equal(request.protocol, "https");
  assert.equal(peers, 1);
  assert.equal(secures, 1);
  const given = new HTTPServerRequest({
    connection,
    remoteIp: "1.2.3.4",
    protocol: "http",
  });
  assert.equal(given.remoteIp, "1.2.3.4");
  assert.equal(given.protocol, "http");
  assert.equal(peers + secures, 2);
});
