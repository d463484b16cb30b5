import assert from "node:assert/strict";
import {
  Application,
  createSignedValue,
  decodeSignedValue,
  HTTPServerRequest,
  RequestHandler,
} from "../../web/mod.ts";
import { Headers } from "../../http/headers.ts";
import { hasTornado, PYTHON, reportMissing, runPeer } from "./_peers.ts";

const text = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : new TextDecoder().decode(bytes);
reportMissing(hasTornado, "python3 with Tornado");

async function python(code: string): Promise<string> {
  return (await runPeer(PYTHON, ["-c", code])).trim();
}

Deno.test("createSignedValue given a fixed clock when signing then writes Tornado's version 2 fields", async () => {
  const signed = await createSignedValue("secret", "user", "alice", {
    clock: () => 1300000000,
  });
  assert.match(
    signed,
    /^2\|1:0\|10:1300000000\|4:user\|8:YWxpY2U=\|[0-9a-f]{64}$/,
  );
});

Deno.test("decodeSignedValue given a value it signed when read then returns the original bytes", async () => {
  const signed = await createSignedValue(
    "secret",
    "n",
    new Uint8Array([0, 255, 1]),
  );
  assert.deepEqual([...(await decodeSignedValue("secret", "n", signed))!], [
    0,
    255,
    1,
  ]);
});

Deno.test("decodeSignedValue given a tampered value when read then returns null", async () => {
  const signed = await createSignedValue("secret", "user", "alice");
  const forged = signed.replace("YWxpY2U=", "bWFsbG9y");
  assert.equal(await decodeSignedValue("secret", "user", forged), null);
  const flipped = signed.slice(0, -1) + (signed.endsWith("0") ? "1" : "0");
  assert.equal(await decodeSignedValue("secret", "user", flipped), null);
});

Deno.test("decodeSignedValue given another secret or name when read then returns null", async () => {
  const signed = await createSignedValue("secret", "user", "alice");
  assert.equal(await decodeSignedValue("other", "user", signed), null);
  assert.equal(await decodeSignedValue("secret", "admin", signed), null);
});

Deno.test("decodeSignedValue given a value older than maxAgeDays when read then returns null", async () => {
  const signed = await createSignedValue("s", "n", "v", {
    clock: () => 1_000_000,
  });
  const day = 86400;
  assert.equal(
    text(
      await decodeSignedValue("s", "n", signed, {
        clock: () => 1_000_000 + 30 * day,
      }),
    ),
    "v",
  );
  assert.equal(
    await decodeSignedValue("s", "n", signed, {
      clock: () => 1_000_000 + 32 * day,
    }),
    null,
  );
  assert.equal(
    await decodeSignedValue("s", "n", signed, {
      clock: () => 1_000_000 + 2 * day,
      maxAgeDays: 1,
    }),
    null,
  );
});

Deno.test("decodeSignedValue given malformed values when read then returns null without throwing", async () => {
  for (
    const value of [
      "",
      "2|",
      "2|x:0|",
      "2|1:0|10:123|",
      "1|abc",
      "2|1:0|3:abc|1:n|1:v|zz",
      undefined,
      null,
    ]
  ) {
    assert.equal(await decodeSignedValue("s", "n", value), null, String(value));
  }
});

Deno.test("decodeSignedValue given a versioned secret when read then picks the key by version", async () => {
  const secrets = { 0: "old", 1: "new" };
  const signed = await createSignedValue(secrets, "n", "v", { keyVersion: 1 });
  assert.match(signed, /^2\|1:1\|/);
  assert.equal(text(await decodeSignedValue(secrets, "n", signed)), "v");
  assert.equal(await decodeSignedValue({ 0: "old" }, "n", signed), null);
});

Deno.test("createSignedValue given a versioned secret without keyVersion when signing then throws TypeError", async () => {
  await assert.rejects(createSignedValue({ 0: "a" }, "n", "v"), TypeError);
});

Deno.test("RequestHandler given a secure cookie set then sent back when read then returns the value", async () => {
  const app = new Application([], { cookieSecret: "k" });
  const setter = new RequestHandler(app, new HTTPServerRequest());
  await setter.setSecureCookie("user", "ann");
  const header = setter.pendingCookies()[0];
  const cookie = header.slice(0, header.indexOf(";"));
  const reader = new RequestHandler(
    app,
    new HTTPServerRequest({ headers: new Headers({ Cookie: cookie }) }),
  );
  assert.equal(await reader.getSecureCookie("user"), "ann");
  assert.equal(await reader.getSecureCookie("missing"), undefined);
});

Deno.test("RequestHandler given a tampered secure cookie when read then returns undefined", async () => {
  const app = new Application([], { cookieSecret: "k" });
  const signed = await createSignedValue("k", "user", "ann");
  const reader = new RequestHandler(
    app,
    new HTTPServerRequest({
      headers: new Headers({
        Cookie: `user="${signed.replace("YW5u", "Ym9i")}"`,
      }),
    }),
  );
  assert.equal(await reader.getSecureCookie("user"), undefined);
});

Deno.test("RequestHandler given no cookieSecret when using secure cookies then throws TypeError", async () => {
  const handler = new RequestHandler(
    new Application(),
    new HTTPServerRequest(),
  );
  await assert.rejects(handler.setSecureCookie("a", "b"), TypeError);
  await assert.rejects(handler.getSecureCookie("a"), TypeError);
});

Deno.test({
  name:
    "decodeSignedValue given a value signed by Tornado 6.2 when read then returns it",
  ignore: !hasTornado,
  async fn(): Promise<void> {
    const signed = await python(
      "from tornado.web import create_signed_value; print(create_signed_value('py secret', 'sid', 'from python').decode())",
    );
    assert.equal(
      text(await decodeSignedValue("py secret", "sid", signed)),
      "from python",
    );
  },
});

Deno.test({
  name:
    "createSignedValue given a value when read by Tornado 6.2 then Tornado accepts it",
  ignore: !hasTornado,
  async fn(): Promise<void> {
    const signed = await createSignedValue("py secret", "sid", "from deno");
    const read = await python(
      `from tornado.web import decode_signed_value; print(decode_signed_value('py secret', 'sid', ${
        JSON.stringify(signed)
      }).decode())`,
    );
    assert.equal(read, "from deno");
  },
});
