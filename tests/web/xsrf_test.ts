import assert from "node:assert/strict";
import { Application, RequestHandler } from "../../web/mod.ts";
import {
  decodeXsrfToken,
  encodeXsrfToken,
  newXsrfToken,
} from "../../web/_xsrf.ts";
import { captureLogs } from "../_support/mod.ts";
import { serve } from "./_fake_channel.ts";
import { hasTornado, PYTHON, reportMissing, runPeer } from "./_peers.ts";

reportMissing(hasTornado, "python3 with Tornado");

class Form extends RequestHandler {
  override get(): void {
    this.write(this.xsrfFormHtml());
  }
  override post(): void {
    this.write("accepted");
  }
}

const app = (): Application =>
  new Application([["/", Form]], { xsrfCookies: true });

async function tokenAndCookie(): Promise<{ token: string; cookie: string }> {
  const page = await serve(app());
  const token = /value="([^"]+)"/.exec(page.text())![1];
  const setCookie = page.headers.getRawHeaders("set-cookie")![0];
  return { token, cookie: setCookie.slice(0, setCookie.indexOf(";")) };
}

Deno.test("xsrfCookies given a POST without a token when served then answers 403 before the method runs", async () => {
  await captureLogs(async () => {
    const channel = await serve(app(), { method: "POST" });
    assert.equal(channel.code, 403);
  });
});

Deno.test("xsrfCookies given the form's token and its cookie when posted then accepts the request", async () => {
  const { token, cookie } = await tokenAndCookie();
  const channel = await serve(app(), {
    method: "POST",
    headers: {
      Cookie: cookie,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: `_xsrf=${encodeURIComponent(token)}`,
  });
  assert.equal(channel.text(), "accepted");
});

Deno.test("xsrfCookies given the token in an X-XSRFToken header when posted then accepts the request", async () => {
  const { token, cookie } = await tokenAndCookie();
  const channel = await serve(app(), {
    method: "POST",
    headers: { Cookie: cookie, "X-XSRFToken": token },
  });
  assert.equal(channel.code, 200);
});

Deno.test("xsrfCookies given a token from another cookie when posted then answers 403", async () => {
  const first = await tokenAndCookie();
  const second = await tokenAndCookie();
  await captureLogs(async () => {
    const channel = await serve(app(), {
      method: "POST",
      headers: { Cookie: first.cookie, "X-XSRFToken": second.token },
    });
    assert.equal(channel.code, 403);
  });
});

Deno.test("xsrfCookies given a malformed token when posted then answers 403", async () => {
  const { cookie } = await tokenAndCookie();
  await captureLogs(async () => {
    const channel = await serve(app(), {
      method: "POST",
      headers: { Cookie: cookie, "X-XSRFToken": "2|zz|zz|1" },
    });
    assert.equal(channel.code, 403);
  });
});

Deno.test("xsrfToken given an existing cookie when read twice on two requests then masks the same token differently", async () => {
  const { token, cookie } = await tokenAndCookie();
  const again = await serve(app(), { headers: { Cookie: cookie } });
  const second = /value="([^"]+)"/.exec(again.text())![1];
  assert.notEqual(second, token);
  assert.deepEqual(
    decodeXsrfToken(second)!.token,
    decodeXsrfToken(token)!.token,
  );
  assert.equal(again.headers.getRawHeaders("set-cookie"), undefined);
});

Deno.test("decodeXsrfToken given a version 1 hex token when decoded then returns its bytes", () => {
  assert.deepEqual([...decodeXsrfToken("00ff10")!.token], [0, 255, 16]);
  assert.equal(decodeXsrfToken("3|a|b|c"), null);
  assert.equal(decodeXsrfToken("not hex"), null);
});

Deno.test("encodeXsrfToken given a raw token when encoded and decoded then round-trips", () => {
  const raw = newXsrfToken();
  const decoded = decodeXsrfToken(encodeXsrfToken(raw))!;
  assert.deepEqual(decoded.token, raw.token);
  assert.equal(decoded.timestamp, raw.timestamp);
});

Deno.test({
  name:
    "encodeXsrfToken given a token when Tornado 6.2 decodes it then reads the same bytes and time",
  ignore: !hasTornado,
  async fn(): Promise<void> {
    const token = encodeXsrfToken({
      version: 2,
      token: new Uint8Array([1, 2, 3, 250]),
      timestamp: 1700000000,
    });
    const out = await runPeer(PYTHON, [
      "-c",
      `from tornado.web import RequestHandler\nv, t, ts = RequestHandler._decode_xsrf_token(None, ${
        JSON.stringify(token)
      })\nprint(v, list(t), ts)`,
    ]);
    assert.equal(out.trim(), "2 [1, 2, 3, 250] 1700000000");
  },
});
