/**
 * TCP and TLS ports, connectors and transports on Deno's sockets.
 * (Stub: being implemented.)
 *
 * @module
 */
import type { IReactorTime } from "../deferred/interfaces.ts";
import type {
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocolFactory,
  ListenTCPOptions,
  TLSClientOptions,
  TLSServerOptions,
} from "./interfaces.ts";

/** Listens on `port`; with `tls`, for TLS connections. */
export function listenTCP(
  _reactor: IReactorTime,
  _port: number,
  _factory: IProtocolFactory,
  _options: ListenTCPOptions = {},
  _tls?: TLSServerOptions,
): IListeningPort {
  throw new Error("listenTCP is not implemented yet");
}

/** Connects to `host`:`port`; with `tls`, over TLS. */
export function connectTCP(
  _reactor: IReactorTime,
  _host: string,
  _port: number,
  _factory: IClientFactory,
  _options: ConnectTCPOptions = {},
  _tls?: TLSClientOptions,
): IConnector {
  throw new Error("connectTCP is not implemented yet");
}

/** Closes every port and connection opened through `reactor`. */
export function disconnectAll(_reactor: IReactorTime): Promise<void> {
  return Promise.resolve();
}
