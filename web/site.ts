/**
 * `Site`: serves a resource tree over HTTP, as `twisted.web.server.Site`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Failure } from "../deferred/failure.ts";
import { HTTPFactory } from "../http/http_factory.ts";
import type {
  AccessLogEntry,
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
  HTTPServerRequestChannel,
  RequestHead,
} from "../http/server_interfaces.ts";
import { BodyCollector } from "./_body_collector.ts";
import type {
  IAddress,
  IProtocol,
  IProtocolFactory,
  IReactorTime,
} from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import {
  combinedLogFormatter,
  datetimeToLogString,
} from "./combined_log_formatter.ts";
import { getChildForRequest, type IResource } from "./resource.ts";
import { Session } from "./session.ts";
import { Request, type RequestSite } from "./request.ts";

const accessLogger = getLogger(["torsion", "access"]);

/**
 * Formats one access log line, as the `logFormatter` of Twisted's `Site`
 * (which is given the request; this is given the engine's record of it).
 */
export type LogFormatter = (timestamp: string, entry: AccessLogEntry) => string;

/**
 * Makes the `Request` for each request, as Twisted's `Site.requestFactory`:
 * give a subclass of `Request` to add to it.
 */
export type RequestFactory = new (
  channel: HTTPServerRequestChannel,
  site: Site,
) => Request;

/**
 * Makes each session, as Twisted's `Site.sessionFactory`: give a subclass
 * of `Session` (with its own `sessionTimeout`, say).
 */
export type SessionFactory = new (
  site: Site,
  uid: string,
  reactor: IReactorTime,
) => Session;

/**
 * Options of {@linkcode Site}, Twisted's keyword arguments.
 *
 * @example A site that shows tracebacks and drops idle clients after a minute
 * ```ts
 * import type { SiteOptions } from "@torsion/torsion/web";
 * const options: SiteOptions = { timeout: 60, displayTracebacks: true };
 * ```
 */
export interface SiteOptions
  extends Omit<HTTPServerOptions, "idleConnectionTimeout"> {
  /**
   * Seconds a connection may stay idle before it is closed (the engine's
   * `idleConnectionTimeout`), or `null` for no limit. Mirrors
   * `Site(timeout=...)`, whose default is `HTTPFactory`'s.
   * @default 60 (Twisted's `_REQUEST_TIMEOUT`)
   */
  timeout?: number | null;
  /**
   * Whether a 500 page shows the error and its stack. Leave it off in
   * production: a stack tells an attacker about the code. Mirrors
   * `Site.displayTracebacks`.
   * @default false
   */
  displayTracebacks?: boolean;
  /**
   * The class of the requests. Mirrors `Site.requestFactory`.
   * @default Request
   */
  requestFactory?: RequestFactory;
  /**
   * The class of the sessions. Mirrors `Site.sessionFactory`.
   * @default Session
   */
  sessionFactory?: SessionFactory;
  /**
   * Formats each line of the access log, which is written at level info
   * under `["torsion", "access"]`. Mirrors `Site(logFormatter=...)`.
   * @default combinedLogFormatter
   */
  logFormatter?: LogFormatter;
  /**
   * The reactor whose clock runs the timeouts and whose shutdown drains
   * the site's connections.
   * @default the global reactor
   */
  reactor?: IReactorTime;
}

