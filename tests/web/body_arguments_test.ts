import assert from "node:assert/strict";
import { Headers } from "../../http/headers.ts";
import {
  type ArgumentMap,
  BodyArgumentsError,
  type BodyArgumentsLimits,
  emptyArguments,
  type FileMap,
  parseBodyArguments,
  parseHeaderParams,
  parseMultipartFormData,
  parseQsBytes,
  unquoteToBytes,
} from "../../web/_body_arguments.ts";
import type { HTTPFile } from "../../web/http_file.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function texts(args: ArgumentMap): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name in args) out[name] = args[name].map((v) => decoder.decode(v));
  return out;
}

/** Parses `body` as multipart with boundary `B` into fresh maps. */
function parseB(body: string, limits?: BodyArgumentsLimits): void {
  parseMultipartFormData(
    "B",
    encoder.encode(body),
    emptyArguments(),
    emptyArguments(),
    limits,
  );
}

function parse(
  contentType: string,
  body: string,
  headers?: Headers,
): { args: ArgumentMap; files: FileMap } {
  const args = emptyArguments<Uint8Array>();
  const files = emptyArguments<HTTPFile>();
  parseBodyArguments(contentType, encoder.encode(body), args, files, headers);
  return { args, files };
}

Deno.test("parseQsBytes given repeated names when parsed then keeps every value in order", () => {
  assert.deepEqual(texts(parseQsBytes("a=1&b=2&a=3")), {
    a: ["1", "3"],
    b: ["2"],
  });
});

Deno.test("parseQsBytes given plus signs and percent escapes when parsed then decodes them", () => {
  assert.deepEqual(texts(parseQsBytes("q=a+b%20c%2B&n%C3%A9=%C3%A9")), {
    q: ["a b c+"],
    "né": ["é"],
  });
});

Deno.test("parseQsBytes given an invalid percent escape when parsed then keeps it as it is", () => {
  assert.deepEqual(texts(parseQsBytes("a=%zz%4")), { a: ["%zz%4"] });
});

Deno.test("parseQsBytes given blank values when keepBlankValues is false then drops them", () => {
  assert.deepEqual(texts(parseQsBytes("a=&b&c=1&&")), { c: ["1"] });
});

Deno.test("parseQsBytes given blank values when keepBlankValues is true then keeps them empty", () => {
  assert.deepEqual(texts(parseQsBytes("a=&b&c=1", true)), {
    a: [""],
    b: [""],
    c: ["1"],
  });
});

Deno.test("parseQsBytes given the name __proto__ when parsed then it is an ordinary argument", () => {
  const args = parseQsBytes("__proto__=x");
  assert.equal(Object.getPrototypeOf(args), null);
  assert.deepEqual(Object.keys(args), ["__proto__"]);
  assert.equal(decoder.decode(args["__proto__"][0]), "x");
});

Deno.test("parseQsBytes given more fields than maxFields when parsed then throws BodyArgumentsError", () => {
  assert.throws(
    () => parseQsBytes("a=1&b=2&c=3", false, { maxFields: 2 }),
    (error: unknown) =>
      error instanceof BodyArgumentsError && /more than 2/.test(error.message),
  );
});

Deno.test("parseQsBytes given non-UTF-8 value bytes when parsed then keeps the raw bytes", () => {
  const args = parseQsBytes("a=%FF");
  assert.deepEqual([...args.a[0]], [0xff]);
});

Deno.test("parseBodyArguments given an urlencoded body when parsed then fills arguments with blank values kept", () => {
  const { args } = parse(
    "application/x-www-form-urlencoded; charset=UTF-8",
    "x=1&y=&x=2",
  );
  assert.deepEqual(texts(args), { x: ["1", "2"], y: [""] });
});

Deno.test("parseBodyArguments given another content type when parsed then leaves the arguments empty", () => {
  const { args } = parse("application/json", '{"a":1}');
  assert.deepEqual(texts(args), {});
});

Deno.test("parseBodyArguments given a form with a Content-Encoding when parsed then throws BodyArgumentsError", () => {
  assert.throws(
    () =>
      parse(
        "application/x-www-form-urlencoded",
        "a=1",
        new Headers({ "Content-Encoding": "gzip" }),
      ),
    BodyArgumentsError,
  );
});

const MULTIPART = [
  "--AaB03x",
  'Content-Disposition: form-data; name="field"',
  "",
  "value one",
  "--AaB03x",
  'Content-Disposition: form-data; name="upload"; filename="a b.txt"',
  "Content-Type: text/plain",
  "",
  "file\r\ncontent",
  "--AaB03x",
  "Content-Disposition: form-data; name=\"upload\"; filename*=UTF-8''%C3%A9t%C3%A9.bin",
  "",
  "",
  "--AaB03x--",
  "",
].join("\r\n");

