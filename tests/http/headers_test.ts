import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  getByKey,
  hasKey,
  Headers,
  rawFields,
  valueCount,
} from "../../http/headers.ts";

Deno.test("Headers given no init when created then it is empty", () => {
  assertEquals([...new Headers().getAllRawHeaders()], []);
});

Deno.test("Headers given a record of strings and arrays when created then each name holds its values", () => {
  const headers = new Headers({
    Accept: "text/html",
    "Set-Cookie": ["a=1", "b=2"],
  });
  assertEquals(headers.getRawHeaders("Accept"), ["text/html"]);
  assertEquals(headers.getRawHeaders("Set-Cookie"), ["a=1", "b=2"]);
});

Deno.test("Headers given pairs with a repeated name when created then the values accumulate in order", () => {
  const headers = new Headers([["Via", "a"], ["Host", "h"], ["via", "b"]]);
  assertEquals(headers.getRawHeaders("VIA"), ["a", "b"]);
});

Deno.test("Headers given another Headers when created from it then it copies every value", () => {
  const original = new Headers({ A: ["1", "2"], B: "3" });
  const copy = new Headers(original);
  assertEquals([...copy.getAllRawHeaders()], [["A", ["1", "2"]], ["B", ["3"]]]);
});

Deno.test("Headers given a name in one case when looked up in another then it is found", () => {
  const headers = new Headers({ "Content-Type": "text/plain" });
  assert(headers.hasHeader("content-type"));
  assert(headers.hasHeader("CONTENT-TYPE"));
  assertEquals(headers.getRawHeaders("cOnTeNt-TyPe"), ["text/plain"]);
});

Deno.test("Headers given an absent name when getRawHeaders is called without a default then it returns undefined", () => {
  assertEquals(new Headers().getRawHeaders("X-Missing"), undefined);
});

Deno.test("Headers given an absent name when getRawHeaders is called with a default then it returns the default", () => {
  const fallback = ["d"];
  assertEquals(new Headers().getRawHeaders("X-Missing", fallback), fallback);
  assertEquals(new Headers().getRawHeaders("X-Missing", null), null);
});

Deno.test("Headers given a present name when getRawHeaders is called with a default then it returns the values", () => {
  assertEquals(new Headers({ A: "1" }).getRawHeaders("a", []), ["1"]);
});

Deno.test("Headers given the array from getRawHeaders when it is changed then the collection is not", () => {
  const headers = new Headers({ A: "1" });
  headers.getRawHeaders("A")?.push("2");
  assertEquals(headers.getRawHeaders("A"), ["1"]);
});

Deno.test("Headers given existing values when setRawHeaders is called then they are replaced", () => {
  const headers = new Headers({ A: ["1", "2"] });
  headers.setRawHeaders("a", ["3"]);
  assertEquals(headers.getRawHeaders("A"), ["3"]);
});

Deno.test("Headers given setRawHeaders with a new capitalisation when serialised then the new capitalisation is used", () => {
  const headers = new Headers({ "content-type": "a" });
  headers.setRawHeaders("Content-Type", ["b"]);
  assertEquals([...headers.getAllRawHeaders()], [["Content-Type", ["b"]]]);
});

Deno.test("Headers given addRawHeader to an existing name in another case when serialised then the first capitalisation is kept", () => {
  const headers = new Headers({ "X-Trace": "a" });
  headers.addRawHeader("x-trace", "b");
  assertEquals([...headers.getAllRawHeaders()], [["X-Trace", ["a", "b"]]]);
});

Deno.test("Headers given the array passed to setRawHeaders when it is changed later then the collection is not", () => {
  const values = ["1"];
  const headers = new Headers();
  headers.setRawHeaders("A", values);
  values.push("2");
  assertEquals(headers.getRawHeaders("A"), ["1"]);
});

Deno.test("Headers given setRawHeaders with an empty list when read then the name is present with no values", () => {
  const headers = new Headers();
  headers.setRawHeaders("A", []);
  assert(headers.hasHeader("a"));
  assertEquals(headers.getRawHeaders("a"), []);
  assertEquals([...headers], []);
});

Deno.test("Headers given setRawHeaders with a non-array when called then it throws TypeError", () => {
  const headers = new Headers();
  assertThrows(
    () => headers.setRawHeaders("A", "1" as unknown as string[]),
    TypeError,
    "must be an array",
  );
});

Deno.test("Headers given a present name when removeHeader is called in another case then every value is gone", () => {
  const headers = new Headers({ A: ["1", "2"], B: "3" });
  headers.removeHeader("a");
  assert(!headers.hasHeader("A"));
  assertEquals([...headers.getAllRawHeaders()], [["B", ["3"]]]);
});

Deno.test("Headers given an absent name when removeHeader is called then nothing happens", () => {
  const headers = new Headers({ A: "1" });
  headers.removeHeader("B");
  assertEquals([...headers], [["A", "1"]]);
});

