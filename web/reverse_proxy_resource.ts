/**
 * `ReverseProxyResource`: forwards requests to another HTTP server, as
 * `twisted.web.proxy.ReverseProxyResource`.
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import { Agent } from "../http/agent.ts";
import { PotentialDataLoss, ResponseDone } from "../http/client_errors.ts";
import { Headers } from "../http/headers.ts";
import type { IResponse } from "../http/interfaces.ts";
import { StringProducer } from "../http/string_producer.ts";
import type {
  IPushProducer,
  IReactor,
  ITransport,
} from "../reactor/interfaces.ts";
import { Protocol } from "../reactor/protocol.ts";
import { reactor as defaultReactor } from "../reactor/reactor.ts";
import { NOT_DONE_YET } from "./not_done_yet.ts";
import type { Request } from "./request.ts";
import { type IResource, Resource } from "./resource.ts";

/** Fields that describe one connection, never forwarded (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function forwardable(headers: Headers, skip: readonly string[]): Headers {
  const dropped = new Set([...HOP_BY_HOP, ...skip]);
  for (const value of headers.getRawHeaders("connection", [])) {
    for (const name of value.split(",")) dropped.add(name.trim().toLowerCase());
  }
  const out = new Headers();
  for (const [name, values] of headers.getAllRawHeaders()) {
    if (!dropped.has(name.toLowerCase())) out.setRawHeaders(name, values);
  }
  return out;
}

/** Writes the upstream body to the request, then finishes it. */
class BodyRelay extends Protocol {
  readonly #request: Request;
  readonly #gone: () => boolean;

  constructor(request: Request, gone: () => boolean) {
    super();
    this.#request = request;
    this.#gone = gone;
  }

  override makeConnection(transport: ITransport): void {
    super.makeConnection(transport);
    // The upstream is read only as fast as the client downstream reads.
    this.#request.registerProducer(
      transport as unknown as IPushProducer,
      true,
    );
  }

  override dataReceived(data: Uint8Array): void {
    this.#request.write(data);
  }

  override connectionLost(reason: Failure): void {
    const request = this.#request;
    request.unregisterProducer();
    if (this.#gone() || request.finished) return;
    if (reason.check(ResponseDone, PotentialDataLoss) !== null) {
      request.finish();
    } else {
      request.processingFailed(reason);
    }
  }
}

/**
 * Forwards every request below it to another HTTP server and relays the
 * answer: the method, the path below this resource appended to `path`,
 * the query, the headers (with `Host` set to the upstream's, hop-by-hop
 * fields dropped) and the body go up; the status, headers and streamed
 * body come back, paced by the client downstream. Mirrors Twisted's
 * `twisted.web.proxy.ReverseProxyResource`, on Torsion's `Agent`. When the
 * upstream cannot be reached the answer is 502 (Twisted answers 501, which
 * RFC 9110 reserves for unimplemented methods).
 *
 * @example Proxying to a backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { getPage } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * import { Resource, ReverseProxyResource, Site } from "@torsion/torsion/web";
 * const backend = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) => new Response(`backend saw ${new URL(request.url).pathname}`),
 * );
 * const root = new Resource();
 * root.putChild("api", new ReverseProxyResource("127.0.0.1", backend.addr.port, "/v1"));
 * const site = new Site(root);
 * const port = reactor.listenTCP(0, site, { interface: "127.0.0.1" });
 * const body = await getPage(`http://127.0.0.1:${port.getHost().port}/api/items`);
 * assert.equal(new TextDecoder().decode(body), "backend saw /v1/items");
 * await port.stopListening();
 * await site.closeAllConnections();
 * await backend.shutdown();
 * ```
 */
export class ReverseProxyResource extends Resource {
  /** The upstream's host. */
  readonly host: string;
  /** The upstream's port. */
  readonly port: number;
  /** The upstream path this resource stands for (`""` for the root). */
  readonly path: string;
  readonly #reactor: IReactor;

  /**
   * Forwards to `http://host:port/path`, as Twisted's
   * `ReverseProxyResource(host, port, path, reactor)`.
   *
   * @param host The upstream's host name or address.
   * @param port The upstream's port.
   * @param path The upstream path for this resource, without a trailing slash.
   * @param reactor The reactor the upstream connections run on.
   * @throws {RangeError} `port` is not from 1 to 65535.
   */
  constructor(
    host: string,
    port: number,
    path: string,
    reactor: IReactor = defaultReactor,
  ) {
    super();
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(
        `ReverseProxyResource port must be from 1 to 65535: current value is ${port}`,
      );
    }
    this.host = host;
    this.port = port;
    this.path = path;
    this.#reactor = reactor;
  }

  /**
   * The proxy for the upstream path one segment further. Mirrors
   * `ReverseProxyResource.getChild`.
   *
   * @param path The path segment (percent-decoded; encoded again upstream).
   * @returns The child proxy.
   */
  override getChild(path: string): IResource {
    return new ReverseProxyResource(
      this.host,
      this.port,
      `${this.path}/${encodeURIComponent(path)}`,
      this.#reactor,
    );
  }

  /**
   * Forwards the request and answers later with the upstream's response.
   * Mirrors `ReverseProxyResource.render`.
   *
   * @param request The request.
   * @returns `NOT_DONE_YET`.
   */
  override render(request: Request): typeof NOT_DONE_YET {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    const authority = this.port === 80 ? host : `${host}:${this.port}`;
    const query = request.uri.indexOf("?");
    const target = (this.path === "" ? "/" : this.path) +
      (query < 0 ? "" : request.uri.slice(query));
    const headers = forwardable(request.requestHeaders, [
      "host",
      "content-length",
    ]);
    headers.setRawHeaders("Host", [authority]);
    const body = request.content.length > 0 ||
        ["POST", "PUT", "PATCH"].includes(request.method)
      ? new StringProducer(request.content)
      : null;
    const pending = new Agent(this.#reactor).request(
      request.method,
      `http://${host}:${this.port}${target}`,
      headers,
      body,
    );
    let gone = false;
    request.notifyFinish().addErrback(() => {
      gone = true;
      if (!pending.called) pending.cancel();
    });
    pending.addCallbacks(
      (response: IResponse) => {
        // Relayed even when the client is gone: registering the body on
        // the finished request stops it, which closes the upstream.
        relay(response, request, () => gone);
        return undefined;
      },
      () => {
        if (gone || request.finished) return undefined;
        request.setResponseCode(502, "Bad Gateway");
        request.setHeader("Content-Type", "text/html");
        request.write("<H1>Could not connect</H1>");
        request.finish();
        return undefined;
      },
    );
    return NOT_DONE_YET;
  }
}

function relay(
  response: IResponse,
  request: Request,
  gone: () => boolean,
): void {
  request.setResponseCode(response.code, response.phrase);
  for (const [name] of [...request.responseHeaders.getAllRawHeaders()]) {
    request.responseHeaders.removeHeader(name);
  }
  for (const [name, value] of forwardable(response.headers, [])) {
    request.responseHeaders.addRawHeader(name, value);
  }
  response.deliverBody(new BodyRelay(request, gone));
}
