// deno-lint-ignore-file no-console
/**
 * The group chat server of seed 003 (its v6 `ChatServer`), on Torsion's
 * reactor. The tutorial needs an accept thread, a thread per client, a
 * lock around the client table and a try/except around `recv` so that one
 * crashed client does not take the others down; here one `LineReceiver`
 * per connection and a set of clients on the factory do the same in a
 * single thread, with no lock: callbacks never run concurrently.
 *
 * Each line a client sends reaches every other client as
 * `[YYYY-MM-DD HH:MM:SS] host:port line`, the seed's format. A `quit` line
 * or closing the connection leaves the chat. A client that misbehaves (a
 * line over 16 KiB, a reset, an error in its handler) is dropped alone.
 *
 * Run: deno run --allow-net examples/chat_server.ts [--port 9999] [--host 127.0.0.1]
 * Then, in two other terminals: nc 127.0.0.1 9999
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import type { IAddress, IReactor } from "../reactor/interfaces.ts";
import { LineReceiver } from "../reactor/line_receiver.ts";
import { ServerFactory } from "../reactor/protocol.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { runServer } from "./_cli.ts";

/** The seed's `ChatServer` port. */
export const DEFAULT_PORT = 9999;

/** `[2024-05-01 12:00:00] 127.0.0.1:50000 hello`: the seed's message format. */
export function formatMessage(
  when: Date,
  sender: IAddress,
  line: string,
): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  const date = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${
    pad(when.getDate())
  }`;
  const time = `${pad(when.getHours())}:${pad(when.getMinutes())}:${
    pad(when.getSeconds())
  }`;
  return `[${date} ${time}] ${sender.host}:${sender.port} ${line}`;
}

/** One chat client's connection. */
export class ChatProtocol extends LineReceiver<ChatFactory> {
  // nc and telnet end lines with "\n" or "\r\n": split on "\n", trim "\r".
  override delimiter = "\n";
  #name = "";

  override connectionMade(): void {
    const peer = this.transport!.getPeer();
    this.#name = `${peer.host}:${peer.port}`;
    this.factory!.join(this);
  }

  override lineReceived(line: string): void {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (text === "quit") {
      this.transport!.loseConnection();
      return;
    }
    this.factory!.broadcast(this, text);
  }

  override lineLengthExceeded(line: Uint8Array): void {
    this.factory!.log(
      `${this.#name} sent a line of ${line.length} bytes; dropping it`,
    );
    super.lineLengthExceeded(line);
  }

  override connectionLost(reason: Failure): void {
    this.factory!.leave(this, reason);
  }

  /** The client's address, `host:port`. */
  get name(): string {
    return this.#name;
  }
}

/** Options of {@linkcode makeChatFactory}. */
export interface ChatOptions {
  /** Where join/leave notices go. @default console.log */
  log?: (message: string) => void;
  /** The clock for message timestamps. @default () => new Date() */
  now?: () => Date;
}

/** The chat room: the connected clients, and delivery between them. */
export class ChatFactory extends ServerFactory {
  override protocol = ChatProtocol;
  /** The clients connected now. */
  readonly clients: Set<ChatProtocol> = new Set();
  /** Where join/leave notices go. */
  log: (message: string) => void = (message) => console.log(message);
  /** The clock for timestamps. */
  now: () => Date = () => new Date();

  /** Adds a client. */
  join(client: ChatProtocol): void {
    this.clients.add(client);
    this.log(`${client.name} joined (${this.clients.size} online)`);
  }

  /** Removes a client; `reason` says how its connection ended. */
  leave(client: ChatProtocol, reason: Failure): void {
    if (!this.clients.delete(client)) return;
    this.log(
      `${client.name} left: ${reason.getErrorMessage()} (${this.clients.size} online)`,
    );
  }

  /** Sends `line` from `sender` to every other client. */
  broadcast(sender: ChatProtocol, line: string): void {
    const message = formatMessage(
      this.now(),
      sender.transport!.getPeer(),
      line,
    );
    for (const client of this.clients) {
      if (client === sender) continue;
      try {
        client.sendLine(message);
      } catch (error) {
        // A failing recipient must not cost the others their message.
        this.log(`Could not deliver to ${client.name}: ${String(error)}`);
      }
    }
  }
}

/** A chat room factory, ready for `listenTCP`. */
export function makeChatFactory(options: ChatOptions = {}): ChatFactory {
  const factory = new ChatFactory();
  if (options.log !== undefined) factory.log = options.log;
  if (options.now !== undefined) factory.now = options.now;
  return factory;
}

/**
 * Listens and serves until the reactor stops (Ctrl-C or SIGTERM stop it).
 *
 * @param args `--port N` (0 for a free port) and `--host IP`.
 * @param reactor The reactor to serve with.
 * @returns The exit code: 0 after a clean stop, 2 for bad arguments.
 */
export function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  return runServer(args, reactor, {
    name: "Chat server",
    script: "chat_server.ts",
    port: DEFAULT_PORT,
    factory: makeChatFactory(),
  });
}

if (import.meta.main) Deno.exit(await main());
