import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { Deferred } from "../../deferred/deferred.ts";
import {
  Application,
  type ApplicationSettings,
  authenticated,
  Finish,
  HTTPError,
  HTTPServerRequest,
  RequestHandler,
} from "../../web/mod.ts";
import { captureLogs, recordText, sleep } from "../_support/mod.ts";
import { serve, start } from "./_fake_channel.ts";

function app(
  handler: typeof RequestHandler,
  settings: ApplicationSettings = {},
  pattern = "/(.*)",
): Application {
  return new Application([[pattern, handler]], settings);
}

Deno.test("RequestHandler given a sync get when requested then answers 200 with Content-Length and the body", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write("hello ");
      this.write(new TextEncoder().encode("world"));
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.code, 200);
  assert.equal(channel.phrase, "OK");
  assert.equal(channel.text(), "hello world");
  assert.equal(channel.headers.get("content-length"), "11");
  assert.equal(channel.headers.get("content-type"), "text/html; charset=UTF-8");
  assert.equal(channel.finished, true);
});

Deno.test("RequestHandler given a sync prepare and get when requested then the response is finished before any microtask runs", () => {
  class H extends RequestHandler {
    override get(): void {
      this.write("at once");
    }
  }
  const channel = start(app(H));
  assert.equal(channel.finished, true);
  assert.equal(channel.text(), "at once");
});

Deno.test("RequestHandler given a sync prepare and a get whose Promise rejects with HTTPError when requested then answers its status", async () => {
  class H extends RequestHandler {
    override async get(): Promise<void> {
      await Promise.resolve();
      throw new HTTPError(409);
    }
  }
  await captureLogs(async () => {
    const channel = await serve(app(H));
    assert.equal(channel.code, 409);
  });
});

Deno.test("RequestHandler given a get that throws HTTPError synchronously when requested then answers its status at once", async () => {
  class H extends RequestHandler {
    override get(): void {
      throw new HTTPError(418);
    }
  }
  await captureLogs(() => {
    const channel = start(app(H));
    assert.equal(channel.finished, true);
    assert.equal(channel.code, 418);
  });
});

Deno.test("RequestHandler given an object when written then sends JSON with the JSON content type", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write({ a: 1, html: "</script>" });
    }
  }
  const channel = await serve(app(H));
  assert.equal(
    channel.headers.get("content-type"),
    "application/json; charset=UTF-8",
  );
  assert.equal(channel.text(), '{"a":1,"html":"<\\/script>"}');
  assert.deepEqual(JSON.parse(channel.text()), { a: 1, html: "</script>" });
});

Deno.test("RequestHandler given an array when written then throws TypeError and answers 500", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write([1, 2] as unknown as Record<string, unknown>);
    }
  }
  await captureLogs(async (records) => {
    const channel = await serve(app(H));
    assert.equal(channel.code, 500);
    assert.match(recordText(records[0]), /TypeError/);
  });
});

