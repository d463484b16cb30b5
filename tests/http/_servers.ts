/**
 * Servers for the HTTP client tests, all on loopback with a free port: an
 * embedded `Deno.serve` server with routes for every behaviour the client
 * needs (bodies, redirects, delays, compression, echo), a raw TCP server
 * that sends hand-written responses whole or byte by byte, and a tiny HTTP
 * proxy (absolute-form forwarding and CONNECT tunnelling).
 *
 * Each server is an `AsyncDisposable`: `await using server = ...` closes it
 * and every connection it accepted, so the test sanitizers stay green.
 *
 * @module
 */
import {
  bytes,
  joinChunks,
  sleep,
  text,
  TLS_CERT,
  TLS_KEY,
} from "../_support/mod.ts";

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejection(
  promise: PromiseLike<unknown>,
): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("Expected a rejection, but the promise resolved");
}

/**
 * The credential fields that must not follow a redirect to another origin
 * (Twisted's `_sensitiveHeaderNames`), each with a sample value.
 */
export const CREDENTIAL_FIELDS: readonly [string, string][] = [
  ["Authorization", "Bearer secret"],
  ["Cookie", "session=1"],
  ["Cookie2", "$Version=1"],
  ["Proxy-Authorization", "Basic cHJveHk6Y3JlZHM="],
  ["WWW-Authenticate", "Basic"],
];

/** An `AbortController` whose signal counts the abort listeners it holds. */
export function spiedAbortController(): {
  controller: AbortController;
  listeners(): number;
} {
  const controller = new AbortController();
  const signal = controller.signal;
  let count = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void => {
    if (type === "abort") count++;
    add(type, listener, options);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void => {
    if (type === "abort") count--;
    remove(type, listener, options);
  }) as typeof signal.removeEventListener;
  return { controller, listeners: () => count };
}

