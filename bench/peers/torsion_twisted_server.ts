/**
 * Torsion's Twisted face as a server of bench/peers/run.ts, written as a
 * twisted.web user writes it: a `Site` over a `Resource` tree
 * (`/plaintext`, `/json` and `/echo` leaves, a `File` at `/static`) on
 * `reactor.listenTCP`; for the `ws` workload, an echoing
 * `WebSocketServerProtocol` from a `WebSocketServerFactory` on `listenTCP`.
 *
 * Usage: deno run -A bench/peers/torsion_twisted_server.ts <workload> <port>
 *   <static-dir>
 * Prints `listening <port>`; exits when stdin closes.
 *
 * @module
 */
import { HTTPFactory } from "../../http/mod.ts";
import { reactor } from "../../reactor/mod.ts";
import { File, type Request, Resource, Site } from "../../web/mod.ts";
import {
  JSON_MESSAGE,
  listeningUntilStdinCloses,
  parseServerArgs,
  PLAINTEXT,
} from "./_common.ts";

const { workload, port, staticDir } = parseServerArgs(Deno.args);
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

/** The WebSocket echo, loaded only for its workload (see serveWebSocket). */
async function serveWebSocket(): Promise<void> {
  const { WebSocketServerFactory, WebSocketServerProtocol } = await import(
    "../../websocket/mod.ts"
  );
  class EchoProtocol extends WebSocketServerProtocol {
    override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
      this.sendMessage(payload, isBinary);
    }
  }
  const factory = new WebSocketServerFactory(`ws://127.0.0.1:${port}`);
  factory.protocol = EchoProtocol;
  reactor.listenTCP(port, factory, LISTEN);
}

if (workload === "ws") {
  await serveWebSocket();
} else {
  const root = new Resource();
  root.putChild("plaintext", new Plaintext());
  root.putChild("json", new Json());
  root.putChild("echo", new Echo());
  root.putChild("static", new File(staticDir));
  reactor.listenTCP(port, new HTTPFactory(new Site(root)), LISTEN);
}
listeningUntilStdinCloses(port);
