/**
 * The embedded HTTP server the examples fetch from when they are given no
 * URLs, so that they run offline: it stands in for the sites the seed
 * programs fetch. `/<host>` (for example `/www.cnblogs.com`) answers a small
 * page that names the site it stands in for, and `/delay?ms=M` answers after
 * M milliseconds, as the slow API of the crawler seed.
 *
 * @module
 */

/** A running local server. */
export interface LocalServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Maps a real site's URL onto this server: `http://www.bing.com` → `<url>/www.bing.com`. */
  mapUrl(url: string): string;
  /** Stops the server, closing its connections. */
  close(): Promise<void>;
}

function page(site: string): string {
  return `<html><body><h1>${site}</h1><p>A local stand-in for ${site}, served by Torsion's example server.</p></body></html>`;
}

function delayed(ms: number): Promise<Response> {
  return new Promise((resolve) =>
    setTimeout(() => resolve(new Response(`slept ${ms} ms\n`)), ms)
  );
}

/**
 * Starts the server on 127.0.0.1 with a free port.
 *
 * @returns The server; close it (or `await using` it) so the process can exit.
 */
export function startLocalServer(): LocalServer {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      if (url.pathname === "/delay") {
        return delayed(Number(url.searchParams.get("ms") ?? "500"));
      }
      const site = url.pathname.slice(1) || "localhost";
      return new Response(page(site), {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= server.shutdown();
    return closed;
  };
  return {
    url: base,
    mapUrl: (url: string): string => `${base}/${new URL(url).host}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
