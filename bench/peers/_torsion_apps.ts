/**
 * The resources and handlers Torsion's two faces serve in the server
 * workloads, written as twisted.web and tornado.web users write them:
 * shared by the peer servers (torsion_twisted_server.ts,
 * torsion_tornado_server.ts) and the in-process benchmark
 * (bench/server_bench.ts), so both measure the same code.
 *
 * @module
 */
import {
  File,
  type Request,
  RequestHandler,
  Resource,
  type Rule,
  StaticFileHandler,
} from "../../web/mod.ts";
import { JSON_MESSAGE, PLAINTEXT } from "./_common.ts";

class Plaintext extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    request.setHeader("content-type", "text/plain");
    return PLAINTEXT;
  }
}

class Json extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    request.setHeader("content-type", "application/json");
    return JSON.stringify(JSON_MESSAGE);
  }
}

class Echo extends Resource {
  override isLeaf = true;
  render_POST(request: Request): Uint8Array {
    request.setHeader("content-type", "application/octet-stream");
    return request.content;
  }
}

/**
 * The Twisted face's tree: `/plaintext`, `/json`, `/echo` and, given a
 * directory, a `File` at `/static`.
 *
 * @param staticDir The directory of `/static`, if any.
 * @returns The root resource.
 */
export function twistedRoot(staticDir?: string): Resource {
  const root = new Resource();
  root.putChild("plaintext", new Plaintext());
  root.putChild("json", new Json());
  root.putChild("echo", new Echo());
  if (staticDir !== undefined) root.putChild("static", new File(staticDir));
  return root;
}

class PlaintextHandler extends RequestHandler {
  override get(): void {
    this.setHeader("Content-Type", "text/plain");
    this.write(PLAINTEXT);
  }
}

class JsonHandler extends RequestHandler {
  override get(): void {
    this.write(JSON_MESSAGE);
  }
}

class EchoHandler extends RequestHandler {
  override post(): void {
    this.setHeader("Content-Type", "application/octet-stream");
    this.write(this.request.body);
  }
}

/**
 * The Tornado face's routes: `/plaintext`, `/json`, `/echo` and, given a
 * directory, a `StaticFileHandler` at `/static/(.*)`.
 *
 * @param staticDir The directory of `/static/`, if any.
 * @returns The rules of the `Application`.
 */
export function tornadoRules(staticDir?: string): Rule[] {
  const rules: Rule[] = [
    ["/plaintext", PlaintextHandler],
    ["/json", JsonHandler],
    ["/echo", EchoHandler],
  ];
  if (staticDir !== undefined) {
    rules.push(["/static/(.*)", StaticFileHandler, { path: staticDir }]);
  }
  return rules;
}
