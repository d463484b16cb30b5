/**
 * `WebSocketResource`: Autobahn's `autobahn.twisted.resource` resource
 * that mounts a `WebSocketServerFactory` in a twisted.web `Site`, so one
 * server serves pages and WebSockets.
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import type { IProtocol, ITransport } from "../reactor/interfaces.ts";
import type { WebSocketServerFactory } from "../websocket/websocket_server_protocol.ts";
import { NOT_DONE_YET } from "./not_done_yet.ts";
import type { Request } from "./request.ts";
import { type RenderResult, Resource } from "./resource.ts";

/**
 * A leaf resource that hands its requests to a WebSocket server factory:
 * the request's connection leaves HTTP, and the factory's protocol runs
 * the handshake (refusing what is not a valid upgrade) and then the
 * connection. Mirrors Autobahn's `WebSocketResource`.
 *
 * @example A page and a WebSocket in one Site
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactor } from "@torsion/torsion/reactor";
 * import { Data, Resource, Site, WebSocketResource } from "@torsion/torsion/web";
 * import { WebSocketServerFactory, WebSocketServerProtocol } from "@torsion/torsion/websocket";
 * class Echo extends WebSocketServerProtocol {
 *   override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
 *     this.sendMessage(payload, isBinary);
 *   }
 * }
 * const factory = new WebSocketServerFactory();
 * factory.protocol = Echo;
 * const root = new Resource();
 * root.putChild("", new Data("<h1>hi</h1>", "text/html"));
 * root.putChild("ws", new WebSocketResource(factory));
 * const port = reactor.listenTCP(0, new Site(root), { interface: "127.0.0.1" });
 * const ws = new WebSocket(`ws://127.0.0.1:${port.getHost().port}/ws`);
 * const echoed = new Promise((resolve) => ws.onmessage = (event) => resolve(event.data));
 * ws.onopen = () => ws.send("hello");
 * assert.equal(await echoed, "hello");
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await port.stopListening();
 * ```
 */
export class WebSocketResource extends Resource {
  /** Traversal stops here: the whole path belongs to the WebSocket. */
  override isLeaf = true;
  /** The factory whose protocols serve the connections. */
  readonly factory: WebSocketServerFactory;

  /**
   * Mounts `factory`.
   *
   * @param factory The WebSocket server factory.
   */
  constructor(factory: WebSocketServerFactory) {
    super();
    this.factory = factory;
  }

  /**
   * Takes the request's connection out of HTTP and hands it, with the
   * request, to a new protocol of the factory.
   *
   * @param request The upgrade request.
   * @returns `NOT_DONE_YET`: the protocol answers on the connection.
   */
  override render(request: Request): RenderResult {
    const channel = request.channel;
    const protocol = this.factory.buildProtocol(channel.getPeer());
    const head = channel.head;
    const adapter: IProtocol = {
      readsInPlace: protocol.readsInPlace,
      makeConnection(transport: ITransport): void {
        protocol.upgradeFrom(transport, head, new Uint8Array(0));
      },
      connectionMade(): void {},
      dataReceived(data: Uint8Array): void {
        protocol.dataReceived(data);
      },
      connectionLost(reason: Failure): void {
        protocol.connectionLost(reason);
      },
    };
    channel.detach(adapter);
    return NOT_DONE_YET;
  }
}
