/**
 * Opens many idle client connections to one Torsion echo server and
 * reports the time to connect them all and the memory each side holds.
 * The server runs in a child process so that each process needs one file
 * descriptor per connection (10,000 fit under a `ulimit -n` of 20,000):
 *
 * ```sh
 * deno run --allow-net --allow-run --allow-read bench/idle_connections.ts 10000
 * ```
 *
 * @module
 */
import { Reactor } from "../reactor/reactor.ts";
import { disconnectAll } from "../reactor/_tcp.ts";
import { ClientFactory, Factory, Protocol } from "../reactor/protocol.ts";
import { Echo } from "../examples/echo_server.ts";

/** Attempts in flight at once, below the listen backlog so no SYN is dropped. */
const CONCURRENCY = 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const mib = (bytes: number): string =>
  `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Prints a result line (the library's lint rules forbid console). */
async function report(line: string): Promise<void> {
  await Deno.stdout.write(encoder.encode(`${line}\n`));
}

/** Lines from a byte stream. */
async function* lines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
  }
}

/** Child: serves until stdin closes; answers each "rss" line with its RSS. */
async function serve(): Promise<void> {
  const reactor = new Reactor();
  const before = Deno.memoryUsage().rss;
  const port = reactor.listenTCP(0, Factory.forProtocol(Echo), {
    interface: "127.0.0.1",
    backlog: 4096,
  });
  await Deno.stdout.write(encoder.encode(`${port.getHost().port} ${before}\n`));
  for await (const line of lines(Deno.stdin.readable)) {
    if (line === "rss") {
      await Deno.stdout.write(encoder.encode(`${Deno.memoryUsage().rss}\n`));
    }
  }
  await disconnectAll(reactor);
}

/** Parent: connects `count` idle clients to the child's port. */
async function measure(count: number): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", new URL(import.meta.url).pathname, "serve"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const replies = lines(child.stdout);
  const stdin = child.stdin.getWriter();
  const [portText, serverBeforeText] = (await replies.next()).value!.split(" ");

  const reactor = new Reactor();
  let connected = 0;
  let failed = 0;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const settledOne = (): void => {
    inFlight--;
    wake?.();
  };
  class Idle extends Protocol {
    override connectionMade(): void {
      connected++;
      settledOne();
    }
  }
  class IdleFactory extends ClientFactory {
    override protocol = Idle;
    override clientConnectionFailed(): void {
      failed++;
      settledOne();
    }
  }
  const factory = new IdleFactory();
  const before = Deno.memoryUsage().rss;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    while (inFlight >= CONCURRENCY) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
    inFlight++;
    reactor.connectTCP("127.0.0.1", Number(portText), factory);
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  const elapsed = performance.now() - started;
  // Let the server accept the last ones before it measures.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = Deno.memoryUsage().rss;
  await stdin.write(encoder.encode("rss\n"));
  const serverAfter = Number((await replies.next()).value);

  const perConnection = (grown: number): string =>
    `${(grown / 1024 / Math.max(connected, 1)).toFixed(1)} KiB per connection`;
  await report(
    `${connected} connected, ${failed} failed in ${elapsed.toFixed(0)} ms ` +
      `(${(connected / (elapsed / 1000)).toFixed(0)} connections/s)`,
  );
  await report(
    `client RSS ${mib(before)} -> ${mib(after)}: ${
      perConnection(after - before)
    }`,
  );
  const serverBefore = Number(serverBeforeText);
  await report(
    `server RSS ${mib(serverBefore)} -> ${mib(serverAfter)}: ${
      perConnection(serverAfter - serverBefore)
    }`,
  );
  await disconnectAll(reactor);
  await stdin.close();
  await child.status;
}

if (Deno.args[0] === "serve") await serve();
else await measure(Number(Deno.args[0] ?? 10_000));
