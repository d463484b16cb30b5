/**
 * Command-line parsing shared by the example servers and the chat client.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** Where to listen or connect. */
export interface Address {
  host: string;
  port: number;
}

/**
 * Parses `--host H` (or its alias `--interface`) and `--port N`.
 *
 * @throws {TypeError} An unknown option, or a port that is not 0-65535.
 */
export function parseAddress(
  args: readonly string[],
  defaults: Address,
): Address {
  const { values } = parseArgs({
    args: [...args],
    options: {
      host: { type: "string" },
      interface: { type: "string" },
      port: { type: "string", default: String(defaults.port) },
    },
  });
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
    throw new TypeError(
      `--port must be a number from 0 to 65535: current value is ${values.port}`,
    );
  }
  return {
    host: values.host ?? values.interface ?? defaults.host,
    port: Number(values.port),
  };
}
