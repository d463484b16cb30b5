import assert from "node:assert/strict";
import { freePort } from "../../bench/peers/_server_process.ts";
import { sleep, within } from "../_support/mod.ts";

const SCRIPT = new URL("../../bench/peers/socket_server.ts", import.meta.url)
  .pathname;

/**
 * Runs the floor server (`deno run flags socket_server.ts workload port .
 * words`) until it listens, lets `whileListening` use its port, then closes
 * its stdin and returns all it printed (V8's GC trace is flushed at exit).
 */
async function floorOutput(
  { flags = [], workload = "plaintext", words }: {
    flags?: readonly string[];
    workload?: string;
    words: readonly string[];
  },
  whileListening: (port: number) => Promise<void>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      SCRIPT,
      workload,
      String(port),
      Deno.cwd(),
      ...words,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const exited = output.then(() => false);
  let waiting = true;
  const listening = (async () => {
    while (waiting) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        return true;
      } catch {
        await sleep(20);
      }
    }
    return false;
  })();
  try {
    // A floor that cannot start exits: its output says why.
    if (await within(Promise.race([listening, exited]), "the floor", 30_000)) {
      await whileListening(port);
    }
  } finally {
    waiting = false;
    await listening;
    await child.stdin.close();
  }
  const { code, stdout, stderr } = await within(output, "the floor to exit");
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

Deno.test("socket_server.ts given collect when a connection arrives then runs one full collection a second later", async () => {
  const { stdout } = await floorOutput(
    { flags: ["--v8-flags=--expose-gc,--trace-gc"], words: ["collect"] },
    async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/plaintext`);
      assert.equal(await response.text(), "Hello, World!");
      await sleep(1500);
    },
  );
  const forced = stdout.split("\n").filter((line) =>
    /Mark-Compact.*testing/.test(line)
  );
  assert.equal(forced.length, 1, stdout);
});

Deno.test("socket_server.ts given collect without --expose-gc when started then fails naming the flag", async () => {
  const { code, stderr } = await floorOutput(
    { words: ["collect"] },
    () => Promise.resolve(),
  );
  assert.notEqual(code, 0);
  assert.match(stderr, /run the floor with --v8-flags=--expose-gc/);
});

/** Sends each of `payloads` over a native WebSocket and returns the echoes. */
async function echoes(
  url: string,
  payloads: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  const received: Uint8Array[] = [];
  let next: ((data: Uint8Array) => void) | undefined;
  socket.onmessage = (event) => next?.(new Uint8Array(event.data));
  const closed = new Promise((resolve) => socket.onclose = resolve);
  try {
    await within(
      new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      }),
      "the WebSocket to open",
    );
    for (const payload of payloads) {
      const echo = new Promise<Uint8Array>((resolve) => next = resolve);
      socket.send(payload);
      received.push(await within(echo, "an echo"));
    }
  } finally {
    socket.close();
    await within(closed, "the WebSocket to close");
  }
  return received;
}

Deno.test("socket_server.ts given ws own when messages of each header size are sent then echoes each unchanged", async () => {
  const payloads = [64, 16384, 70_000].map((size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 7 + size) & 0xff;
    return bytes;
  });
  let received: Uint8Array[] = [];
  await floorOutput({ workload: "ws", words: ["own"] }, async (port) => {
    received = await echoes(`ws://127.0.0.1:${port}/ws`, payloads);
  });
  assert.deepEqual(received, payloads);
});
