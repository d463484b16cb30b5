// deno-lint-ignore-file no-console
/**
 * A twisted.web site on Torsion: a `Resource` tree with a home page, a
 * dynamic `/hello/<name>` child, a `/slow` page answered later with
 * `NOT_DONE_YET` and `callLater`, and a `static.File` directory, served by
 * a `Site` on `reactor.listenTCP`, as a Twisted program would be.
 *
 * Run: deno run --allow-net --allow-read examples/twisted_web.ts [--port 8080] [--host 127.0.0.1]
 * Then: curl http://127.0.0.1:8080/hello/world   (Ctrl-C stops the server)
 *
 * @module
 */
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import {
  File,
  NOT_DONE_YET,
  type Request,
  Resource,
  Site,
} from "../web/mod.ts";
import { addressOrUsage } from "./_cli.ts";

/** The port when `--port` is not given. */
export const DEFAULT_PORT = 8080;

/** The directory `/static/` serves. */
export const STATIC_DIR: string =
  new URL("./twisted_web_static", import.meta.url).pathname;

/** The home page: links to the rest of the tree. */
export class Home extends Resource {
  render_GET(request: Request): string {
    request.setHeader("Content-Type", "text/html; charset=utf-8");
    return `<!DOCTYPE html>
<html><head><title>Torsion twisted.web</title></head>
<body>
<h1>Torsion twisted.web</h1>
<ul>
<li><a href="/hello/world">/hello/world</a></li>
<li><a href="/slow">/slow</a> (answered after a delay)</li>
<li><a href="/static/">/static/</a></li>
</ul>
</body></html>
`;
  }
}

/** Greets the name it was made for, and any path below it. */
export class Hello extends Resource {
  override isLeaf = true;
  readonly #name: string;

  constructor(name: string) {
    super();
    this.#name = name;
  }

  render_GET(request: Request): string {
    request.setHeader("Content-Type", "text/plain; charset=utf-8");
    return `Hello, ${this.#name}!\n`;
  }
}

/** `/hello/<name>`: a child made for each name (`getChild`). */
export class Greeter extends Resource {
  override getChild(name: string): Resource {
    return new Hello(name === "" ? "stranger" : name);
  }
}

/**
 * Answers after `delay` seconds: the render returns `NOT_DONE_YET` and a
 * `callLater` writes and finishes the request; the call is cancelled if the
 * client goes away first.
 */
export class Slow extends Resource {
  override isLeaf = true;
  readonly #reactor: IReactor;
  readonly #delay: number;

  constructor(reactor: IReactor, delay = 0.5) {
    super();
    this.#reactor = reactor;
    this.#delay = delay;
  }

  render_GET(request: Request): typeof NOT_DONE_YET {
    request.setHeader("Content-Type", "text/plain; charset=utf-8");
    const call = this.#reactor.callLater(this.#delay, () => {
      request.write(`Done after ${this.#delay} seconds.\n`);
      request.finish();
    });
    request.notifyFinish().addErrback(() => call.cancel());
    return NOT_DONE_YET;
  }
}

/**
 * The site's resource tree.
 *
 * @param reactor The reactor `/slow` schedules on.
 * @returns The root resource.
 */
export function makeRoot(reactor: IReactor): Resource {
  const root = new Resource();
  root.putChild("", new Home());
  root.putChild("hello", new Greeter());
  root.putChild("slow", new Slow(reactor));
  root.putChild("static", new File(STATIC_DIR, { directoryListing: true }));
  return root;
}

/**
 * Serves the site until the reactor stops (Ctrl-C or SIGTERM).
 *
 * @param args `--port N` (0 for any free port) and `--host IP`.
 * @param reactor The reactor to serve with.
 * @returns The exit code: 0 after a clean stop, 2 for bad arguments.
 */
export async function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  const address = addressOrUsage(
    args,
    DEFAULT_PORT,
    "twisted_web.ts [--port N] [--host IP]",
  );
  if (address === null) return 2;
  const site = new Site(makeRoot(reactor));
  const port = reactor.listenTCP(address.port, site, {
    interface: address.host,
  });
  const { host, port: bound } = port.getHost();
  const name = host.includes(":") ? `[${host}]` : host;
  console.log(`Serving on http://${name}:${bound}/   (Ctrl-C to stop)`);
  await reactor.run();
  console.log("Server stopped");
  return 0;
}

if (import.meta.main) Deno.exit(await main());