Deno.test("RequestHandler given a get returning a Promise when requested then finishes after it settles", async () => {
  class H extends RequestHandler {
    override async get(): Promise<void> {
      await sleep(1);
      this.write("late");
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.text(), "late");
});

Deno.test("RequestHandler given a get returning a Deferred when requested then finishes after it fires", async () => {
  class H extends RequestHandler {
    override get(): Deferred<void> {
      const d = new Deferred<void>();
      setTimeout(() => {
        this.write("deferred");
        d.callback(undefined);
      }, 1);
      return d;
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.text(), "deferred");
});

Deno.test("RequestHandler given path groups when routed then passes them decoded to the method", async () => {
  let seen: unknown[] = [];
  class H extends RequestHandler {
    override get(a: string, b: string): void {
      seen = [a, b];
    }
  }
  await serve(app(H, {}, "/x/([^/]+)/([^/]+)"), {
    target: "/x/caf%C3%A9/a%2Fb+c",
  });
  assert.deepEqual(seen, ["café", "a/b+c"]);
});

Deno.test("RequestHandler given an overridden decodeArgument when a plain group is routed then it still decodes the group's bytes", async () => {
  const received: [number[], string | undefined][] = [];
  let seen = "";
  class Upper extends RequestHandler {
    override decodeArgument(value: Uint8Array, name?: string): string {
      received.push([[...value], name]);
      return new TextDecoder().decode(value).toUpperCase();
    }
    override get(a: string): void {
      seen = a;
    }
  }
  await serve(app(Upper, {}, "/x/([^/]+)"), { target: "/x/abc" });
  assert.deepEqual(received, [[[0x61, 0x62, 0x63], undefined]]);
  assert.equal(seen, "ABC");
});

Deno.test("RequestHandler given named groups when routed then fills pathKwargs", async () => {
  let kwargs: Record<string, string> = {};
  class H extends RequestHandler {
    override get(): void {
      kwargs = { ...this.pathKwargs };
    }
  }
  await serve(app(H, {}, "/u/(?P<user>\\w+)/(?<tab>\\w+)"), {
    target: "/u/ann/posts",
  });
  assert.deepEqual(kwargs, { user: "ann", tab: "posts" });
});

Deno.test("RequestHandler given a method it does not define when requested then answers 405", async () => {
  class H extends RequestHandler {
    override get(): void {}
  }
  const channel = await serve(app(H), { method: "POST" });
  assert.equal(channel.code, 405);
  assert.equal(
    channel.text(),
    "<html><title>405: Method Not Allowed</title><body>405: Method Not Allowed</body></html>",
  );
});

Deno.test("RequestHandler given a method outside SUPPORTED_METHODS when requested then answers 405", async () => {
  class H extends RequestHandler {
    static override SUPPORTED_METHODS = ["GET"];
    override post(): void {
      this.write("never");
    }
  }
  const channel = await serve(app(H), { method: "POST" });
  assert.equal(channel.code, 405);
});

Deno.test("RequestHandler given initialize, prepare and onFinish when requested then calls them in order", async () => {
  const calls: string[] = [];
  class H extends RequestHandler {
    override initialize(args: { tag: string }): void {
      calls.push(`initialize ${args.tag}`);
    }
    override async prepare(): Promise<void> {
      await sleep(0);
      calls.push("prepare");
    }
    override get(): void {
      calls.push("get");
    }
    override onFinish(): void {
      calls.push("onFinish");
    }
  }
  await serve(new Application([["/", H, { tag: "t" }]]));
  assert.deepEqual(calls, ["initialize t", "prepare", "get", "onFinish"]);
});

Deno.test("RequestHandler given prepare that finishes when requested then skips the method", async () => {
  class H extends RequestHandler {
    override prepare(): void {
      this.finish("from prepare");
    }
    override get(): void {
      throw new Error("must not run");
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.text(), "from prepare");
});

Deno.test("RequestHandler given a thrown Error when not in debug then answers 500 without the message and logs it once", async () => {
  class H extends RequestHandler {
    override get(): void {
      throw new Error("secret detail");
    }
  }
  await captureLogs(async (records) => {
    const channel = await serve(app(H));
    assert.equal(channel.code, 500);
    assert.doesNotMatch(channel.text(), /secret detail/);
    const errors = records.filter((r) =>
      r.level === "error" && r.category.join(".") === "torsion.web"
    );
    assert.equal(errors.length, 1);
    assert.match(
      recordText(errors[0]),
      /Uncaught exception GET \/ \(10\.0\.0\.7\)/,
    );
    assert.equal(
      (errors[0].properties.error as Error).message,
      "secret detail",
    );
  });
});

Deno.test("RequestHandler given a rejected Promise in debug mode then answers 500 with the stack as text", async () => {
  class H extends RequestHandler {
    override async get(): Promise<void> {
      await sleep(0);
      throw new Error("visible detail");
    }
  }
  await captureLogs(async () => {
    const channel = await serve(app(H, { debug: true }));
    assert.equal(channel.code, 500);
    assert.equal(
      channel.headers.get("content-type"),
      "text/plain; charset=UTF-8",
    );
    assert.match(channel.text(), /Error: visible detail\n\s+at /);
  });
});

Deno.test("RequestHandler given an HTTPError when thrown then answers its status and logs a warning, not an error", async () => {
  class H extends RequestHandler {
    override get(): void {
      throw new HTTPError(404, "no item %s", "42");
    }
  }
  await captureLogs(async (records) => {
    const channel = await serve(app(H));
    assert.equal(channel.code, 404);
    assert.equal(
      channel.text(),
      "<html><title>404: Not Found</title><body>404: Not Found</body></html>",
    );
    const web = records.filter((r) => r.category.join(".") === "torsion.web");
    assert.equal(web.length, 1);
    assert.equal(web[0].level, "warning");
    assert.match(recordText(web[0]), /404 GET \/ \(10\.0\.0\.7\): no item 42/);
  });
});

Deno.test("RequestHandler given an HTTPError with a reason when thrown then uses it as the phrase", async () => {
  class H extends RequestHandler {
    override get(): void {
      throw new HTTPError(599, undefined, { reason: "Custom" });
    }
  }
  await captureLogs(async () => {
    const channel = await serve(app(H));
    assert.equal(channel.code, 599);
    assert.equal(channel.phrase, "Custom");
  });
});

Deno.test("RequestHandler given Finish when thrown then finishes without an error", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.setStatus(201);
      throw new Finish("done");
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.code, 201);
  assert.equal(channel.text(), "done");
});

Deno.test("RequestHandler given a custom writeError when an error occurs then uses it", async () => {
  class H extends RequestHandler {
    override get(): void {
      throw new HTTPError(403);
    }
    override writeError(status: number): void {
      this.finish({ error: status });
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.code, 403);
  assert.deepEqual(JSON.parse(channel.text()), { error: 403 });
});

Deno.test("RequestHandler given an error after flush when thrown then aborts the connection", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write("partial");
      this.flush();
      throw new Error("too late");
    }
  }
  await captureLogs(async () => {
    const channel = await serve(app(H));
    assert.equal(channel.aborted, true);
    assert.equal(channel.finished, false);
    assert.equal(channel.text(), "partial");
  });
});

