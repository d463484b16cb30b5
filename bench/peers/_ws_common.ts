/**
 * What the WebSocket echo clients of bench/peers/run.ts share: their
 * command line, and the measuring loop every one of them runs, so that each
 * client system differs only in how it sends a message and receives its
 * echo. Besides messages/s, the loop reports the CPU time per message of
 * the client and of the server named by `pid=N`: on a loaded machine a
 * ratio of CPU per message moves far less than one of messages/s.
 *
 * @module
 */
import { peakRssMb } from "./_common.ts";

/** One open WebSocket, as the measuring loop uses it. */
export interface EchoConnection {
  /** Sends `message` (binary) and resolves with the size of the echo. */
  roundTrip(message: Uint8Array): Promise<number>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** A WebSocket echo run's sizes. */
export interface EchoSizes {
  /** Connections, each with one message in flight. */
  connections: number;
  /** Bytes per message. */
  size: number;
  /** Seconds measured. */
  seconds: number;
  /** Seconds run untimed first. */
  warmup: number;
}

/** A WebSocket client script's command line: `<url> key=N ... [word]`. */
export interface EchoArgs {
  url: string;
  sizes: EchoSizes;
  /** The server's process id (`pid=N`), whose CPU time is measured too, or `null`. */
  peerPid: number | null;
  /** Arguments that are not sizes (the Torsion face). */
  words: string[];
}

/**
 * Reads a WebSocket client script's command line.
 *
 * @param args `Deno.args`.
 * @returns The URL, sizes, the server's pid and other words.
 * @throws {TypeError} A size that is not a non-negative integer.
 */
export function parseEchoArgs(args: readonly string[]): EchoArgs {
  const [url = "", ...rest] = args;
  const sizes: EchoSizes = {
    connections: 50,
    size: 64,
    seconds: 10,
    warmup: 1,
  };
  const words: string[] = [];
  let peerPid: number | null = null;
  for (const arg of rest) {
    const match = /^(connections|size|seconds|warmup|pid)=(\d+)$/.exec(arg);
    if (match !== null && match[1] === "pid") {
      peerPid = Number(match[2]);
    } else if (match !== null) {
      sizes[match[1] as keyof EchoSizes] = Number(match[2]);
    } else if (arg.includes("=")) {
      throw new TypeError(
        `Cannot read echo size ${arg}: pass connections=N, size=N, seconds=N, warmup=N or pid=N`,
      );
    } else {
      words.push(arg);
    }
  }
  return { url, sizes, peerPid, words };
}

/** The result a WebSocket client script prints as one JSON line. */
export interface EchoResult {
  /** Messages echoed per second (round trips). */
  value: number;
  unit: "msg/s";
  /** The 99th percentile round trip, in milliseconds. */
  p99_ms: number;
  /** Seconds measured. */
  seconds: number;
  /** The client's peak RSS, MiB. */
  rss_mb: number;
  /** The client's CPU time (user and system) per message, µs. */
  cpu_us_per_msg: number;
  /** The server's (`pid=N`) CPU time per message, µs, when a pid was given. */
  peer_cpu_us_per_msg?: number;
}

/** Microseconds per clock tick of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const US_PER_TICK = 10_000;

/**
 * The CPU time a process has used, user and system, from `/proc/<pid>/stat`.
 *
 * @param pid A process id, or `"self"`.
 * @returns Microseconds, in clock ticks of 10 ms; NaN when it cannot be read.
 */
export function cpuMicros(pid: number | "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The name in parentheses may hold spaces: fields are counted after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * US_PER_TICK;
  } catch {
    return NaN;
  }
}

/**
 * The `p`th percentile of `values` (nearest rank).
 *
 * @param values The samples (sorted in place).
 * @param p The percentile, 0..100.
 * @returns The sample at that rank, or NaN without samples.
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * values.length) - 1;
  return values[Math.min(values.length - 1, Math.max(0, rank))];
}

/** Seconds past the end a round trip may take before the run fails. */
const STALL_SECONDS = 10;

/**
 * Opens `connections` connections with `open`, then has each send a
 * message and await its echo, one at a time, untimed for `warmup` seconds
 * and then for `seconds`, counting the round trips that end in the
 * measured window and their latencies, and the CPU time this process and
 * the server used in that window.
 *
 * @param open Opens one connection.
 * @param sizes The sizes.
 * @param peerPid The server's process id, whose CPU time per message is
 *   reported too, or `null`.
 * @returns Round trips per second, the p99 and the CPU time per message.
 * @throws {Error} An echo of the wrong size, or a connection failure.
 */
export async function runEcho(
  open: () => Promise<EchoConnection>,
  { connections, size, seconds, warmup }: EchoSizes,
  peerPid: number | null = null,
): Promise<EchoResult> {
  const message = new Uint8Array(size).fill(0x61);
  const opened = await Promise.all(Array.from({ length: connections }, open));
  let phase: "warmup" | "measure" | "done" = warmup > 0 ? "warmup" : "measure";
  const latencies: number[] = [];
  let start = performance.now();
  let end = start;
  // The CPU clocks at the start and the end of the measured window.
  const cpu = {
    self: cpuMicros("self"),
    peer: NaN,
    selfEnd: NaN,
    peerEnd: NaN,
  };
  if (peerPid !== null) cpu.peer = cpuMicros(peerPid);
  const loop = async (conn: EchoConnection): Promise<void> => {
    while (phase !== "done") {
      const sent = performance.now();
      const echoed = await conn.roundTrip(message);
      if (echoed !== size) {
        throw new Error(`Echo of ${echoed} bytes for a message of ${size}`);
      }
      if (phase === "measure") latencies.push(performance.now() - sent);
    }
  };
  const timers: ReturnType<typeof setTimeout>[] = [];
  // A server that stops echoing must end the run, not hang it.
  const stalled = new Promise<never>((_, reject) => {
    timers.push(setTimeout(
      () => reject(new Error(`No echo within ${STALL_SECONDS} s of the end`)),
      (warmup + seconds + STALL_SECONDS) * 1000,
    ));
  });
  if (warmup > 0) {
    timers.push(setTimeout(() => {
      phase = "measure";
      latencies.length = 0;
      start = performance.now();
      cpu.self = cpuMicros("self");
      if (peerPid !== null) cpu.peer = cpuMicros(peerPid);
    }, warmup * 1000));
  }
  timers.push(setTimeout(() => {
    phase = "done";
    end = performance.now();
    cpu.selfEnd = cpuMicros("self");
    if (peerPid !== null) cpu.peerEnd = cpuMicros(peerPid);
  }, (warmup + seconds) * 1000));
  try {
    await Promise.race([Promise.all(opened.map(loop)), stalled]);
  } finally {
    timers.forEach(clearTimeout);
    await Promise.all(opened.map((conn) => conn.close()));
  }
  const measured = (end - start) / 1000;
  const count = latencies.length;
  return {
    value: count / measured,
    unit: "msg/s",
    p99_ms: percentile(latencies, 99),
    seconds: measured,
    rss_mb: peakRssMb(),
    cpu_us_per_msg: (cpu.selfEnd - cpu.self) / count,
    ...(peerPid === null
      ? {}
      : { peer_cpu_us_per_msg: (cpu.peerEnd - cpu.peer) / count }),
  };
}
