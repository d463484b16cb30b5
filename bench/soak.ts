// deno-lint-ignore-file no-console
/**
 * Soak test of the HTTP client: N keep-alive requests at concurrency C
 * against a server in another process (`_soak_server.ts`) that cuts a share
 * of its responses at a random byte. Every body is checked against its
 * request (no mixed-up responses). Prints the failures by class, requests
 * per second, and the RSS and open file descriptors at the start, middle
 * and end.
 *
 * ```sh
 * deno task soak --face agent --requests 200000 --concurrency 50 --cut 0.01
 * deno task soak --face tornado
 * ```
 *
 * @module
 */
import { reactor } from "../reactor/reactor.ts";
import { Agent } from "../http/agent.ts";
import { AsyncHTTPClient } from "../http/async_http_client.ts";
import { HTTPConnectionPool } from "../http/connection_pool.ts";
import { readBody } from "../http/read_body.ts";
import { soakBody } from "./_soak_body.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index < 0 ? fallback : Deno.args[index + 1];
}

const face = option("face", "agent");
const total = Number(option("requests", "20000"));
const concurrency = Number(option("concurrency", "50"));
const cut = Number(option("cut", "0.01"));
const seed = Number(option("seed", "1"));
if (face !== "agent" && face !== "tornado") {
  throw new TypeError(
    `--face must be agent or tornado: current value is ${face}`,
  );
}

function openFds(): number {
  try {
    return [...Deno.readDirSync("/proc/self/fd")].length;
  } catch {
    return -1;
  }
}

function sample(label: string): string {
  const rss = Deno.memoryUsage().rss / (1 << 20);
  return `${label}: RSS ${rss.toFixed(1)} MiB, ${openFds()} fds`;
}

const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-net",
    new URL("./_soak_server.ts", import.meta.url).pathname,
    "--cut",
    String(cut),
    "--seed",
    String(seed),
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const lines = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
const port = Number((await lines.read()).value);
const base = `http://127.0.0.1:${port}/r/`;

const decoder = new TextDecoder();
const failures = new Map<string, number>();
let ok = 0;
let mixedUp = 0;
const samples = [sample("start")];

const pool = new HTTPConnectionPool(reactor);
pool.maxPersistentPerHost = concurrency;
const agent = new Agent(reactor, { pool });
const client = new AsyncHTTPClient({
  forceInstance: true,
  maxClients: concurrency,
  defaults: { requestTimeout: 20 },
});

async function fetchBody(id: number): Promise<string> {
  if (face === "agent") {
    const response = await agent.request("GET", `${base}${id}`);
    return decoder.decode(await readBody(response));
  }
  const response = await client.fetch(`${base}${id}`);
  return response.text;
}

let next = 0;
const started = performance.now();
async function worker(): Promise<void> {
  while (next < total) {
    const id = next++;
    if (id === total >> 1) samples.push(sample("middle"));
    try {
      const body = await fetchBody(id);
      if (body === soakBody(id)) ok++;
      else mixedUp++;
    } catch (error) {
      const name = error instanceof Error ? error.name : typeof error;
      failures.set(name, (failures.get(name) ?? 0) + 1);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
samples.push(sample("end"));
await pool.closeCachedConnections();
await client.close();
server.kill();
await server.status;
await lines.cancel();

console.log(
  `${face}: ${total} requests at concurrency ${concurrency}, ${
    (cut * 100).toFixed(1)
  }% cut, in ${seconds.toFixed(1)} s: ${
    Math.round(total / seconds)
  } requests/s`,
);
console.log(`  ok ${ok}, mixed up ${mixedUp}`);
for (const [name, n] of [...failures].sort()) console.log(`  ${name} ${n}`);
for (const line of samples) console.log(`  ${line}`);
Deno.exit(mixedUp === 0 ? 0 : 1);