Deno.test("RequestHandler given flush then finish when requested then streams without Content-Length", async () => {
  class H extends RequestHandler {
    override async get(): Promise<void> {
      this.write("a");
      await this.flush();
      this.write("b");
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.text(), "ab");
  assert.equal(channel.headers.hasHeader("content-length"), false);
});

Deno.test("RequestHandler given finish called twice when called then throws TypeError", async () => {
  let error: unknown;
  class H extends RequestHandler {
    override get(): void {
      this.finish();
      try {
        this.finish();
      } catch (e) {
        error = e;
      }
    }
  }
  await serve(app(H));
  assert.ok(error instanceof TypeError);
});

Deno.test("RequestHandler given write after finish when called then throws TypeError", async () => {
  let error: unknown;
  class H extends RequestHandler {
    override get(): void {
      this.finish();
      try {
        this.write("x");
      } catch (e) {
        error = e;
      }
    }
  }
  await serve(app(H));
  assert.match(String(error), /TypeError: Cannot write\(\) after finish\(\)/);
});

Deno.test("RequestHandler given a GET answered 200 when finished then adds an ETag and answers 304 to a matching If-None-Match", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write("cached body");
    }
  }
  const first = await serve(app(H));
  const etag = first.headers.get("etag");
  assert.match(etag!, /^"[0-9a-f]{16}"$/);
  const second = await serve(app(H), {
    headers: { "If-None-Match": `W/${etag}` },
  });
  assert.equal(second.code, 304);
  assert.equal(second.body().length, 0);
  assert.equal(second.headers.hasHeader("content-type"), false);
});

