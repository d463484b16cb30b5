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
import { Application, type Rule } from "../../web/mod.ts";
import { listeningUntilStdinCloses, parseServerArgs } from "./_common.ts";
import { tornadoRules } from "./_torsion_apps.ts";

const { workload, port, staticDir } = parseServerArgs(Deno.args);

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

const rules = tornadoRules(staticDir);
if (workload === "ws") rules.push(await webSocketRule());
new Application(rules).listen(port, { address: "127.0.0.1" });
listeningUntilStdinCloses(port);
