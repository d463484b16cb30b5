import assert from "node:assert/strict";
import {
  Application,
  ErrorHandler,
  HTTPServerRequest,
  RedirectHandler,
  RequestHandler,
  url,
  URLSpec,
} from "../../web/mod.ts";
import { captureLogs, recordText } from "../_support/mod.ts";
import { serve } from "./_fake_channel.ts";

function named(name: string): typeof RequestHandler {
  return class extends RequestHandler {
    override get(...args: (string | undefined)[]): void {
      this.write(`${name}:${args.join(",")}`);
    }
  };
}

Deno.test("Application given overlapping routes when a path matches several then the first wins", async () => {
  const app = new Application([
    ["/items/new", named("new")],
    ["/items/(\\w+)", named("item")],
  ]);
  assert.equal((await serve(app, { target: "/items/new" })).text(), "new:");
  assert.equal((await serve(app, { target: "/items/7" })).text(), "item:7");
});

Deno.test("Application given a route pattern when matched then it is anchored at both ends", async () => {
  const app = new Application([["/a", named("a")]]);
  await captureLogs(async () => {
    assert.equal((await serve(app, { target: "/a/b" })).code, 404);
    assert.equal((await serve(app, { target: "/x/a" })).code, 404);
  });
  assert.equal((await serve(app, { target: "/a?q=1" })).code, 200);
});

Deno.test("Application given no matching route when requested then answers 404 through ErrorHandler", async () => {
  await captureLogs(async () => {
    const channel = await serve(new Application(), { target: "/nothing" });
    assert.equal(channel.code, 404);
    assert.match(channel.text(), /404: Not Found/);
  });
});

Deno.test("Application given defaultHandlerClass when no route matches then uses it with its args", async () => {
  class Fallback extends RequestHandler {
    label = "";
    override initialize(args: { label: string }): void {
      this.label = args.label;
    }
    override get(): void {
      this.write(this.label);
    }
  }
  const app = new Application([], {
    defaultHandlerClass: Fallback,
    defaultHandlerArgs: { label: "fallback" },
  });
  assert.equal((await serve(app, { target: "/x" })).text(), "fallback");
});

Deno.test("Application given an optional group that does not take part when routed then passes undefined", async () => {
  let args: unknown[] = [];
  class H extends RequestHandler {
    override get(...a: (string | undefined)[]): void {
      args = a;
    }
  }
  await serve(new Application([["/p(/\\d+)?", H]]), { target: "/p" });
  assert.deepEqual(args, [undefined]);
});

Deno.test("Application given named routes when reversed then builds encoded paths", () => {
  const app = new Application([
    ["/items/(\\d+)", RequestHandler, {}, "item"],
    url("/files/(.*)/raw", RequestHandler, {}, "raw"),
    url("/about\\.html", RequestHandler, {}, "about"),
  ]);
  assert.equal(app.reverseUrl("item", 5), "/items/5");
  assert.equal(app.reverseUrl("raw", "a b/c?d"), "/files/a%20b/c%3Fd/raw");
  assert.equal(app.reverseUrl("about"), "/about.html");
});

Deno.test("Application given an unknown route name when reversed then throws RangeError", () => {
  assert.throws(() => new Application().reverseUrl("nope"), RangeError);
});

Deno.test("URLSpec given the wrong number of values when reversed then throws RangeError", () => {
  assert.throws(
    () => new URLSpec("/a/(\\d+)", RequestHandler).reverse(),
    RangeError,
  );
});

Deno.test("URLSpec given a pattern with alternation when reversed then throws TypeError", () => {
  assert.throws(
    () => new URLSpec("/(a|b)+/x*", RequestHandler).reverse("a"),
    TypeError,
  );
});

Deno.test("URLSpec given a route without groups when matched twice then both matches are the same frozen empty match", () => {
  const spec = new URLSpec("/plain", RequestHandler);
  const first = spec.match("/plain");
  assert.equal(spec.match("/plain"), first);
  assert.deepEqual(first!.pathArgs, []);
  assert.deepEqual(Object.keys(first!.pathKwargs), []);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first!.pathArgs));
  assert.ok(Object.isFrozen(first!.pathKwargs));
  assert.equal(spec.match("/other"), null);
});

Deno.test("URLSpec given escaped groups when matched then match decodes them to bytes and matchEncoded leaves them as in the path", () => {
  const spec = new URLSpec("/f/([^/]+)/(\\w+)?", RequestHandler);
  const encoded = spec.matchEncoded("/f/a%20b/");
  assert.deepEqual(encoded!.pathArgs, ["a%20b", undefined]);
  assert.deepEqual(Object.keys(encoded!.pathKwargs), []);
  const match = spec.match("/f/a%20b+/c");
  assert.deepEqual(match!.pathArgs, [
    new TextEncoder().encode("a b+"),
    new TextEncoder().encode("c"),
  ]);
  assert.equal(spec.matchEncoded("/g/x"), null);
});

Deno.test("URLSpec given a pattern already ending in $ when built then does not add another", () => {
  const spec = new URLSpec("/a$", RequestHandler);
  assert.notEqual(spec.match("/a"), null);
  assert.equal(spec.match("/ab"), null);
});

