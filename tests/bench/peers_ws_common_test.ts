import assert from "node:assert/strict";
import {
  cpuMicros,
  parseEchoArgs,
  percentile,
} from "../../bench/peers/_ws_common.ts";
import { maskedFrame } from "../../bench/peers/socket_ws_client.ts";

Deno.test("percentile given 100 samples when asked for the 99th then returns the 99th smallest", () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(samples, 99), 99);
  assert.equal(percentile(samples, 100), 100);
});

Deno.test("percentile given no samples when asked then returns NaN", () => {
  assert.ok(Number.isNaN(percentile([], 99)));
});

Deno.test("parseEchoArgs given sizes and a word when read then returns them over the defaults", () => {
  assert.deepEqual(
    parseEchoArgs([
      "ws://127.0.0.1:1/ws",
      "size=16384",
      "seconds=1",
      "tornado",
    ]),
    {
      url: "ws://127.0.0.1:1/ws",
      sizes: { connections: 50, size: 16384, seconds: 1, warmup: 1 },
      peerPid: null,
      words: ["tornado"],
    },
  );
});

Deno.test("parseEchoArgs given pid=N when read then returns N as the server's pid, not a size", () => {
  const { sizes, peerPid } = parseEchoArgs(["ws://127.0.0.1:1/ws", "pid=4242"]);
  assert.equal(peerPid, 4242);
  assert.deepEqual(sizes, {
    connections: 50,
    size: 64,
    seconds: 10,
    warmup: 1,
  });
});

Deno.test("cpuMicros given this process after some work when read then returns a growing count of 10 ms ticks in µs", () => {
  const before = cpuMicros("self");
  const until = performance.now() + 30;
  while (performance.now() < until) { /* busy for three ticks */ }
  const after = cpuMicros("self");
  assert.ok(after > before, `${after} > ${before}`);
  assert.equal(after % 10_000, 0);
});

Deno.test("cpuMicros given a process that does not exist when read then returns NaN", () => {
  assert.ok(Number.isNaN(cpuMicros(2 ** 30)));
});

Deno.test("parseEchoArgs given an unknown size when read then throws a TypeError listing the known ones", () => {
  assert.throws(
    () => parseEchoArgs(["ws://127.0.0.1:1/ws", "rate=5"]),
    (error: unknown) =>
      error instanceof TypeError && /connections=N/.test(error.message),
  );
});

function unmask(frame: Uint8Array, headerLength: number): Uint8Array {
  const mask = frame.subarray(headerLength, headerLength + 4);
  return frame.subarray(headerLength + 4).map((byte, i) => byte ^ mask[i & 3]);
}

Deno.test("maskedFrame given 64 bytes when built then is a final masked binary frame with a 7-bit length", () => {
  const payload = new Uint8Array(64).fill(0x61);
  const frame = maskedFrame(payload);
  assert.equal(frame[0], 0x82);
  assert.equal(frame[1], 0x80 | 64);
  assert.equal(frame.length, 2 + 4 + 64);
  assert.deepEqual(unmask(frame, 2), payload);
});

Deno.test("maskedFrame given 16 KiB when built then carries a 16-bit extended length", () => {
  const payload = new Uint8Array(16384).fill(0x62);
  const frame = maskedFrame(payload);
  assert.equal(frame[1], 0x80 | 126);
  assert.equal(new DataView(frame.buffer).getUint16(2), 16384);
  assert.deepEqual(unmask(frame, 4), payload);
});
