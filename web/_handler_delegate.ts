/**
 * The per-request bridge between the HTTP engine and a Tornado-style
 * handler, as Tornado's `web._HandlerDelegate`: it builds the
 * `HTTPServerRequest` from the head, collects the body, then finds and runs
 * the handler once the body is complete.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type {
  HTTPRequestDelegate,
  HTTPServerRequestChannel,
  RequestHead,
} from "../http/server_interfaces.ts";
import type { Failure } from "../deferred/failure.ts";
import { Headers } from "../http/headers.ts";
import { versionText } from "../http/_message_parser.ts";
import { BodyCollector } from "./_body_collector.ts";
import type { OutputTransform } from "./output_transform.ts";
import { BodyArgumentsError } from "./_body_arguments.ts";
import { GZipContentEncoding } from "./_gzip.ts";
import { ErrorHandler } from "./error_handler.ts";
import { HTTPServerRequest } from "./http_server_request.ts";
import type { RequestHandlerApplication } from "./interfaces.ts";
import type { RequestHandler } from "./request_handler.ts";
import { SETTLED } from "./_settled.ts";
import { hasStreamRequestBody } from "./stream_request_body.ts";
import type { FoundHandler } from "./url_spec.ts";

const logger = getLogger(["torsion", "web"]);
/** The transforms of an application that does not compress: none. */
const NO_TRANSFORMS: OutputTransform[] = [];

/**
 * What a `HandlerDelegate` needs of its `Application`: what handlers see
 * of it, and routing.
 */
interface RoutingApplication extends RequestHandlerApplication {
  findHandler(request: HTTPServerRequest): FoundHandler;
}

/** Runs one request of an `Application` on a server connection. */
export class HandlerDelegate implements HTTPRequestDelegate {
  readonly #application: RoutingApplication;
  readonly #channel: HTTPServerRequestChannel;
  #request: HTTPServerRequest | undefined;
  #handler: RequestHandler | undefined;
  #body: BodyCollector | null = null;
  #closed = false;
  #route: FoundHandler | undefined;
  #started = false;
  #streaming = false;

  constructor(
    application: RoutingApplication,
    channel: HTTPServerRequestChannel,
  ) {
    this.#application = application;
    this.#channel = channel;
  }

  headersReceived(head: RequestHead): void {
    this.#request = requestFromHead(head, this.#channel);
    const route = this.#application.findHandler(this.#request);
    this.#route = route;
    // A client waiting for `100 Continue` before it sends its body gets a
    // refusal (no route, or a method the handler class does not support)
    // at once instead, so it never sends a body nobody wants; the engine
    // then closes the connection, as the body was not read.
    const supported = (route.handlerClass as unknown as typeof RequestHandler)
      .SUPPORTED_METHODS;
    if (
      head.length !== 0 &&
      head.headers.get("expect")?.toLowerCase() === "100-continue" &&
      (route.handlerClass === ErrorHandler ||
        (supported !== undefined && !supported.includes(head.method)))
    ) {
      this.#execute(this.#request, route);
    } else if (hasStreamRequestBody(route.handlerClass)) {
      this.#streaming = true;
      this.#execute(this.#request, route);
    }
  }

  dataReceived(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#streaming) {
      // The view is only valid during the call; the handler keeps its copy.
      this.#handler?.receiveBodyChunk(chunk.slice());
      return;
    }
    if (this.#started) return;
    (this.#body ??= new BodyCollector(this.#channel.head.length)).add(chunk);
  }

  finish(): void {
    const request = this.#request;
    if (this.#streaming) {
      if (!this.#closed) this.#handler?.receiveBodyEnd();
      return;
    }
    if (request === undefined || this.#closed || this.#started) return;
    const body = this.#body;
    this.#body = null;
    if (body !== null && body.length > 0) request.body = body.take();
    this.#execute(request, this.#route!);
  }

  #execute(request: HTTPServerRequest, route: FoundHandler): void {
    this.#started = true;
    const application = this.#application;
    const handler = new route.handlerClass(application, request);
    this.#handler = handler;
    const settings = application.settings;
    const transforms = settings.compressResponse || settings.gzip
      ? [new GZipContentEncoding(request.headers.get("accept-encoding") ?? "")]
      : NO_TRANSFORMS;
    try {
      handler.initialize(route.initArgs);
    } catch (error) {
      logger.error("Uncaught exception in initialize: {error}", { error });
      handler.sendError(500, { excInfo: error });
      return;
    }
    const running = handler.execute(
      transforms,
      route.pathArgs,
      route.pathKwargs,
      this.#streaming,
    );
    // A handler done at once returns the shared fulfilled Promise: nothing
    // can escape from it, and waiting would cost a Promise and a microtask.
    if (running !== SETTLED) running.catch(logUncaught);
  }

  onConnectionClose(_reason: Failure): void {
    this.#closed = true;
    this.#body = null;
    this.#handler?.connectionLost();
  }
}

/** Logs what a handler's `execute` let escape (it catches all it can). */
function logUncaught(error: unknown): void {
  logger.error("Uncaught exception {error}", { error });
}

/** The `HTTPServerRequest` of a request head received on `channel`. */
function requestFromHead(
  head: RequestHead,
  channel: HTTPServerRequestChannel,
): HTTPServerRequest {
  return new HTTPServerRequest({
    method: head.method,
    uri: originForm(head.target),
    version: versionText(head.version),
    headers: head.headers,
    connection: channel,
  });
}

/**
 * Runs a plain request callback, as Tornado's `httpserver._CallableAdapter`:
 * the request, with its body and form arguments, is handed to `callback`
 * once complete; the callback answers on `request.connection`.
 */
export class CallableDelegate implements HTTPRequestDelegate {
  readonly #callback: (request: HTTPServerRequest) => void;
  readonly #channel: HTTPServerRequestChannel;
  #request: HTTPServerRequest | undefined;
  #body: BodyCollector | null = null;
  #closed = false;

  constructor(
    callback: (request: HTTPServerRequest) => void,
    channel: HTTPServerRequestChannel,
  ) {
    this.#callback = callback;
    this.#channel = channel;
  }

  headersReceived(head: RequestHead): void {
    this.#request = requestFromHead(head, this.#channel);
  }

  dataReceived(chunk: Uint8Array): void {
    if (this.#closed) return;
    (this.#body ??= new BodyCollector(this.#channel.head.length)).add(chunk);
  }

  finish(): void {
    const request = this.#request;
    if (request === undefined || this.#closed) return;
    const body = this.#body;
    this.#body = null;
    if (body !== null && body.length > 0) request.body = body.take();
    try {
      request.parseBody();
    } catch (error) {
      if (!(error instanceof BodyArgumentsError)) throw error;
      this.#channel.writeHead(
        400,
        "Bad Request",
        new Headers({ "Content-Length": "0", Connection: "close" }),
      );
      this.#channel.finish();
      return;
    }
    this.#callback(request);
  }

  onConnectionClose(_reason: Failure): void {
    this.#closed = true;
    this.#body = null;
  }
}

/** The path and query of an absolute-form target (`http://h/p?q` → `/p?q`). */
function originForm(target: string): string {
  if (target.startsWith("/") || target === "*") return target;
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^#]*)/.exec(target);
  if (match === null) return target;
  return match[1] === ""
    ? "/"
    : match[1].startsWith("?")
    ? `/${match[1]}`
    : match[1];
}
