/**
 * Test doubles for code built on Torsion, as Twisted's `task.Clock` and
 * `proto_helpers`: drive time and protocols deterministically, without
 * sockets or real timers.
 *
 * @example
 * ```ts
 * import { Clock } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * clock.callLater(1, () => console.log("tick"));
 * clock.advance(1);
 * ```
 *
 * @module
 */
export { Clock } from "./clock.ts";
export { DummyChannel, type DummyChannelOptions } from "./dummy_channel.ts";
export {
  MemoryConnector,
  MemoryPort,
  MemoryReactor,
  type SSLClientRecord,
  type SSLServerRecord,
  type TCPClientRecord,
  type TCPServerRecord,
} from "./memory_reactor.ts";
export {
  type ProducerState,
  StringTransport,
  type StringTransportOptions,
  StringTransportWithDisconnection,
} from "./string_transport.ts";
