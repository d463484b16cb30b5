// deno-lint-ignore-file no-console
/**
 * The group chat of `chat_server.ts` over WebSocket, on either face: one
 * port serves the chat page (`/`) and its WebSocket (`/chat`); every
 * message a client sends reaches every other client as
 * `[YYYY-MM-DD HH:MM:SS] host:port text`, the seed's format. The Twisted
 * face is Autobahn's `WebSocketServerProtocol` on `listenTCP` (the page
 * answered by `onPlainRequest`); the Tornado face is Tornado's chat demo
 * shape, an `Application` with a page handler and a `WebSocketHandler`.
 * The command-line client (`client`) is Tornado's `websocket_connect`
 * with `readMessage`, reading lines from stdin; `quit` leaves.
 *
 * Run the server: deno run --allow-net examples/websocket_chat.ts server [--port 8888] [--face tornado]
 * Open http://127.0.0.1:8888/ in two browsers, or:
 *   deno run --allow-net examples/websocket_chat.ts client [--port 8888]
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Headers } from "../http/headers.ts";
import type { IAddress, IReactor } from "../reactor/interfaces.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import {
  ConnectionDeny,
  type ConnectionRequest,
  WebSocketServerFactory,
  WebSocketServerProtocol,
} from "../websocket/websocket_server_protocol.ts";
import { websocketConnect } from "../websocket/websocket_connect.ts";
import type { CompressionOptions } from "../websocket/mod.ts";
import { Application } from "../web/application.ts";
import { RequestHandler } from "../web/request_handler.ts";
import { WebSocketHandler } from "../web/websocket_handler.ts";
import { type Address, parseAddress } from "./_cli.ts";
import { formatMessage } from "./chat_server.ts";

/** The port of Tornado's chat demo. */
export const DEFAULT_PORT = 8888;

