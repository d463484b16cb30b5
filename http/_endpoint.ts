/**
 * `HTTPEndpoint`: how the client reaches a server, as Twisted's
 * `HostnameEndpoint` wrapped by `wrapClientTLS`, plus an HTTP proxy tunnel
 * (CONNECT) that Twisted leaves to third parties. It resolves the host name
 * (`_name_resolver.ts`), connects over TCP, then (for a tunnel) asks the
 * proxy to CONNECT, then (for https) starts TLS, and only then hands the
 * connection to an `HTTP11ClientProtocol`.
 * Each step updates the request's `PhaseTracker`, so a timeout can say
 * which one ran out.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { CancelledError, TimeoutError } from "../deferred/errors.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall } from "../deferred/interfaces.ts";
import { ConnectError, TLSError } from "../reactor/errors.ts";
import type {
  IAddress,
  IConnector,
  IProtocol,
  IReactor,
  ITCPTransport,
  ITLSTransport,
} from "../reactor/interfaces.ts";
import { ClientFactory, Protocol } from "../reactor/protocol.ts";
import { errorMessage } from "../reactor/_socket_errors.ts";
import type { HTTP11ClientProtocol } from "./_client_protocol.ts";
import { PageError } from "./client_errors.ts";
import type { HTTPTimeoutPhase } from "./http_client_error.ts";
import { dnsLookupError, resolverFor } from "./_name_resolver.ts";
import { HTTPClientParser } from "./_http_client_parser.ts";
import type { ResponseHead } from "./interfaces.ts";
import { PHASE_WORDS, type PhaseTracker } from "./_request.ts";

/** A proxy to tunnel through with CONNECT. */
export interface TunnelSettings {
  /** The proxy's host. */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
  /** The `Proxy-Authorization` value to send, or `null`. */
  readonly authorization: string | null;
}

/** TLS settings for an https connection. */
export interface TLSSettings {
  /** The name to verify the certificate against and send as SNI. */
  readonly hostname: string;
  /** Extra PEM CA certificates to trust. */
  readonly caCerts?: readonly string[];
  /** Whether the caller asked for the certificate to be checked. */
  readonly validateCert: boolean;
}

/** What an {@linkcode HTTPEndpoint} connects to and how. */
export interface EndpointInit {
  /** The host of the server (the origin, or the plain-HTTP proxy). */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** TLS settings, for https; `null` for plain TCP. */
  readonly tls: TLSSettings | null;
  /** A proxy to reach `host`:`port` through with CONNECT, or `null`. */
  readonly tunnel: TunnelSettings | null;
  /**
   * Seconds allowed for the name lookup, TCP, CONNECT and TLS together;
   * `null` for no deadline of the endpoint's own (the reactor's 30 seconds
   * then bound the TCP connect alone).
   */
  readonly connectTimeout: number | null;
  /** Follows the phases, or `null`. */
  readonly tracker: PhaseTracker | null;
}

const encoder = new TextEncoder();

/**
 * Makes the protocol of a connection once it is set up: the pool, one
 * object for all its connections, told which key the connection is for.
 */
export interface ProtocolBuilder {
  /** The protocol for a new connection kept under `key`. */
  build(key: string): HTTP11ClientProtocol;
}

/**
 * Connects to one server. Mirrors Twisted's `IStreamClientEndpoint`:
 * `connect()` returns a Deferred of the connected protocol.
 */
export class HTTPEndpoint {
  readonly #reactor: IReactor;
  readonly init: EndpointInit;

  constructor(reactor: IReactor, init: EndpointInit) {
    this.#reactor = reactor;
    this.init = init;
  }

  /**
   * Connects and hands the connection to the protocol `builder.build(key)`
   * returns.
   *
   * @returns A Deferred of that protocol once it is connected (and the
   * tunnel and TLS are up). It fails with the reactor's connect errors
   * (`ConnectionRefusedError`, `DNSLookupError`, `TimeoutError`,
   * `TLSError`, ...), with `ConnectError` when the proxy refuses the
   * tunnel, and with `CancelledError` when cancelled.
   */
  connect(
    builder: ProtocolBuilder,
    key: string,
  ): Deferred<HTTP11ClientProtocol> {
    return new Attempt(this.#reactor, this.init, builder, key).start();
  }

  /** The destination, for logs. */
  toString(): string {
    const { host, port, tls, tunnel } = this.init;
    const via = tunnel === null ? "" : ` via ${tunnel.host}:${tunnel.port}`;
    return `HTTPEndpoint(${
      tls === null ? "tcp" : "tls"
    }:${host}:${port}${via})`;
  }
}

/** One connection attempt and its setup steps. */
class Attempt extends ClientFactory {
  /**
   * Fired once, by `ready` or `fail`, and then let go along with `#init`:
   * the connector keeps its factory, this attempt, for as long as the
   * connection is open, idle in a pool included.
   */
  #deferred: Deferred<HTTP11ClientProtocol> | null;
  readonly #reactor: IReactor;
  #init: EndpointInit | null;
  readonly #builder: ProtocolBuilder;
  readonly #key: string;
  readonly #started: number;
  #connector: IConnector | null = null;
  #setup: SetupProtocol | null = null;
  #timer: IDelayedCall | null = null;
  #done = false;

