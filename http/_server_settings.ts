/**
 * The server engine's options resolved to their defaults and checked, and
 * what an `HTTPChannel` tells the factory that built it.
 *
 * @module
 */
import type { HTTPChannel } from "./http_channel.ts";
import type { HTTPServerOptions } from "./server_interfaces.ts";

/** `HTTPServerOptions` with every default applied. */
export interface ServerSettings {
  readonly maxHeaderSize: number;
  readonly maxBodySize: number;
  readonly idleConnectionTimeout: number;
  readonly headerTimeout: number;
  readonly bodyTimeout: number;
  readonly noKeepAlive: boolean;
  readonly xheaders: boolean;
  readonly decompressRequest: boolean;
  readonly serverHeader: string | null;
}

/** The default `maxBodySize`: 100 MiB, as Tornado's `max_body_size`. */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 100 * 1024 * 1024;

/**
 * Applies the defaults of `options` and checks them.
 *
 * @throws {RangeError} A size is not positive, or a timeout is negative.
 * @throws {TypeError} `serverHeader` holds CR, LF or NUL.
 */
export function resolveServerOptions(
  options: HTTPServerOptions = {},
): ServerSettings {
  const settings: ServerSettings = {
    maxHeaderSize: options.maxHeaderSize ?? 65536,
    maxBodySize: options.maxBodySize ?? DEFAULT_MAX_REQUEST_BODY_SIZE,
    idleConnectionTimeout: options.idleConnectionTimeout ?? 3600,
    headerTimeout: options.headerTimeout ?? 60,
    bodyTimeout: options.bodyTimeout ?? 3600,
    noKeepAlive: options.noKeepAlive ?? false,
    xheaders: options.xheaders ?? false,
    decompressRequest: options.decompressRequest ?? false,
    serverHeader: options.serverHeader === undefined
      ? "Torsion"
      : options.serverHeader,
  };
  for (const name of ["maxHeaderSize", "maxBodySize"] as const) {
    if (!(settings[name] > 0)) {
      throw new RangeError(
        `${name} must be a positive number: current value is ${settings[name]}`,
      );
    }
  }
  for (
    const name of [
      "idleConnectionTimeout",
      "headerTimeout",
      "bodyTimeout",
    ] as const
  ) {
    if (!(settings[name] >= 0)) {
      throw new RangeError(
        `${name} must be a non-negative number of seconds: current value is ${
          settings[name]
        }`,
      );
    }
  }
  const server = settings.serverHeader;
  if (server !== null && /[\r\n\0]/.test(server)) {
    throw new TypeError(
      `serverHeader must not contain CR, LF or NUL: current value is ${
        JSON.stringify(server)
      }`,
    );
  }
  return settings;
}

/** What a channel tells the factory that tracks it. */
export interface ChannelTracker {
  /** Whether the server is shutting down: finish requests, keep none alive. */
  readonly draining: boolean;
  /** The channel's connection was made. */
  channelOpened(channel: HTTPChannel): void;
  /** The channel's connection was lost. */
  channelClosed(channel: HTTPChannel): void;
  /** A request is finished and no other is in progress on the channel. */
  channelIdle(channel: HTTPChannel): void;
}
