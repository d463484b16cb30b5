// deno-lint-ignore-file no-console -- it stands in for console while main runs
import assert from "node:assert/strict";
import {
  ChatFactory,
  ChatRoom,
  DEFAULT_PORT,
  main,
  makeChatApplication,
  PAGE,
  runClient,
} from "../../examples/websocket_chat.ts";
import { Reactor } from "../../reactor/reactor.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { websocketConnect } from "../../websocket/websocket_connect.ts";
import { WebSocketHandshakeError } from "../../websocket/errors.ts";
import { within } from "../_support/mod.ts";
import { Program } from "./_net.ts";

const SCRIPT = new URL("../../examples/websocket_chat.ts", import.meta.url);
const NOON = new Date(2024, 4, 1, 12, 0, 0);

type Face = "twisted" | "tornado";
const FACES: Face[] = ["twisted", "tornado"];

async function withRoom(
  face: Face,
  body: (port: number, room: ChatRoom, reactor: Reactor) => Promise<void>,
): Promise<string[]> {
  const reactor = new Reactor();
  const room = new ChatRoom();
  const notices: string[] = [];
  room.log = (message) => notices.push(message);
  room.now = () => NOON;
  if (face === "twisted") {
    const port = reactor.listenTCP(0, new ChatFactory(room, reactor), {
      interface: "127.0.0.1",
    });
    try {
      await body(port.getHost().port, room, reactor);
    } finally {
      await port.stopListening();
      await disconnectAll(reactor);
    }
  } else {
    const server = makeChatApplication(room).listen(0, {
      address: "127.0.0.1",
      reactor,
    });
    try {
      await body(server.port, room, reactor);
    } finally {
      await server.stop();
      await server.closeAllConnections();
      await disconnectAll(reactor);
    }
  }
  return notices;
}

for (const face of FACES) {
  Deno.test(`ChatRoom given three members when one sends then the two others get it in the seed's format and the sender does not (${face} face)`, async () => {
    await withRoom(face, async (port, room, reactor) => {
      const url = `ws://127.0.0.1:${port}/chat`;
      const [a, b, c] = await within(
        Promise.all([1, 2, 3].map(() => websocketConnect(url, { reactor }))),
        "three members",
      );
      await within(until(() => room.members.size === 3), "three joins");
      await a.writeMessage("hello all");
      const expected = new RegExp(
        "^\\[2024-05-01 12:00:00\\] 127\\.0\\.0\\.1:\\d+ hello all$",
      );
      assert.match(String(await within(b.readMessage(), "b's copy")), expected);
      assert.match(String(await within(c.readMessage(), "c's copy")), expected);
      await b.writeMessage("from b");
      assert.match(
        String(await within(a.readMessage(), "a's copy")),
        /from b$/,
      );
      assert.match(
        String(await within(c.readMessage(), "c's copy")),
        /from b$/,
      );
      for (const conn of [a, b, c]) conn.close(1000);
      // Nobody got their own message back: the next thing each reads is the close.
      for (const conn of [a, b, c]) {
        assert.equal(await within(conn.readMessage(), "the close"), null);
      }
      await within(until(() => room.members.size === 0), "three leaves");
    });
  });
}

for (const face of FACES) {
  Deno.test(`ChatRoom given a browser's page request when GET / arrives then serves the chat page on the same port (${face} face)`, async () => {
    await withRoom(face, async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(await response.text(), PAGE);
      const missing = await fetch(`http://127.0.0.1:${port}/nothing`);
      // The Twisted face's protocol refuses a plain GET as a bad upgrade; the
      // Application has no route for it.
      assert.equal(missing.status, face === "twisted" ? 400 : 404);
      await missing.body?.cancel();
    });
  });
}

for (const face of FACES) {
  Deno.test(`ChatRoom given Deno's WebSocket, as the page uses, and a Torsion client when they talk then each gets the other's messages (${face} face)`, async () => {
    await withRoom(face, async (port, room, reactor) => {
      const browser = new WebSocket(`ws://127.0.0.1:${port}/chat`);
      await within(new Promise((resolve) => browser.onopen = resolve), "open");
      const terminal = await within(
        websocketConnect(`ws://127.0.0.1:${port}/chat`, { reactor }),
        "connect",
      );
      await within(until(() => room.members.size === 2), "two joins");
      const got = new Promise((resolve) =>
        browser.onmessage = (e) => resolve(e.data)
      );
      await terminal.writeMessage("from the terminal");
      assert.match(
        String(await within(got, "the browser's copy")),
        /from the terminal$/,
      );
      browser.send("from the browser");
      assert.match(
        String(await within(terminal.readMessage(), "the terminal's copy")),
        /from the browser$/,
      );
      const closed = new Promise((resolve) => browser.onclose = resolve);
      browser.close();
      await within(closed, "the browser's close");
      terminal.close(1000);
      await within(terminal.readMessage(), "the terminal's close");
    });
  });
}

