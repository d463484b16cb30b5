/**
 * The web fuzz harness: raw loopback clients send seeded mutations of
 * valid requests to the two web faces, alternating per variant: a Twisted
 * `Site` (a leaf reading `request.args`, `getCookie` and `content`, a tree
 * whose `getChild` walks any path, a `File` over a temporary directory, a
 * `NOT_DONE_YET` resource, a gzip `EncodingResourceWrapper`) and a Tornado
 * `Application` (handlers reading `getArgument(s)`, `getBodyArgument(s)`,
 * `request.files`, `getCookie`, `getSecureCookie`, regex groups as
 * `pathArgs` and `pathKwargs`, a `StaticFileHandler`, `compressResponse`,
 * a streamed upload (`streamRequestBody`), `authenticated`, XSRF cookies,
 * served with `xheaders` and `decompressRequest`). Both faces route the
 * same paths, so every base request reaches both.
 *
 * Half the variants mutate the request's wire bytes (its framing); the
 * others mutate one part (the method, the target, a header value or the
 * body, with the tokens web parsers care about: percent-escapes, `..`,
 * `&`, `=`, a multipart boundary) and frame it again with the right
 * `Content-Length`, so the mutation reaches the argument, cookie, form and
 * path parsers above HTTP. A few clients close right after writing (while
 * a handler is still at work), and a few ask for a large streamed file
 * first and stop reading, so the write timeout aborts the response.
 *
 * Every connection must end within the server's timeouts with well-formed
 * responses whose statuses are expected, never a 500 (a handler or the
 * framework threw on client input), and no response may carry bytes from
 * outside the static directory; nothing may go unhandled or be logged as
 * an error, and the connections and reactor timers must be back to zero.
 *
 * `tests/web/fuzz_web_test.ts` runs a short seeded run; run long ones with
 * `deno task fuzz --target web --seed S --count N`.
 *
 * @module
 */
import { HTTPFactory } from "../../http/http_factory.ts";
import { reactor } from "../../reactor/reactor.ts";
import {
  Application,
  authenticated,
  EncodingResourceWrapper,
  File,
  GzipEncoderFactory,
  HTTPServer,
  NOT_DONE_YET,
  type Request,
  RequestHandler,
  Resource,
  Site,
  StaticFileHandler,
  streamRequestBody,
} from "../../web/mod.ts";
import { createSignedValue } from "../../web/secure_cookie.ts";
import { latin1Bytes } from "../_support/mod.ts";
import { gzip, joined, mutate, Random } from "./mutate.ts";
import {
  type Behaviour,
  checkResponses,
  converse,
  count,
  endedAside,
  fuzzReport,
  type FuzzRunReport,
  latin1,
  type ParsedResponse,
  printAndExit,
  type ServerFuzzOptions,
} from "./server_fuzz.ts";
import { watchErrors } from "./watch.ts";

/**
 * The statuses either face may answer client input with. No 500: a 500
 * means a handler or the framework threw on what the client sent.
 */
const STATUSES: ReadonlySet<number> = new Set([
  100,
  200,
  206,
  301,
  302,
  304,
  400,
  403,
  404,
  405,
  408,
  412,
  413,
  414,
  416,
  417,
  431,
  501,
  505,
]);

const encoder = new TextEncoder();
const lossy = new TextDecoder();

/** In every file outside the static directory: never in a response. */
const SECRET = "OUTSIDE-THE-STATIC-DIRECTORY";
const COOKIE_SECRET = "web fuzz secret";
/** Large enough for both faces to compress it. */
const TEXT = "fuzzing the web faces, ".repeat(120);

/** Tokens the parsers above HTTP care about. */
const WEB_TOKENS: readonly Uint8Array[] = [
  "%",
  "%2e%2e",
  "%2E%2E/",
  "%2f",
  "%2F",
  "..",
  "../",
  "/",
  "//",
  "%00",
  "%ff",
  "%C3%A9",
  "%E2%82",
  "%zz",
  "&",
  "&&",
  "=",
  "==",
  ";",
  "+",
  "?",
  "#",
  "\\",
  "%5c",
  '"',
  "'",
  ",",
  "*",
  "-",
  "W/",
  "bytes=",
  "--",
  "--fuzzboundary",
  "--fuzzboundary--",
  "\r\n",
  "\r\n\r\n",
  "filename=",
  "filename*=UTF-8''",
  "name=",
  "Content-Disposition: form-data; ",
  "boundary=",
  "gzip",
  "\x00",
  "\xff",
  "é",
  "0",
  "9999999999999999999",
  "-1",
  "__proto__",
  "constructor",
  "hasOwnProperty",
].map((token) =>
  // Latin-1 for the one-byte tokens, UTF-8 for "é".
  token === "é" ? encoder.encode(token) : latin1Bytes(token)
);

