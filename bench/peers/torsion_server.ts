/**
 * Torsion's servers for bench/peers/run.ts, written as a twisted.web and a
 * tornado.web user would write them:
 *
 * - `twisted`: a `Site` over a `Resource` tree (`/plaintext`, `/json`,
 *   `/echo` leaves, a `File` at `/static`), on `reactor.listenTCP`; for the
 *   `ws` workload, an echoing `WebSocketServerProtocol` from a
 *   `WebSocketServerFactory` on `listenTCP`.
 * - `tornado`: an `Application` of `RequestHandler`s with a
 *   `StaticFileHandler` at `/static/(.*)` and an echoing `WebSocketHandler`
 *   at `/ws`.
 *
 * Usage: deno run -A bench/peers/torsion_server.ts <workload> <port>
 *   <static-dir> <twisted|tornado>
 * Prints `listening <port>`; exits when stdin closes.
 *
 * @module
 */
import { reactor } from "../../reactor/mod.ts";
import {
  Application,
  File,
  type Request,
  RequestHandler,
  Resource,
  Site,
  StaticFileHandler,
  WebSocketHandler,
} from "../../web/mod.ts";
import {
  WebSocketServerFactory,
  WebSocketServerProtocol,
} from "../../websocket/mod.ts";
import {
  JSON_MESSAGE,
  listeningUntilStdinCloses,
  parseServerArgs,
  PLAINTEXT,
} from "./_common.ts";

const { workload, port, staticDir } = parseServerArgs(Deno.args);
const face = Deno.args[3] ?? "twisted";
const LISTEN = { interface: "127.0.0.1", backlog: 4096 };

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

class EchoProtocol extends WebSocketServerProtocol {
  override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    this.sendMessage(payload, isBinary);
  }
}

function serveTwisted(): void {
  if (workload === "ws") {
    const factory = new WebSocketServerFactory(`ws://127.0.0.1:${port}`);
    factory.protocol = EchoProtocol;
    reactor.listenTCP(port, factory, LISTEN);
    return;
  }
  const root = new Resource();
  root.putChild("plaintext", new Plaintext());
  root.putChild("json", new Json());
  root.putChild("echo", new Echo());
  root.putChild("static", new File(staticDir));
  reactor.listenTCP(port, new Site(root), LISTEN);
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

class EchoWebSocket extends WebSocketHandler {
  override onMessage(message: string | Uint8Array): void {
    this.writeMessage(message, typeof message !== "string");
  }
}

function serveTornado(): void {
  const app = new Application([
    ["/plaintext", PlaintextHandler],
    ["/json", JsonHandler],
    ["/echo", EchoHandler],
    ["/static/(.*)", StaticFileHandler, { path: staticDir }],
    ["/ws", EchoWebSocket],
  ]);
  app.listen(port, { address: "127.0.0.1" });
}

if (face === "twisted") serveTwisted();
else if (face === "tornado") serveTornado();
else throw new TypeError(`Unknown face: ${face} (twisted or tornado)`);
listeningUntilStdinCloses(port);
