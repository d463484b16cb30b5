import assert from "node:assert/strict";
import { CheckedStrings } from "../../_util/checked_strings.ts";

Deno.test("CheckedStrings given a string added when asked then has it", () => {
  const checked = new CheckedStrings();
  checked.add("text/plain");
  assert.ok(checked.has("text/plain"));
});

Deno.test("CheckedStrings given a string never added when asked then has it not", () => {
  const checked = new CheckedStrings();
  checked.add("text/plain");
  assert.ok(!checked.has("text/html"));
});

Deno.test("CheckedStrings given an equal string made apart when asked then has it", () => {
  const checked = new CheckedStrings();
  checked.add(["applica", "tion/json"].join(""));
  assert.ok(checked.has("application/json"));
});

Deno.test("CheckedStrings given five strings added when asked then has forgotten the oldest only", () => {
  const checked = new CheckedStrings();
  for (const text of ["a", "b", "c", "d", "e"]) checked.add(text);
  assert.ok(!checked.has("a"));
  for (const text of ["b", "c", "d", "e"]) assert.ok(checked.has(text), text);
});
