import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import { ConnectionLost } from "../../reactor/errors.ts";
import type { IPushProducer } from "../../reactor/interfaces.ts";
import {
  Clock,
  DummyChannel,
  type DummyChannelOptions,
} from "../../testing/mod.ts";
import {
  CACHED,
  type IResource,
  NOT_DONE_YET,
  Request,
  Resource,
  Site,
  type SiteOptions,
} from "../../web/mod.ts";
import { captureLogs, text } from "../_support/mod.ts";

function serve(
  root: IResource,
  options: DummyChannelOptions = {},
  siteOptions: SiteOptions = {},
): DummyChannel {
  const channel = new DummyChannel(options);
  channel.serve(new Site(root, siteOptions));
  return channel;
}

/** A leaf whose render_GET and render_POST call `fn`. */
function leaf(
  fn: (request: Request) => ReturnType<Resource["render"]>,
): Resource {
  class Leaf extends Resource {
    override isLeaf = true;
    render_GET(request: Request): ReturnType<Resource["render"]> {
      return fn(request);
    }
    render_POST(request: Request): ReturnType<Resource["render"]> {
      return fn(request);
    }
  }
  return new Leaf();
}

function captured(
  fn: (request: Request) => void,
): { request?: Request; resource: Resource } {
  const holder: { request?: Request; resource: Resource } = {
    resource: leaf((request) => {
      holder.request = request;
      fn(request);
      return "";
    }),
  };
  return holder;
}

Deno.test("Site given a render that returns text when served then answers 200 with text/html and its Content-Length", () => {
  const channel = serve(leaf(() => "héllo"));
  assert.equal(channel.code, 200);
  assert.equal(channel.phrase, "OK");
  assert.equal(channel.responseHeaders?.get("content-type"), "text/html");
  assert.equal(channel.responseHeaders?.get("content-length"), "6");
  assert.equal(channel.text(), "héllo");
  assert.equal(channel.finished, true);
});

Deno.test("Site given a 204, an empty render and a response finished unwritten when served then only the last gets the default text/html, as Twisted", () => {
  const noContent = serve(leaf((request) => {
    request.setResponseCode(204);
    return "";
  }));
  assert.equal(noContent.code, 204);
  assert.equal(noContent.responseHeaders?.hasHeader("content-type"), false);
  const empty = serve(leaf(() => ""));
  assert.equal(empty.responseHeaders?.get("content-length"), "0");
  assert.equal(empty.responseHeaders?.hasHeader("content-type"), false);
  const unwritten = serve(leaf((request) => {
    request.finish();
    return NOT_DONE_YET;
  }));
  assert.equal(unwritten.responseHeaders?.get("content-type"), "text/html");
  assert.equal(unwritten.responseHeaders?.get("content-length"), "0");
});

Deno.test("Site given a render that sets its own Content-Type when served then the response has that one only", () => {
  const channel = serve(leaf((request) => {
    request.setHeader("Content-Type", "text/plain");
    return "x";
  }));
  assert.deepEqual(channel.responseHeaders?.getRawHeaders("content-type"), [
    "text/plain",
  ]);
});

Deno.test("Site given a render that returns bytes when served then sends them unchanged", () => {
  const channel = serve(leaf(() => new Uint8Array([0, 255, 1])));
  assert.deepEqual([...channel.body()], [0, 255, 1]);
});

Deno.test("Site given NOT_DONE_YET finished by callLater when the clock advances then the response is sent then", () => {
  const clock = new Clock();
  const channel = serve(leaf((request) => {
    clock.callLater(2, () => {
      request.write("late ");
      request.write("answer");
      request.finish();
    });
    return NOT_DONE_YET;
  }));
  assert.equal(channel.headWritten, false);
  clock.advance(2);
  assert.equal(channel.text(), "late answer");
  assert.equal(channel.finished, true);
  assert.equal(channel.responseHeaders?.hasHeader("content-length"), false);
});

Deno.test("Site given NOT_DONE_YET finished from a Deferred callback when it fires then the response is sent", () => {
  const d = new Deferred<string>();
  const channel = serve(leaf((request) => {
    d.addCallback((value: string) => {
      request.write(value);
      request.finish();
    });
    return NOT_DONE_YET;
  }));
  assert.equal(channel.finished, false);
  d.callback("from a Deferred");
  assert.equal(channel.text(), "from a Deferred");
});