  constructor(
    reactor: IReactor,
    init: EndpointInit,
    builder: ProtocolBuilder,
    key: string,
  ) {
    super();
    this.#reactor = reactor;
    this.#init = init;
    this.#builder = builder;
    this.#key = key;
    this.#started = reactor.seconds();
    this.#deferred = new Deferred<HTTP11ClientProtocol>(() => {
      this.fail(
        new CancelledError(
          `Connection to ${init.host}:${init.port} was cancelled`,
        ),
      );
    });
  }

  /**
   * Starts the name lookup or the connection.
   *
   * @returns The Deferred of the connected protocol.
   */
  start(): Deferred<HTTP11ClientProtocol> {
    const deferred = this.#deferred as Deferred<HTTP11ClientProtocol>;
    const init = this.#init as EndpointInit;
    const reactor = this.#reactor;
    // One deadline for every step: name lookup, TCP, CONNECT and TLS.
    const timeout = init.connectTimeout;
    if (timeout !== null) {
      this.#timer = reactor.callLater(timeout, () => {
        this.#timer = null;
        this.#timedOut(timeout);
      });
    }
    const target = init.tunnel ?? init;
    const resolve = resolverFor(reactor, target.host);
    if (resolve === null) {
      this.#connect(target.host, target.port);
      return deferred;
    }
    this.#setPhase("dns");
    let lookup: PromiseLike<string>;
    try {
      lookup = resolve(target.host);
    } catch (error) {
      this.fail(dnsLookupError(error, target.host));
      return deferred;
    }
    const resolved = (address: string): void =>
      this.#connect(address, target.port);
    const failed = (error: unknown): void =>
      this.fail(dnsLookupError(error, target.host));
    // A Deferred answers synchronously, as in Twisted; a Promise later.
    if (lookup instanceof Deferred) {
      lookup.addCallbacks(
        resolved,
        (failure: Failure) => failed(failure.value),
      );
    } else {
      lookup.then(resolved, failed);
    }
    return deferred;
  }

  override buildProtocol(_addr: IAddress): IProtocol | null {
    if (this.#done) return null;
    const setup = new SetupProtocol(this, this.#init as EndpointInit);
    this.#setup = setup;
    return setup;
  }

  override clientConnectionFailed(
    _connector: IConnector,
    reason: Failure,
  ): void {
    this.fail(reason);
  }

  /** Every step is done: hands over the protocol. */
  ready(transport: ITCPTransport): void {
    if (this.#done) return;
    const deferred = this.#finish();
    const protocol = this.#builder.build(this.#key);
    (this.#setup as SetupProtocol).attach(protocol);
    this.#setup = null;
    protocol.makeConnection(transport);
    deferred.callback(protocol);
  }

  fail(error: unknown): void {
    if (this.#done) return;
    const deferred = this.#finish();
    const connector = this.#connector;
    if (connector !== null && connector.state === "connecting") {
      connector.stopConnecting();
    }
    this.#setup?.abort();
    deferred.errback(error);
  }

  #setPhase(phase: HTTPTimeoutPhase): void {
    const tracker = (this.#init as EndpointInit).tracker;
    if (tracker !== null) tracker.phase = phase;
  }

  /** Opens TCP to `address` with what is left of the connect timeout. */
  #connect(address: string, port: number): void {
    if (this.#done) return;
    this.#setPhase("connect");
    const timeout = (this.#init as EndpointInit).connectTimeout;
    // The reactor's own timer is a backstop a second behind this
    // attempt's, whose message names the phase.
    const options = timeout === null ? undefined : {
      timeout: Math.max(0, timeout - this.#elapsed()) + 1,
    };
    try {
      this.#connector = this.#reactor.connectTCP(address, port, this, options);
    } catch (error) {
      this.fail(error);
    }
  }

  #elapsed(): number {
    return this.#reactor.seconds() - this.#started;
  }

  #timedOut(timeout: number): void {
    const { host, port, tracker } = this.#init as EndpointInit;
    const phase = tracker === null ? "connecting" : PHASE_WORDS[tracker.phase];
    this.fail(
      new TimeoutError(
        `Timeout while connecting to ${host}:${port} after ${timeout} seconds (${phase})`,
      ),
    );
  }

  /** Ends the attempt: returns its Deferred, for the caller to fire, and lets it go. */
  #finish(): Deferred<HTTP11ClientProtocol> {
    this.#done = true;
    const timer = this.#timer;
    this.#timer = null;
    if (timer !== null && timer.active()) timer.cancel();
    const deferred = this.#deferred as Deferred<HTTP11ClientProtocol>;
    this.#deferred = null;
    this.#init = null;
    return deferred;
  }
}

/**
 * Drives the connection until it is ready (CONNECT, TLS), then forwards
 * every event to the HTTP protocol. Mirrors Twisted's `_WrappingProtocol`.
 */
class SetupProtocol extends Protocol {
  // Both let go once the HTTP protocol is attached (see `Attempt`).
  #attempt: Attempt | null;
  #init: EndpointInit | null;
  #inner: IProtocol | null = null;
  #parser: HTTPClientParser | null = null;
  #tunnelHead: ResponseHead | null = null;
  #aborted = false;

  constructor(attempt: Attempt, init: EndpointInit) {
    super();
    this.#attempt = attempt;
    this.#init = init;
  }

  attach(inner: IProtocol): void {
    this.#inner = inner;
    this.#attempt = null;
    this.#init = null;
  }

  abort(): void {
    if (this.#aborted || this.#inner !== null) return;
    this.#aborted = true;
    (this.transport as ITCPTransport | null)?.abortConnection();
  }

  override connectionMade(): void {
    const init = this.#init as EndpointInit;
    const tunnel = init.tunnel;
    if (tunnel !== null) {
      this.#sendConnect(tunnel);
    } else if (init.tls !== null) {
      this.#startTLS(init.tls);
    } else {
      (this.#attempt as Attempt).ready(this.transport as ITCPTransport);
    }
  }

  override dataReceived(data: Uint8Array): void {
    const inner = this.#inner;
    if (inner !== null) {
      inner.dataReceived(data);
      return;
    }
    const parser = this.#parser;
    if (parser === null || this.#aborted) return;
    const attempt = this.#attempt as Attempt;
    const init = this.#init as EndpointInit;
    let consumed: number;
    try {
      consumed = parser.feed(data);
    } catch (error) {
      attempt.fail(
        new ConnectError(
          `Proxy sent an invalid answer to CONNECT: ${errorMessage(error)}`,
          { cause: error },
        ),
      );
      return;
    }
    const head = this.#tunnelHead;
    if (head === null) return;
    const { host, port } = init;
    if (head.code < 200 || head.code >= 300) {
      attempt.fail(
        new ConnectError(
          `Proxy refused to CONNECT to ${host}:${port}: ${head.code} ${head.phrase}`,
          { cause: new PageError(head.code, head.phrase) },
        ),
      );
      return;
    }
    if (consumed < data.length) {
      attempt.fail(
        new ConnectError(
          `Proxy sent data before the tunnel to ${host}:${port} was used`,
        ),
      );
      return;
    }
    this.#parser = null;
    if (init.tls !== null) this.#startTLS(init.tls);
    else attempt.ready(this.transport as ITCPTransport);
  }

  override connectionLost(reason: Failure): void {
    const inner = this.#inner;
    if (inner !== null) {
      inner.connectionLost(reason);
      return;
    }
    const { host, port } = this.#init as EndpointInit;
    (this.#attempt as Attempt).fail(
      new ConnectError(
        `Connection to ${host}:${port} closed while it was set up: ${reason.getErrorMessage()}`,
        { cause: reason.value },
      ),
    );
  }

  #sendConnect(tunnel: TunnelSettings): void {
    const { host, port } = this.#init as EndpointInit;
    const authority = host.includes(":")
      ? `[${host}]:${port}`
      : `${host}:${port}`;
    let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
    if (tunnel.authorization !== null) {
      head += `Proxy-Authorization: ${tunnel.authorization}\r\n`;
    }
    this.#parser = new HTTPClientParser({
      onHeaders: (h) => {
        this.#tunnelHead = h;
      },
      onBody: () => {},
      onComplete: () => {},
    }, { method: "CONNECT" });
    (this.transport as ITCPTransport).write(encoder.encode(`${head}\r\n`));
  }

  #startTLS(tls: TLSSettings): void {
    const attempt = this.#attempt as Attempt;
    const tracker = (this.#init as EndpointInit).tracker;
    if (tracker !== null) tracker.phase = "tls";
    const transport = this.transport as ITLSTransport;
    let started: Deferred<void>;
    try {
      started = transport.startTLS({
        hostname: tls.hostname,
        caCerts: tls.caCerts === undefined ? undefined : [...tls.caCerts],
      });
    } catch (error) {
      attempt.fail(error);
      return;
    }
    started.addCallbacks(
      () => attempt.ready(transport),
      (failure: Failure) => attempt.fail(tlsFailure(failure, tls)),
    );
  }
}

/**
 * Deno checks every certificate unless the process runs with
 * `--unsafely-ignore-certificate-errors`, so `validateCert: false` cannot be
 * honoured per connection: say so instead of a bare handshake error.
 */
function tlsFailure(failure: Failure, tls: TLSSettings): unknown {
  if (tls.validateCert) return failure;
  return new TLSError(
    `Cannot skip certificate validation for ${tls.hostname} (validateCert is false): Deno checks every certificate unless run with --unsafely-ignore-certificate-errors; ${failure.getErrorMessage()}`,
    { cause: failure.value },
  );
}
