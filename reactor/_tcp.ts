/**
 * TCP and TLS for the reactor on Deno's own sockets (`Deno.listen`,
 * `Deno.listenTls`, `Deno.connect`, `Deno.startTls`): what
 * `Reactor.listenTCP`, `connectTCP`, `listenSSL` and `connectSSL` call, and
 * the `disconnectAll` its shutdown runs, as Twisted's `tcp.py`, `ssl.py`
 * and `posixbase.disconnectAll`.
 *
 * @module
 */
import { Failure } from "../deferred/failure.ts";
import type { IReactorTime } from "../deferred/interfaces.ts";
import { describeValue } from "../_util/describe.ts";
import { describeError, logError } from "../_util/log_error.ts";
import { CannotListenError, ConnectionLost } from "./errors.ts";
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
import { DEFAULT_BACKLOG, DEFAULT_TIMEOUT } from "./_arguments.ts";
import { Connector } from "./_tcp_connector.ts";
import { Port } from "./_tcp_port.ts";
import { tracked } from "./_tcp_tracker.ts";

const CATEGORY = ["torsion", "reactor"] as const;

/**
 * How many times `disconnectAll` looks again for sockets opened by
 * callbacks of the ones it closed (a factory reconnecting at once).
 */
const DISCONNECT_ROUNDS = 10;

function requirePort(port: number, what: string, allowZero: boolean): void {
  // An unchecked program may pass the text of a port ("8000"), which would
  // look valid in a message that only quoted the value.
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${what} on a port given as ${
        port === null ? "null" : typeof port
      }: a port is a number, current value is ${describeValue(port)}`,
    );
  }
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new RangeError(
      `Cannot ${what} on port ${port}: a port is an integer from ${
        allowZero ? 0 : 1
      } to 65535`,
    );
  }
}

/**
 * Binds `port` and accepts connections, building a protocol from
 * `factory` for each. Mirrors Twisted's `reactor.listenTCP` (and, with
 * `tls`, `listenSSL`). `factory.doStart()` runs once bound.
 *
 * @param reactor The reactor that owns the port (for `disconnectAll`).
 * @param port The port, 0 for any free one (see `getHost()`).
 * @param factory Builds a protocol per connection; `null` refuses it.
 * @param options `interface` (default all IPv4 interfaces) and `backlog`.
 * @param tls A PEM certificate chain and key, to accept TLS.
 * @returns The listening port.
 * @throws {TypeError} `port` is not a number (a string such as `"8000"`).
 * @throws {RangeError} `port` is not an integer from 0 to 65535.
 * @throws {CannotListenError} The address cannot be bound (in use, not
 *   permitted) or the certificate or key is invalid.
 */
export function listenTCP(
  reactor: IReactorTime,
  port: number,
  factory: IProtocolFactory,
  options: ListenTCPOptions = {},
  tls?: TLSServerOptions,
): IListeningPort {
  requirePort(port, "listen", true);
  const iface = options.interface ?? "";
  const address = {
    hostname: iface === "" ? "0.0.0.0" : iface,
    port,
    tcpBacklog: options.backlog ?? DEFAULT_BACKLOG,
  };
  let listener: Deno.Listener;
  try {
    listener = tls === undefined ? Deno.listen(address) : Deno.listenTls({
      ...address,
      cert: tls.cert,
      key: tls.key,
      alpnProtocols: tls.alpnProtocols,
    });
  } catch (error) {
    throw new CannotListenError(iface, port, { cause: error });
  }
  const listening = new Port(reactor, factory, listener, tls !== undefined);
  listening.startListening();
  return listening;
}

/**
 * Connects to `host`:`port` and reports the outcome to `factory`. Mirrors
 * Twisted's `reactor.connectTCP` (and, with `tls`, `connectSSL`): the
 * factory gets `startedConnecting`, then a protocol from `buildProtocol`,
 * or `clientConnectionFailed` with `ConnectionRefusedError`,
 * `DNSLookupError`, `TimeoutError`, `TLSError` or `UserError`. With TLS the
 * handshake completes before `buildProtocol`, so a protocol only ever sees
 * a verified connection.
 *
 * @param reactor Schedules the timeout with `callLater`.
 * @param host A host name or IP address.
 * @param port The port.
 * @param factory The client factory.
 * @param options `timeout` in seconds (default 30; DNS, connect and TLS
 *   handshake included).
 * @param tls TLS settings, to connect with TLS.
 * @returns The connector, already connecting.
 * @throws {TypeError} `port` is not a number (a string such as `"80"`).
 * @throws {RangeError} `port` is not from 1 to 65535, or `timeout` is
 *   negative or not finite.
 */
export function connectTCP(
  reactor: IReactorTime,
  host: string,
  port: number,
  factory: IClientFactory,
  options: ConnectTCPOptions = {},
  tls?: TLSClientOptions,
): IConnector {
  requirePort(port, "connect", false);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw new RangeError(
      `Cannot connect with timeout ${timeout}: it must be a finite number of seconds, at least 0`,
    );
  }
  const connector = new Connector(reactor, host, port, factory, timeout, tls);
  connector.connect();
  return connector;
}

/**
 * Closes every port, connection and connection attempt opened through
 * `reactor`, as Twisted's `disconnectAll` at shutdown: connections get
 * `connectionLost` with `ConnectionLost`, attempts fail with
 * `ConnectError`, ports stop listening.
 *
 * @param reactor The reactor shutting down.
 * @returns A Promise that resolves once every socket operation has settled.
 */
export async function disconnectAll(reactor: IReactorTime): Promise<void> {
  const reason = new Failure(
    new ConnectionLost("Connection was closed by reactor shutdown"),
  );
  for (let round = 0; round < DISCONNECT_ROUNDS; round++) {
    const items = tracked(reactor);
    if (items.length === 0) return;
    await Promise.all(
      items.map((item) =>
        item.disconnect(reason).catch((error) =>
          logError(
            CATEGORY,
            `Could not close a socket: ${describeError(error)}`,
            error,
          )
        )
      ),
    );
  }
}
