/**
 * Test doubles for code built on Torsion, as Twisted's `task.Clock` and
 * `proto_helpers`: drive time and protocols deterministically, without
 * sockets or real timers.
 *
 * @example Driving time by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock } from "@torsion/torsion/testing";
 * const clock = new Clock();
 * const ticks: number[] = [];
 * clock.callLater(1, () => ticks.push(clock.seconds()));
 * clock.advance(0.5);
 * assert.deepEqual(ticks, []);
 * clock.advance(0.5);
 * assert.deepEqual(ticks, [1]);
 * ```
 *
 * @module
 */
export { Clock } from "./clock.ts";
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
