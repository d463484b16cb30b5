import assert from "node:assert/strict";
import { applyMask, copyMasked, FrameReader } from "../../websocket/_frames.ts";
import { joinChunks } from "../_support/mod.ts";
import { frame } from "./_frames.ts";

const MASK = new Uint8Array([0xa1, 0xb2, 0xc3, 0xd4]);

function masked(data: Uint8Array, offset: number): Uint8Array {
  const out = data.slice();
  applyMask(out, MASK, 0, offset);
  return out;
}

Deno.test("copyMasked given payloads of 0 to 1,030 bytes at every pair of alignments when copied then the copy is what applyMask makes and the source is unchanged", () => {
  for (const size of [0, 1, 2, 3, 4, 7, 64, 255, 256, 257, 1030]) {
    const payload = new Uint8Array(size).map((_, i) => i * 13 + 5);
    for (let from = 0; from < 8; from++) {
      for (let to = 0; to < 8; to++) {
        for (const offset of [0, 1, 2, 3]) {
          const source = new Uint8Array(from + size);
          source.set(payload, from);
          const data = source.subarray(from);
          const out = new Uint8Array(to + size + 3).fill(0xee);
          copyMasked(data, out, to, MASK, 0, offset);
          assert.deepEqual(
            out.subarray(to, to + size),
            masked(payload, offset),
          );
          assert.deepEqual(data, payload);
          assert.ok(out.subarray(0, to).every((b) => b === 0xee));
          assert.ok(out.subarray(to + size).every((b) => b === 0xee));
        }
      }
    }
  }
});

Deno.test("FrameReader.pause given three frames in one read when paused in the first frame's handler then the others wait, with bytes fed meanwhile, until resume", () => {
  const seen: string[] = [];
  const reader: FrameReader = new FrameReader(true, {
    onHeader: () => false,
    onFrame: (payload) => {
      const text = new TextDecoder().decode(payload);
      seen.push(text);
      if (text === "a") reader.pause();
    },
  });
  const frames = [frame(1, "a"), frame(1, "b"), frame(1, "c")];
  const read = joinChunks(frames, frames.reduce((n, f) => n + f.length, 0));
  reader.feed(read);
  // The caller reuses its buffer: what is held must be a copy.
  read.fill(0);
  reader.feed(frame(1, "d"));
  assert.deepEqual(seen, ["a"]);
  reader.resume();
  assert.deepEqual(seen, ["a", "b", "c", "d"]);
});