Deno.test("RequestHandler given non-ASCII text written in pieces when finished then sends its UTF-8 bytes with their length and the ETag of those bytes", async () => {
  const pieces = ["caf\u00e9 ", "\u{1F600}", " \u65e5\u672c"];
  const whole = new TextEncoder().encode(pieces.join(""));
  class Text extends RequestHandler {
    override get(): void {
      for (const piece of pieces) this.write(piece);
    }
  }
  class Bytes extends RequestHandler {
    override get(): void {
      this.write(whole);
    }
  }
  const text = await serve(app(Text));
  const bytes = await serve(app(Bytes));
  assert.deepEqual(text.body(), whole);
  assert.equal(text.headers.get("content-length"), String(whole.length));
  assert.equal(text.headers.get("etag"), bytes.headers.get("etag"));
});

Deno.test("RequestHandler given text and bytes written in turn and a flush between when finished then sends them in order", async () => {
  class H extends RequestHandler {
    override async get(): Promise<void> {
      this.write("a\u00e9");
      this.write(new TextEncoder().encode("-b-"));
      await this.flush();
      this.write("c");
      this.write({ d: "\u00e9" });
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.text(), 'a\u00e9-b-c{"d":"\u00e9"}');
});

Deno.test("RequestHandler given setStatus 204 when finished then sends no Content-Length or body", async () => {
  class H extends RequestHandler {
    override delete(): void {
      this.setStatus(204);
    }
  }
  const channel = await serve(app(H), { method: "DELETE" });
  assert.equal(channel.code, 204);
  assert.equal(channel.headers.hasHeader("content-length"), false);
});

Deno.test("RequestHandler given headers set, added and cleared when finished then sends the result", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.setHeader("X-A", "1");
      this.setHeader("X-A", 2);
      this.addHeader("X-B", "x");
      this.addHeader("X-B", "y");
      this.setHeader("X-C", "gone");
      this.clearHeader("X-C");
      this.setHeader("X-D", new Date(0));
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.headers.get("x-a"), "2");
  assert.deepEqual(channel.headers.getRawHeaders("x-b"), ["x", "y"]);
  assert.equal(channel.headers.hasHeader("x-c"), false);
  assert.equal(channel.headers.get("x-d"), "Thu, 01 Jan 1970 00:00:00 GMT");
});

Deno.test("RequestHandler given a header value with a control character when set then throws TypeError", () => {
  const handler = new RequestHandler(
    new Application(),
    new HTTPServerRequest(),
  );
  assert.throws(() => handler.setHeader("X", "a\x01b"), TypeError);
  assert.throws(() => handler.setHeader("X", "a\r\nInjected: 1"), TypeError);
});

Deno.test("RequestHandler given a header value set before when one with a control character is set then throws TypeError", () => {
  const handler = new RequestHandler(
    new Application(),
    new HTTPServerRequest(),
  );
  for (let i = 0; i < 8; i++) handler.setHeader("X", "ab");
  assert.throws(() => handler.setHeader("X", "a\x01b"), TypeError);
  assert.equal(handler.responseHeaders.get("x"), "ab");
});

Deno.test("RequestHandler given query arguments when read then decodes, strips and picks the last value", () => {
  const handler = new RequestHandler(
    new Application(),
    new HTTPServerRequest({ uri: "/?a=1&a=+2+&ctl=x%01y&e=" }),
  );
  assert.equal(handler.getArgument("a"), "2");
  assert.equal(handler.getArgument("a", undefined, false), " 2 ");
  assert.deepEqual(handler.getArguments("a"), ["1", "2"]);
  assert.equal(handler.getArgument("ctl"), "x y");
  assert.equal(handler.getArgument("e"), "");
  assert.equal(handler.getArgument("missing", null), null);
  assert.equal(handler.getQueryArgument("a"), "2");
  assert.deepEqual(handler.getBodyArguments("a"), []);
});