Deno.test("Site given a render that returns a Deferred of the body when it fires then sends the body", async () => {
  const d = new Deferred<string>();
  const channel = serve(leaf(() => d));
  d.callback("deferred body");
  await channel.notifyFinish();
  assert.equal(channel.text(), "deferred body");
  assert.equal(channel.responseHeaders?.get("content-length"), "13");
});

Deno.test("Site given a render that throws when served then answers 500 without the message and logs the failure once", async () => {
  const records = await captureLogs(() => {
    const channel = serve(leaf(() => {
      throw new Error("secret detail");
    }));
    assert.equal(channel.code, 500);
    assert.doesNotMatch(channel.text(), /secret detail|at /);
    assert.match(channel.text(), /Processing Failed/);
  });
  const errors = records.filter((r) => r.level === "error");
  assert.equal(errors.length, 1);
  assert.deepEqual(errors[0].category, ["torsion", "web"]);
  assert.match(String(errors[0].properties.traceback), /secret detail/);
});

Deno.test("Site given a render whose Deferred errbacks when it fails then answers 500 and logs once", async () => {
  const records = await captureLogs(async () => {
    const d = new Deferred<string>();
    const channel = serve(leaf(() => d));
    d.errback(new RangeError("hidden"));
    await channel.notifyFinish();
    assert.equal(channel.code, 500);
    assert.doesNotMatch(channel.text(), /hidden/);
  });
  assert.equal(records.filter((r) => r.level === "error").length, 1);
});

Deno.test("Site given displayTracebacks when a render throws then the 500 page shows the escaped error", async () => {
  await captureLogs(() => {
    const channel = serve(
      leaf(() => {
        throw new Error("<boom>");
      }),
      {},
      { displayTracebacks: true },
    );
    assert.equal(channel.code, 500);
    assert.match(channel.text(), /&lt;boom&gt;/);
    assert.match(channel.text(), /web\.Server Traceback/);
  });
});

Deno.test("Site given a failure after the head was written when processing fails then aborts the connection and logs once", async () => {
  const records = await captureLogs(() => {
    const d = new Deferred<void>();
    const channel = serve(leaf((request) => {
      request.write("partial");
      d.addCallback(() => {
        throw new Error("late failure");
      }).addErrback((failure: Failure) => request.processingFailed(failure));
      return NOT_DONE_YET;
    }));
    d.callback(undefined);
    assert.equal(channel.code, 200);
    assert.equal(channel.aborted, true);
    assert.equal(channel.finished, false);
  });
  assert.equal(records.filter((r) => r.level === "error").length, 1);
});

Deno.test("Site given a render that returns neither body nor NOT_DONE_YET when served then answers 500", async () => {
  await captureLogs(() => {
    const channel = serve(leaf(() => 42 as unknown as string));
    assert.equal(channel.code, 500);
  });
});

Deno.test("Request given a query with repeated and blank values when parsed then args hold every value as bytes", () => {
  const held = captured(() => {});
  serve(held.resource, { target: "/?a=1&a=2&b=&c=x+y%21" });
  const args = held.request!.args;
  assert.deepEqual(args["a"].map(text), ["1", "2"]);
  assert.deepEqual(args["b"].map(text), [""]);
  assert.deepEqual(args["c"].map(text), ["x y!"]);
});

Deno.test("Request given no query and a body that is not a form when parsed then args is one empty map that keeps what is put in it", () => {
  const held = captured(() => {});
  serve(held.resource, {
    method: "POST",
    target: "/",
    headers: { "Content-Type": "application/json" },
    body: "a=1",
  });
  const request = held.request!;
  assert.deepEqual(Object.keys(request.args), []);
  assert.equal(request.args, request.args);
  request.args["x"] = [new TextEncoder().encode("1")];
  assert.deepEqual(request.args["x"].map(text), ["1"]);
  request.args = { y: [] };
  assert.deepEqual(Object.keys(request.args), ["y"]);
});

Deno.test("Request given a path with empty and percent-encoded segments when processed then postpath holds each segment decoded", () => {
  const held = captured(() => {});
  serve(held.resource, { target: "/a%20b//%C3%A9?q=1" });
  assert.deepEqual(held.request!.prepath.concat(held.request!.postpath), [
    "a b",
    "",
    "é",
  ]);
});