for (const face of FACES) {
  Deno.test(`ChatRoom given a binary message when received then closes that member with 1003 (${face} face)`, async () => {
    await withRoom(face, async (port, _room, reactor) => {
      const conn = await within(
        websocketConnect(`ws://127.0.0.1:${port}/chat`, { reactor }),
        "connect",
      );
      await conn.writeMessage(new Uint8Array([1, 2, 3]));
      assert.equal(await within(conn.readMessage(), "the close"), null);
      assert.equal(conn.closeCode, 1003);
    });
  });
}

for (const face of FACES) {
  Deno.test(`ChatRoom given an upgrade to a path other than /chat when connecting then refuses it with 404 (${face} face)`, async () => {
    await withRoom(face, async (port, _room, reactor) => {
      const error = await websocketConnect(`ws://127.0.0.1:${port}/elsewhere`, {
        reactor,
      })
        .then(() => null, (e: unknown) => e);
      assert.ok(error instanceof WebSocketHandshakeError);
      assert.equal(error.status, 404);
    });
  });
}

for (const face of FACES) {
  Deno.test(`runClient given typed lines when connected then sends them, prints what others say, and leaves on quit (${face} face)`, async () => {
    const notices = await withRoom(face, async (port, room, reactor) => {
      const other = await within(
        websocketConnect(`ws://127.0.0.1:${port}/chat`, { reactor }),
        "connect",
      );
      const printed: string[] = [];
      const typed = Promise.withResolvers<void>();
      async function* lines(): AsyncIterable<string> {
        yield "typed line";
        await typed.promise;
        yield "quit";
      }
      const done = runClient(
        { host: "127.0.0.1", port },
        lines(),
        (line) => printed.push(line),
      );
      assert.match(
        String(await within(other.readMessage(), "the typed line")),
        /typed line$/,
      );
      await other.writeMessage("answer");
      await within(
        until(() => printed.some((line) => line.endsWith("answer"))),
        "the answer printed",
      );
      typed.resolve();
      assert.equal(await within(done, "the client to leave"), 0);
      assert.equal(
        printed[0],
        `Connected to 127.0.0.1:${port}; type a line to send it, quit to leave`,
      );
      assert.equal(printed.at(-1), "Disconnected");
      await within(until(() => room.members.size === 1), "the client's leave");
      other.close(1000);
      await within(other.readMessage(), "the close");
    });
    assert.ok(notices.some((line) => /left with 1000/.test(line)));
  });
}

for (const face of FACES) {
  Deno.test(`websocket_chat.ts given the server and a client as programs when the client types a line then another member gets it and quit exits 0 (${face} face)`, async () => {
    const server = new Program(SCRIPT, [
      "server",
      "--port",
      "0",
      "--face",
      face,
    ]);
    try {
      const listening = await server.stdout.find(
        (line) => line.startsWith("Chat server listening on "),
        "the server's address",
      );
      const port = listening.split(":").at(-1) as string;
      const member = await within(
        websocketConnect(`ws://127.0.0.1:${port}/chat`),
        "connect",
      );
      const client = new Program(SCRIPT, ["client", "--port", port]);
      try {
        await client.stdout.find(
          (line) => line.startsWith("Connected to"),
          "the client's connection",
        );
        await client.type("hello from the terminal\n");
        assert.match(
          String(await within(member.readMessage(), "the message")),
          /hello from the terminal$/,
        );
        await client.type("quit\n");
        assert.equal((await client.exit()).code, 0);
      } finally {
        await client.close();
        member.close(1000);
        await within(member.readMessage(), "the close");
      }
    } finally {
      await server.close();
    }
    assert.equal(DEFAULT_PORT, 8888);
  });
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("main() given an unknown face or mode when run then prints the usage and returns 2", async () => {
  const { error } = console;
  const lines: string[] = [];
  console.error = (...data: unknown[]) => lines.push(data.join(" "));
  try {
    assert.equal(await main(["server", "--face", "django"]), 2);
    assert.equal(await main(["serve"]), 2);
  } finally {
    console.error = error;
  }
  assert.match(
    lines[0],
    /--face must be twisted or tornado: current value is django/,
  );
  assert.match(lines.at(-1)!, /^Usage: websocket_chat.ts server\|client/);
});