Deno.test("RequestHandler given a missing required argument when read then answers 400", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write(this.getArgument("q"));
    }
  }
  await captureLogs(async (records) => {
    const channel = await serve(app(H));
    assert.equal(channel.code, 400);
    assert.match(
      recordText(records.find((r) => r.category.join(".") === "torsion.web")!),
      /Missing argument q/,
    );
  });
});

Deno.test("RequestHandler given an argument that is not UTF-8 when read then answers 400", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write(this.getArgument("q"));
    }
  }
  await captureLogs(async () => {
    const channel = await serve(app(H), { target: "/?q=%FF" });
    assert.equal(channel.code, 400);
  });
});

Deno.test("RequestHandler given an urlencoded POST when read then body and query arguments are apart and together", async () => {
  let seen: unknown;
  class H extends RequestHandler {
    override post(): void {
      seen = {
        body: this.getBodyArgument("x"),
        query: this.getQueryArgument("x"),
        all: this.getArguments("x"),
      };
    }
  }
  await serve(app(H), {
    method: "POST",
    target: "/?x=q",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "x=b&y=2",
  });
  assert.deepEqual(seen, { body: "b", query: "q", all: ["q", "b"] });
});

Deno.test("RequestHandler given a multipart POST when read then files are in request.files", async () => {
  let seen: unknown;
  class H extends RequestHandler {
    override post(): void {
      const file = this.request.files.f[0];
      seen = [
        this.getBodyArgument("name"),
        file.filename,
        new TextDecoder().decode(file.body),
      ];
    }
  }
  const body = [
    "--XX",
    'Content-Disposition: form-data; name="name"',
    "",
    "ann",
    "--XX",
    'Content-Disposition: form-data; name="f"; filename="a.txt"',
    "",
    "content",
    "--XX--",
    "",
  ].join("\r\n");
  await serve(app(H), {
    method: "POST",
    headers: { "Content-Type": "multipart/form-data; boundary=XX" },
    body,
  });
  assert.deepEqual(seen, ["ann", "a.txt", "content"]);
});

Deno.test("RequestHandler given a malformed multipart body when posted then answers 400 before the method runs", async () => {
  let ran = false;
  class H extends RequestHandler {
    override post(): void {
      ran = true;
    }
  }
  await captureLogs(async () => {
    const channel = await serve(app(H), {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=XX" },
      body: "--XX\r\nbroken",
    });
    assert.equal(channel.code, 400);
    assert.equal(ran, false);
  });
});

Deno.test("RequestHandler given a redirect when called then answers 302 with Location", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.redirect("/elsewhere/é");
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.code, 302);
  assert.equal(channel.headers.get("location"), "/elsewhere/%C3%A9");
});

Deno.test("RequestHandler given a permanent redirect when called then answers 301", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.redirect("/new", true);
    }
  }
  assert.equal((await serve(app(H))).code, 301);
});

Deno.test("RequestHandler given cookies when read and set then parses the request and sends Set-Cookie", async () => {
  let read: unknown;
  class H extends RequestHandler {
    override get(): void {
      read = [this.getCookie("a"), this.getCookie("none", "dflt")];
      this.setCookie("b", "x y".replace(" ", "_"), {
        domain: "example.com",
        maxAge: 60,
        secure: true,
      });
      this.setCookie("pad", "dmFsdWU=");
      this.clearCookie("a");
    }
  }
  const channel = await serve(app(H), { headers: { Cookie: "a=1; c=2" } });
  assert.deepEqual(read, ["1", "dflt"]);
  const cookies = channel.headers.getRawHeaders("set-cookie")!;
  assert.equal(
    cookies[0],
    "b=x_y; Domain=example.com; Path=/; Max-Age=60; Secure",
  );
  assert.equal(cookies[1], 'pad="dmFsdWU="; Path=/');
  assert.match(
    cookies[2],
    /^a=; Expires=\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT; Path=\/$/,
  );
});

