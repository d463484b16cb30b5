/**
 * Test doubles and test helpers for code built on Torsion, as Twisted's
 * `task.Clock`, `proto_helpers` and trial, and Tornado's `testing`: drive
 * time and protocols deterministically, without sockets or real timers
 * (`Clock`, `StringTransport`, `MemoryReactor`, `buildProtocol`), read a
 * Deferred's result synchronously (`successResultOf`, `failureResultOf`,
 * `assertNoResult`), fail a test on an unexpected logged error
 * (`LogCapture` and its `flushLoggedErrors`), and run a generator or async
 * test on a fresh IOLoop with a time limit (`genTest`, as `@gen_test`).
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
export {
  assertNoResult,
  failureResultOf,
  successResultOf,
} from "./success_result_of.ts";
export {
  type CapturedRecord,
  LogCapture,
  type LogCaptureLevel,
  type LogCaptureOptions,
  type LoggedError,
} from "./log_capture.ts";
export {
  genTest,
  type GenTestBody,
  type GenTestContext,
  type GenTestOptions,
} from "./gen_test.ts";
export { buildProtocol, type BuiltProtocol } from "./build_protocol.ts";
