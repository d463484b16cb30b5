/**
 * Deno's native `WebSocket` as an echo client of bench/peers/run.ts: the
 * driver that loads every WebSocket server, and the baseline of the client
 * targets.
 *
 * Usage: deno run -A bench/peers/deno_ws_client.ts <ws-url>
 *   [connections=50] [size=64] [seconds=10] [warmup=1] [pid=N]
 * With `pid=N`, the CPU time per message of process N (the server) is
 * measured too. Prints one JSON line: {"value", "unit", "p99_ms",
 * "seconds", "rss_mb", "cpu_us_per_msg", "peer_cpu_us_per_msg"}.
 *
 * @module
 */
import { type EchoConnection, parseEchoArgs, runEcho } from "./_ws_common.ts";

function open(url: string): Promise<EchoConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    let waiting: ((size: number) => void) | null = null;
    const closed = new Promise<void>((done) => {
      ws.onclose = (): void => done();
    });
    ws.onmessage = (event: MessageEvent<ArrayBuffer>): void => {
      const resume = waiting;
      waiting = null;
      resume?.(event.data.byteLength);
    };
    ws.onerror = (event): void =>
      reject(
        new Error(
          `WebSocket to ${url} failed: ${(event as ErrorEvent).message}`,
        ),
      );
    ws.onopen = (): void =>
      resolve({
        roundTrip: (message) =>
          new Promise((resume) => {
            waiting = resume;
            ws.send(message);
          }),
        close: async () => {
          ws.close();
          // A server that never answers the close must not hold the run.
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            closed,
            new Promise<void>((done) => {
              timer = setTimeout(done, 2000);
            }),
          ]);
          clearTimeout(timer);
        },
      });
  });
}

const { url, sizes, peerPid } = parseEchoArgs(Deno.args);
// deno-lint-ignore no-console
console.log(JSON.stringify(await runEcho(() => open(url), sizes, peerPid)));