async function compress(
  data: Uint8Array,
  format: CompressionFormat,
): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(
    new CompressionStream(format),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The embedded test server and what it has seen. */
export interface TestServer extends AsyncDisposable {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** `http://127.0.0.1:<port>` (or `https://localhost:<port>`). */
  readonly url: string;
  /** The distinct client connections seen, as `host:port` of the peer. */
  readonly connections: Set<string>;
  /** How many requests were served. */
  requests: number;
  /** Each request served, as `"METHOD /path?query"`, in order. */
  readonly log: string[];
  /** Stops the server and closes its connections. */
  close(): Promise<void>;
}

/** Options of {@linkcode startServer}. */
export interface ServerOptions {
  /** Serve TLS with the fixture certificate. */
  tls?: boolean;
}

/**
 * Starts a `Deno.serve` server with the routes the client tests use:
 *
 * - `/bytes/N`: N bytes of `x` with Content-Length; `/` is `hello`
 * - `/stream/N/K`: N bytes of `x` in K pieces, chunked
 * - `/echo`: JSON of the method, url, headers and body (as text)
 * - `/status/N`: status N with body `status N`
 * - `/redirect/N`: 302 to `/redirect/N-1`, down to `/redirect/0` (200 "done")
 * - `/redirect-to?url=U&status=S&s=D`: S (default 302) to U, after D seconds
 * - `/loop`: 302 to itself
 * - `/delay?s=S`: answers `slow` after S seconds
 * - `/gzip`, `/deflate`, `/deflate-raw`: "hello gzip" repeated 100 times, compressed
 * - `/bomb?mb=M`: M MiB of zeros, gzip-compressed
 * - `/headers/N`: a response with N extra header fields of 100 bytes
 */
export async function startServer(
  options: ServerOptions = {},
): Promise<TestServer> {
  const connections = new Set<string>();
  const compressed = new Map<string, Uint8Array>();
  const plain = bytes("hello gzip ".repeat(100));
  for (const format of ["gzip", "deflate", "deflate-raw"] as const) {
    compressed.set(format, await compress(plain, format));
  }
  const bombs = new Map<number, Uint8Array>();
  const log: string[] = [];
  const controller = new AbortController();
  let requests = 0;
  // Waits, or stops waiting when the server closes, so no timer outlives it.
  const pause = (seconds: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      controller.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  const handler = async (
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Promise<Response> => {
    requests++;
    state.requests = requests;
    connections.add(`${info.remoteAddr.hostname}:${info.remoteAddr.port}`);
    const url = new URL(request.url);
    log.push(`${request.method} ${url.pathname}${url.search}`);
    const parts = url.pathname.split("/").filter((p) => p !== "");
    switch (parts[0]) {
      case undefined:
        return new Response("hello");
      case "bytes":
        return new Response(new Uint8Array(Number(parts[1])).fill(120));
      case "stream": {
        const total = Number(parts[1]);
        const pieces = Number(parts[2] ?? 4);
        const size = Math.ceil(total / pieces);
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(c): void {
            if (sent >= total) {
              c.close();
              return;
            }
            const n = Math.min(size, total - sent);
            sent += n;
            c.enqueue(new Uint8Array(n).fill(120));
          },
        });
        return new Response(body);
      }
      case "echo": {
        const body = await request.text();
        const headers: [string, string][] = [...request.headers];
        return Response.json({
          method: request.method,
          url: request.url,
          headers,
          body,
        });
      }
      case "status": {
        const status = Number(parts[1]);
        const empty = status === 204 || status === 304;
        return new Response(empty ? null : `status ${status}`, { status });
      }
      case "redirect": {
        const n = Number(parts[1]);
        if (n <= 0) return new Response("done");
        return new Response(null, {
          status: 302,
          headers: { Location: `/redirect/${n - 1}` },
        });
      }
      case "redirect-to":
        if (url.searchParams.has("s")) {
          await pause(Number(url.searchParams.get("s")));
        }
        return new Response("moved", {
          status: Number(url.searchParams.get("status") ?? 302),
          headers: { Location: url.searchParams.get("url") ?? "/" },
        });
      case "loop":
        return new Response(null, {
          status: 302,
          headers: { Location: "/loop" },
        });
      case "delay":
        await pause(Number(url.searchParams.get("s") ?? 1));
        return new Response("slow");
      case "gzip":
      case "deflate":
      case "deflate-raw":
        return new Response(compressed.get(parts[0]) as BodyInit, {
          headers: {
            "Content-Encoding": parts[0] === "gzip" ? "gzip" : "deflate",
          },
        });
      case "bomb": {
        const mb = Number(url.searchParams.get("mb") ?? 64);
        let bomb = bombs.get(mb);
        if (bomb === undefined) {
          bomb = await compress(new Uint8Array(mb << 20), "gzip");
          bombs.set(mb, bomb);
        }
        return new Response(bomb as BodyInit, {
          headers: { "Content-Encoding": "gzip" },
        });
      }
      case "headers": {
        const headers = new globalThis.Headers();
        for (let i = 0; i < Number(parts[1]); i++) {
          headers.set(`X-Filler-${i}`, "f".repeat(100));
        }
        return new Response("many headers", { headers });
      }
      default:
        return new Response("not found", { status: 404 });
    }
  };
  const tls = options.tls === true;
  const server = Deno.serve(
    {
      port: 0,
      hostname: "127.0.0.1",
      signal: controller.signal,
      onListen(): void {},
      ...(tls ? { cert: TLS_CERT, key: TLS_KEY } : {}),
    },
    handler,
  );
  const port = server.addr.port;
  const close = async (): Promise<void> => {
    if (!controller.signal.aborted) controller.abort();
    await server.finished;
  };
  const state: TestServer = {
    port,
    url: tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    connections,
    requests: 0,
    log,
    close,
    [Symbol.asyncDispose]: close,
  };
  return state;
}

/** One accepted connection of a {@linkcode RawServer}, with helpers. */
export class RawConnection {
  readonly conn: Deno.Conn;
  #buffer: Uint8Array = new Uint8Array(0);
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  /** Reads until a full request head (and its Content-Length body) arrived. */
  async readRequest(): Promise<string | null> {
    for (;;) {
      const head = text(this.#buffer).indexOf("\r\n\r\n");
      if (head >= 0) {
        const headText = text(this.#buffer.subarray(0, head));
        const match = /content-length:\s*(\d+)/i.exec(headText);
        const total = head + 4 + (match ? Number(match[1]) : 0);
        if (this.#buffer.length >= total) {
          const request = text(this.#buffer.subarray(0, total));
          this.#buffer = this.#buffer.slice(total);
          return request;
        }
      }
      if (!(await this.#fill())) return null;
    }
  }

  /**
   * Reads a request head only (through its blank line), leaving any body
   * unread: what a server answering `Expect: 100-continue` does.
   */
  async readHead(): Promise<string | null> {
    for (;;) {
      const end = text(this.#buffer).indexOf("\r\n\r\n");
      if (end >= 0) {
        const head = text(this.#buffer.subarray(0, end + 4));
        this.#buffer = this.#buffer.slice(end + 4);
        return head;
      }
      if (!(await this.#fill())) return null;
    }
  }

  /** Reads more into the buffer; false at EOF or on a reset. */
  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(65536);
    let n: number | null;
    try {
      n = await this.conn.read(chunk);
    } catch {
      return false;
    }
    if (n === null) return false;
    this.#buffer = joinChunks(
      [this.#buffer, chunk.subarray(0, n)],
      this.#buffer.length + n,
    );
    return true;
  }

  /** Reads whatever arrives next (or null at EOF). */
  async readSome(): Promise<Uint8Array | null> {
    if (this.#buffer.length === 0 && !(await this.#fill())) return null;
    const data = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return data;
  }

  /** Writes all of `data`; false when the peer is gone. */
  async write(data: string | Uint8Array): Promise<boolean> {
    const buf = typeof data === "string" ? bytes(data) : data;
    try {
      let offset = 0;
      while (offset < buf.length) {
        offset += await this.conn.write(buf.subarray(offset));
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Writes `data` one byte at a time, `delayMs` apart. */
  async writeSplit(data: string | Uint8Array, delayMs = 0): Promise<boolean> {
    const buf = typeof data === "string" ? bytes(data) : data;
    for (let i = 0; i < buf.length; i++) {
      if (!(await this.write(buf.subarray(i, i + 1)))) return false;
      if (delayMs > 0) await sleep(delayMs);
      else await Promise.resolve();
    }
    return true;
  }

  /** Closes the connection (once). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer's reset.
    }
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }
}

/** A raw TCP server for hand-written responses. */
export interface RawServer extends AsyncDisposable {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** How many connections were accepted. */
  readonly accepted: number;
  /** Stops accepting, closes every connection and waits for the handlers. */
  close(): Promise<void>;
}

/**
 * Starts a TCP server on 127.0.0.1 that runs `handle` for each connection.
 * The connection is closed when `handle` returns (unless it already was).
 */
export function startRawServer(
  handle: (connection: RawConnection, index: number) => Promise<void>,
): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<RawConnection>();
  const tasks: Promise<void>[] = [];
  let accepted = 0;
  let stopped = false;
  const loop = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      if (stopped) {
        conn.close();
        return;
      }
      const connection = new RawConnection(conn);
      open.add(connection);
      const index = accepted++;
      tasks.push(
        handle(connection, index).catch(() => {}).finally(() => {
          connection.close();
          open.delete(connection);
        }),
      );
    }
  })();
  const close = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      listener.close();
    }
    await loop;
    for (const connection of open) connection.close();
    await Promise.all(tasks);
  };
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * A raw server that answers every request on a connection with `response`
 * (keeping the connection open between requests), sent whole or, with
 * `split`, one byte at a time.
 */
export function startCannedServer(
  response: string | Uint8Array,
  options: { split?: boolean; closeAfter?: boolean } = {},
): RawServer {
  return startRawServer(async (connection) => {
    while ((await connection.readRequest()) !== null) {
      const ok = options.split
        ? await connection.writeSplit(response)
        : await connection.write(response);
      if (!ok || options.closeAfter) return;
    }
  });
}

/** A tiny HTTP proxy and what it has seen. */
export interface ProxyServer extends AsyncDisposable {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** The request lines received (`GET http://... HTTP/1.1`, `CONNECT host:port HTTP/1.1`). */
  readonly requestLines: string[];
  /** The `Proxy-Authorization` values received, in order (`""` when absent). */
  readonly authorizations: string[];
  /** Stops the proxy. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP proxy on 127.0.0.1: absolute-form requests are forwarded
 * (one request per upstream connection, the answer relayed until the
 * upstream closes), CONNECT opens a tunnel. With `credentials`, a request
 * without `Proxy-Authorization: Basic <base64(credentials)>` gets 407.
 */
export function startProxy(credentials?: string): ProxyServer {
  const requestLines: string[] = [];
  const authorizations: string[] = [];
  const expected = credentials === undefined
    ? undefined
    : `Basic ${btoa(credentials)}`;
  const upstreams = new Set<Deno.Conn>();
  const raw = startRawServer(async (client) => {
    const request = await client.readRequest();
    if (request === null) return;
    const headEnd = request.indexOf("\r\n\r\n");
    const lines = request.slice(0, headEnd).split("\r\n");
    requestLines.push(lines[0]);
    const auth = lines.find((l) => /^proxy-authorization:/i.test(l));
    const authValue = auth === undefined
      ? ""
      : auth.slice(auth.indexOf(":") + 1).trim();
    authorizations.push(authValue);
    if (expected !== undefined && authValue !== expected) {
      await client.write(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
      );
      return;
    }
    const [method, target] = lines[0].split(" ");
    let upstream: Deno.Conn;
    if (method === "CONNECT") {
      const [host, port] = target.split(":");
      upstream = await Deno.connect({ hostname: host, port: Number(port) });
      upstreams.add(upstream);
      await client.write("HTTP/1.1 200 Connection established\r\n\r\n");
    } else {
      const url = new URL(target);
      upstream = await Deno.connect({
        hostname: url.hostname,
        port: Number(url.port || 80),
      });
      upstreams.add(upstream);
      const rest = lines.slice(1).filter((l) =>
        !/^(proxy-authorization|proxy-connection|connection):/i.test(l)
      );
      const head = [
        `${method} ${url.pathname}${url.search} HTTP/1.1`,
        ...rest,
        "Connection: close",
      ].join("\r\n");
      const forwarded = bytes(`${head}\r\n\r\n${request.slice(headEnd + 4)}`);
      await upstream.write(forwarded);
    }
    const up = (async () => {
      const buf = new Uint8Array(65536);
      for (;;) {
        let n: number | null;
        try {
          n = await upstream.read(buf);
        } catch {
          break;
        }
        if (n === null || !(await client.write(buf.subarray(0, n)))) break;
      }
      client.close();
    })();
    if (method === "CONNECT") {
      for (;;) {
        const data = await client.readSome();
        if (data === null) break;
        try {
          await upstream.write(data);
        } catch {
          break;
        }
      }
    } else {
      // The client may close its end first; the relay ends on upstream EOF.
    }
    try {
      if (method === "CONNECT") upstream.close();
    } catch {
      // Closed already.
    }
    await up;
    upstreams.delete(upstream);
    try {
      upstream.close();
    } catch {
      // Closed already.
    }
  });
  const close = async (): Promise<void> => {
    for (const upstream of upstreams) {
      try {
        upstream.close();
      } catch {
        // Closed already.
      }
    }
    await raw.close();
  };
  return {
    port: raw.port,
    requestLines,
    authorizations,
    close,
    [Symbol.asyncDispose]: close,
  };
}