Deno.test("Headers given names added in some order when getAllRawHeaders is iterated then names come in first-appearance order", () => {
  const headers = new Headers();
  headers.addRawHeader("Z", "1");
  headers.addRawHeader("A", "2");
  headers.addRawHeader("z", "3");
  assertEquals([...headers.getAllRawHeaders()], [["Z", ["1", "3"]], ["A", [
    "2",
  ]]]);
});

Deno.test("Headers given a copy when the copy changes then the original does not", () => {
  const original = new Headers({ A: "1" });
  const copy = original.copy();
  copy.addRawHeader("A", "2");
  copy.addRawHeader("B", "3");
  assertEquals([...original], [["A", "1"]]);
  assertEquals([...copy], [["A", "1"], ["A", "2"], ["B", "3"]]);
});

Deno.test("Headers given several values when get is called then they are joined with a comma as Tornado does", () => {
  const headers = new Headers({ "Cache-Control": ["no-cache", "no-store"] });
  assertEquals(headers.get("cache-control"), "no-cache,no-store");
});

Deno.test("Headers given one value or none when get is called then it returns the value or undefined", () => {
  const headers = new Headers({ A: "1" });
  assertEquals(headers.get("a"), "1");
  assertEquals(headers.get("b"), undefined);
});

Deno.test("Headers given an absent name when getList is called then it returns an empty array", () => {
  assertEquals(new Headers().getList("Set-Cookie"), []);
  assertEquals(
    new Headers({ "Set-Cookie": ["a", "b"] }).getList("set-cookie"),
    ["a", "b"],
  );
});

Deno.test("Headers given multi-valued fields when iterated then one pair comes per value", () => {
  const headers = new Headers({ A: ["1", "2"], B: "3" });
  assertEquals([...headers], [["A", "1"], ["A", "2"], ["B", "3"]]);
});

for (
  const [description, value] of [
    ["a CR", "a\rb"],
    ["an LF", "a\nb"],
    ["a CRLF injection", "x\r\nInjected: yes"],
    ["a NUL", "a\0b"],
    ["a character above U+00FF", "snow \u2603"],
  ]
) {
  Deno.test(`Headers given a value with ${description} when added, set or passed to the constructor then it throws TypeError`, () => {
    const headers = new Headers();
    assertThrows(
      () => headers.addRawHeader("X", value),
      TypeError,
      "must be latin-1 without CR, LF or NUL",
    );
    assertThrows(() => headers.setRawHeaders("X", ["ok", value]), TypeError);
    assertThrows(() => new Headers({ X: value }), TypeError);
    assertEquals([...headers], []);
  });
}

for (
  const [description, name] of [
    ["an empty name", ""],
    ["a space", "X Y"],
    ["a colon", "X:Y"],
    ["a CRLF", "X\r\nY"],
    ["a non-ASCII letter", "X-Caf\xe9"],
    ["a trailing space", "X "],
  ]
) {
  Deno.test(`Headers given a name with ${description} when added then it throws TypeError`, () => {
    assertThrows(
      () => new Headers().addRawHeader(name, "v"),
      TypeError,
      "must be a non-empty HTTP token",
    );
    assertThrows(() => new Headers().setRawHeaders(name, ["v"]), TypeError);
  });
}

Deno.test("Headers given a value set many times when a value that differs by a CRLF is set then it throws TypeError", () => {
  const headers = new Headers();
  for (let i = 0; i < 8; i++) headers.setRawHeaders("X", ["a b"]);
  assertThrows(() => headers.setRawHeaders("X", ["a\r\nb"]), TypeError);
  assertEquals(headers.get("x"), "a b");
});

Deno.test("Headers given latin-1 characters and tabs in a value when added then they are accepted", () => {
  const headers = new Headers({ X: "caf\xe9\tok\xff" });
  assertEquals(headers.get("x"), "caf\xe9\tok\xff");
});

Deno.test("Headers given every token character in a name when added then it is accepted", () => {
  const name = "!#$%&'*+-.^_`|~09azAZ";
  const headers = new Headers();
  headers.addRawHeader(name, "v");
  assertEquals(headers.getRawHeaders(name), ["v"]);
});

Deno.test("Headers given more distinct names than its name cache holds when each is set and read in any case then every name keeps its own values", () => {
  const headers = new Headers();
  for (let i = 0; i < 1500; i++) headers.setRawHeaders(`X-Name-${i}`, [`${i}`]);
  for (let i = 0; i < 1500; i++) {
    assertEquals(headers.get(`x-NAME-${i}`), `${i}`);
    assert(headers.hasHeader(`X-NAME-${i}`));
  }
  assertEquals([...headers.getAllRawHeaders()].length, 1500);
});

Deno.test("Headers given an invalid name used twice when added then it throws both times", () => {
  for (let i = 0; i < 2; i++) {
    assertThrows(
      () => new Headers().setRawHeaders("Bad Name", ["v"]),
      TypeError,
      "must be a non-empty HTTP token",
    );
  }
});