Deno.test("parseBodyArguments given a multipart body when parsed then fields go to arguments and files to files", () => {
  const { args, files } = parse(
    "multipart/form-data; boundary=AaB03x",
    MULTIPART,
  );
  assert.deepEqual(texts(args), { field: ["value one"] });
  assert.equal(files.upload.length, 2);
  assert.equal(files.upload[0].filename, "a b.txt");
  assert.equal(files.upload[0].contentType, "text/plain");
  assert.equal(decoder.decode(files.upload[0].body), "file\r\ncontent");
  assert.equal(files.upload[1].filename, "été.bin");
  assert.equal(files.upload[1].contentType, "application/unknown");
  assert.equal(files.upload[1].body.length, 0);
});

Deno.test("parseBodyArguments given a quoted boundary when parsed then the quotes are removed", () => {
  const { args } = parse('multipart/form-data; boundary="AaB03x"', MULTIPART);
  assert.deepEqual(texts(args), { field: ["value one"] });
});

Deno.test("parseBodyArguments given multipart without a boundary when parsed then throws BodyArgumentsError", () => {
  assert.throws(
    () => parse("multipart/form-data", MULTIPART),
    /boundary not found/,
  );
});

Deno.test("parseMultipartFormData given no final boundary when parsed then throws BodyArgumentsError", () => {
  const body = MULTIPART.replace("--AaB03x--", "--AaB03x");
  assert.throws(
    () => parse("multipart/form-data; boundary=AaB03x", body),
    /no final boundary/,
  );
});

Deno.test("parseMultipartFormData given a part without a header block when parsed then throws BodyArgumentsError", () => {
  const body = "--B\r\nno headers here\r\n--B--\r\n";
  assert.throws(
    () => parseB(body),
    /without a header block/,
  );
});

Deno.test("parseMultipartFormData given a part without a name when parsed then throws BodyArgumentsError", () => {
  const body = "--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n";
  assert.throws(
    () => parseB(body),
    /without a name/,
  );
});

Deno.test("parseMultipartFormData given a part that is not form-data when parsed then throws BodyArgumentsError", () => {
  const body =
    '--B\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--B--\r\n';
  assert.throws(
    () => parseB(body),
    BodyArgumentsError,
  );
});

Deno.test("parseMultipartFormData given a header line without a colon when parsed then throws BodyArgumentsError", () => {
  const body = "--B\r\nnonsense\r\n\r\nx\r\n--B--\r\n";
  assert.throws(
    () => parseB(body),
    /without a colon/,
  );
});

Deno.test("parseMultipartFormData given more parts than maxFields when parsed then throws BodyArgumentsError", () => {
  const part = '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n';
  const body = part.repeat(3) + "--B--\r\n";
  assert.throws(
    () => parseB(body, { maxFields: 2 }),
    /more than 2 parts/,
  );
});

Deno.test("parseMultipartFormData given part headers over maxPartHeaderSize when parsed then throws BodyArgumentsError", () => {
  const body = `--B\r\nContent-Disposition: form-data; name="a"\r\nX-Long: ${
    "y".repeat(200)
  }\r\n\r\nx\r\n--B--\r\n`;
  assert.throws(
    () => parseB(body, { maxPartHeaderSize: 100 }),
    /over 100 bytes/,
  );
});

Deno.test("parseHeaderParams given quoted values with escapes when parsed then unquotes them", () => {
  const [value, params] = parseHeaderParams(
    'form-data; foo="b\\\\a\\"r"; Name=x',
  );
  assert.equal(value, "form-data");
  assert.equal(params.foo, 'b\\a"r');
  assert.equal(params.name, "x");
});

Deno.test("parseHeaderParams given a semicolon inside quotes when parsed then does not split there", () => {
  const [, params] = parseHeaderParams(
    'form-data; filename="a;b.txt"; name="f"',
  );
  assert.equal(params.filename, "a;b.txt");
  assert.equal(params.name, "f");
});

Deno.test("unquoteToBytes given path segments with and without escapes when decoded then decodes %XX and keeps + and an invalid escape", () => {
  assert.deepEqual(unquoteToBytes("100k.bin"), encoder.encode("100k.bin"));
  assert.deepEqual(
    unquoteToBytes("a+b%20c%2F%zz%4"),
    encoder.encode("a+b c/%zz%4"),
  );
});
