// deno-lint-ignore-file no-console
/**
 * Tornado's TCP echo demo (`demos/tcpecho/server.py` and `client.py`) on
 * Torsion's stream layer: the server is a `TCPServer` whose `handleStream`
 * loops on `readUntil("\n")` and writes each line back; the client connects
 * with `TCPClient`, sends one line and prints the echo. The seed's
 * thread-per-client echo server (see `echo_server.ts` for the Twisted
 * protocol version) becomes one coroutine per connection.
 *
 * Run the server: deno run --allow-net examples/tornado_echo.ts server [--port 9888]
 * Then a client:  deno run --allow-net examples/tornado_echo.ts client [--port 9888] [--message hi]
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { IAddress, IReactor } from "../reactor/interfaces.ts";
import type { IOStream } from "../reactor/iostream.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { StreamClosedError } from "../reactor/stream_errors.ts";
import { TCPClient } from "../reactor/tcp_client.ts";
import { TCPServer } from "../reactor/tcp_server.ts";
import { parseAddress } from "./_cli.ts";

/** The port of Tornado's demo. */
export const DEFAULT_PORT = 9888;

const decoder = new TextDecoder();

/** Echoes every line back to its sender until the sender closes. */
export class EchoServer extends TCPServer {
  /** Lines echoed so far, for the log and the tests. */
  echoed = 0;

  override async handleStream(
    stream: IOStream,
    address: IAddress,
  ): Promise<void> {
    for (;;) {
      let data: Uint8Array;
      try {
        data = await stream.readUntil("\n");
      } catch (error) {
        if (error instanceof StreamClosedError) return;
        throw error;
      }
      console.log(
        `Received from ${address.host}:${address.port}: ${
          decoder.decode(data).trimEnd()
        }`,
      );
      this.echoed++;
      try {
        await stream.write(data);
      } catch (error) {
        if (error instanceof StreamClosedError) return;
        throw error;
      }
    }
  }
}

/**
 * Tornado's demo client: sends `message` and a newline, reads one line.
 *
 * @param host The server's address.
 * @param port The server's port.
 * @param message The line to send.
 * @param reactor The reactor to connect with.
 * @returns The line echoed back, without its newline.
 */
export async function echoOnce(
  host: string,
  port: number,
  message: string,
  reactor: IReactor = globalReactor,
): Promise<string> {
  const stream = await new TCPClient({ reactor }).connect(host, port, {
    timeout: 10,
  });
  try {
    await stream.write(`${message}\n`);
    return decoder.decode(await stream.readUntil("\n")).trimEnd();
  } finally {
    stream.close();
  }
}

/**
 * `server [--port N] [--host IP]` serves until Ctrl-C; `client [--port N]
 * [--host IP] [--message TEXT]` sends one line and prints the echo.
 *
 * @param args The command line.
 * @param reactor The reactor to run on.
 * @returns The exit code: 0, 1 when the client fails, 2 for bad arguments.
 */
export async function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  const usage =
    "Usage: tornado_echo.ts server|client [--port N] [--host IP] [--message TEXT]";
  const [mode, ...rest] = args;
  let message = "hello";
  let address;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        message: { type: "string", default: message },
        host: { type: "string" },
        port: { type: "string" },
      },
    });
    message = values.message;
    address = parseAddress(
      [
        ...(values.host === undefined ? [] : ["--host", values.host]),
        ...(values.port === undefined ? [] : ["--port", values.port]),
      ],
      DEFAULT_PORT,
    );
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (mode === "server") {
    const server = new EchoServer({ reactor });
    const port = server.listen(address.port, address.host).getHost();
    console.log(`Echo server listening on ${port.host}:${port.port}`);
    await reactor.run();
    return 0;
  }
  if (mode === "client") {
    try {
      console.log(await echoOnce(address.host, address.port, message, reactor));
      return 0;
    } catch (error) {
      console.error(`Echo failed: ${(error as Error).message}`);
      return 1;
    }
  }
  console.error(usage);
  return 2;
}

if (import.meta.main) Deno.exit(await main());