/** Methods a mutated request may carry. */
const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "TRACE",
  "BREW",
  "get",
];

/** One valid request, in parts a mutation can change one at a time. */
interface WebRequest {
  name: string;
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  body: Uint8Array;
  /** Raw bytes sent after it (a second request on the connection). */
  tail?: string;
}

/**
 * The request's bytes, with the `Content-Length` its body has (none when
 * it is chunked: its chunks are its `tail`).
 */
function serialize(request: WebRequest): Uint8Array {
  const lines = [`${request.method} ${request.target} ${request.version}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const chunked = request.headers.some(([name]) =>
    name === "Transfer-Encoding"
  );
  if (!chunked && (request.body.length > 0 || request.method === "POST")) {
    lines.push(`Content-Length: ${request.body.length}`);
  }
  return joined([
    latin1Bytes(`${lines.join("\r\n")}\r\n\r\n`),
    request.body,
    latin1Bytes(request.tail ?? ""),
  ]);
}

/** What the static directory holds, and the files around it. */
interface StaticTree {
  root: string;
  staticDir: string;
  /** Every static file's content, to find the ETags and check bodies. */
  files: Map<string, Uint8Array>;
}

async function makeTree(): Promise<StaticTree> {
  const root = await Deno.makeTempDir({ prefix: "torsion-webfuzz-" });
  const staticDir = `${root}/static`;
  await Deno.mkdir(`${staticDir}/sub`, { recursive: true });
  // A sibling whose name starts with the static directory's: a prefix
  // check of paths would let it through.
  await Deno.mkdir(`${root}/static-other`);
  await Deno.writeTextFile(`${root}/secret.txt`, `${SECRET} root\n`);
  await Deno.writeTextFile(`${root}/static-other/x.txt`, `${SECRET} other\n`);
  const files = new Map<string, Uint8Array>([
    ["a.txt", encoder.encode("static file a, plain text\n")],
    ["big.txt", encoder.encode(TEXT)],
    ["page.html", encoder.encode("<html><body>page</body></html>\n")],
    ["sub/b.txt", encoder.encode("static file b in a subdirectory\n")],
    ["sub/index.html", encoder.encode("<html>sub index</html>\n")],
  ]);
  for (const [path, content] of files) {
    await Deno.writeFile(`${staticDir}/${path}`, content);
  }
  await Deno.writeFile(`${staticDir}/huge.bin`, new Uint8Array(HUGE_SIZE));
  // Links out of the directory: both faces refuse what resolves outside
  // its real path (stricter than Twisted and Tornado, which follow them).
  await Deno.symlink("../secret.txt", `${staticDir}/link.txt`);
  await Deno.symlink("../static-other", `${staticDir}/linkdir`);
  return { root, staticDir, files };
}

/** The `Site` face's description of a request, as JSON. */
function describeSiteRequest(request: Request): string {
  const args: Record<string, string[]> = {};
  for (const name in request.args) {
    args[name] = request.args[name].map((value) => lossy.decode(value));
  }
  request.setHeader("Content-Type", "application/json");
  return JSON.stringify({
    method: request.method,
    args,
    plain: request.getCookie("plain") ?? null,
    user: request.getCookie("user") ?? null,
    cookies: request.receivedCookies,
    length: request.content.length,
    prepath: request.prepath,
    postpath: request.postpath,
    host: request.getRequestHostname(),
    url: request.prePathURL(),
    child: request.childLink("c"),
    sibling: request.sibLink("s"),
  });
}

/** Reads the query, form, cookies and body. */
class FormLeaf extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    return describeSiteRequest(request);
  }
  render_POST(request: Request): string {
    return describeSiteRequest(request);
  }
}

/** Walks any path below it with `getChild`, and describes where it ended. */
class PathTree extends Resource {
  override getChild(_segment: string, _request: Request): Resource {
    return this;
  }
  render_GET(request: Request): string {
    return describeSiteRequest(request);
  }
}

/** Answers later, from a reactor timer, unless the client went away. */
class Later extends Resource {
  override isLeaf = true;
  render_GET(request: Request): typeof NOT_DONE_YET {
    const call = reactor.callLater(0.005, () => {
      request.write("answered later");
      request.finish();
    });
    request.notifyFinish().addErrback(() => {
      if (call.active()) call.cancel();
    });
    return NOT_DONE_YET;
  }
}

/** Finds or makes the client's session from its cookie. */
class SessionLeaf extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    return request.getSession().uid.slice(0, 8);
  }
}

/** A text large enough to compress. */
class Text extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    request.setHeader("Content-Type", "text/plain");
    return TEXT;
  }
}

function siteRoot(tree: StaticTree): Resource {
  const root = new Resource();
  root.putChild("form", new FormLeaf());
  root.putChild("path", new PathTree());
  root.putChild("named", new PathTree());
  root.putChild("later", new Later());
  root.putChild(
    "text",
    new EncodingResourceWrapper(new Text(), [new GzipEncoderFactory()]),
  );
  root.putChild("static", new File(tree.staticDir));
  // Streams every file over 64 bytes from disk, and lists directories.
  root.putChild(
    "stream",
    new File(tree.staticDir, { cacheMaxFileSize: 64, directoryListing: true }),
  );
  root.putChild("session", new SessionLeaf());
  root.putChild("upload", new FormLeaf());
  return root;
}

/** Reads every kind of argument, the cookies and the files. */
class FormHandler extends RequestHandler {
  override async get(): Promise<void> {
    const user = await this.getSecureCookie("user");
    // A missing required argument is a 400 (MissingArgumentError).
    if (this.getArgument("need", null) !== null) this.getArgument("required");
    const files: Record<string, [string, string, number][]> = {};
    for (const name in this.request.files) {
      files[name] = this.request.files[name].map((
        file,
      ) => [file.filename, file.contentType, file.body.length]);
    }
    this.write({
      method: this.request.method,
      q: this.getArgument("q", null),
      k: this.getArguments("k"),
      raw: this.getArguments("raw", false),
      query: this.getQueryArguments("q"),
      name: this.getBodyArgument("name", null),
      body: this.getBodyArguments("k"),
      files,
      plain: this.getCookie("plain") ?? null,
      user: user ?? null,
      cookies: this.cookies,
      remoteIp: this.request.remoteIp ?? null,
      protocol: this.request.protocol,
      host: this.request.hostName,
      url: this.request.fullUrl(),
    });
  }
  override post(): Promise<void> {
    return this.get();
  }
}

/** Echoes its route's unnamed groups. */
class PathHandler extends RequestHandler {
  override get(first: string, rest: string): void {
    this.write({ first, rest, args: this.pathArgs });
  }
}

/** Echoes its route's named group. */
class NamedHandler extends RequestHandler {
  override get(): void {
    this.write({ kwargs: this.pathKwargs });
  }
}

/** Answers after a reactor timer. */
class LaterHandler extends RequestHandler {
  override async get(): Promise<void> {
    await new Promise<void>((resolve) =>
      reactor.callLater(0.005, () => resolve())
    );
    this.write("answered later");
  }
}

/** Needs a user: the secure cookie `user`, else a redirect to log in. */
class PrivateHandler extends RequestHandler {
  override async prepare(): Promise<void> {
    this.currentUser = await this.getSecureCookie("user") ?? null;
  }
  @authenticated
  override get(): void {
    this.write({ user: this.currentUser });
  }
  @authenticated
  override post(): void {
    this.write({ user: this.currentUser });
  }
}

/** Counts its body as it arrives, each piece after a reactor turn. */
@streamRequestBody
class UploadHandler extends RequestHandler {
  bytes = 0;
  override async dataReceived(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.length;
    await new Promise<void>((resolve) =>
      reactor.callLater(0.001, () => resolve())
    );
  }
  override post(): void {
    this.write({ bytes: this.bytes });
  }
  override put(): void {
    this.write({ bytes: this.bytes });
  }
}

/** A text large enough for `compressResponse`. */
class TextHandler extends RequestHandler {
  override get(): void {
    this.setHeader("Content-Type", "text/plain");
    this.write(TEXT);
  }
}

function application(tree: StaticTree): Application {
  return new Application([
    ["/form", FormHandler],
    ["/path/([^/]*)/(.*)", PathHandler],
    ["/named/(?P<item>[^/]+)/?", NamedHandler],
    ["/later", LaterHandler],
    ["/text", TextHandler],
    ["/static/(.*)", StaticFileHandler, { path: tree.staticDir }],
    // Streams every file over 64 bytes, and redirects a directory to its
    // slashed path for its index.
    ["/stream/(.*)", StaticFileHandler, {
      path: tree.staticDir,
      cacheMaxFileSize: 64,
      defaultFilename: "index.html",
    }],
    ["/private", PrivateHandler],
    ["/upload", UploadHandler],
  ], {
    cookieSecret: COOKIE_SECRET,
    compressResponse: true,
    xsrfCookies: true,
    loginUrl: "/login",
  });
}

const BOUNDARY = "fuzzboundary";
/** A file too large for the socket buffers: streaming it blocks on flow control. */
const HUGE_SIZE = 16 * 1024 * 1024;
const HUGE_REQUEST = encoder.encode(
  "GET /stream/huge.bin HTTP/1.1\r\nHost: fuzz\r\n\r\n",
);
const XSRF = "61626364";

/** The valid requests every run starts from. */
async function baseRequests(etags: string): Promise<WebRequest[]> {
  const signed = await createSignedValue(COOKIE_SECRET, "user", "ann");
  const host: [string, string] = ["Host", "fuzz.example:8080"];
  const close: [string, string] = ["Connection", "close"];
  // A version 1 XSRF token: the same hex in the cookie and the form.
  const xsrfCookie: [string, string] = ["Cookie", `_xsrf=${XSRF}`];
  const get = (
    name: string,
    target: string,
    headers: [string, string][] = [],
  ): WebRequest => ({
    name,
    method: "GET",
    target,
    version: "HTTP/1.1",
    headers: [host, ...headers, close],
    body: new Uint8Array(0),
  });
  const multipart = joined([
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nbob lee\r\n`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="k"\r\n\r\nfield k\r\n`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_xsrf"\r\n\r\n${XSRF}\r\n`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="a b.txt"\r\n`,
    `Content-Type: text/plain\r\n\r\nfile body\r\nsecond line\r\n`,
    `--${BOUNDARY}--\r\n`,
  ]);
  return [
    get(
      "query",
      "/form?q=caf%C3%A9&k=1&k=2&k=&sp=a+b&pct=100%25&raw=%zz%20x&need=1&required=%20yes%20",
    ),
    {
      name: "urlencoded",
      method: "POST",
      target: "/form?k=fromquery",
      version: "HTTP/1.1",
      headers: [
        host,
        ["Content-Type", "application/x-www-form-urlencoded"],
        xsrfCookie,
        close,
      ],
      body: encoder.encode(
        `name=ann+lee&k=x&k=y&enc=%E2%82%AC&empty=&=v&_xsrf=${XSRF}`,
      ),
    },
    {
      name: "multipart",
      method: "POST",
      target: "/form",
      version: "HTTP/1.1",
      headers: [
        host,
        ["Content-Type", `multipart/form-data; boundary=${BOUNDARY}`],
        xsrfCookie,
        close,
      ],
      body: multipart,
    },
    get("cookies", "/form?q=1", [[
      "Cookie",
      `plain=v1; user="${signed}"; quoted="a\\"b"; empty=`,
    ]]),
    get("static-range", "/static/a.txt", [["Range", "bytes=2-10"]]),
    get("static-suffix-range", "/static/big.txt", [[
      "Range",
      "bytes=-100",
    ]]),
    get("static-etag", "/static/a.txt", [
      ["If-None-Match", etags],
      ["If-Modified-Since", "Sat, 01 Jan 2050 00:00:00 GMT"],
    ]),
    get("static-gzip", "/static/big.txt", [[
      "Accept-Encoding",
      "gzip, deflate",
    ]]),
    get("static-sub", "/static/sub/b.txt"),
    {
      ...get("static-dir", "/static/sub"),
      headers: [host],
      tail:
        "GET /static/sub/ HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
    },
    get("static-dotdot", "/static/%2e%2e/secret.txt"),
    get("static-slash", "/static/sub%2f..%2f..%2fsecret.txt"),
    get("static-sibling", "/static/..%2fstatic-other/x.txt"),
    get("static-link", "/static/link.txt"),
    get("static-link-dir", "/stream/linkdir/x.txt"),
    get("static-head", "/static/page.html"),
    get("path-args", "/path/caf%C3%A9%20x/a%2Fb/%2e%2e/c?x=1"),
    get("path-named", "/named/it%2Fem%20one"),
    get("text-gzip", "/text", [["Accept-Encoding", "gzip"]]),
    get("later", "/later"),
    get("xheaders", "/form?q=x", [
      ["X-Real-Ip", "10.1.2.3"],
      ["X-Forwarded-For", "10.9.9.9, 10.0.0.1"],
      ["X-Forwarded-Proto", "https"],
    ]),
    {
      name: "multipart-star",
      method: "POST",
      target: "/form?q=up",
      version: "HTTP/1.1",
      headers: [
        host,
        ["Content-Type", `multipart/form-data; boundary="${BOUNDARY}"`],
        xsrfCookie,
        ["X-Xsrftoken", XSRF],
        close,
      ],
      body: joined([
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename*=UTF-8''caf%C3%A9.txt\r\n`,
        `Content-Type: application/octet-stream\r\n\r\n\x00\x01binary\r\n`,
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncaf\u00e9\r\n`,
        `--${BOUNDARY}--\r\n`,
      ]),
    },
    {
      name: "urlencoded-gzip",
      method: "POST",
      target: "/form",
      version: "HTTP/1.1",
      headers: [
        host,
        ["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"],
        ["Content-Encoding", "gzip"],
        xsrfCookie,
        ["X-Xsrftoken", XSRF],
        close,
      ],
      body: await gzip(encoder.encode("name=zipped&k=1&k=%41")),
    },
    get("static-ranges", "/static/a.txt", [["Range", "bytes=0-0,2-3,20-"]]),
    get("static-past-end", "/static/a.txt", [["Range", "bytes=100-200"]]),
    // The Site's ETag: a range from it, the whole file from the app.
    get("static-if-range", "/static/a.txt?v=1", [
      ["Range", "bytes=1-3"],
      ["If-Range", etags.split(", ")[0]],
    ]),
    {
      ...get("host-v6", "/form?q=v6"),
      headers: [["Host", "[::1]:8080"], close],
    },
    get("absolute-form", "http://fuzz.example/path/a/b?q=1"),
    get("path-params", "/path/a;b=c/d%/e%2"),
    { ...get("post-static", "/static/a.txt"), method: "POST" },
    {
      name: "upload-chunked",
      method: "PUT",
      target: "/upload",
      version: "HTTP/1.1",
      headers: [
        host,
        ["Transfer-Encoding", "chunked"],
        ["Cookie", `_xsrf=${XSRF}`],
        ["X-Xsrftoken", XSRF],
        close,
      ],
      body: new Uint8Array(0),
      tail: "10\r\n0123456789abcdef\r\n400\r\n" + "u".repeat(1024) +
        "\r\n0\r\n\r\n",
    },
    {
      // Over the 8 KiB body limit in its chunks: refused while streaming.
      name: "upload-too-large",
      method: "POST",
      target: "/upload",
      version: "HTTP/1.1",
      headers: [
        host,
        ["Transfer-Encoding", "chunked"],
        ["Cookie", `_xsrf=${XSRF}`],
        ["X-Xsrftoken", XSRF],
        close,
      ],
      body: new Uint8Array(0),
      tail: ("1000\r\n" + "v".repeat(4096) + "\r\n").repeat(3) +
        "0\r\n\r\n",
    },
    {
      // Pipelined behind a response that comes later: answered in order.
      ...get("pipelined", "/later?first=1"),
      headers: [host],
      tail:
        `POST /form HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: _xsrf=${XSRF}\r\nContent-Length: 25\r\n\r\nname=piped&_xsrf=${XSRF}` +
        "GET /stream/big.txt HTTP/1.1\r\nHost: fuzz\r\nAccept-Encoding: gzip\r\n\r\n" +
        "GET /path/x/y HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
    },
    get("stream-range", "/stream/big.txt", [["Range", "bytes=5-2000"]]),
    get("stream-dir", "/stream/sub"),
    get("stream-listing", "/stream/sub/?x=%3Cb%3E"),
    get("stream-dotdot", "/stream/sub/..%2F..%2Fsecret.txt"),
    get("session", "/session", [[
      "Cookie",
      "TWISTED_SESSION=0123456789abcdef; __proto__=x",
    ]]),
    get("private", "/private?next=%2F&q=caf%C3%A9"),
    get("private-user", "/private", [["Cookie", `user="${signed}"`]]),
    get("prototype-keys", "/form?__proto__=1&constructor=2&toString=3", [[
      "Cookie",
      "__proto__=a; constructor=b",
    ]]),
    { ...get("delete", "/form"), method: "DELETE" },
    { ...get("http10", "/form?q=old"), version: "HTTP/1.0" },
  ];
}

