/**
 * The HTTP/1.1 client, with both faces it is known by, and the server
 * engine under the web frameworks.
 *
 * The client's faces:
 *
 * - Twisted's `twisted.web.client`: `Agent` and its wrappers
 *   (`RedirectAgent`, `BrowserLikeRedirectAgent`, `ContentDecoderAgent`,
 *   `ProxyAgent`), `HTTPConnectionPool`, `readBody`, body producers, and the
 *   classic one-call `getPage`, all returning Deferreds.
 * - Tornado's `tornado.httpclient`: `AsyncHTTPClient`, `HTTPRequest`,
 *   `HTTPResponse`, `HTTPClientError`.
 *
 * Both run on one engine written on the reactor's own TCP and TLS
 * transports: keep-alive pooling, redirects that drop credentials across
 * origins, gzip and deflate decoding, proxies (CONNECT for https),
 * timeouts that name the phase that ran out, size limits, and
 * cancellation that aborts the connection at once.
 *
 * The same wire layer serves HTTP/1.1: `HTTPFactory` (Twisted's
 * `HTTPFactory`, with Tornado's `HTTPServer` options) builds an
 * `HTTPChannel` per connection, which parses requests as strictly as
 * llhttp, keeps connections alive, answers pipelined requests in order and
 * hands each request to a delegate (`HTTPServerConnectionDelegate`): the
 * contract `@torsion/torsion/web`'s `Site` and `Application` are written
 * against.
 *
 * @example Twisted style: an Agent, a pool and readBody
 * ```ts
 * import { Agent, HTTPConnectionPool, readBody } from "@torsion/torsion/http";
 * import { reactor } from "@torsion/torsion/reactor";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new globalThis.Response("hello"),
 * );
 * const pool = new HTTPConnectionPool(reactor);
 * const response = await new Agent(reactor, { pool })
 *   .request("GET", `http://127.0.0.1:${server.addr.port}/`);
 * console.assert(response.code === 200 && (await readBody(response)).length === 5);
 * await pool.closeCachedConnections();
 * await server.shutdown();
 * ```
 *
 * @example Tornado style: AsyncHTTPClient and await
 * ```ts
 * import { AsyncHTTPClient } from "@torsion/torsion/http";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new globalThis.Response("hello"),
 * );
 * const client = new AsyncHTTPClient({ forceInstance: true });
 * const response = await client.fetch(`http://127.0.0.1:${server.addr.port}/`);
 * console.assert(response.text === "hello");
 * await client.close();
 * await server.shutdown();
 * ```
 *
 * @module
 */
export { Agent, type AgentOptions } from "./agent.ts";
export {
  AsyncHTTPClient,
  type AsyncHTTPClientOptions,
  type FetchCallback,
  type FetchOptions,
} from "./async_http_client.ts";
export { BrowserLikeRedirectAgent } from "./browser_like_redirect_agent.ts";
export {
  InfiniteRedirection,
  PageError,
  PageRedirect,
  PartialDownloadError,
  PotentialDataLoss,
  RedirectWithNoLocation,
  RequestGenerationFailed,
  RequestNotSent,
  RequestTransmissionFailed,
  ResponseDone,
  ResponseFailed,
  ResponseNeverReceived,
  SchemeNotSupported,
  WrapperException,
} from "./client_errors.ts";
export { HTTPConnectionPool } from "./connection_pool.ts";
export { HTTPChannel } from "./http_channel.ts";
export { DEFAULT_DRAIN_TIMEOUT, HTTPFactory } from "./http_factory.ts";
export {
  ContentDecoderAgent,
  type ResponseDecoder,
} from "./content_decoder_agent.ts";
export { DeflateDecoder } from "./deflate_decoder.ts";
export { BodyTooLargeError, DataLoss, ParseError } from "./errors.ts";
export { type BodySource, FileBodyProducer } from "./file_body_producer.ts";
export { getPage, type GetPageOptions } from "./get_page.ts";
export { GzipDecoder } from "./gzip_decoder.ts";
export { Headers, type HeadersInit } from "./headers.ts";
export {
  HTTPClientError,
  HTTPStreamClosedError,
  HTTPTimeoutError,
  type HTTPTimeoutPhase,
} from "./http_client_error.ts";
export {
  type BodyProducer,
  HTTPRequest,
  type HTTPRequestDefaults,
  type HTTPRequestOptions,
} from "./http_request.ts";
export { HTTPResponse, type HTTPResponseOptions } from "./http_response.ts";
export type {
  HTTPVersion,
  IAgent,
  IBodyProducer,
  IClientRequest,
  IResponse,
  IResponseBodyTransport,
} from "./interfaces.ts";
export { ProxyAgent, type ProxyAgentOptions } from "./proxy_agent.ts";
export { readBody } from "./read_body.ts";
export { RedirectAgent } from "./redirect_agent.ts";
export {
  Response,
  type ResponseConnection,
  type ResponseInit,
} from "./response.ts";
export type {
  AccessLogEntry,
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
  HTTPServerRequestChannel,
  RequestHead,
} from "./server_interfaces.ts";
export { StringProducer } from "./string_producer.ts";
export { UNKNOWN_LENGTH } from "./unknown_length.ts";