Deno.test("Request given a urlencoded POST when parsed then args merge the query and the body and content holds the body", () => {
  const held = captured(() => {});
  serve(held.resource, {
    method: "POST",
    target: "/?a=1",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "a=2&b=3",
  });
  assert.deepEqual(held.request!.args["a"].map(text), ["1", "2"]);
  assert.deepEqual(held.request!.args["b"].map(text), ["3"]);
  assert.equal(text(held.request!.content), "a=2&b=3");
});

Deno.test("Request given a multipart POST when parsed then args hold fields and file contents", () => {
  const held = captured(() => {});
  const body = [
    "--XyZ",
    'Content-Disposition: form-data; name="title"',
    "",
    "hello",
    "--XyZ",
    'Content-Disposition: form-data; name="upload"; filename="a.txt"',
    "Content-Type: text/plain",
    "",
    "file body",
    "--XyZ--",
    "",
  ].join("\r\n");
  serve(held.resource, {
    method: "POST",
    headers: { "Content-Type": "multipart/form-data; boundary=XyZ" },
    body,
  });
  assert.deepEqual(held.request!.args["title"].map(text), ["hello"]);
  assert.deepEqual(held.request!.args["upload"].map(text), ["file body"]);
});

Deno.test("Request given a malformed multipart POST when parsed then answers 400 without rendering", () => {
  let rendered = false;
  const channel = serve(
    leaf(() => {
      rendered = true;
      return "";
    }),
    {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data" },
      body: "no boundary",
    },
  );
  assert.equal(channel.code, 400);
  assert.equal(rendered, false);
});

Deno.test("Request given a path under a leaf when traversed then prepath and postpath are the decoded segments", () => {
  const root = new Resource();
  const held = captured(() => {});
  root.putChild("hello", held.resource);
  serve(root, { target: "/hello/w%C3%B6rld/a%2Fb?x=1" });
  const request = held.request!;
  assert.equal(request.path, "/hello/w%C3%B6rld/a%2Fb");
  assert.equal(request.uri, "/hello/w%C3%B6rld/a%2Fb?x=1");
  assert.deepEqual(request.prepath, ["hello"]);
  assert.deepEqual(request.postpath, ["wörld", "a/b"]);
  assert.deepEqual(request.sitepath, []);
});

Deno.test("Request given the same path twice and then another when traversed then each request gets segments of its own path", () => {
  const root = new Resource();
  const held = captured(() => {});
  root.putChild("hello", held.resource);
  serve(root, { target: "/hello/a%20b/c" });
  const first = held.request!;
  first.postpath.push("changed");
  serve(root, { target: "/hello/a%20b/c" });
  const second = held.request!;
  assert.notEqual(second, first);
  assert.deepEqual(second.prepath, ["hello"]);
  assert.deepEqual(second.postpath, ["a b", "c"]);
  serve(root, { target: "/hello/d" });
  assert.deepEqual(held.request!.postpath, ["d"]);
  assert.deepEqual(second.postpath, ["a b", "c"]);
});

Deno.test("Request given an absolute-form target when traversed then uses its path", () => {
  const root = new Resource();
  const held = captured(() => {});
  root.putChild("p", held.resource);
  serve(root, { target: "http://example.com/p/q" });
  assert.equal(held.request!.path, "/p/q");
  assert.deepEqual(held.request!.postpath, ["q"]);
});

Deno.test("Request given repeated request headers when getHeader is called then returns the last value", () => {
  const held = captured(() => {});
  serve(held.resource, { headers: [["X-A", "1"], ["x-a", "2"]] });
  assert.equal(held.request!.getHeader("X-A"), "2");
  assert.equal(held.request!.getHeader("missing"), undefined);
  assert.deepEqual(held.request!.requestHeaders.getRawHeaders("x-a"), [
    "1",
    "2",
  ]);
});

Deno.test("Request given setResponseCode with a phrase and setHeader when rendered then the head carries them", () => {
  const channel = serve(leaf((request) => {
    request.setResponseCode(201, "Made It");
    request.setHeader("X-Thing", "one");
    request.setHeader("x-thing", "two");
    return "";
  }));
  assert.equal(channel.code, 201);
  assert.equal(channel.phrase, "Made It");
  assert.deepEqual(channel.responseHeaders?.getRawHeaders("X-Thing"), ["two"]);
});

