/**
 * A `Site` listening on loopback for the integration tests, on its own
 * reactor, closed with every connection by `await using`.
 *
 * @module
 */
import type { IListeningPort } from "../../reactor/interfaces.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { type IResource, Site, type SiteOptions } from "../../web/mod.ts";
import { TLS_CERT, TLS_KEY } from "../_support/mod.ts";

/** A listening site. */
export interface SiteServer extends AsyncDisposable {
  /** The reactor serving it. */
  reactor: Reactor;
  /** The site. */
  site: Site;
  /** The bound port. */
  port: number;
  /** `http://127.0.0.1:<port>` (or https). */
  url: string;
}

/** Listens on 127.0.0.1 port 0 with `new Site(resource, options)`. */
export function listenSite(
  resource: IResource,
  options: SiteOptions = {},
  tls = false,
): SiteServer {
  const reactor = new Reactor();
  const site = new Site(resource, { reactor, ...options });
  const listening: IListeningPort = tls
    ? reactor.listenSSL(0, site, { cert: TLS_CERT, key: TLS_KEY }, {
      interface: "127.0.0.1",
    })
    : reactor.listenTCP(0, site, { interface: "127.0.0.1" });
  const port = listening.getHost().port;
  return {
    reactor,
    site,
    port,
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    async [Symbol.asyncDispose](): Promise<void> {
      await listening.stopListening();
      await disconnectAll(reactor);
    },
  };
}