Deno.test("Application given requests when finished then logs Tornado's access line at the level of the status", async () => {
  class Fail extends RequestHandler {
    override get(): void {
      throw new Error("boom");
    }
  }
  const app = new Application([["/ok", named("ok")], ["/fail", Fail]]);
  const records = await captureLogs(async () => {
    await serve(app, { target: "/ok?x=1" });
    await serve(app, { target: "/missing" });
    await serve(app, { target: "/fail" });
  });
  const access = records.filter((r) =>
    r.category.join(".") === "torsion.access"
  );
  assert.deepEqual(access.map((r) => r.level), ["info", "warning", "error"]);
  assert.match(
    recordText(access[0]),
    /^200 GET \/ok\?x=1 \(10\.0\.0\.7\) \d+\.\d\dms$/,
  );
  assert.match(recordText(access[1]), /^404 GET \/missing /);
});

Deno.test("Application given a logFunction when a request finishes then calls it instead of the access log", async () => {
  const seen: number[] = [];
  const app = new Application([["/", named("root")]], {
    logFunction: (handler) => seen.push(handler.getStatus()),
  });
  const records = await captureLogs(() => serve(app).then(() => {}));
  assert.deepEqual(seen, [200]);
  assert.equal(
    records.filter((r) => r.category.join(".") === "torsion.access").length,
    0,
  );
});

Deno.test("Application given an absolute-form target when routed then matches on its path", async () => {
  const app = new Application([["/abs", named("abs")]]);
  const channel = await serve(app, { target: "http://example.com/abs?x=1" });
  assert.equal(channel.text(), "abs:");
});

Deno.test("ErrorHandler given a status when routed then answers it for every method", async () => {
  const app = new Application([["/gone", ErrorHandler, { statusCode: 410 }]]);
  await captureLogs(async () => {
    assert.equal((await serve(app, { target: "/gone" })).code, 410);
    assert.equal(
      (await serve(app, { target: "/gone", method: "POST" })).code,
      410,
    );
  });
});

Deno.test("RedirectHandler given groups and a query when requested then redirects with them", async () => {
  const app = new Application([
    ["/old/(\\w+)", RedirectHandler, { url: "/new/{0}" }],
    ["/tmp", RedirectHandler, { url: "/elsewhere?a=1", permanent: false }],
  ]);
  const permanent = await serve(app, { target: "/old/x?y=2" });
  assert.equal(permanent.code, 301);
  assert.equal(permanent.headers.get("location"), "/new/x?y=2");
  const temporary = await serve(app, { target: "/tmp?b=2" });
  assert.equal(temporary.code, 302);
  assert.equal(temporary.headers.get("location"), "/elsewhere?a=1&b=2");
});

Deno.test("HTTPServerRequest given a request head when built then exposes Tornado's fields", () => {
  const request = new HTTPServerRequest({
    method: "POST",
    uri: "/p/a?x=1&y",
    version: "HTTP/1.1",
    remoteIp: "10.1.1.1",
    protocol: "https",
  });
  assert.equal(request.path, "/p/a");
  assert.equal(request.query, "x=1&y");
  assert.equal(request.host, "127.0.0.1");
  assert.equal(request.hostName, "127.0.0.1");
  assert.deepEqual(Object.keys(request.arguments), ["x", "y"]);
  assert.equal(request.fullUrl(), "https://127.0.0.1/p/a?x=1&y");
  assert.ok(request.requestTime() >= 0);
});

Deno.test("HTTPServerRequest given a Host with a port when built then hostName drops it", () => {
  const request = new HTTPServerRequest({ host: "Example.COM:8080" });
  assert.equal(request.hostName, "example.com");
});

Deno.test("HTTPServerRequest given a query over the field limit when built then parseBody throws", () => {
  const request = new HTTPServerRequest({
    uri: "/?a=1&b=2&c=3",
    limits: { maxFields: 2 },
  });
  assert.deepEqual(Object.keys(request.queryArguments), []);
  assert.throws(() => request.parseBody(), /Too many fields/);
});

Deno.test("Application given a query over the field limit when requested then answers 400", async () => {
  const target = "/?" +
    Array.from({ length: 10_001 }, (_, i) => `a${i}=1`).join("&");
  await captureLogs(async () => {
    const channel = await serve(new Application([["/", named("x")]]), {
      target,
    });
    assert.equal(channel.code, 400);
  });
});

Deno.test("Application given addHandlers for a host when its host is requested then its routes come first", async () => {
  const app = new Application([["/(.*)", named("any")]]);
  app.addHandlers("api\\.example\\.com", [["/v1/(.*)", named("api")]]);
  const api = await serve(app, {
    target: "/v1/x",
    headers: { Host: "API.example.com:8080" },
  });
  assert.equal(api.text(), "api:x");
  const other = await serve(app, {
    target: "/v1/x",
    headers: { Host: "www.example.com" },
  });
  assert.equal(other.text(), "any:v1/x");
});

Deno.test("Application given a host rule without a matching path when requested then falls through to the next rules", async () => {
  const app = new Application([["/fallback", named("wild")]]);
  app.addHandlers(".*", [["/only", named("host")]]);
  assert.equal((await serve(app, { target: "/fallback" })).text(), "wild:");
  assert.equal((await serve(app, { target: "/only" })).text(), "host:");
});

Deno.test("Application given a named route in addHandlers when reversed then finds it", () => {
  const app = new Application();
  app.addHandlers(".*", [url("/u/(\\w+)", RequestHandler, {}, "user")]);
  assert.equal(app.reverseUrl("user", "ann"), "/u/ann");
});
