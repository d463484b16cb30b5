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
import { listeningUntilStdinCloses, parseServerArgs } from "./_common.ts";

const { workload, port, staticDir } = parseServerArgs(Deno.args);
const LISTEN = { interface: "127.0.0.1", backlog: 4096 };

/**
 * The WebSocket echo, loaded only for its workload, as twisted.web is only
 * for the others: an Autobahn server does not import twisted.web, and every
 * module loaded is heap that each full collection marks again (a 16 KiB
 * echo's buffers trigger several a second).
 */
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

/** The twisted.web `Site`, loaded only for the HTTP workloads. */
async function serveWeb(): Promise<void> {
  const [{ Site }, { twistedRoot }] = await Promise.all([
    import("../../web/mod.ts"),
    import("./_torsion_apps.ts"),
  ]);
  reactor.listenTCP(port, new Site(twistedRoot(staticDir)), LISTEN);
}

await (workload === "ws" ? serveWebSocket() : serveWeb());
listeningUntilStdinCloses(port);
