/**
 * Torsion's WebSocket clients as echo clients of bench/peers/run.ts, as
 * their users write them:
 *
 * - `tornado`: `websocketConnect(url)`, then `writeMessage(bytes, true)`
 *   and `readMessage()` for each round trip;
 * - `twisted`: a `WebSocketClientProtocol` from a `WebSocketClientFactory`
 *   on `connectWS`, sending with `sendMessage` and answered in `onMessage`.
 *
 * Usage: deno run -A bench/peers/torsion_ws_client.ts <ws-url>
 *   [connections=50] [size=64] [seconds=10] [warmup=1] [pid=N] [tornado|twisted]
 * With `pid=N`, the CPU time per message of process N (the server) is
 * measured too. Prints one JSON line: {"value", "unit", "p99_ms",
 * "seconds", "rss_mb", "cpu_us_per_msg", "peer_cpu_us_per_msg"}.
 *
 * @module
 */
import {
  connectWS,
  WebSocketClientFactory,
  WebSocketClientProtocol,
  websocketConnect,
} from "../../websocket/mod.ts";
import { type EchoConnection, parseEchoArgs, runEcho } from "./_ws_common.ts";

async function openTornado(url: string): Promise<EchoConnection> {
  const conn = await websocketConnect(url);
  return {
    async roundTrip(message: Uint8Array): Promise<number> {
      conn.writeMessage(message, true);
      const echoed = await conn.readMessage();
      if (echoed === null) throw new Error("The server closed the connection");
      return typeof echoed === "string" ? echoed.length : echoed.byteLength;
    },
    close(): Promise<void> {
      conn.close();
      return Promise.resolve();
    },
  };
}

function openTwisted(url: string): Promise<EchoConnection> {
  return new Promise((resolve, reject) => {
    let closed: () => void = () => {};
    const whenClosed = new Promise<void>((done) => {
      closed = done;
    });
    class Echo extends WebSocketClientProtocol {
      #waiting: ((size: number) => void) | null = null;

      override onOpen(): void {
        resolve({
          roundTrip: (message) =>
            new Promise((echoed) => {
              this.#waiting = echoed;
              this.sendMessage(message, true);
            }),
          close: () => {
            this.sendClose(1000);
            return whenClosed;
          },
        });
      }

      override onMessage(payload: string | Uint8Array): void {
        const echoed = this.#waiting;
        this.#waiting = null;
        echoed?.(payload.length);
      }

      override onClose(
        _wasClean: boolean,
        code: number | null,
        reason: string | null,
      ): void {
        closed();
        reject(new Error(`Closed before opening: ${code} ${reason}`));
      }
    }
    const factory = new WebSocketClientFactory(url);
    factory.protocol = Echo;
    connectWS(factory);
  });
}

const { url, sizes, peerPid, words } = parseEchoArgs(Deno.args);
const [face = "tornado"] = words;
if (face !== "tornado" && face !== "twisted") {
  throw new TypeError(`Unknown face: ${face} (tornado or twisted)`);
}
const open = face === "twisted" ? openTwisted : openTornado;
// deno-lint-ignore no-console
console.log(JSON.stringify(await runEcho(() => open(url), sizes, peerPid)));