Deno.test("getByKey and hasKey given fields set under any case when read by lower-cased keys then answer as get and hasHeader do", () => {
  const headers = new Headers([["Content-Type", "text/plain"], ["Via", "a"], [
    "VIA",
    "b",
  ]]);
  assertEquals(getByKey(headers, "content-type"), "text/plain");
  assertEquals(getByKey(headers, "via"), headers.get("Via"));
  assertEquals(getByKey(headers, "via"), "a,b");
  assertEquals(getByKey(headers, "etag"), undefined);
  assertEquals(hasKey(headers, "content-type"), true);
  assertEquals(hasKey(headers, "etag"), false);
});

Deno.test("valueCount given a field with two values, one with one and an absent one when counted then answers 2, 1 and 0", () => {
  const headers = new Headers([["Via", "a"], ["Host", "h"], ["VIA", "b"]]);
  assertEquals(valueCount(headers, "via"), 2);
  assertEquals(valueCount(headers, "host"), 1);
  assertEquals(valueCount(headers, "etag"), 0);
});

Deno.test("Headers given two empty collections when a field is added to one then the other stays empty", () => {
  const first = new Headers();
  const second = new Headers();
  first.addRawHeader("A", "1");
  second.removeHeader("A");
  assertEquals(first.get("a"), "1");
  assert(!second.hasHeader("a"));
  assertEquals([...second.getAllRawHeaders()], []);
  assertEquals([...new Headers()], []);
});

Deno.test("Headers given an empty collection when its copy gets a field then the original stays empty", () => {
  const original = new Headers();
  const copy = original.copy();
  copy.setRawHeaders("B", ["2"]);
  assertEquals(copy.get("b"), "2");
  assert(!original.hasHeader("b"));
});

Deno.test("rawFields given fields added in order when read then gives each name once with its values", () => {
  const headers = new Headers([["Accept", "a"], ["Host", "h"], [
    "accept",
    "b",
  ]]);
  const fields = [...rawFields(headers)].map(({ name, values }) => [
    name,
    [...values],
  ]);
  assertEquals(fields, [["Accept", ["a", "b"]], ["Host", ["h"]]]);
});

/** The names of `headers` in order, each with its values joined by `|`. */
function listing(headers: Headers): string[] {
  return [...headers.getAllRawHeaders()].map(([name, values]) =>
    `${name}=${values.join("|")}`
  );
}

Deno.test("Headers given the first, a middle and the last field when each is removed then the others keep their order and a field added after goes last", () => {
  const headers = new Headers([["A", "1"], ["B", "2"], ["C", "3"], [
    "D",
    "4",
  ]]);
  headers.removeHeader("a");
  headers.removeHeader("c");
  headers.removeHeader("d");
  assertEquals(listing(headers), ["B=2"]);
  headers.addRawHeader("E", "5");
  headers.addRawHeader("A", "6");
  assertEquals(listing(headers), ["B=2", "E=5", "A=6"]);
  headers.removeHeader("b");
  headers.removeHeader("e");
  headers.removeHeader("a");
  assertEquals(listing(headers), []);
  headers.addRawHeader("F", "7");
  assertEquals(listing(headers), ["F=7"]);
});

Deno.test("Headers given a field in the middle when setRawHeaders replaces it then it keeps its place with the new name and values", () => {
  const headers = new Headers([["A", "1"], ["B", "2"], ["C", "3"]]);
  headers.setRawHeaders("b", ["x", "y"]);
  assertEquals(listing(headers), ["A=1", "b=x|y", "C=3"]);
});

Deno.test("Headers given more fields than it searches in order when fields are added, set, removed and copied then each is found and the order is kept", () => {
  const headers = new Headers();
  for (let i = 0; i < 40; i++) headers.addRawHeader(`X-${i}`, String(i));
  headers.addRawHeader("x-7", "again");
  headers.setRawHeaders("X-20", ["set"]);
  headers.removeHeader("x-0");
  headers.removeHeader("X-39");
  headers.removeHeader("x-missing");
  assertEquals(headers.getRawHeaders("X-7"), ["7", "again"]);
  assertEquals(headers.get("x-20"), "set");
  assert(!headers.hasHeader("x-0") && !headers.hasHeader("x-39"));
  headers.addRawHeader("X-0", "back");
  const names = listing(headers).map((line) => line.split("=")[0]);
  assertEquals(names.length, 39);
  assertEquals(names[0], "X-1");
  assertEquals(names.at(-1), "X-0");
  const copy = headers.copy();
  copy.removeHeader("x-1");
  assertEquals(listing(copy), listing(headers).slice(1));
  assertEquals(getByKey(copy, "x-38"), "38");
});

Deno.test("Headers given a field removed while getAllRawHeaders walks the fields when the walk goes on then it gives the fields after it", () => {
  const headers = new Headers([["A", "1"], ["B", "2"], ["C", "3"]]);
  const seen: string[] = [];
  for (const [name] of headers.getAllRawHeaders()) {
    seen.push(name);
    if (name === "B") headers.removeHeader("B");
  }
  assertEquals(seen, ["A", "B", "C"]);
  assertEquals(listing(headers), ["A=1", "C=3"]);
});
