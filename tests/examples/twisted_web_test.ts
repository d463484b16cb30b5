import assert from "node:assert/strict";
import {
  DEFAULT_PORT,
  Greeter,
  main,
  makeRoot,
  Slow,
} from "../../examples/twisted_web.ts";
import { DummyChannel, MemoryReactor } from "../../testing/mod.ts";
import { Site } from "../../web/mod.ts";
import { within } from "../_support/mod.ts";
import { Program } from "./_net.ts";
import { runServerMain } from "./_run_main.ts";

const SCRIPT = new URL("../../examples/twisted_web.ts", import.meta.url);

Deno.test("Greeter given a name in the path when rendered then greets that name", () => {
  const channel = new DummyChannel({ target: "/w%C3%B6rld" });
  channel.serve(new Site(new Greeter()));
  assert.equal(channel.text(), "Hello, wörld!\n");
});

Deno.test("Slow given a render when the clock passes its delay then finishes the NOT_DONE_YET response", () => {
  const reactor = new MemoryReactor();
  const channel = new DummyChannel();
  channel.serve(new Site(new Slow(reactor, 1)));
  assert.equal(channel.finished, false);
  reactor.advance(1);
  assert.equal(channel.text(), "Done after 1 seconds.\n");
});

Deno.test("Slow given the client goes away when waiting then cancels its timer", () => {
  const reactor = new MemoryReactor();
  const channel = new DummyChannel();
  channel.serve(new Site(new Slow(reactor, 1)));
  assert.equal(reactor.getDelayedCalls().length, 1);
  channel.loseConnection();
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("makeRoot given the example's tree when the home page is asked then it links every part", () => {
  const channel = new DummyChannel({ target: "/" });
  channel.serve(new Site(makeRoot(new MemoryReactor())));
  assert.equal(channel.code, 200);
  for (const href of ["/hello/world", "/slow", "/static/"]) {
    assert.ok(channel.text().includes(`href="${href}"`), href);
  }
});

Deno.test("main() given no arguments when run then listens on 127.0.0.1 port 8080 and prints its URL", async () => {
  const { code, listened, lines } = await runServerMain(main);
  assert.equal(code, 0);
  assert.equal(DEFAULT_PORT, 8080);
  assert.deepEqual(listened, [[8080, "127.0.0.1"]]);
  assert.ok(
    lines.includes("Serving on http://127.0.0.1:8080/   (Ctrl-C to stop)"),
    lines.join("\n"),
  );
});

Deno.test("twisted_web.ts given a bad port when run then prints usage and exits 2", async () => {
  const program = new Program(SCRIPT, ["--port", "web"], [
    "--allow-net",
    "--allow-read",
  ]);
  try {
    const { code, stderr } = await program.exit();
    assert.equal(code, 2);
    assert.match(stderr, /Usage: twisted_web\.ts/);
  } finally {
    await program.close();
  }
});

Deno.test("twisted_web.ts given --port 0 when run then serves its tree over HTTP and exits 0 on SIGINT", async () => {
  const program = new Program(SCRIPT, ["--port", "0"], [
    "--allow-net",
    "--allow-read",
  ]);
  const client = Deno.createHttpClient({});
  try {
    const banner = await program.stdout.find(
      (line) => line.startsWith("Serving on"),
      "the URL banner",
    );
    const url = /(http:\/\/\S+)\//.exec(banner)![1];
    const get = async (path: string): Promise<[number, string]> => {
      const response = await within(fetch(`${url}${path}`, { client }), path);
      return [response.status, await response.text()];
    };
    const [homeStatus, home] = await get("/");
    assert.equal(homeStatus, 200);
    assert.match(home, /Torsion twisted\.web/);
    assert.deepEqual(await get("/hello/Ada"), [200, "Hello, Ada!\n"]);
    assert.deepEqual(await get("/slow"), [200, "Done after 0.5 seconds.\n"]);
    assert.deepEqual(await get("/static/hello.txt"), [
      200,
      "Hello from a static file.\n",
    ]);
    const [listingStatus, listing] = await get("/static/");
    assert.equal(listingStatus, 200);
    assert.match(listing, /style\.css/);
    program.kill("SIGINT");
    const { code } = await program.exit();
    assert.equal(code, 0);
  } finally {
    client.close();
    await program.close();
  }
});
