import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { DummyChannel, type DummyChannelOptions } from "../../testing/mod.ts";
import {
  Data,
  EncodingResourceWrapper,
  GzipEncoderFactory,
  NOT_DONE_YET,
  type Request,
  Resource,
  Site,
} from "../../web/mod.ts";
import { text } from "../_support/mod.ts";
import { listenSite } from "./_site_server.ts";

const PAGE = "Twisted and Tornado, on Deno. ".repeat(100);

class Pieces extends Resource {
  override isLeaf = true;
  render_GET(request: Request): typeof NOT_DONE_YET {
    request.setHeader("Content-Type", "text/plain");
    request.write("first piece, ");
    queueMicrotask(() => {
      request.write("second piece");
      request.finish();
    });
    return NOT_DONE_YET;
  }
}

function wrapped(): Resource {
  const root = new Resource();
  const gzip = [new GzipEncoderFactory()];
  root.putChild(
    "page",
    new EncodingResourceWrapper(new Data(PAGE, "text/plain"), gzip),
  );
  root.putChild("pieces", new EncodingResourceWrapper(new Pieces(), gzip));
  return root;
}

async function serve(options: DummyChannelOptions): Promise<DummyChannel> {
  const channel = new DummyChannel(options);
  channel.serve(new Site(wrapped()));
  await channel.notifyFinish();
  return channel;
}

Deno.test("EncodingResourceWrapper given a client accepting gzip when a page is rendered then the body is gzip without Content-Length", async () => {
  const channel = await serve({
    target: "/page",
    headers: { "Accept-Encoding": "deflate, gzip" },
  });
  const headers = channel.responseHeaders!;
  assert.equal(headers.get("content-encoding"), "gzip");
  assert.equal(headers.get("vary"), "Accept-Encoding");
  assert.equal(headers.hasHeader("content-length"), false);
  assert.ok(channel.body().length < PAGE.length / 4);
  assert.equal(text(gunzipSync(channel.body())), PAGE);
});

Deno.test("EncodingResourceWrapper given a client not accepting gzip when rendered then the body is sent as it is", async () => {
  for (const accept of [undefined, "deflate", "gzip;q=0", "x-gzip"]) {
    const channel = await serve({
      target: "/page",
      headers: accept === undefined ? {} : { "Accept-Encoding": accept },
    });
    assert.equal(
      channel.responseHeaders?.hasHeader("content-encoding"),
      false,
      accept,
    );
    assert.equal(
      channel.responseHeaders?.get("content-length"),
      String(PAGE.length),
    );
    assert.equal(channel.text(), PAGE);
  }
});

Deno.test("EncodingResourceWrapper given NOT_DONE_YET writes in pieces when gzipped then the pieces form one gzip stream", async () => {
  const channel = await serve({
    target: "/pieces",
    headers: { "Accept-Encoding": "gzip" },
  });
  assert.ok(channel.written.length >= 2);
  assert.equal(text(gunzipSync(channel.body())), "first piece, second piece");
});

Deno.test("GzipEncoderFactory given a compressLevel outside 0 to 9 when constructed then throws RangeError", () => {
  assert.throws(
    () => new GzipEncoderFactory({ compressLevel: 10 }),
    RangeError,
  );
  assert.throws(
    () => new GzipEncoderFactory({ compressLevel: 1.5 }),
    RangeError,
  );
  assert.equal(new GzipEncoderFactory({ compressLevel: 0 }).compressLevel, 0);
});

Deno.test("EncodingResourceWrapper given Deno fetch over TCP when it asks for gzip then fetch decodes the page", async () => {
  await using server = listenSite(wrapped());
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`${server.url}/pieces`, {
      client,
      headers: { "Accept-Encoding": "gzip" },
    });
    assert.equal(response.headers.get("content-encoding"), "gzip");
    assert.equal(await response.text(), "first piece, second piece");
  } finally {
    client.close();
  }
});
