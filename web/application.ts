/**
 * `Application`: a Tornado-style web application, a list of routes and
 * settings, as `tornado.web.Application`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type {
  AccessLogEntry,
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerRequestChannel,
} from "../http/server_interfaces.ts";
import { HandlerDelegate } from "./_handler_delegate.ts";
import { ErrorHandler } from "./error_handler.ts";
import { HTTPServer, type HTTPServerListenOptions } from "./http_server.ts";
import type { HTTPServerRequest } from "./http_server_request.ts";
import type { RequestHandlerSettings } from "./interfaces.ts";
import type { RequestHandler, RequestHandlerClass } from "./request_handler.ts";
import { StaticFileHandler } from "./static_file_handler.ts";
import { type FoundHandler, URLSpec } from "./url_spec.ts";

const accessLog = getLogger(["torsion", "access"]);

/**
 * The settings of an {@linkcode Application}, Tornado's `settings`
 * keywords camelCased: those its handlers read
 * ({@linkcode RequestHandlerSettings}), and the routing ones below. Other
 * keys are kept for the application's own use.
 */
export interface ApplicationSettings extends RequestHandlerSettings {
  /**
   * The handler for paths no route matches.
   * @default ErrorHandler with statusCode 404
   */
  defaultHandlerClass?: RequestHandlerClass;
  /**
   * The init arguments of `defaultHandlerClass`.
   * @default {}
   */
  defaultHandlerArgs?: Record<string, unknown>;
  /**
   * The handler class of the static routes (a `StaticFileHandler`
   * subclass, whose static `makeStaticUrl` makes `staticUrl`s).
   * @default StaticFileHandler
   */
  staticHandlerClass?: RequestHandlerClass;
  /**
   * More init arguments of the static handler.
   * @default {}
   */
  staticHandlerArgs?: Record<string, unknown>;
  /**
   * Called for each finished request instead of the access log.
   * Tornado's `log_function`.
   * @default undefined (the access log under `["torsion", "access"]`)
   */
  logFunction?: (handler: RequestHandler) => void;
}

/**
 * A route as written in an application's list: `[pattern, Handler,
 * initArgs?, name?]`, or a `URLSpec` made with `url()`.
 */
export type Rule =
  | URLSpec
  | readonly [pattern: string | RegExp, handlerClass: RequestHandlerClass]
  | readonly [
    pattern: string | RegExp,
    handlerClass: RequestHandlerClass,
    initArgs: Record<string, unknown>,
  ]
  | readonly [
    pattern: string | RegExp,
    handlerClass: RequestHandlerClass,
    initArgs: Record<string, unknown>,
    name: string,
  ];

function toSpec(rule: Rule): URLSpec {
  if (rule instanceof URLSpec) return rule;
  const [pattern, handlerClass, initArgs, name] = rule as readonly [
    string | RegExp,
    RequestHandlerClass,
    Record<string, unknown>?,
    string?,
  ];
  return new URLSpec(pattern, handlerClass, initArgs, name);
}