Deno.test("Request given an invalid status code when setResponseCode is called then throws RangeError", () => {
  const held = captured((request) => {
    assert.throws(() => request.setResponseCode(42), RangeError);
    assert.throws(() => request.setResponseCode(200.5), RangeError);
  });
  serve(held.resource);
});

Deno.test("Request given redirect when rendered then answers 302 with Location", () => {
  const channel = serve(leaf((request) => {
    request.redirect("/elsewhere");
    return "";
  }));
  assert.equal(channel.code, 302);
  assert.equal(channel.responseHeaders?.get("location"), "/elsewhere");
});

Deno.test("Request given a channel's addresses when asked then reports the client, the host and TLS", () => {
  const held = captured(() => {});
  serve(held.resource, {
    peer: { type: "TCP", host: "203.0.113.9", port: 4000 },
    host: { type: "TCP", host: "198.51.100.1", port: 8443 },
    secure: true,
    headers: { Host: "www.example.com:8443" },
  });
  const request = held.request!;
  assert.deepEqual(request.getClientAddress(), {
    type: "TCP",
    host: "203.0.113.9",
    port: 4000,
  });
  assert.equal(request.getHost().port, 8443);
  assert.equal(request.isSecure(), true);
  assert.equal(request.getRequestHostname(), "www.example.com");
  assert.equal(request.prePathURL(), "https://www.example.com:8443/");
  assert.equal(request.clientproto, "HTTP/1.1");
});

Deno.test("Request given cookies sent and added when rendered then getCookie reads them and Set-Cookie carries the new ones", () => {
  let seen: (string | undefined)[] = [];
  const channel = serve(
    leaf((request) => {
      seen = [
        request.getCookie("session"),
        request.getCookie("theme"),
        request.getCookie("none"),
      ];
      request.addCookie("a", "1", {
        path: "/",
        httpOnly: true,
        secure: true,
        sameSite: "Lax",
      });
      request.addCookie("b", "2", { maxAge: 60 });
      return "";
    }),
    { headers: { Cookie: "session=abc; theme=dark" } },
  );
  assert.deepEqual(seen, ["abc", "dark", undefined]);
  assert.deepEqual(channel.responseHeaders?.getRawHeaders("set-cookie"), [
    "a=1; Path=/; Secure; HttpOnly; SameSite=Lax",
    "b=2; Max-Age=60",
  ]);
});

Deno.test("Request given a cookie value with a semicolon or newline when addCookie is called then throws TypeError", () => {
  const held = captured((request) => {
    assert.throws(() => request.addCookie("a", "1; Domain=evil"), TypeError);
    assert.throws(() => request.addCookie("a", "1\r\nX: y"), TypeError);
    assert.throws(
      () => request.addCookie("a", "1", { path: "/;x" }),
      TypeError,
    );
  });
  serve(held.resource);
});

Deno.test("Request given notifyFinish when the response finishes then the Deferred fires", async () => {
  let request: Request | undefined;
  const channel = serve(leaf((r) => {
    request = r;
    return NOT_DONE_YET;
  }));
  const finished = request!.notifyFinish();
  assert.equal(finished.called, false);
  request!.finish();
  await finished.asPromise();
  assert.equal(channel.finished, true);
  assert.equal(channel.responseHeaders?.get("content-length"), "0");
});

Deno.test("Request given the client goes away first when notifyFinish was asked then it errbacks and later writes are dropped", async () => {
  let request: Request | undefined;
  const channel = serve(leaf((r) => {
    request = r;
    return NOT_DONE_YET;
  }));
  const finished = request!.notifyFinish();
  channel.loseConnection();
  const failure = await finished.asPromise().catch((error) => error);
  assert.ok(failure instanceof ConnectionLost);
  request!.write("nobody reads this");
  assert.equal(channel.written.length, 0);
  assert.throws(() => request!.finish(), /connection was lost/);
  const late = await request!.notifyFinish().asPromise().catch((error) =>
    error
  );
  assert.ok(late instanceof ConnectionLost);
});

