import assert from "node:assert/strict";
import { freePort } from "../../bench/peers/_server_process.ts";
import { sleep, within } from "../_support/mod.ts";

const SCRIPT = new URL("../../bench/peers/socket_server.ts", import.meta.url)
  .pathname;

/**
 * Runs the floor server with `flags` and `collect` until it listens, lets
 * `whileListening` use its port, then closes its stdin and returns all it
 * printed (V8's GC trace is flushed at exit).
 */
async function floorOutput(
  flags: readonly string[],
  whileListening: (port: number) => Promise<void>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      SCRIPT,
      "plaintext",
      String(port),
      Deno.cwd(),
      "collect",
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
    ["--v8-flags=--expose-gc,--trace-gc"],
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
  const { code, stderr } = await floorOutput([], () => Promise.resolve());
  assert.notEqual(code, 0);
  assert.match(stderr, /run the floor with --v8-flags=--expose-gc/);
});
