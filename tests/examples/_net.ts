/**
 * Raw-socket clients and subprocess handling for the example tests: every
 * wait is bounded, and everything opened is closed by `close()`.
 *
 * @module
 */

import { DENO_CONFIG, within } from "../_support/mod.ts";

const encoder = new TextEncoder();

/** Splits a text stream into lines and hands them out one `next()` at a time. */
export class LineQueue {
  readonly #lines: string[] = [];
  #waiters: ((line: string | null) => void)[] = [];
  #ended = false;
  #pending = "";

  /** Feeds decoded text. */
  push(text: string): void {
    this.#pending += text;
    let newline;
    while ((newline = this.#pending.indexOf("\n")) !== -1) {
      const line = this.#pending.slice(0, newline).replace(/\r$/, "");
      this.#pending = this.#pending.slice(newline + 1);
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#lines.push(line);
      else waiter(line);
    }
  }

  /** Marks the end of the stream: waiting `next()` calls get `null`. */
  end(): void {
    this.#ended = true;
    for (const waiter of this.#waiters) waiter(null);
    this.#waiters = [];
  }

  /** The next line, or `null` once the stream has ended. */
  next(what = "a line"): Promise<string | null> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve(null);
    return within(
      new Promise<string | null>((resolve) => this.#waiters.push(resolve)),
      what,
    );
  }

  /** The next line that `matches`, skipping others. */
  async find(
    matches: (line: string) => boolean,
    what: string,
  ): Promise<string> {
    for (;;) {
      const line = await this.next(what);
      if (line === null) throw new Error(`Stream ended before ${what}`);
      if (matches(line)) return line;
    }
  }
}

/** Reads `stream` as text into `queue` until it ends. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  queue: LineQueue,
): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream) {
      queue.push(decoder.decode(chunk, { stream: true }));
    }
  } catch {
    // A reset or a close from our side ends the stream like EOF.
  } finally {
    queue.end();
  }
}

/** A plain TCP client reading lines, as `nc` would. */
export class LineClient {
  readonly lines: LineQueue = new LineQueue();
  readonly #conn: Deno.TcpConn;
  readonly #reading: Promise<void>;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#reading = pump(conn.readable, this.lines);
  }

  /** Connects to 127.0.0.1:`port`. */
  static async connect(port: number): Promise<LineClient> {
    const conn = await within(
      Deno.connect({ hostname: "127.0.0.1", port }),
      `a connection to port ${port}`,
    );
    return new LineClient(conn);
  }

  /** This end's port, which the server sees as the peer's. */
  get localPort(): number {
    return this.#conn.localAddr.port;
  }

  /** Writes `text` as is. */
  async write(text: string | Uint8Array): Promise<void> {
    const data = typeof text === "string" ? encoder.encode(text) : text;
    let offset = 0;
    while (offset < data.length) {
      offset += await this.#conn.write(data.subarray(offset));
    }
  }

  /** Resolves once the server has closed the connection. */
  async closedByPeer(): Promise<void> {
    await within(this.#reading, "the server to close the connection");
  }

  /** Closes the connection and waits for the reader to finish. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by a failed write.
    }
    await this.#reading;
  }
}

/** An example program running as a subprocess, its stdout read as lines. */
export class Program {
  readonly stdout: LineQueue = new LineQueue();
  readonly #child: Deno.ChildProcess;
  readonly #reading: Promise<void>;
  readonly #stderr: Promise<string>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  /** Runs `deno run <permissions> <script> ...args` (`--allow-net` by default). */
  constructor(
    script: URL,
    args: string[],
    permissions: readonly string[] = ["--allow-net"],
  ) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...permissions,
        "--no-prompt",
        // The project's import map, wherever the tests run from.
        `--config=${DENO_CONFIG}`,
        script.pathname,
        ...args,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#reading = pump(this.#child.stdout, this.stdout);
    this.#stderr = new Response(this.#child.stderr).text();
  }

  /** Writes `text` to the program's stdin. */
  async type(text: string): Promise<void> {
    await this.#stdin.write(encoder.encode(text));
  }

  /** Sends `signal` to the program. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Waits for the program to exit and returns its exit code and stderr. */
  async exit(): Promise<{ code: number; stderr: string }> {
    const status = await within(this.#child.status, "the program to exit");
    await this.#reading;
    return { code: status.code, stderr: await this.#stderr };
  }

  /** Kills the program if it still runs and releases its pipes. */
  async close(): Promise<void> {
    try {
      await this.#stdin.close();
    } catch {
      // The program exited and closed its end.
    }
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It has exited already.
    }
    await this.#child.status;
    await this.#reading;
    await this.#stderr;
  }
}
