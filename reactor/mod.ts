/**
 * The reactor layer: Twisted's reactor (`callLater`, `run`/`stop`, system
 * event triggers, `listenTCP`/`connectTCP`), `LoopingCall`, `react`,
 * protocols and factories, and Tornado's `IOLoop`, `PeriodicCallback` and
 * stream layer (`IOStream`, `TCPServer`, `TCPClient`) sharing the same
 * loop.
 *
 * @example Building a factory
 * ```ts
 * import { Factory, Protocol } from "@torsion/torsion/reactor";
 * const factory = Factory.forProtocol(Protocol);
 * console.assert(factory !== undefined);
 * ```
 *
 * @module
 */
export type {
  ConnectTCPOptions,
  EndpointConnectOptions,
  IAddress,
  IClientFactory,
  IConnector,
  IConsumer,
  IDelayedCall,
  IListeningPort,
  IProducer,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  IReactor,
  IReactorCore,
  IReactorSSL,
  IReactorTCP,
  IReactorTime,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  ITCPTransport,
  ITLSTransport,
  ITransport,
  ListenTCPOptions,
  SystemEvent,
  TLSClientOptions,
  TLSServerOptions,
  TriggerPhase,
} from "./interfaces.ts";
export {
  AlreadyCalled,
  AlreadyCancelled,
  CannotListenError,
  ConnectError,
  ConnectingCancelledError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
  NoProtocol,
  NotConnectingError,
  ReactorAlreadyRunning,
  ReactorNotRunning,
  TLSError,
  UserError,
} from "./errors.ts";
export {
  ClientFactory,
  Factory,
  Protocol,
  type ProtocolClass,
  ServerFactory,
} from "./protocol.ts";
export { IPv4Address } from "./ipv4_address.ts";
export { Reactor, reactor } from "./reactor.ts";
export { LoopingCall } from "./looping_call.ts";
export { react, type ReactOptions } from "./react.ts";
export { IOLoop, type RunSyncOptions, type TimeDelta } from "./ioloop.ts";
export { PeriodicCallback } from "./periodic_callback.ts";
export {
  clientFromString,
  connectProtocol,
  quoteStringArgument,
  serverFromString,
  SSL4ClientEndpoint,
  SSL4ServerEndpoint,
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
} from "./endpoints.ts";
export { Int32StringReceiver } from "./int32_string_receiver.ts";
export { LineOnlyReceiver } from "./line_only_receiver.ts";
export { LineReceiver } from "./line_receiver.ts";
export {
  NetstringParseError,
  NetstringReceiver,
} from "./netstring_receiver.ts";
export { ReconnectingClientFactory } from "./reconnecting_client_factory.ts";
export { deferLater } from "../deferred/defer_later.ts";
export {
  IOStream,
  type IOStreamOptions,
  type MaxBytesOptions,
  type PartialReadOptions,
  SSLIOStream,
} from "./iostream.ts";
export {
  StreamBufferFullError,
  StreamClosedError,
  UnsatisfiableReadError,
} from "./stream_errors.ts";
export {
  TCPServer,
  type TCPServerListenOptions,
  type TCPServerOptions,
} from "./tcp_server.ts";
export {
  TCPClient,
  type TCPClientConnectOptions,
  type TCPClientOptions,
} from "./tcp_client.ts";