/** The parts a structured mutation may change. */
const PARTS = ["method", "target", "header", "body"] as const;

/**
 * One variant of `base`: its wire bytes mutated (framing) half the time,
 * one of its parts the other half.
 */
function variantOf(
  base: WebRequest,
  random: Random,
): { bytes: Uint8Array; label: string } {
  if (random.next() < 0.5) {
    const { bytes, mutation } = mutate(serialize(base), random);
    return { bytes, label: `${base.name} wire ${mutation}` };
  }
  const request = {
    ...base,
    headers: base.headers.map((h) => [...h]),
  } as WebRequest;
  const labels: string[] = [];
  for (let round = 1 + random.below(2); round > 0; round--) {
    labels.push(mutatePart(request, random));
  }
  return {
    bytes: serialize(request),
    label: `${base.name} ${labels.join(", ")}`,
  };
}

/** Mutates one part of `request` in place; returns what it did. */
function mutatePart(request: WebRequest, random: Random): string {
  const part = random.pick(PARTS);
  switch (part) {
    case "method":
      request.method = random.pick(METHODS);
      return `method ${request.method}`;
    case "target": {
      const result = mutate(latin1Bytes(request.target), random, WEB_TOKENS);
      request.target = latin1(result.bytes);
      return `target ${result.mutation}`;
    }
    case "header": {
      const index = random.below(request.headers.length);
      const result = mutate(
        latin1Bytes(request.headers[index][1]),
        random,
        WEB_TOKENS,
      );
      request.headers[index][1] = latin1(result.bytes);
      return `${request.headers[index][0]} ${result.mutation}`;
    }
    case "body": {
      const result = mutate(request.body, random, WEB_TOKENS);
      request.body = result.bytes;
      return `body ${result.mutation}`;
    }
  }
}

