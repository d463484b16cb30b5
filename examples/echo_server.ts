/**
 * The echo server of seed 003, on Torsion's reactor: where the tutorial
 * binds, listens, accepts and loops on `recv`/`send` in a thread per
 * client, a Twisted program only says what to do with the bytes of one
 * connection (`Echo.dataReceived`) and lets the reactor serve every client
 * from one thread.
 *
 * Run: deno run --allow-net examples/echo_server.ts [--port 60000] [--host 127.0.0.1]
 * Then: nc 127.0.0.1 60000   (Ctrl-C stops the server)
 *
 * @module
 */
import type { IReactor } from "../reactor/interfaces.ts";
import { Protocol, ServerFactory } from "../reactor/protocol.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { runServer } from "./_cli.ts";

/** The port of the seed's first echo server. */
export const DEFAULT_PORT = 60000;

/** Writes every chunk received back to the sender, unchanged. */
export class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

/** Builds an `Echo` per connection. */
export class EchoFactory extends ServerFactory {
  override protocol = Echo;
}

/**
 * Listens and serves until the reactor stops (Ctrl-C or SIGTERM stop it).
 *
 * @param args `--port N` (0 for a free port) and `--host IP`.
 * @param reactor The reactor to serve with.
 * @returns The exit code: 0 after a clean stop, 2 for bad arguments.
 */
export function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  return runServer(args, reactor, {
    name: "Echo server",
    script: "echo_server.ts",
    port: DEFAULT_PORT,
    factory: new EchoFactory(),
  });
}

if (import.meta.main) Deno.exit(await main());
