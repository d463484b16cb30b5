/**
 * The support every test folder shares: bounded waits, loopback ports, log
 * capture, bytes and text, fixtures, Deno subprocesses, and finding the
 * real peers (nginx) some tests talk to. Domain helpers
 * (the HTTP test servers, the reactor's connected pairs) stay beside their
 * tests.
 *
 * @module
 */
export * from "./bytes.ts";
export * from "./files.ts";
export * from "./fixtures.ts";
export * from "./logs.ts";
export * from "./net.ts";
export * from "./peers.ts";
export * from "./subprocess.ts";
export * from "./time.ts";
