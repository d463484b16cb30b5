import assert from "node:assert/strict";
import { DummyChannel, type DummyChannelOptions } from "../../testing/mod.ts";
import {
  ErrorPage,
  ForbiddenResource,
  getChildForRequest,
  type IResource,
  NoResource,
  type Request,
  Resource,
  Site,
  UnsupportedMethod,
} from "../../web/mod.ts";

function serve(root: IResource, options: DummyChannelOptions): DummyChannel {
  const channel = new DummyChannel(options);
  channel.serve(new Site(root));
  return channel;
}

class Page extends Resource {
  override isLeaf = true;
  render_GET(): string {
    return "the page";
  }
  render_POST(request: Request): string {
    return `posted ${request.content.length} bytes`;
  }
}

function fakeRequest(method: string, postpath: string[] = []): Request {
  return { method, prepath: [], postpath } as unknown as Request;
}

Deno.test("Resource given a static child and getChild when asked for children then the static child wins and others come from getChild", () => {
  const about = new Resource();
  const made: string[] = [];
  class Root extends Resource {
    override getChild(name: string): IResource {
      made.push(name);
      return new ErrorPage(418, "Teapot", name);
    }
  }
  const root = new Root();
  root.putChild("about", about);
  assert.equal(root.getChildWithDefault("about", fakeRequest("GET")), about);
  const other = root.getChildWithDefault("other", fakeRequest("GET"));
  assert.ok(other instanceof ErrorPage && other.code === 418);
  assert.deepEqual(made, ["other"]);
});

Deno.test("Resource given no getChild override when asked for an unknown child then returns a NoResource", () => {
  assert.ok(
    new Resource().getChild("x", fakeRequest("GET")) instanceof NoResource,
  );
});

Deno.test("Resource.putChild given a path with a slash when called then throws TypeError", () => {
  assert.throws(
    () => new Resource().putChild("a/b", new Resource()),
    TypeError,
  );
});

Deno.test("getChildForRequest given a leaf in the middle of the path when traversing then stops there with the rest in postpath", () => {
  const root = new Resource();
  const dir = new Resource();
  const leaf = new Page();
  root.putChild("dir", dir);
  dir.putChild("leaf", leaf);
  const request = fakeRequest("GET", ["dir", "leaf", "x", "y"]);
  assert.equal(getChildForRequest(root, request), leaf);
  assert.deepEqual(request.prepath, ["dir", "leaf"]);
  assert.deepEqual(request.postpath, ["x", "y"]);
});

Deno.test("getChildForRequest given a prepath with segments when traversing then appends to that same array", () => {
  const root = new Resource();
  root.putChild("a", new Page());
  const request = fakeRequest("GET", ["a"]);
  const prepath = ["site"];
  request.prepath = prepath;
  getChildForRequest(root, request);
  assert.equal(request.prepath, prepath);
  assert.deepEqual(prepath, ["site", "a"]);
});

Deno.test("Resource.render given a method with a render_ function when rendered then calls it, the method name being data", () => {
  class Purgeable extends Resource {
    render_PURGE(): string {
      return "purged";
    }
  }
  assert.equal(new Purgeable().render(fakeRequest("PURGE")), "purged");
});

Deno.test("Resource.render given a method without renderer when rendered then throws UnsupportedMethod with the sorted allowed methods", () => {
  assert.throws(
    () => new Page().render(fakeRequest("DELETE")),
    (error) =>
      error instanceof UnsupportedMethod &&
      error.allowedMethods.join() === "GET,HEAD,POST",
  );
});

Deno.test("Resource.render given allowedMethods set when a method is missing then reports those methods", () => {
  const page = new Page();
  page.allowedMethods = ["GET"];
  assert.throws(
    () => page.render(fakeRequest("PUT")),
    (error) =>
      error instanceof UnsupportedMethod &&
      error.allowedMethods.join() === "GET",
  );
});

Deno.test("Site given a method the resource does not render when requested then answers 405 with Allow", () => {
  const channel = serve(new Page(), { method: "DELETE", target: "/" });
  assert.equal(channel.code, 405);
  assert.equal(channel.responseHeaders?.get("allow"), "GET, HEAD, POST");
  assert.match(channel.text(), /I only allow the methods GET, HEAD, POST here/);
});

Deno.test("Site given a method HTTP does not define and no renderer when requested then answers 501", () => {
  const channel = serve(new Page(), { method: "BREW", target: "/" });
  assert.equal(channel.code, 501);
  assert.equal(channel.responseHeaders?.hasHeader("allow"), false);
});

Deno.test("Site given HEAD on a resource with only render_GET when requested then sends the GET headers without the body", () => {
  const channel = serve(new Page(), { method: "HEAD", target: "/" });
  assert.equal(channel.code, 200);
  assert.equal(channel.responseHeaders?.get("content-length"), "8");
  assert.equal(channel.written.length, 0);
  assert.equal(channel.finished, true);
});

Deno.test("Site given HEAD on a resource with render_HEAD when requested then calls render_HEAD", () => {
  let called = "";
  class Both extends Page {
    render_HEAD(): string {
      called = "HEAD";
      return "";
    }
  }
  serve(new Both(), { method: "HEAD", target: "/" });
  assert.equal(called, "HEAD");
});

Deno.test("Site given a path with no child when requested then answers 404 with NoResource's page", () => {
  const channel = serve(new Resource(), { target: "/missing" });
  assert.equal(channel.code, 404);
  assert.match(channel.text(), /No Such Resource/);
  assert.equal(
    channel.responseHeaders?.get("content-type"),
    "text/html; charset=utf-8",
  );
});

Deno.test("ErrorPage given markup in its detail when rendered then escapes it", () => {
  const channel = serve(new ErrorPage(400, "Bad <b>", "<script>x</script>"), {
    target: "/",
  });
  assert.equal(channel.code, 400);
  assert.doesNotMatch(channel.text(), /<script>|<b>/);
  assert.match(channel.text(), /&lt;script&gt;/);
});

Deno.test("ErrorPage given a deeper path when traversed then is its own child", () => {
  const page = new ErrorPage(410, "Gone", "gone");
  const root = new Resource();
  root.putChild("old", page);
  const channel = serve(root, { target: "/old/a/b" });
  assert.equal(channel.code, 410);
});

Deno.test("ForbiddenResource given any request when rendered then answers 403", () => {
  const channel = serve(new ForbiddenResource(), {
    method: "POST",
    target: "/",
  });
  assert.equal(channel.code, 403);
});
