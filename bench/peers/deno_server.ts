/**
 * The `Deno.serve` server of bench/peers/run.ts: `/plaintext`, `/json`,
 * `/static/100k.bin` (opened and streamed on every request, as a static file
 * server does), `/echo` (POST, the body echoed back) and `/ws` (a WebSocket
 * echo on `Deno.upgradeWebSocket`).
 *
 * Usage: deno run -A bench/peers/deno_server.ts <workload> <port> <static-dir>
 * Prints `listening <port>`; exits when stdin closes.
 *
 * @module
 */
import {
  JSON_MESSAGE,
  listeningUntilStdinCloses,
  parseServerArgs,
  PLAINTEXT,
} from "./_common.ts";

const { port, staticDir } = parseServerArgs(Deno.args);
const TEXT = { "content-type": "text/plain" };
const JSON_TYPE = { "content-type": "application/json" };

function echoWebSocket(request: Request): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event): void => socket.send(event.data);
  return response;
}

async function staticFile(path: string): Promise<Response> {
  if (path.includes("..")) return new Response("Forbidden", { status: 403 });
  try {
    const file = await Deno.open(`${staticDir}/${path}`);
    const { size } = await file.stat();
    return new Response(file.readable, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(size),
      },
    });
  } catch {
    return new Response("Not Found", { status: 404 });
  }
}

function handler(request: Request): Response | Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/plaintext") {
    return new Response(PLAINTEXT, { headers: TEXT });
  }
  if (pathname === "/json") {
    return new Response(JSON.stringify(JSON_MESSAGE), { headers: JSON_TYPE });
  }
  if (pathname === "/echo" && request.method === "POST") {
    return request.arrayBuffer().then((body) =>
      new Response(body, {
        headers: { "content-type": "application/octet-stream" },
      })
    );
  }
  if (pathname.startsWith("/static/")) return staticFile(pathname.slice(8));
  if (pathname === "/ws") return echoWebSocket(request);
  return new Response("Not Found", { status: 404 });
}

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => listeningUntilStdinCloses(port),
}, handler);
