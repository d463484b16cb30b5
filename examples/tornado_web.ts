// deno-lint-ignore-file no-console
/**
 * A Tornado web application on Torsion's `tornado.web` face: a small JSON
 * API over an in-memory store (`/items` and `/items/(\d+)` with GET, POST
 * and DELETE), an `HTTPError` for what is missing or malformed, and a
 * `StaticFileHandler` serving this directory under `/source/` (so
 * `/source/tornado_web.ts` shows this file). The Python original would be
 * the same classes with `def get(self, item_id):`.
 *
 * Run: deno run --allow-net --allow-read examples/tornado_web.ts [--port 8888] [--host 127.0.0.1]
 * Then: curl -d '{"name":"tea"}' http://127.0.0.1:8888/items
 *       curl http://127.0.0.1:8888/items
 *
 * @module
 */
import { configure, getConsoleSink } from "@logtape/logtape";
import { IOLoop } from "../reactor/ioloop.ts";
import type { IReactor } from "../reactor/interfaces.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import {
  Application,
  HTTPError,
  RequestHandler,
  StaticFileHandler,
} from "../web/mod.ts";
import { addressOrUsage } from "./_cli.ts";

/** The port Tornado's own examples use. */
export const DEFAULT_PORT = 8888;

/** One stored item. */
export interface Item {
  id: number;
  name: string;
}

/** The items, by id, shared by the handlers through their init arguments. */
export class ItemStore {
  readonly items: Map<number, Item> = new Map();
  #nextId = 1;

  /** Stores a new item and returns it. */
  add(name: string): Item {
    const item = { id: this.#nextId++, name };
    this.items.set(item.id, item);
    return item;
  }
}

/** `/items`: the list (GET) and creation (POST with `{"name": ...}`). */
export class ItemsHandler extends RequestHandler {
  store: ItemStore = new ItemStore();

  override initialize(args: { store: ItemStore }): void {
    this.store = args.store;
  }

  override get(): void {
    this.write({ items: [...this.store.items.values()] });
  }

  override post(): void {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(this.request.body));
    } catch {
      throw new HTTPError(400, "body is not JSON");
    }
    const name = (body as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") {
      throw new HTTPError(400, "item without a name");
    }
    const item = this.store.add(name);
    this.setStatus(201);
    this.setHeader("Location", this.reverseUrl("item", item.id));
    this.write({ ...item });
  }
}

/** `/items/(\d+)`: one item (GET) and its removal (DELETE). */
export class ItemHandler extends RequestHandler {
  store: ItemStore = new ItemStore();

  override initialize(args: { store: ItemStore }): void {
    this.store = args.store;
  }

  #find(id: string): Item {
    const item = this.store.items.get(Number(id));
    if (item === undefined) throw new HTTPError(404, "no item %s", id);
    return item;
  }

  override get(id: string): void {
    this.write({ ...this.#find(id) });
  }

  override delete(id: string): void {
    this.store.items.delete(this.#find(id).id);
    this.setStatus(204);
  }
}

/** The application: the API, and this directory under `/source/`. */
export function makeApp(store: ItemStore = new ItemStore()): Application {
  return new Application([
    ["/items", ItemsHandler, { store }],
    [String.raw`/items/(\d+)`, ItemHandler, { store }, "item"],
    ["/source/(.*)", StaticFileHandler, {
      path: new URL(".", import.meta.url).pathname,
    }],
  ]);
}

/**
 * Serves until Ctrl-C, then lets requests in progress finish and closes.
 *
 * @param args `--port N` (0 for a free port) and `--host IP`.
 * @param reactor The reactor to serve with.
 * @returns The exit code: 0 after a clean stop, 2 for bad arguments.
 */
export async function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  const usage = "tornado_web.ts [--port N] [--host IP]";
  const address = addressOrUsage(args, DEFAULT_PORT, usage);
  if (address === null) return 2;
  await configure({
    sinks: { console: getConsoleSink() },
    loggers: [
      { category: ["torsion"], sinks: ["console"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  const server = makeApp().listen(address.port, {
    address: address.host,
    reactor,
  });
  reactor.addSystemEventTrigger("before", "shutdown", async () => {
    await server.stop();
    await server.closeAllConnections();
  });
  const url = `http://${address.host}:${server.port}/`;
  console.log(`Tornado web example listening on ${url}`);
  console.log(`Try: curl ${url}items   (Ctrl-C to stop)`);
  await IOLoop.forReactor(reactor).start();
  console.log("Tornado web example stopped");
  return 0;
}

if (import.meta.main) Deno.exit(await main());