/** The chat page: connects to `/chat` on the same host. */
export const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Torsion chat</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}#log{white-space:pre-wrap;border:1px solid #ccc;height:20em;overflow:auto;padding:.5em}</style>
<h1>Torsion chat</h1>
<div id="log"></div>
<form id="form"><input id="text" autocomplete="off" autofocus size="50"> <button>Send</button></form>
<script>
const log = document.getElementById("log");
const show = (line) => { log.textContent += line + "\\n"; log.scrollTop = log.scrollHeight; };
const socket = new WebSocket(\`ws://\${location.host}/chat\`);
socket.onopen = () => show("Connected");
socket.onmessage = (event) => show(event.data);
socket.onclose = (event) => show(\`Disconnected (\${event.code})\`);
document.getElementById("form").onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById("text");
  if (input.value !== "") { socket.send(input.value); show("me: " + input.value); }
  input.value = "";
};
</script>
</html>
`;

/** What the room needs of a member, whichever face it came in on. */
export interface ChatMember {
  /** The member's address, `host:port`. */
  readonly name: string;
  /** The member's address, for the message format. */
  readonly peer: IAddress;
  /** Sends one message to the member. */
  send(message: string): void;
}

/** The chat room: the members connected now, and delivery between them. */
export class ChatRoom {
  /** The members connected now. */
  readonly members: Set<ChatMember> = new Set();
  /** Where join/leave notices go. */
  log: (message: string) => void = (message) => console.log(message);
  /** The clock for timestamps. */
  now: () => Date = () => new Date();

  /** Adds a member. */
  join(member: ChatMember): void {
    this.members.add(member);
    this.log(`${member.name} joined (${this.members.size} online)`);
  }

  /** Removes a member. */
  leave(member: ChatMember, code: number | null): void {
    if (!this.members.delete(member)) return;
    this.log(
      `${member.name} left with ${
        code ?? "no code"
      } (${this.members.size} online)`,
    );
  }

  /** Sends `text` from `sender` to every other member. */
  broadcast(sender: ChatMember, text: string): void {
    const message = formatMessage(this.now(), sender.peer, text);
    for (const member of this.members) {
      if (member === sender) continue;
      try {
        member.send(message);
      } catch (error) {
        // A member closing right now must not cost the others the message.
        this.log(`Could not deliver to ${member.name}: ${String(error)}`);
      }
    }
  }
}

/** The protocol options both faces use: compression, a heartbeat, a 64 KiB limit. */
const CHAT_LIMIT = 64 * 1024;
const CHAT_PING_INTERVAL = 30;

/** Twisted face: one member's connection. */
export class ChatSocket extends WebSocketServerProtocol implements ChatMember {
  name = "";
  peer: IAddress = { type: "TCP", host: "", port: 0 };

  override onPlainRequest(path: string, _headers: Headers): string | null {
    return path === "/" ? PAGE : null;
  }

  override onConnect(request: ConnectionRequest): null {
    if (request.path !== "/chat") {
      throw new ConnectionDeny(
        ConnectionDeny.NOT_FOUND,
        "The chat is at /chat",
      );
    }
    return null;
  }

  override onOpen(): void {
    this.peer = this.transport!.getPeer();
    this.name = `${this.peer.host}:${this.peer.port}`;
    (this.factory as ChatFactory).room.join(this);
  }

  override onMessage(payload: string | Uint8Array, isBinary: boolean): void {
    if (isBinary) {
      this.sendClose(1003, "The chat takes text only");
      return;
    }
    (this.factory as ChatFactory).room.broadcast(this, payload as string);
  }

  override onClose(
    _wasClean: boolean,
    code: number | null,
    _reason: string | null,
  ): void {
    (this.factory as ChatFactory).room.leave(this, code);
  }

  send(message: string): void {
    if (this.state === "open") this.sendMessage(message);
  }
}

/** Twisted face: the factory for `listenTCP`, serving page and socket on one port. */
export class ChatFactory extends WebSocketServerFactory {
  /** The room its members join. */
  readonly room: ChatRoom;

  /**
   * @param room The room.
   * @param reactor Where the protocol timers run.
   */
  constructor(room: ChatRoom, reactor: IReactor = globalReactor) {
    super(null, {
      reactor,
      compressionOptions: {},
      autoPingInterval: CHAT_PING_INTERVAL,
      maxMessagePayloadSize: CHAT_LIMIT,
    });
    this.room = room;
    this.protocol = ChatSocket;
  }
}

/** Tornado face: the page. */
export class PageHandler extends RequestHandler {
  override get(): void {
    this.setHeader("Content-Type", "text/html; charset=utf-8");
    this.write(PAGE);
  }
}

/** Tornado face: one member's connection (Tornado's `ChatSocketHandler`). */
export class ChatSocketHandler extends WebSocketHandler implements ChatMember {
  name = "";
  peer: IAddress = { type: "TCP", host: "", port: 0 };
  #room: ChatRoom | null = null;

  override initialize(initArgs: { room: ChatRoom }): void {
    this.#room = initArgs.room;
  }

  override getCompressionOptions(): CompressionOptions {
    return {};
  }

  override open(): void {
    this.peer = this.request.connection!.getPeer();
    this.name = `${this.peer.host}:${this.peer.port}`;
    this.#room!.join(this);
  }

  override onMessage(message: string | Uint8Array): void {
    if (typeof message !== "string") {
      this.close(1003, "The chat takes text only");
      return;
    }
    this.#room!.broadcast(this, message);
  }

  override onClose(): void {
    this.#room!.leave(this, this.closeCode);
  }

  send(message: string): void {
    this.writeMessage(message);
  }
}

/** Tornado face: the application serving the page and the socket. */
export function makeChatApplication(room: ChatRoom): Application {
  return new Application([
    ["/", PageHandler],
    ["/chat", ChatSocketHandler, { room }],
  ], {
    websocketMaxMessageSize: CHAT_LIMIT,
    websocketPingInterval: CHAT_PING_INTERVAL,
  });
}

/**
 * The command-line client: sends each line of `lines`, prints every
 * message; `quit` or the end of the input leaves.
 *
 * @param address The server.
 * @param lines The lines typed.
 * @param print Where messages go.
 * @returns The exit code: 0, or 1 when the connection failed.
 */
export async function runClient(
  address: Address,
  lines: AsyncIterable<string>,
  print: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  let conn;
  try {
    conn = await websocketConnect(
      `ws://${address.host}:${address.port}/chat`,
      { compressionOptions: {} },
    );
  } catch (error) {
    print(`Could not connect: ${(error as Error).message}`);
    return 1;
  }
  print(
    `Connected to ${address.host}:${address.port}; type a line to send it, quit to leave`,
  );
  const reading = (async () => {
    for (;;) {
      const message = await conn.readMessage();
      if (message === null) break;
      print(
        typeof message === "string" ? message : `(${message.length} bytes)`,
      );
    }
  })();
  // The server may end the chat while the user is typing: stop then too.
  const input = lines[Symbol.asyncIterator]();
  for (;;) {
    const next = await Promise.race([input.next(), reading.then(() => null)]);
    if (next === null || next.done || next.value === "quit") break;
    if (next.value === "") continue;
    try {
      await conn.writeMessage(next.value);
    } catch {
      break;
    }
  }
  if (conn.protocol.state === "open") conn.close(1000, "quit");
  await reading;
  print("Disconnected");
  return 0;
}

async function* stdinLines(): AsyncIterable<string> {
  let pending = "";
  for await (
    const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  ) {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf("\n")) !== -1) {
      yield pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
    }
  }
  if (pending !== "") yield pending;
}

/**
 * `server [--port N] [--host IP]` serves the page and the chat until
 * Ctrl-C; `client [--port N] [--host IP]` joins from the terminal.
 *
 * @param args The command line.
 * @param reactor The reactor to serve with.
 * @returns The exit code: 0, 1 when the client cannot connect, 2 for bad arguments.
 */
export async function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  const usage =
    "Usage: websocket_chat.ts server|client [--port N] [--host IP] [--face twisted|tornado]";
  const [mode, ...rest] = args;
  let address: Address;
  let face: string;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        face: { type: "string", default: "twisted" },
      },
    });
    if (values.face !== "twisted" && values.face !== "tornado") {
      throw new TypeError(
        `--face must be twisted or tornado: current value is ${values.face}`,
      );
    }
    face = values.face;
    address = parseAddress(
      rest.filter((arg, i) => arg !== "--face" && rest[i - 1] !== "--face"),
      DEFAULT_PORT,
    );
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (mode === "server") {
    const room = new ChatRoom();
    const listening = face === "tornado"
      ? makeChatApplication(room).listen(address.port, {
        address: address.host,
        reactor,
      }).listeningPorts[0]
      : reactor.listenTCP(address.port, new ChatFactory(room, reactor), {
        interface: address.host,
      });
    const { host, port } = listening.getHost();
    console.log(`Chat server listening on ${host}:${port}`);
    console.log(
      `Open http://${host}:${port}/ or run the client (Ctrl-C to stop)`,
    );
    await reactor.run();
    console.log("Chat server stopped");
    return 0;
  }
  if (mode === "client") return await runClient(address, stdinLines());
  console.error(usage);
  return 2;
}

if (import.meta.main) Deno.exit(await main());