Deno.test("Request given finish was called when write is called then throws, and a second finish only warns", async () => {
  const held = captured(() => {});
  serve(held.resource);
  assert.throws(() => held.request!.write("x"), /after Request.finish/);
  const records = await captureLogs(() => held.request!.finish());
  assert.equal(records.filter((r) => r.level === "warning").length, 1);
});

Deno.test("Request given a streaming producer when registered then the channel holds it and losing the client stops it", () => {
  let request: Request | undefined;
  const channel = serve(leaf((r) => {
    request = r;
    return NOT_DONE_YET;
  }));
  const events: string[] = [];
  const producer: IPushProducer = {
    pauseProducing: () => events.push("pause"),
    resumeProducing: () => events.push("resume"),
    stopProducing: () => events.push("stop"),
  };
  request!.registerProducer(producer, true);
  assert.equal(channel.producer, producer);
  assert.equal(channel.streaming, true);
  assert.throws(() => request!.registerProducer(producer, true), Error);
  channel.loseConnection(new Failure(new ConnectionLost("gone")));
  assert.deepEqual(events, ["stop"]);
});

Deno.test("Request given unregisterProducer when called then the channel forgets the producer", () => {
  const held = captured((request) => {
    request.registerProducer(
      { resumeProducing(): void {}, stopProducing(): void {} },
      false,
    );
    request.unregisterProducer();
  });
  const channel = serve(held.resource);
  assert.equal(channel.producer, null);
});

Deno.test("Request given HEAD and NOT_DONE_YET when the resource writes then no body is sent", () => {
  let request: Request | undefined;
  const channel = serve(
    leaf((r) => {
      request = r;
      return NOT_DONE_YET;
    }),
    { method: "HEAD" },
  );
  request!.setHeader("Content-Length", "4");
  request!.write("body");
  request!.finish();
  assert.equal(channel.written.length, 0);
  assert.equal(channel.responseHeaders?.get("content-length"), "4");
});

Deno.test("Site given a requestFactory subclass when serving then builds requests with it", () => {
  class TaggedRequest extends Request {
    readonly tag = "tagged";
  }
  let seen: Request | undefined;
  new DummyChannel().serve(
    new Site(
      leaf((r) => {
        seen = r;
        return "";
      }),
      { requestFactory: TaggedRequest },
    ),
  );
  assert.ok(seen instanceof TaggedRequest);
});

Deno.test("Site given a timeout that is not positive when constructed then throws RangeError, and the default is Twisted's 60 seconds", () => {
  assert.throws(() => new Site(new Resource(), { timeout: 0 }), RangeError);
  assert.throws(() => new Site(new Resource(), { timeout: -1 }), RangeError);
  assert.equal(new Site(new Resource()).timeout, 60);
  assert.equal(new Site(new Resource(), { timeout: null }).timeout, null);
});

Deno.test("Site given the client goes away before the body is complete when the delegate is told then no request is rendered", () => {
  let rendered = false;
  const channel = new DummyChannel({ method: "POST", body: "x" });
  const delegate = new Site(leaf(() => {
    rendered = true;
    return "";
  })).startRequest(channel);
  delegate.headersReceived(channel.head);
  delegate.onConnectionClose(new Failure(new ConnectionLost("gone")));
  assert.equal(rendered, false);
});

Deno.test("Request.setETag given If-None-Match listing the tag when GET then answers 304, and 412 for a PUT", () => {
  const render = (request: Request): string =>
    request.setETag('"v2"') === CACHED ? "" : "fresh";
  const get = serve(leaf(render), {
    headers: { "If-None-Match": '"v1", "v2"' },
  });
  assert.equal(get.code, 304);
  assert.equal(get.written.length, 0);
  class Put extends Resource {
    override isLeaf = true;
    render_PUT = render;
  }
  const put = serve(new Put(), {
    method: "PUT",
    headers: { "If-None-Match": "*" },
  });
  assert.equal(put.code, 412);
  const miss = serve(leaf(render), { headers: { "If-None-Match": '"v1"' } });
  assert.equal(miss.code, 200);
  assert.equal(miss.text(), "fresh");
});

