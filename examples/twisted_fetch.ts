// deno-lint-ignore-file no-console
/**
 * The Twisted fetch program of the seed, line for line on Torsion: one
 * `inlineCallbacks` task per URL calls `getPage`, prints the page when it
 * arrives, and a `DeferredList` of the tasks stops the reactor once all are
 * done.
 *
 * ```sh
 * deno run --allow-net examples/twisted_fetch.ts            # 4 pages from a local stand-in server
 * deno run --allow-net examples/twisted_fetch.ts URL [URL]  # real sites
 * ```
 *
 * With no arguments the seed's URLs (four times http://www.cnblogs.com) are
 * served by an embedded server on 127.0.0.1, so the program runs offline.
 *
 * @module
 */
import {
  DeferredList,
  type Failure,
  inlineCallbacks,
} from "../deferred/mod.ts";
import { getPage } from "../http/mod.ts";
import { reactor } from "../reactor/mod.ts";
import { startLocalServer } from "./_local_server.ts";

function oneDone(arg: Uint8Array): void {
  console.log(new TextDecoder().decode(arg));
}

// Not in the seed: Twisted would only report a failed page as "Unhandled
// error in Deferred" when the Deferred is garbage collected; say it now.
function oneFailed(failure: Failure): void {
  console.log("Error:", failure.getErrorMessage());
}

function allDone(_arg: unknown): void {
  console.log("done");
  reactor.stop();
}

const task = inlineCallbacks(function* (url: string): Generator<unknown, void> {
  const res = getPage(new TextEncoder().encode(url)); // send the HTTP request
  res.addCallback(oneDone);
  res.addErrback(oneFailed);
  yield res;
});

let urlList = [
  "http://www.cnblogs.com",
  "http://www.cnblogs.com",
  "http://www.cnblogs.com",
  "http://www.cnblogs.com",
];

// Not in the seed: fetch the URLs given, or the seed's from a local stand-in.
if (Deno.args.length > 0) {
  urlList = Deno.args;
} else {
  const server = startLocalServer();
  urlList = urlList.map(server.mapUrl);
  reactor.addSystemEventTrigger("after", "shutdown", () => server.close());
}

const deferList = []; // every task has already sent its request
for (const url of urlList) {
  const v = task(url);
  deferList.push(v);
}

const d = new DeferredList(deferList);
d.addBoth(allDone);
reactor.run(); // the loop: runs until allDone stops it