function firstMatch(
  specs: readonly URLSpec[],
  path: string,
): FoundHandler | undefined {
  for (const spec of specs) {
    const match = spec.matchEncoded(path);
    if (match !== null) {
      return {
        handlerClass: spec.handlerClass,
        initArgs: spec.initArgs,
        pathArgs: match.pathArgs,
        pathKwargs: match.pathKwargs,
      };
    }
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A web application: routes from path patterns to handler classes, and
 * settings, as Tornado's `tornado.web.Application`. Routes are tried in
 * order and the first match wins; a path no route matches gets
 * `defaultHandlerClass` or a 404. It is the server's
 * `HTTPServerConnectionDelegate`: `listen` (or `new HTTPServer(app)`)
 * serves it.
 *
 * @example Routes, a named route and a server
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, HTTPError, RequestHandler } from "@torsion/torsion/web";
 * class Item extends RequestHandler {
 *   override get(id: string): void {
 *     if (id === "0") throw new HTTPError(404);
 *     this.write({ id: Number(id) });
 *   }
 * }
 * const app = new Application([[String.raw`/items/(\d+)`, Item, {}, "item"]]);
 * assert.equal(app.reverseUrl("item", 7), "/items/7");
 * const server = app.listen(0, { address: "127.0.0.1" });
 * const base = `http://127.0.0.1:${server.port}`;
 * assert.deepEqual(await (await fetch(`${base}/items/7`)).json(), { id: 7 });
 * const missing = await fetch(`${base}/items/0`);
 * assert.equal(missing.status, 404);
 * await missing.body?.cancel();
 * await server.stop();
 * await server.closeAllConnections();
 * ```
 */
export class Application implements HTTPServerConnectionDelegate {
  /** The settings. */
  readonly settings: ApplicationSettings;
  /** The routes for every host, tried after those of `addHandlers` hosts. */
  readonly handlers: URLSpec[] = [];
  readonly #hosts: { host: RegExp; specs: URLSpec[] }[] = [];
  readonly #named = new Map<string, URLSpec>();

  /**
   * The class serving `staticPath` and making `staticUrl`s: the
   * `staticHandlerClass` setting, else `StaticFileHandler`.
   */
  get staticHandlerClass(): typeof StaticFileHandler {
    return (this.settings.staticHandlerClass as
      | typeof StaticFileHandler
      | undefined) ?? StaticFileHandler;
  }

  /**
   * Creates an application from its routes and settings.
   *
   * @param handlers The routes.
   * @param settings The settings.
   * @throws {SyntaxError} A pattern is not a valid regular expression.
   */
  constructor(
    handlers: readonly Rule[] = [],
    settings: ApplicationSettings = {},
  ) {
    this.settings = settings;
    if (settings.staticPath !== undefined) {
      const prefix = escapeRegExp(settings.staticUrlPrefix ?? "/static/");
      const handlerClass = this.staticHandlerClass;
      const args = { ...settings.staticHandlerArgs, path: settings.staticPath };
      this.#addSpecs(this.handlers, [
        [`${prefix}(.*)`, handlerClass, args],
        [String.raw`/(favicon\.ico)`, handlerClass, args],
        [String.raw`/(robots\.txt)`, handlerClass, args],
      ]);
    }
    this.#addSpecs(this.handlers, handlers);
  }

  #addSpecs(specs: URLSpec[], rules: readonly Rule[]): void {
    for (const rule of rules) {
      const spec = toSpec(rule);
      specs.push(spec);
      if (spec.name !== undefined) this.#named.set(spec.name, spec);
    }
  }

  /**
   * Adds routes for the hosts whose name matches `hostPattern` (a regular
   * expression anchored as route patterns are, matched against
   * `request.hostName`). Host rules are tried in the order they were
   * added, all before the routes given to the constructor; a request
   * whose host matches but whose path matches none of that host's routes
   * goes on to the next rules. Tornado's `add_handlers`.
   *
   * @param hostPattern The host name pattern (`.*$` for every host).
   * @param hostHandlers The routes.
   * @throws {SyntaxError} A pattern is not a valid regular expression.
   *
   * @example Routes for one virtual host
   * ```ts
   * import assert from "node:assert/strict";
   * import { Application, HTTPServerRequest, RequestHandler } from "@torsion/torsion/web";
   * class Api extends RequestHandler {}
   * const app = new Application();
   * app.addHandlers(String.raw`api\.example\.com`, [["/v1/(.*)", Api]]);
   * const request = new HTTPServerRequest({ uri: "/v1/x", host: "api.example.com:8080" });
   * assert.equal(app.findHandler(request).handlerClass, Api);
   * const other = new HTTPServerRequest({ uri: "/v1/x", host: "www.example.com" });
   * assert.notEqual(app.findHandler(other).handlerClass, Api);
   * ```
   */
  addHandlers(hostPattern: string, hostHandlers: readonly Rule[]): void {
    const source = hostPattern.endsWith("$") ? hostPattern : `${hostPattern}$`;
    const specs: URLSpec[] = [];
    this.#hosts.push({ host: new RegExp(`^(?:${source})`), specs });
    this.#addSpecs(specs, hostHandlers);
  }

  /**
   * The handler for a request: the first route whose pattern matches its
   * path (the routes of matching `addHandlers` hosts first), else
   * `defaultHandlerClass`, else a 404 `ErrorHandler`. Tornado's
   * `find_handler`.
   *
   * @param request The request.
   * @returns The handler class and what it is given.
   */
  findHandler(request: HTTPServerRequest): FoundHandler {
    for (const { host, specs } of this.#hosts) {
      if (!host.test(request.hostName)) continue;
      const found = firstMatch(specs, request.path);
      if (found !== undefined) return found;
    }
    const found = firstMatch(this.handlers, request.path);
    if (found !== undefined) return found;
    const empty = Object.create(null) as Record<string, string>;
    if (this.settings.defaultHandlerClass !== undefined) {
      return {
        handlerClass: this.settings.defaultHandlerClass,
        initArgs: this.settings.defaultHandlerArgs ?? {},
        pathArgs: [],
        pathKwargs: empty,
      };
    }
    return {
      handlerClass: ErrorHandler,
      initArgs: { statusCode: 404 },
      pathArgs: [],
      pathKwargs: empty,
    };
  }

  /**
   * The path of a named route with `args` in its groups. Tornado's
   * `reverse_url`.
   *
   * @param name The route name.
   * @param args The group values.
   * @returns The path.
   * @throws {RangeError} No route has that name, or the count of values is wrong.
   */
  reverseUrl(name: string, ...args: (string | number)[]): string {
    const spec = this.#named.get(name);
    if (spec === undefined) {
      throw new RangeError(
        `No route is named ${JSON.stringify(name)}: current names are ${
          JSON.stringify([...this.#named.keys()])
        }`,
      );
    }
    return spec.reverse(...args);
  }

  /**
   * Starts a request on a server connection; called by the HTTP engine
   * for each request. Tornado's `start_request`.
   *
   * @param channel The request's side of the connection.
   * @returns The delegate that receives the request.
   */
  startRequest(channel: HTTPServerRequestChannel): HTTPRequestDelegate {
    return new HandlerDelegate(this, channel);
  }

  /**
   * Logs a finished request: `logFunction` when set, else the access log
   * under `["torsion", "access"]` (`200 GET / (127.0.0.1) 0.52ms`), at info
   * level below 400, warning below 500, error from 500. Tornado's
   * `log_request`.
   *
   * @param handler The handler that finished.
   */
  logRequest(handler: RequestHandler): void {
    if (this.settings.logFunction !== undefined) {
      this.settings.logFunction(handler);
      return;
    }
    const status = handler.getStatus();
    const level = status < 400 ? "info" : status < 500 ? "warning" : "error";
    if (!accessLog.isEnabledFor(level)) return;
    accessLog[level]("{status} {summary} {time}ms", () => ({
      status,
      summary: handler.requestSummary(),
      time: (1000 * handler.request.requestTime()).toFixed(2),
    }));
  }

  /**
   * Replaces the engine's access line: the application logs each request
   * itself (`logRequest`) when its handler finishes, as Tornado does.
   *
   * @param _entry The engine's record of the request, unused.
   */
  logAccess(_entry: AccessLogEntry): void {}

  /**
   * Tells the engine not to record requests for `logAccess`: the
   * application logs them itself.
   *
   * @returns `false`.
   */
  logsAccess(): boolean {
    return false;
  }

  /**
   * Serves the application on `port`: makes an `HTTPServer` and listens.
   * Tornado's `Application.listen`, which returns the server so it can be
   * stopped.
   *
   * @param port The port, 0 for any free one (read it from `server.port`).
   * @param options The address to bind and the server's options.
   * @returns The listening server.
   * @throws {CannotListenError} The port cannot be bound.
   */
  listen(port: number, options: HTTPServerListenOptions = {}): HTTPServer {
    const { address, ...serverOptions } = options;
    const server = new HTTPServer(this, serverOptions);
    server.listen(port, address);
    return server;
  }
}
