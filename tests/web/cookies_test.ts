import assert from "node:assert/strict";
import {
  formatSetCookie,
  isSafeCookieText,
  parseCookie,
  quoteCookieValue,
  unquoteCookieValue,
} from "../../web/_cookies.ts";

Deno.test("parseCookie given several pairs when parsed then trims names and values", () => {
  assert.deepEqual({ ...parseCookie(" a = 1 ; b=2;c=x=y") }, {
    a: "1",
    b: "2",
    c: "x=y",
  });
});

Deno.test("parseCookie given a pair without an equals sign when parsed then it has an empty name", () => {
  assert.deepEqual({ ...parseCookie("lonely; a=1") }, { "": "lonely", a: "1" });
});

Deno.test("parseCookie given a quoted value when parsed then unquotes it", () => {
  assert.deepEqual({ ...parseCookie('a="x\\"y\\073z"') }, { a: 'x"y;z' });
});

Deno.test("parseCookie given a repeated name when parsed then the last value wins", () => {
  assert.equal(parseCookie("a=1; a=2").a, "2");
});

Deno.test("quoteCookieValue given a token value when quoted then leaves it as it is", () => {
  assert.equal(quoteCookieValue("abc-._~!"), "abc-._~!");
});

Deno.test("quoteCookieValue given base64 padding and a comma when quoted then wraps the value in quotes", () => {
  assert.equal(quoteCookieValue("dmFsdWU="), '"dmFsdWU="');
  assert.equal(quoteCookieValue('a,"b\\'), '"a\\054\\"b\\\\"');
});

Deno.test("unquoteCookieValue given a quoted value when unquoted then reverses quoteCookieValue", () => {
  for (const value of ["dmFsdWU=", 'a,"b\\;c', "plain"]) {
    assert.equal(unquoteCookieValue(quoteCookieValue(value)), value);
  }
});

Deno.test("isSafeCookieText given whitespace or control characters when checked then returns false", () => {
  assert.equal(isSafeCookieText("a b"), false);
  assert.equal(isSafeCookieText("a\x01"), false);
  assert.equal(isSafeCookieText("ab"), true);
});

Deno.test("formatSetCookie given every attribute when formatted then writes them in a fixed order", () => {
  const header = formatSetCookie("sid", "abc", {
    expires: 1359312200,
    domain: "example.com",
    path: "/",
    maxAge: 60,
    comment: "hi",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
  });
  assert.equal(
    header,
    "sid=abc; Expires=Sun, 27 Jan 2013 18:43:20 GMT; Domain=example.com; Path=/; Max-Age=60; Comment=hi; Secure; HttpOnly; SameSite=Lax",
  );
});

Deno.test("formatSetCookie given no attributes when formatted then writes only the pair", () => {
  assert.equal(formatSetCookie("a", "1"), "a=1");
});

Deno.test("formatSetCookie given a path with a semicolon when formatted then throws TypeError", () => {
  assert.throws(
    () => formatSetCookie("a", "1", { path: "/; Secure" }),
    TypeError,
  );
});

Deno.test("formatSetCookie given a non-finite maxAge when formatted then throws TypeError", () => {
  assert.throws(
    () => formatSetCookie("a", "1", { maxAge: Infinity }),
    TypeError,
  );
});