async function gunzip(body: Uint8Array): Promise<Uint8Array | null> {
  try {
    const stream = new Blob([body as BlobPart]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return null;
  }
}

/**
 * What is wrong with a response's body, or `null`: a body from outside the
 * static directory, or a gzip body that does not decode.
 */
async function bodyProblem(response: ParsedResponse): Promise<string | null> {
  let body = response.body;
  if (/\r\nContent-Encoding: gzip\r\n/i.test(`${response.head}\r\n`)) {
    // A HEAD answer or a 304 says gzip without a body.
    if (body.length === 0) return null;
    const decoded = await gunzip(body);
    if (decoded === null) return "a gzip body that does not decode";
    body = decoded;
  }
  const text = latin1(body);
  if (text.includes(SECRET)) return "bytes from outside the static directory";
  if (text.includes("root:x:0:0")) return "bytes of /etc/passwd";
  return null;
}

/** Reads the `ETag` each face gives `/static/a.txt`. */
async function etagOf(port: number): Promise<string> {
  const { received } = await converse(
    port,
    encoder.encode(
      "GET /static/a.txt HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
    ),
    new Random(1),
    "read",
    10_000,
    0,
  );
  const match = /\r\nETag: ([^\r\n]+)/i.exec(latin1(received));
  if (match === null) throw new Error("A face gave /static/a.txt no ETag");
  return match[1];
}

/**
 * Runs the harness.
 *
 * @param options The seed, the number of variants and the pace.
 * @returns The counts.
 */
export async function runWebFuzz(
  options: ServerFuzzOptions,
): Promise<FuzzRunReport> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 32;
  const timeout = options.timeout ?? 0.2;
  const abandonShare = options.abandonShare ?? 0.05;
  const stallShare = options.stallShare ?? 0.01;
  const tree = await makeTree();
  const engine = {
    headerTimeout: timeout,
    bodyTimeout: timeout,
    idleConnectionTimeout: timeout,
    writeTimeout: timeout,
    maxHeaderSize: 4096,
    maxBodySize: 8192,
  };
  // Each face is served through an HTTPFactory of our own, as Site and
  // HTTPServer.listen do inside, so its connections can be counted.
  const site = new Site(siteRoot(tree));
  const server = new HTTPServer(application(tree));
  const faces = [
    { name: "site", factory: new HTTPFactory(site, engine) },
    {
      name: "app",
      factory: new HTTPFactory(server, {
        ...engine,
        xheaders: true,
        decompressRequest: true,
      }),
    },
  ].map((face) => {
    const port = reactor.listenTCP(0, face.factory, {
      interface: "127.0.0.1",
    });
    return { ...face, port, portNumber: port.getHost().port };
  });
  const outcomes: Record<string, number> = {};
  const mutations: Record<string, number> = {};
  const hung: string[] = [];
  const invalid: string[] = [];
  const watch = await watchErrors();
  let socketsLeft = 0;
  try {
    const etags = (await Promise.all(faces.map((f) => etagOf(f.portNumber))))
      .join(", ");
    const bases = await baseRequests(etags);
    const random = new Random(options.seed);
    const variants = Array.from({ length: options.count }, () => {
      const base = random.pick(bases);
      const { bytes, label } = variantOf(base, random);
      count(mutations, label);
      const draw = random.next();
      const behaviour: Behaviour = draw < abandonShare
        ? "abandon"
        : draw < abandonShare + stallShare
        ? "stall"
        : "read";
      return {
        // A stalled client asks for the large file first; the mutated
        // request waits behind it.
        bytes: behaviour === "stall" ? joined([HUGE_REQUEST, bytes]) : bytes,
        behaviour,
        seed: random.below(2 ** 31),
      };
    });
    // The server must close within its timeouts: two of them, and a
    // margin for a loaded machine.
    const limitMs = (2 * timeout + 5) * 1000;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < variants.length) {
        const index = next++;
        const variant = variants[index];
        const face = faces[index % faces.length];
        const { received, closedByServer } = await converse(
          face.portNumber,
          variant.bytes,
          new Random(variant.seed),
          variant.behaviour,
          limitMs,
          (timeout + 0.5) * 1000,
        );
        if (
          endedAside(variant.behaviour, {
            received,
            closedByServer,
            fullSize: HUGE_SIZE,
            label: `#${index} ${face.name}`,
            outcomes,
            hung,
          })
        ) continue;
        const request = JSON.stringify(latin1(variant.bytes).slice(0, 160));
        if (!closedByServer) {
          hung.push(`#${index} ${face.name}: ${request}`);
          count(outcomes, "hung");
          continue;
        }
        const checked = checkResponses(received, {
          statuses: STATUSES,
          errorsClose: false,
        });
        if ("problem" in checked) {
          invalid.push(
            `#${index} ${face.name}: ${checked.problem} for ${request}`,
          );
          count(outcomes, "invalid");
          continue;
        }
        if (checked.responses.length === 0) {
          count(outcomes, "closed without a response");
        }
        for (const response of checked.responses) {
          const problem = await bodyProblem(response);
          if (problem !== null) {
            invalid.push(`#${index} ${face.name}: ${problem} for ${request}`);
          }
          count(outcomes, `${face.name} ${response.status}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await Promise.all(faces.map((face) => face.port.stopListening()));
    for (
      let i = 0;
      i < 200 && faces.some((face) => face.factory.connections.size > 0);
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    socketsLeft = faces.reduce(
      (n, face) => n + face.factory.connections.size,
      0,
    );
    await Promise.all(faces.map((face) => face.factory.closeAllConnections()));
    // Sessions expire on reactor timers: end them, as the timers are counted.
    for (const session of [...site.sessions.values()]) session.expire();
    await watch.stop();
    await Deno.remove(tree.root, { recursive: true });
  }
  return fuzzReport(
    {
      connections: options.count,
      outcomes,
      mutations,
      hung,
      invalid,
      socketsLeft,
    },
    watch,
    started,
  );
}

/**
 * Runs a long seeded run and prints the counts; exits non-zero when any
 * check failed.
 *
 * @param seed The seed.
 * @param connections How many variants.
 * @param concurrency Connections at once.
 */
export async function webFuzzMain(
  seed: number,
  connections: number,
  concurrency: number,
): Promise<void> {
  const result = await runWebFuzz({ seed, count: connections, concurrency });
  printAndExit(seed, result);
}
