/**
 * Torsion's WebSocket client as an echo client of bench/peers/run.ts, in
 * its Tornado face: `websocketConnect(url)`, then `writeMessage(bytes,
 * true)` and `readMessage()` for each round trip, as a Tornado user writes
 * it.
 *
 * Usage: deno run -A bench/peers/torsion_ws_client.ts <ws-url>
 *   [connections=50] [size=64] [seconds=10] [warmup=1]
 * Prints one JSON line: {"value", "unit", "p99_ms", "seconds", "rss_mb"}.
 *
 * @module
 */
import { websocketConnect } from "../../websocket/mod.ts";
import { type EchoConnection, parseEchoArgs, runEcho } from "./_ws_common.ts";

async function open(url: string): Promise<EchoConnection> {
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

const { url, sizes } = parseEchoArgs(Deno.args);
// deno-lint-ignore no-console
console.log(JSON.stringify(await runEcho(() => open(url), sizes)));