Deno.test("RequestHandler given a cookie value with a space when set then throws TypeError", () => {
  const handler = new RequestHandler(
    new Application(),
    new HTTPServerRequest(),
  );
  assert.throws(() => handler.setCookie("a", "x y"), TypeError);
});

Deno.test("RequestHandler given the client going away when the handler waits then calls onConnectionClose", async () => {
  let closed = false;
  const release = new Deferred<void>();
  class H extends RequestHandler {
    override get(): Deferred<void> {
      return release;
    }
    override onConnectionClose(): void {
      closed = true;
    }
  }
  const channel = start(app(H));
  await sleep(0);
  channel.loseConnection();
  assert.equal(closed, true);
  release.callback(undefined);
  await sleep(0);
});

Deno.test("RequestHandler given compressResponse and a large text body when gzip is accepted then sends gzip with Vary", async () => {
  const text = "compress me ".repeat(200);
  class H extends RequestHandler {
    override get(): void {
      this.setHeader("Content-Type", "text/plain");
      this.write(text);
    }
  }
  const channel = await serve(app(H, { compressResponse: true }), {
    headers: { "Accept-Encoding": "gzip, deflate" },
  });
  assert.equal(channel.headers.get("content-encoding"), "gzip");
  assert.equal(channel.headers.get("vary"), "Accept-Encoding");
  assert.equal(
    channel.headers.get("content-length"),
    String(channel.body().length),
  );
  assert.equal(new TextDecoder().decode(gunzipSync(channel.body())), text);
});

Deno.test("RequestHandler given compressResponse and a streamed body when gzip is accepted then the pieces form one gzip stream", async () => {
  class H extends RequestHandler {
    override async get(): Promise<void> {
      this.setHeader("Content-Type", "application/json");
      this.write("[1,");
      await this.flush();
      this.write("2]");
    }
  }
  const channel = await serve(app(H, { compressResponse: true }), {
    headers: { "Accept-Encoding": "gzip" },
  });
  assert.equal(channel.headers.get("content-encoding"), "gzip");
  assert.equal(new TextDecoder().decode(gunzipSync(channel.body())), "[1,2]");
});

Deno.test("RequestHandler given compressResponse and a small or binary body when gzip is accepted then sends it as it is", async () => {
  class Small extends RequestHandler {
    override get(): void {
      this.write("short");
    }
  }
  class Binary extends RequestHandler {
    override get(): void {
      this.setHeader("Content-Type", "image/png");
      this.write(new Uint8Array(4096));
    }
  }
  const headers = { "Accept-Encoding": "gzip" };
  const small = await serve(app(Small, { compressResponse: true }), {
    headers,
  });
  assert.equal(small.headers.hasHeader("content-encoding"), false);
  assert.equal(small.headers.get("vary"), "Accept-Encoding");
  const binary = await serve(app(Binary, { compressResponse: true }), {
    headers,
  });
  assert.equal(binary.headers.hasHeader("content-encoding"), false);
  assert.equal(binary.body().length, 4096);
});

Deno.test("RequestHandler given a HEAD handler when requested then sends the length without the body", async () => {
  class H extends RequestHandler {
    override head(): void {
      this.write("12345");
    }
  }
  const channel = await serve(app(H), { method: "HEAD" });
  assert.equal(channel.headers.get("content-length"), "5");
  assert.equal(channel.body().length, 0);
});

Deno.test("RequestHandler given getCurrentUser when currentUser is read twice then calls it once", async () => {
  let calls = 0;
  let seen: unknown[] = [];
  class H extends RequestHandler {
    override getCurrentUser(): unknown {
      calls++;
      return this.getCookie("user") ?? null;
    }
    override get(): void {
      seen = [this.currentUser, this.currentUser];
    }
  }
  await serve(app(H), { headers: { Cookie: "user=ann" } });
  assert.deepEqual(seen, ["ann", "ann"]);
  assert.equal(calls, 1);
});