Deno.test("Request.setLastModified given If-Modified-Since not older when GET then answers 304 with Last-Modified", () => {
  const when = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
  const render = (request: Request): string =>
    request.setLastModified(when - 0.5) === CACHED ? "" : "fresh";
  const cached = serve(leaf(render), {
    headers: { "If-Modified-Since": "Tue, 02 Jan 2024 03:04:05 GMT" },
  });
  assert.equal(cached.code, 304);
  assert.equal(
    cached.responseHeaders?.get("last-modified"),
    "Tue, 02 Jan 2024 03:04:05 GMT",
  );
  const stale = serve(leaf(render), {
    headers: { "If-Modified-Since": "Tue, 02 Jan 2024 03:04:04 GMT" },
  });
  assert.equal(stale.code, 200);
  const garbage = serve(leaf(render), {
    headers: { "If-Modified-Since": "yesterday" },
  });
  assert.equal(garbage.code, 200);
});

Deno.test("Request given a Basic Authorization header when asked then getUser and getPassword decode it", () => {
  const held = captured(() => {});
  serve(held.resource, {
    headers: { Authorization: `Basic ${btoa("alice:s3cr:et")}` },
  });
  assert.equal(held.request!.getUser(), "alice");
  assert.equal(held.request!.getPassword(), "s3cr:et");
  const none = captured(() => {});
  serve(none.resource, { headers: { Authorization: "Bearer x" } });
  assert.equal(none.request!.getUser(), "");
  assert.equal(none.request!.getPassword(), "");
});

Deno.test("Request given repeated headers when getAllHeaders is called then maps lower-case names to last values", () => {
  const held = captured(() => {});
  serve(held.resource, {
    headers: [["X-A", "1"], ["x-a", "2"], ["Host", "h"]],
  });
  assert.deepEqual({ ...held.request!.getAllHeaders() }, {
    "x-a": "2",
    host: "h",
  });
});

Deno.test("DummyChannel given detach with a protocol when called then connects the protocol to the handed-over transport", () => {
  const channel = new DummyChannel();
  const seen: string[] = [];
  const { transport } = channel.detach({
    makeConnection: (t) =>
      seen.push(t === channel.detachedTransport ? "same" : "other"),
    connectionMade: () => {},
    dataReceived: () => {},
    connectionLost: () => {},
  });
  assert.deepEqual(seen, ["same"]);
  assert.equal(transport, channel.detachedTransport);
  channel.finish();
  assert.throws(() => channel.detach(), TypeError);
});

Deno.test("Request.sibLink given the remaining path when asked then climbs one level per segment", () => {
  const root = new Resource();
  const held = captured(() => {});
  root.putChild("dir", held.resource);
  serve(root, { target: "/dir/a/b" });
  assert.equal(held.request!.sibLink("other"), "../../other");
  assert.equal(held.request!.childLink("child"), "../child");
});

Deno.test("Request given a request not yet processed when its path arrays and cookies are read then each is an empty array of its own that keeps what is pushed", () => {
  const request = new Request(new DummyChannel({ target: "/a/b" }));
  for (const name of ["prepath", "postpath", "sitepath", "cookies"] as const) {
    const array: string[] = request[name];
    assert.equal(array.length, 0);
    array.push("x");
    assert.equal(request[name], array);
    assert.deepEqual(request[name], ["x"]);
  }
  assert.notEqual(request.prepath, request.postpath);
  request.prepath = ["set"];
  assert.deepEqual(request.prepath, ["set"]);
});

Deno.test("Request given a prepath changed before process when processed then prepath starts empty again and sitepath is a copy of it", () => {
  const root = new Resource();
  let sitepath: string[] | undefined;
  let prepath: string[] | undefined;
  root.putChild(
    "hello",
    leaf((request) => {
      sitepath = request.sitepath;
      prepath = request.prepath;
      return "";
    }),
  );
  const request = new Request(
    new DummyChannel({ target: "/hello" }),
    new Site(root),
  );
  request.prepath.push("stale");
  request.process();
  assert.deepEqual(prepath, ["hello"]);
  assert.deepEqual(sitepath, []);
  assert.notEqual(sitepath, prepath);
});

Deno.test("Request given a response with no cookie added when served then no Set-Cookie is sent", () => {
  const channel = serve(leaf(() => "x"));
  assert.equal(channel.responseHeaders?.hasHeader("set-cookie"), false);
});
