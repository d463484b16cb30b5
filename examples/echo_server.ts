// deno-lint-ignore-file no-console
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
import { parseAddress } from "./_cli.ts";

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
export async function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  let address;
  try {
    address = parseAddress(args, { host: "127.0.0.1", port: DEFAULT_PORT });
  } catch (error) {
    console.error(
      `${
        (error as Error).message
      }\nUsage: echo_server.ts [--port N] [--host IP]`,
    );
    return 2;
  }
  const port = reactor.listenTCP(address.port, new EchoFactory(), {
    interface: address.host,
  });
  const { host, port: bound } = port.getHost();
  console.log(`Echo server listening on ${host}:${bound}`);
  console.log(`Connect with: nc ${host} ${bound}   (Ctrl-C to stop)`);
  await reactor.run();
  console.log("Echo server stopped");
  return 0;
}

if (import.meta.main) Deno.exit(await main());
