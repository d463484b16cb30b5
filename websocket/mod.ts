/**
 * WebSocket (RFC 6455, with permessage-deflate, RFC 7692) on the reactor:
 * Autobahn's Twisted protocol and factory pairs
 * (`WebSocketServerProtocol`/`WebSocketServerFactory`,
 * `WebSocketClientProtocol`/`WebSocketClientFactory`, `connectWS`) and
 * Tornado's `websocketConnect`, over one frame engine. The server faces
 * that live in a web server are in `@torsion/torsion/web`: Tornado's
 * `WebSocketHandler` (routed by `Application`) and Autobahn's
 * `WebSocketResource` (mounted in a `Site`).
 *
 * Differences from the originals: text messages arrive as strings (Autobahn
 * hands over UTF-8 bytes); permessage-deflate compresses each message on
 * its own (no context takeover) while inflating with the peer's context
 * kept, since Tornado 6.2 keeps it whatever was agreed.
 *
 * @example An echo server and Torsion's client
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactor } from "@torsion/torsion/reactor";
 * import {
 *   websocketConnect,
 *   WebSocketServerFactory,
 *   WebSocketServerProtocol,
 * } from "@torsion/torsion/websocket";
 * class Echo extends WebSocketServerProtocol {
 *   override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
 *     this.sendMessage(payload, isBinary);
 *   }
 * }
 * const factory = new WebSocketServerFactory();
 * factory.protocol = Echo;
 * const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
 * const conn = await websocketConnect(`ws://127.0.0.1:${port.getHost().port}/`);
 * await conn.writeMessage("hello");
 * assert.equal(await conn.readMessage(), "hello");
 * conn.close(1000);
 * assert.equal(await conn.readMessage(), null);
 * await port.stopListening();
 * ```
 *
 * @module
 */
export { CloseCode, isValidCloseCode } from "./close_codes.ts";
export {
  WebSocketClosedError,
  WebSocketError,
  WebSocketHandshakeError,
  WebSocketProtocolError,
  WebSocketWriteBufferFullError,
} from "./errors.ts";
export type { CompressionOptions, ExtensionOffer } from "./_deflate.ts";
export {
  WebSocketProtocol,
  type WebSocketProtocolOptions,
  type WebSocketProtocolState,
} from "./websocket_protocol.ts";
export {
  ConnectionDeny,
  type ConnectionRequest,
  type ConnectResult,
  WebSocketServerFactory,
  type WebSocketServerFactoryOptions,
  WebSocketServerProtocol,
} from "./websocket_server_protocol.ts";
export {
  type ConnectionResponse,
  connectWS,
  type ConnectWSOptions,
  parseWebSocketURL,
  WebSocketClientFactory,
  type WebSocketClientFactoryOptions,
  WebSocketClientProtocol,
  type WebSocketURL,
} from "./websocket_client_protocol.ts";
export {
  WebSocketClientConnection,
  websocketConnect,
  type WebSocketConnectOptions,
  type WebSocketMessage,
} from "./websocket_connect.ts";
