// deno-lint-ignore-file no-console
/**
 * Command-line handling shared by the example servers and the chat client:
 * parsing `--host` and `--port`, and serving until Ctrl-C.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { IProtocolFactory, IReactor } from "../reactor/interfaces.ts";

/** Where to listen or connect. */
export interface Address {
  host: string;
  port: number;
}

/** The address every example uses unless told otherwise. */
const DEFAULT_HOST = "127.0.0.1";

/**
 * Parses `--host H` (or its alias `--interface`) and `--port N`.
 *
 * @param port The port when `--port` is not given.
 * @throws {TypeError} An unknown option, or a port that is not 0-65535.
 */
export function parseAddress(args: readonly string[], port: number): Address {
  const { values } = parseArgs({
    args: [...args],
    options: {
      host: { type: "string" },
      interface: { type: "string" },
      port: { type: "string", default: String(port) },
    },
  });
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
    throw new TypeError(
      `--port must be a number from 0 to 65535: current value is ${values.port}`,
    );
  }
  return {
    host: values.host ?? values.interface ?? DEFAULT_HOST,
    port: Number(values.port),
  };
}

/**
 * Parses `args` as {@linkcode parseAddress} does, or prints why it cannot
 * and the usage line.
 *
 * @param usage The usage line, such as `chat_client.ts [--host H] [--port N]`.
 * @returns The address, or `null` once the problem is printed (exit with 2).
 */
export function addressOrUsage(
  args: readonly string[],
  port: number,
  usage: string,
): Address | null {
  try {
    return parseAddress(args, port);
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${usage}`);
    return null;
  }
}

/** What {@linkcode runServer} serves, and how it calls itself. */
export interface ServerOptions {
  /** What is served, for the messages ("Echo server"). */
  name: string;
  /** The script's file name, for the usage line. */
  script: string;
  /** The port when `--port` is not given. */
  port: number;
  /** Builds the protocol of each connection. */
  factory: IProtocolFactory;
}

/**
 * A server's whole `main`: parses `--port` and `--host`, listens with
 * `factory`, prints how to connect with `nc`, and runs the reactor until it
 * stops. Ctrl-C and SIGTERM stop it through its shutdown triggers, which
 * close the port and every connection.
 *
 * @returns The exit code: 0 after a clean stop, 2 for bad arguments.
 * @throws {CannotListenError} The address cannot be bound.
 */
export async function runServer(
  args: readonly string[],
  reactor: IReactor,
  { name, script, port, factory }: ServerOptions,
): Promise<number> {
  const usage = `${script} [--port N] [--host IP]`;
  const address = addressOrUsage(args, port, usage);
  if (address === null) return 2;
  const listening = reactor.listenTCP(address.port, factory, {
    interface: address.host,
  });
  const { host, port: bound } = listening.getHost();
  console.log(`${name} listening on ${host}:${bound}`);
  console.log(`Connect with: nc ${host} ${bound}   (Ctrl-C to stop)`);
  await reactor.run();
  console.log(`${name} stopped`);
  return 0;
}
