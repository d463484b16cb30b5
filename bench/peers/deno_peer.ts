// deno-lint-ignore-file no-console
/**
 * The plain-Deno peer of bench/peers/run.ts: `fetch` for the HTTP
 * workloads, a Promise chain for the Deferred one, `setTimeout` for timers.
 *
 * Usage: deno run -A bench/peers/deno_peer.ts <workload> <base-url>
 * Prints one JSON line: {"value", "unit", "seconds", "rss_mb"}.
 *
 * @module
 */
import { peakRssMb, type WorkloadResult } from "./_common.ts";

async function get(url: string): Promise<number> {
  const response = await fetch(url);
  return (await response.arrayBuffer()).byteLength;
}

async function keepalive(base: string): Promise<WorkloadResult> {
  const total = 5000;
  const concurrency = 50;
  let remaining = total;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining--;
      const size = await get(`${base}/1k`);
      if (size !== 1024) throw new Error(`Unexpected body size: ${size}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { value: total / seconds, unit: "req/s", seconds };
}

async function parallel(url: string, count: number): Promise<WorkloadResult> {
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, () => get(url)));
  const seconds = (performance.now() - start) / 1000;
  return { value: seconds, unit: "s", seconds };
}

async function sequential(url: string, count: number): Promise<WorkloadResult> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await get(url);
  const seconds = (performance.now() - start) / 1000;
  return { value: seconds, unit: "s", seconds };
}

async function chains(count: number): Promise<void> {
  const inc = (x: number): number => x + 1;
  for (let i = 0; i < count; i++) {
    let p: Promise<number> = Promise.resolve(0);
    for (let j = 0; j < 10; j++) p = p.then(inc);
    if ((await p) !== 10) throw new Error("Chain lost a step");
  }
}

async function chain(): Promise<WorkloadResult> {
  const count = 100_000;
  await chains(count / 10); // warm-up, as in every peer's chain workload
  const start = performance.now();
  await chains(count);
  const seconds = (performance.now() - start) / 1000;
  return { value: count / seconds, unit: "chains/s", seconds };
}

function timers(): Promise<WorkloadResult> {
  const count = 100_000;
  return new Promise((resolve) => {
    let fired = 0;
    const start = performance.now();
    const tick = (): void => {
      if (++fired === count) {
        const seconds = (performance.now() - start) / 1000;
        resolve({ value: seconds, unit: "s", seconds });
      }
    };
    for (let i = 0; i < count; i++) setTimeout(tick, i % 10);
  });
}

const WORKLOADS: Record<string, (base: string) => Promise<WorkloadResult>> = {
  keepalive,
  delay: (base) => parallel(`${base}/delay?ms=500`, 20),
  "delay-sequential": (base) => sequential(`${base}/delay?ms=500`, 20),
  inflight: (base) => parallel(`${base}/1k`, 2000),
  chain,
  timers,
};

const [workload, base = ""] = Deno.args;
const result = await WORKLOADS[workload](base);
console.log(JSON.stringify({ ...result, rss_mb: peakRssMb() }));