Deno.test("authenticated given no user on GET when requested then redirects to loginUrl with next", async () => {
  class H extends RequestHandler {
    @authenticated
    override get(): void {
      this.write("secret");
    }
  }
  const channel = await serve(app(H, { loginUrl: "/login" }), {
    target: "/page?x=1",
  });
  assert.equal(channel.code, 302);
  assert.equal(channel.headers.get("location"), "/login?next=%2Fpage%3Fx%3D1");
});

Deno.test("authenticated given an absolute loginUrl when redirecting then next is the full URL", async () => {
  class H extends RequestHandler {
    @authenticated
    override get(): void {}
  }
  const channel = await serve(
    app(H, { loginUrl: "https://auth.example/login" }),
    { target: "/p" },
  );
  assert.equal(
    channel.headers.get("location"),
    "https://auth.example/login?next=http%3A%2F%2Fexample.com%2Fp",
  );
});

Deno.test("authenticated given no user on POST when requested then answers 403", async () => {
  class H extends RequestHandler {
    @authenticated
    override post(): void {}
  }
  await captureLogs(async () => {
    assert.equal(
      (await serve(app(H, { loginUrl: "/login" }), { method: "POST" })).code,
      403,
    );
  });
});

Deno.test("authenticated given a user set in prepare when requested then runs the method", async () => {
  class H extends RequestHandler {
    override async prepare(): Promise<void> {
      await sleep(0);
      this.currentUser = { name: "ann" };
    }
    @authenticated
    override get(): void {
      this.write((this.currentUser as { name: string }).name);
    }
  }
  assert.equal((await serve(app(H))).text(), "ann");
});

Deno.test("RequestHandler given detach when called then hands over the connection and does not finish it", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.request.connection!.writeHead(
        101,
        "Switching Protocols",
        this.responseHeaders,
      );
      const { transport } = this.detach();
      transport.write("raw bytes");
    }
  }
  const channel = await serve(app(H));
  assert.equal(channel.detached, true);
  assert.equal(channel.code, 101);
  assert.equal(channel.finished, false);
});

Deno.test("Application given the old gzip setting when a large text body is requested then compresses as compressResponse does", async () => {
  class H extends RequestHandler {
    override get(): void {
      this.write("x".repeat(4096));
    }
  }
  const channel = await serve(app(H, { gzip: true }), {
    headers: { "Accept-Encoding": "gzip" },
  });
  assert.equal(channel.headers.get("content-encoding"), "gzip");
});

Deno.test("RequestHandler given a route without groups when its method runs then it gets no arguments and pathArgs and pathKwargs are empty of their own that keep what is set", async () => {
  const seen: unknown[] = [];
  class H extends RequestHandler {
    override get(...args: unknown[]): void {
      seen.push(args.length, [...this.pathArgs], { ...this.pathKwargs });
      this.pathArgs.push("kept");
      this.pathKwargs.k = "v";
      seen.push([...this.pathArgs], { ...this.pathKwargs });
    }
  }
  await serve(app(H, {}, "/plain"), { target: "/plain" });
  await serve(app(H, {}, "/plain"), { target: "/plain" });
  const once = [0, [], {}, ["kept"], { k: "v" }];
  assert.deepEqual(seen, [...once, ...once]);
});

Deno.test("RequestHandler given nothing written, then a write after clear when finished then each response has only its own body", async () => {
  class H extends RequestHandler {
    override get(): void {
      if (this.request.uri === "/empty") return;
      this.write("dropped");
      this.clear();
      this.write("kept");
    }
  }
  const empty = await serve(app(H), { target: "/empty" });
  assert.equal(empty.text(), "");
  assert.equal(empty.headers.get("content-length"), "0");
  const written = await serve(app(H), { target: "/x" });
  assert.equal(written.text(), "kept");
  assert.equal((await serve(app(H), { target: "/empty" })).text(), "");
});
