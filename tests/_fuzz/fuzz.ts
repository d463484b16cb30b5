// deno-lint-ignore-file no-console
/**
 * `deno task fuzz`: long seeded fuzz runs. `--target client` (the default)
 * runs the client harness (`client_fuzz.ts`, its own arguments passed on);
 * `--target server` runs the server harness (`server_fuzz.ts`) with
 * `--seed S`, `--count N` and `--concurrency C`; `--target web` runs the
 * web faces' harness (`web_fuzz.ts`: a `Site` and an `Application`) with
 * the same arguments; `--target websocket` runs the WebSocket harness
 * (`websocket_fuzz.ts`) with the same three and `--side server|client|both`.
 *
 * @module
 */
import { serverFuzzMain } from "./server_fuzz.ts";
import { webFuzzMain } from "./web_fuzz.ts";
import { webSocketFuzzMain, type WebSocketFuzzSide } from "./websocket_fuzz.ts";

function option(name: string): string | undefined {
  const index = Deno.args.indexOf(`--${name}`);
  return index < 0 ? undefined : Deno.args[index + 1];
}

function numeric(name: string, fallback: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `--${name} must be a non-negative integer: current value is ${text}`,
    );
  }
  return value;
}

const target = option("target") ?? "client";
if (target === "server") {
  await serverFuzzMain(
    numeric("seed", Date.now() % 2 ** 31),
    numeric("count", 20_000),
    numeric("concurrency", 32),
  );
} else if (target === "web") {
  await webFuzzMain(
    numeric("seed", Date.now() % 2 ** 31),
    numeric("count", 20_000),
    numeric("concurrency", 32),
  );
} else if (target === "websocket") {
  const side = option("side") ?? "both";
  if (side !== "server" && side !== "client" && side !== "both") {
    console.error(
      `--side must be server, client or both: current value is ${side}`,
    );
    Deno.exit(2);
  }
  await webSocketFuzzMain({
    seed: numeric("seed", Date.now() % 2 ** 31),
    count: numeric("count", 20_000),
    concurrency: numeric("concurrency", 32),
    side: side as WebSocketFuzzSide,
  });
} else if (target === "client") {
  const rest = Deno.args.filter((_, i, all) =>
    all[i] !== "--target" && all[i - 1] !== "--target"
  );
  const client = new URL("./client_fuzz.ts", import.meta.url).pathname;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", client, ...rest],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
} else {
  console.error(
    `--target must be client, server, web or websocket: current value is ${target}`,
  );
  Deno.exit(2);
}
