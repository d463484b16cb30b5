import assert from "node:assert/strict";
import { memoryOf, startServer } from "../../bench/peers/_server_process.ts";

const LISTENING = `
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log("listening " + listener.addr.port);
for await (const _ of Deno.stdin.readable) {}
listener.close();
`;

Deno.test("startServer given a script that prints listening when started then returns its port and reads its memory", async () => {
  await using server = await startServer(Deno.execPath(), [
    "eval",
    LISTENING,
  ]);
  assert.ok(server.port > 0);
  const { rssKib, hwmKib } = server.memory();
  assert.ok(rssKib > 0 && hwmKib >= rssKib, `${rssKib} / ${hwmKib} KiB`);
});

Deno.test("startServer given a script that fails before listening when started then throws did not start with its stderr", async () => {
  await assert.rejects(
    startServer(Deno.execPath(), [
      "eval",
      `console.error("No module named twisted"); Deno.exit(1);`,
    ]),
    (error: unknown) =>
      error instanceof Error &&
      /did not start: .*No module named twisted/.test(error.message),
  );
});

Deno.test("memoryOf given this process when read then returns VmRSS no larger than VmHWM", () => {
  const { rssKib, hwmKib } = memoryOf(Deno.pid);
  assert.ok(rssKib > 0 && rssKib <= hwmKib, `${rssKib} / ${hwmKib} KiB`);
});
