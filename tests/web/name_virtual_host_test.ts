import assert from "node:assert/strict";
import { DummyChannel, type DummyChannelOptions } from "../../testing/mod.ts";
import {
  Data,
  NameVirtualHost,
  type Request,
  Resource,
  Site,
} from "../../web/mod.ts";

class Path extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    return `${request.prepath.join("/")}|${request.postpath.join("/")}`;
  }
}

function vhost(): NameVirtualHost {
  const v = new NameVirtualHost();
  const tree = new Resource();
  tree.putChild("docs", new Data("docs of a", "text/plain"));
  v.addHost("A.example", tree);
  v.addHost("leaf.example", new Path());
  return v;
}

function serve(
  resource: NameVirtualHost,
  options: DummyChannelOptions,
): DummyChannel {
  const channel = new DummyChannel(options);
  channel.serve(new Site(resource));
  return channel;
}

Deno.test("NameVirtualHost given a Host with port and another case when traversed then uses that host's tree", () => {
  const channel = serve(vhost(), {
    target: "/docs",
    headers: { Host: "a.EXAMPLE:8080" },
  });
  assert.equal(channel.text(), "docs of a");
});

Deno.test("NameVirtualHost given an unknown host and no default when requested then answers 404 naming the host escaped", () => {
  const channel = serve(vhost(), {
    target: "/docs",
    headers: { Host: "<evil>" },
  });
  assert.equal(channel.code, 404);
  assert.match(
    channel.text(),
    /host &quot;&lt;evil&gt;&quot; not in vhost map/,
  );
});

Deno.test("NameVirtualHost given a default when an unknown host asks then the default serves it", () => {
  const v = vhost();
  v.default = new Path();
  const channel = serve(v, {
    target: "/x",
    headers: { Host: "other.example" },
  });
  assert.equal(channel.text(), "|x");
});

Deno.test("NameVirtualHost given a leaf host resource when traversed then the leaf sees the whole path in postpath", () => {
  const channel = serve(vhost(), {
    target: "/a/b",
    headers: { Host: "leaf.example" },
  });
  assert.equal(channel.text(), "|a/b");
});

Deno.test("NameVirtualHost given removeHost when the host asks again then it is unknown", () => {
  const v = vhost();
  v.removeHost("a.EXAMPLE");
  assert.equal(
    serve(v, { target: "/docs", headers: { Host: "a.example" } }).code,
    404,
  );
});
