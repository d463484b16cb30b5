import assert from "node:assert/strict";

// In Deno `console.assert` prints and never throws, so a doc example checked
// with it passes `deno test --doc` whatever it claims. Examples use
// `node:assert/strict` instead; these tests keep it that way.

const ROOT = new URL("../../", import.meta.url);

// Every library folder, including those still to come, so that they are
// covered from their first commit.
const LIBRARY = [
  "mod.ts",
  "deferred/",
  "reactor/",
  "http/",
  "executor/",
  "testing/",
  "web/",
  "websocket/",
];

const FENCE = /^\s*\*?\s*```/;

/**
 * The 1-based numbers of the lines inside a fenced code block of a JSDoc
 * comment that call `console.assert`.
 */
function consoleAssertsInExamples(source: string): number[] {
  const found: number[] = [];
  let inComment = false;
  let inFence = false;
  source.split("\n").forEach((line, index) => {
    if (!inComment) {
      if (!line.includes("/**")) return;
      inComment = true;
      inFence = false;
    }
    if (FENCE.test(line)) {
      inFence = !inFence;
    } else if (inFence && line.includes("console.assert")) {
      found.push(index + 1);
    }
    if (line.includes("*/")) inComment = false;
  });
  return found;
}

async function* typeScriptFiles(path: URL): AsyncGenerator<URL> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (info.isFile) {
    if (path.pathname.endsWith(".ts")) yield path;
    return;
  }
  for await (const entry of Deno.readDir(path)) {
    const child = new URL(entry.name + (entry.isDirectory ? "/" : ""), path);
    yield* typeScriptFiles(child);
  }
}

Deno.test("Doc examples given the library sources when scanned then none uses console.assert", async () => {
  const files: URL[] = [];
  for (const folder of LIBRARY) {
    for await (const file of typeScriptFiles(new URL(folder, ROOT))) {
      files.push(file);
    }
  }
  assert.ok(files.length > 0, "No library file was found to scan");
  files.sort((a, b) => a.pathname.localeCompare(b.pathname));
  const offenders: string[] = [];
  for (const file of files) {
    const relative = file.pathname.slice(ROOT.pathname.length);
    const source = await Deno.readTextFile(file);
    for (const line of consoleAssertsInExamples(source)) {
      offenders.push(`${relative}:${line}`);
    }
  }
  assert.deepEqual(
    offenders,
    [],
    `Doc examples use console.assert, which never fails in Deno; use node:assert/strict:\n${
      offenders.join("\n")
    }`,
  );
});

Deno.test("Doc examples given console.assert in an @example when scanned then report its line", () => {
  const source = [
    "/**", //                                   1
    " * Doubles.", //                           2
    " *", //                                    3
    " * @example Doubling", //                  4
    " * ```ts", //                              5
    " * console.assert(double(2) === 4);", //   6
    " * ```", //                                7
    " */", //                                   8
    "export const double = (n: number): number => 2 * n;", // 9
  ].join("\n");
  assert.deepEqual(consoleAssertsInExamples(source), [6]);
});

Deno.test("Doc examples given console.assert outside an example's code when scanned then report nothing", () => {
  const source = [
    "/**",
    " * Unlike `console.assert`, the examples use node:assert.",
    " *",
    " * @example Doubling",
    " * ```ts",
    " * assert.equal(double(2), 4);",
    " * ```",
    " */",
    "const note = 'console.assert';",
  ].join("\n");
  assert.deepEqual(consoleAssertsInExamples(source), []);
});