/**
 * Serves a resource tree: for each request, walks the tree from the root
 * along the path (`getChildForRequest`) and renders the resource found.
 * Mirrors Twisted's `twisted.web.server.Site`: an `IProtocolFactory` for
 * `reactor.listenTCP(port, site)`, `listenSSL` or a server endpoint
 * (`serverFromString(reactor, "tcp:8080").listen(site)`), serving HTTP/1.1
 * with the engine's `HTTPFactory` (whose limits and timeouts it takes as
 * options; `timeout` is the idle timeout), and the engine's
 * `HTTPServerConnectionDelegate`. While a port uses it, `reactor.stop()`
 * lets requests in progress finish before connections close.
 *
 * @example Rendering through a DummyChannel
 * ```ts
 * import assert from "node:assert/strict";
 * import { Data, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel } from "@torsion/torsion/testing";
 * const root = new Resource();
 * root.putChild("hello", new Data("Hello!", "text/plain"));
 * const channel = new DummyChannel({ target: "/hello" });
 * channel.serve(new Site(root));
 * assert.equal(channel.code, 200);
 * assert.equal(channel.text(), "Hello!");
 * ```
 *
 * @example Serving on a loopback port with listenTCP
 * ```ts
 * import assert from "node:assert/strict";
 * import { getPage } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * import { Request, Resource, Site } from "@torsion/torsion/web";
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: Request): string {
 *     return `Hello, ${request.postpath.join("/")}!`;
 *   }
 * }
 * const site = new Site(new Hello());
 * const port = reactor.listenTCP(0, site, { interface: "127.0.0.1" });
 * const body = await getPage(`http://127.0.0.1:${port.getHost().port}/world`);
 * assert.equal(new TextDecoder().decode(body), "Hello, world!");
 * await port.stopListening();
 * await site.closeAllConnections();
 * ```
 */
