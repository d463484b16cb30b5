// deno-lint-ignore-file no-console
/**
 * The HTTP server every benchmark client talks to, run as a separate process
 * (`deno run --allow-net bench/_server.ts`) so that the server's work does not
 * share the client's JavaScript thread. It prints `listening <port>` on its
 * first stdout line, then serves until it receives SIGTERM or SIGINT or its
 * stdin closes.
 *
 * Routes:
 * - `/1k`: a 1 KiB `text/plain` body, keep-alive.
 * - `/delay?ms=500`: a small body after the given delay.
 * - anything else: `ok`.
 *
 * @module
 */

const ONE_KIB = new TextEncoder().encode("x".repeat(1023) + "\n");
const OK = new TextEncoder().encode("ok\n");
const TEXT = { "content-type": "text/plain; charset=utf-8" };

function handler(request: Request): Response | Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/1k") return new Response(ONE_KIB, { headers: TEXT });
  if (url.pathname === "/delay") {
    const ms = Number(url.searchParams.get("ms") ?? "500");
    return new Promise((resolve) =>
      setTimeout(() => resolve(new Response(OK, { headers: TEXT })), ms)
    );
  }
  return new Response(OK, { headers: TEXT });
}

const port = Number(Deno.args[0] ?? "0");
const server = Deno.serve(
  { hostname: "127.0.0.1", port, onListen: () => {} },
  handler,
);
console.log(`listening ${server.addr.port}`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.shutdown();
}
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
(async () => {
  // The parent holds our stdin open; its closing means the parent is gone.
  for await (const _ of Deno.stdin.readable) { /* drain */ }
  stop();
})();
await server.finished;
Deno.exit(0);
