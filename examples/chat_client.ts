// deno-lint-ignore-file no-console
/**
 * The chat client of seed 003 (its `ChatClient`), on Torsion's reactor:
 * it connects to the chat server, says hello, prints every line that
 * arrives and sends each line typed on stdin; `quit` (or the end of stdin)
 * leaves. The tutorial runs `recv` in a second thread beside the `input()`
 * loop; here the reactor delivers the server's lines while an async loop
 * reads stdin, both on one thread.
 *
 * Run: deno run --allow-net examples/chat_client.ts [--host 127.0.0.1] [--port 9999]
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import { ConnectionDone } from "../reactor/errors.ts";
import type { IConnector, IReactor } from "../reactor/interfaces.ts";
import { LineReceiver } from "../reactor/line_receiver.ts";
import { ClientFactory } from "../reactor/protocol.ts";
import { reactor as globalReactor } from "../reactor/reactor.ts";
import { addressOrUsage } from "./_cli.ts";
import { DEFAULT_PORT } from "./chat_server.ts";

/** Prints what the server sends; `send` and `quit` drive it from stdin. */
export class ChatClientProtocol extends LineReceiver<ChatClientFactory> {
  override delimiter = "\n";

  override connectionMade(): void {
    const peer = this.transport!.getPeer();
    this.factory!.print(
      `Connected to ${peer.host}:${peer.port}; type a line to send it, quit to leave`,
    );
    // The seed's client reports to the server as soon as it is connected.
    this.sendLine("say hello");
    this.factory!.connected(this);
  }

  override lineReceived(line: string): void {
    this.factory!.print(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}

/** Connects once and stops the reactor when the connection ends. */
export class ChatClientFactory extends ClientFactory {
  override protocol = ChatClientProtocol;
  /** The reactor to stop. */
  readonly reactor: IReactor;
  /** The exit code `main` returns: 1 once the connection failed. */
  exitCode = 0;
  /** Where received lines and notices go. */
  print: (line: string) => void = (line) => console.log(line);
  #client: ChatClientProtocol | null = null;
  // Lines typed (or piped) before the connection is up wait here.
  #early: string[] | null = [];

  /** A factory stopping `reactor` when done. */
  constructor(reactor: IReactor) {
    super();
    this.reactor = reactor;
  }

  /** Records the live connection. */
  connected(client: ChatClientProtocol): void {
    this.#client = client;
    const early = this.#early ?? [];
    this.#early = null;
    for (const text of early) this.send(text);
  }

  /** Sends `text`, or leaves when it is `quit`. */
  send(text: string): void {
    if (this.#early !== null) {
      this.#early.push(text);
      return;
    }
    const client = this.#client;
    if (client === null) return;
    if (text === "quit") client.transport!.loseConnection();
    else client.sendLine(text);
  }

  override clientConnectionFailed(
    _connector: IConnector,
    reason: Failure,
  ): void {
    console.error(`Could not connect: ${reason.getErrorMessage()}`);
    this.exitCode = 1;
    this.#early = null;
    this.#stop();
  }

  override clientConnectionLost(_connector: IConnector, reason: Failure): void {
    this.#client = null;
    this.#early = null;
    if (reason.check(ConnectionDone) === null) {
      this.print(`Connection lost: ${reason.getErrorMessage()}`);
    }
    this.#stop();
  }

  #stop(): void {
    if (this.reactor.running) this.reactor.stop();
    else this.reactor.callWhenRunning(() => this.reactor.stop());
  }
}

/** Sends each stdin line through `factory` until stdin ends, then quits. */
async function pumpStdin(factory: ChatClientFactory): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = pending.indexOf("\n")) !== -1) {
      const line = pending.slice(0, newline).replace(/\r$/, "").trim();
      pending = pending.slice(newline + 1);
      factory.send(line);
      if (line === "quit") return;
    }
  }
  factory.send("quit");
}

/**
 * Connects, chats, and returns once the connection is over.
 *
 * @param args `--host H` and `--port N`.
 * @param reactor The reactor to connect with.
 * @returns The exit code: 0 after `quit` or when the server closes the
 *   connection, 1 if connecting failed, 2 for bad arguments.
 */
export async function main(
  args: readonly string[] = Deno.args,
  reactor: IReactor = globalReactor,
): Promise<number> {
  const usage = "chat_client.ts [--host H] [--port N]";
  const address = addressOrUsage(args, DEFAULT_PORT, usage);
  if (address === null) return 2;
  const factory = new ChatClientFactory(reactor);
  reactor.connectTCP(address.host, address.port, factory, { timeout: 10 });
  void pumpStdin(factory);
  await reactor.run();
  return factory.exitCode;
}

// Exiting explicitly also abandons the stdin read still pending.
if (import.meta.main) Deno.exit(await main());
