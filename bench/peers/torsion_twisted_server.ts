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
import { reactor } from "../../reactor/mod.ts";
import { Site } from "../../web/mod.ts";
import { listeningUntilStdinCloses, parseServerArgs } from "./_common.ts";
import { twistedRoot } from "./_torsion_apps.ts";

const { workload, port, staticDir } = parseServerArgs(Deno.args);
const LISTEN = { interface: "127.0.0.1", backlog: 4096 };

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
  reactor.listenTCP(port, new Site(twistedRoot(staticDir)), LISTEN);
}
listeningUntilStdinCloses(port);
