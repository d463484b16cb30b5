// deno-lint-ignore-file no-console
/**
 * The Tornado fetch program of the seed, line for line on Torsion: `func`
 * runs on the IOLoop, fetches every URL with the shared `AsyncHTTPClient`
 * in the callback style, and `handleResponse` prints each page (or its
 * error) and stops the IOLoop after the last one.
 *
 * ```sh
 * deno run --allow-net examples/tornado_fetch.ts            # 2 pages from a local stand-in server
 * deno run --allow-net examples/tornado_fetch.ts URL [URL]  # real sites
 * ```
 *
 * With no arguments the seed's URLs (http://www.baidu.com and
 * http://www.bing.com) are served by an embedded server on 127.0.0.1, so the
 * program runs offline.
 *
 * @module
 */
import {
  AsyncHTTPClient,
  HTTPRequest,
  type HTTPResponse,
} from "../http/mod.ts";
import { IOLoop } from "../reactor/mod.ts";
import { type LocalServer, startLocalServer } from "./_local_server.ts";

// Not in the seed: the URLs given, or the seed's served by a local stand-in.
const server: LocalServer | undefined = Deno.args.length > 0
  ? undefined
  : startLocalServer();

let COUNT = 0;
function handleResponse(response: HTTPResponse): void {
  COUNT -= 1;
  if (response.error) {
    console.log("Error:", String(response.error));
  } else {
    console.log(response.text);
    // as with Twisted
    // IOLoop.current().stop();
  }
  if (COUNT === 0) {
    IOLoop.current().stop();
  }
}

function func(): void {
  let urlList = [
    "http://www.baidu.com",
    "http://www.bing.com",
  ];
  urlList = server === undefined ? Deno.args : urlList.map(server.mapUrl);
  COUNT = urlList.length;
  for (const url of urlList) {
    console.log(url);
    const httpClient = new AsyncHTTPClient();
    httpClient.fetch(new HTTPRequest(url), handleResponse);
  }
}

IOLoop.current().addCallback(func);
await IOLoop.current().start(); // the loop: runs until handleResponse stops it

// Not in the seed: release the kept-alive connections and the local server.
await new AsyncHTTPClient().close();
await server?.close();
