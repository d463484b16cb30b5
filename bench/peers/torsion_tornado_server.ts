/**
 * Torsion's Tornado face as a server of bench/peers/run.ts, written as a
 * tornado.web user writes it: an `Application` of `RequestHandler`s with a
 * `StaticFileHandler` at `/static/(.*)` and an echoing `WebSocketHandler`
 * at `/ws`, on `Application.listen`.
 *
 * Usage: deno run -A bench/peers/torsion_tornado_server.ts <workload> <port>
 *   <static-dir>
 * Prints `listening <port>`; exits when stdin closes.
 *
 * @module
 */
import {
  Application,
  RequestHandler,
  type Rule,
  StaticFileHandler,
} from "../../web/mod.ts";
import {
  JSON_MESSAGE,
  listeningUntilStdinCloses,
  parseServerArgs,
  PLAINTEXT,
} from "./_common.ts";

const { workload, port, staticDir } = parseServerArgs(Deno.args);

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

/** The WebSocket route, loaded only for its workload. */
async function webSocketRule(): Promise<Rule> {
  const { WebSocketHandler } = await import("../../web/mod.ts");
  class EchoWebSocket extends WebSocketHandler {
    override onMessage(message: string | Uint8Array): void {
      this.writeMessage(message, typeof message !== "string");
    }
  }
  return ["/ws", EchoWebSocket];
}

const rules: Rule[] = [
  ["/plaintext", PlaintextHandler],
  ["/json", JsonHandler],
  ["/echo", EchoHandler],
  ["/static/(.*)", StaticFileHandler, { path: staticDir }],
];
if (workload === "ws") rules.push(await webSocketRule());
new Application(rules).listen(port, { address: "127.0.0.1" });
listeningUntilStdinCloses(port);