export class Site
  implements HTTPServerConnectionDelegate, IProtocolFactory, RequestSite {
  /** The root of the tree. Mirrors `Site.resource`. */
  resource: IResource;
  /** Whether 500 pages show the error and its stack. */
  displayTracebacks: boolean;
  /** Seconds an idle connection is kept, `null` without a limit. */
  readonly timeout: number | null;
  /** The class of the requests. */
  requestFactory: RequestFactory;
  /** Formats each access log line. */
  logFormatter: LogFormatter;
  /** The class of the sessions. */
  sessionFactory: SessionFactory;
  /** The live sessions by id. Mirrors `Site.sessions`. */
  readonly sessions: Map<string, Session> = new Map();
  readonly #factory: HTTPFactory;
  readonly #reactor: IReactorTime;

  /**
   * Serves `resource`, as Twisted's `Site(resource, timeout=...)`.
   *
   * @param resource The root of the tree.
   * @param options The options.
   * @throws {RangeError} `timeout` is neither a positive number nor `null`.
   */
  constructor(resource: IResource, options: SiteOptions = {}) {
    const timeout = options.timeout === undefined ? 60 : options.timeout;
    if (timeout !== null && !(timeout > 0)) {
      throw new RangeError(
        `Site timeout must be a positive number of seconds or null: current value is ${timeout}`,
      );
    }
    this.resource = resource;
    this.timeout = timeout;
    this.displayTracebacks = options.displayTracebacks ?? false;
    this.requestFactory = options.requestFactory ?? Request;
    this.logFormatter = options.logFormatter ?? combinedLogFormatter;
    this.sessionFactory = options.sessionFactory ?? Session;
    const {
      displayTracebacks: _displayTracebacks,
      logFormatter: _logFormatter,
      requestFactory: _requestFactory,
      sessionFactory: _sessionFactory,
      reactor,
      timeout: _timeout,
      ...engine
    } = options;
    this.#reactor = reactor ?? defaultReactor;
    this.#factory = new HTTPFactory(
      this,
      // The engine reads an idle timeout of 0 as no limit.
      { ...engine, idleConnectionTimeout: timeout ?? 0 },
      this.#reactor,
    );
  }

  /**
   * The engine's channel for a new connection. Mirrors
   * `HTTPFactory.buildProtocol`, which `Site` inherits in Twisted.
   *
   * @param addr The client's address.
   * @returns The connection's protocol.
   */
  buildProtocol(addr: IAddress): IProtocol {
    return this.#factory.buildProtocol(addr);
  }

  /** Counts a port using the site. Mirrors `Factory.doStart`. */
  doStart(): void {
    this.#factory.doStart();
  }

  /** Uncounts a port. Mirrors `Factory.doStop`. */
  doStop(): void {
    this.#factory.doStop();
  }

  /**
   * Closes the site's connections gracefully: idle ones at once, the
   * others once their request is answered, any left after `timeout`
   * seconds aborted. Stop listening first. The engine's `HTTPFactory.drain`.
   *
   * @param timeout Seconds to let requests in progress finish.
   * @returns A Promise that resolves once every connection is closed.
   */
  drain(timeout?: number): Promise<void> {
    return this.#factory.drain(timeout);
  }

  /**
   * Aborts every open connection at once. The engine's
   * `HTTPFactory.closeAllConnections` (Tornado's `close_all_connections`).
   *
   * @returns A Promise that resolves once every connection is closed.
   */
  closeAllConnections(): Promise<void> {
    return this.#factory.closeAllConnections();
  }

  /**
   * The resource that renders `request`, found from the root along its
   * `postpath`. Mirrors Twisted's `Site.getResourceFor`.
   *
   * @param request The request.
   * @returns The resource.
   */
  getResourceFor(request: Request): IResource {
    request.site = this;
    request.sitepath = request.prepath.slice();
    return getChildForRequest(this.resource, request);
  }

  /**
   * Makes a session with a new random id (32 random bytes in hex) and
   * keeps it in `sessions` until it expires. Mirrors Twisted's
   * `Site.makeSession`.
   *
   * @returns The session.
   */
  makeSession(): Session {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const uid = Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
      .join("");
    const session = new this.sessionFactory(this, uid, this.#reactor);
    this.sessions.set(uid, session);
    session.startCheckingExpiration();
    return session;
  }

  /**
   * The live session with id `uid`, or `undefined` (where Twisted's
   * `Site.getSession` raises `KeyError`).
   *
   * @param uid The session id, from its cookie.
   * @returns The session.
   */
  getSession(uid: string): Session | undefined {
    return this.sessions.get(uid);
  }

  /**
   * Writes one access log line with `logFormatter`, at level info under
   * `["torsion", "access"]`. The engine calls it once per response, in
   * place of its own access log. Mirrors Twisted's `Site.log`.
   *
   * @param entry What the engine recorded of the request.
   */
  logAccess(entry: AccessLogEntry): void {
    if (!accessLogger.isEnabledFor("info")) return;
    const now = this.#reactor.seconds() * 1000;
    const line = this.logFormatter(datetimeToLogString(now), entry);
    accessLogger.info("{line}", { line, ...entry });
  }

  /**
   * Whether `logAccess` would write a line: the engine records a request
   * for it only then.
   *
   * @returns Whether the access log is enabled at level info.
   */
  logsAccess(): boolean {
    return accessLogger.isEnabledFor("info");
  }

  /**
   * The engine's hook for each request: returns the delegate that collects
   * the body and then processes a `Request`.
   *
   * @param channel The request's channel.
   * @returns The request's delegate.
   */
  startRequest(channel: HTTPServerRequestChannel): HTTPRequestDelegate {
    return new SiteRequestDelegate(this, channel);
  }
}

/** Collects one request's body, then hands the `Request` to the site. */
class SiteRequestDelegate implements HTTPRequestDelegate {
  readonly #site: Site;
  readonly #channel: HTTPServerRequestChannel;
  #request: Request | null = null;
  #body: BodyCollector | null = null;

  constructor(site: Site, channel: HTTPServerRequestChannel) {
    this.#site = site;
    this.#channel = channel;
  }

  headersReceived(_head: RequestHead): void {
    this.#request = new this.#site.requestFactory(this.#channel, this.#site);
  }

  dataReceived(chunk: Uint8Array): void {
    (this.#body ??= new BodyCollector(this.#channel.head.length)).add(chunk);
  }

  finish(): void {
    const request = this.#request ??
      new this.#site.requestFactory(this.#channel, this.#site);
    this.#request = request;
    const body = this.#body;
    this.#body = null;
    request.requestReceived(body === null ? request.content : body.take());
  }

  onConnectionClose(reason: Failure): void {
    this.#body = null;
    this.#request?.connectionLost(reason);
  }
}
