/**
 * What `TCPServer` and `TCPClient` share: the protocol that puts an
 * `IOStream` on a new connection and tells its owner once it is up, and a
 * guarded call of application code that may return a Promise.
 *
 * @module
 */
import type { Failure } from "../deferred/failure.ts";
import { isThenable } from "../_util/thenable.ts";
import { callApplication, logApplicationError } from "./_application_calls.ts";
import type { IProtocol, ITransport } from "./interfaces.ts";
import type { IOStream } from "./iostream.ts";

/**
 * The protocol of one connection: forwards every event to `stream`, and
 * calls `onMade` once the stream has its transport.
 */
export function streamProtocol(
  stream: IOStream,
  onMade: (stream: IOStream) => void,
): IProtocol {
  return {
    makeConnection(transport: ITransport): void {
      stream.makeConnection(transport);
      onMade(stream);
    },
    connectionMade(): void {},
    dataReceived(data: Uint8Array): void {
      stream.dataReceived(data);
    },
    connectionLost(reason: Failure): void {
      stream.connectionLost(reason);
    },
  };
}

/**
 * Calls application code, logging what it throws or what the Promise it
 * returns rejects with, as Tornado logs a failed connection callback.
 */
export function callGuarded(what: string, call: () => unknown): void {
  callApplication(what, () => {
    const result = call();
    if (isThenable(result)) {
      Promise.resolve(result).catch((error) =>
        logApplicationError(what, error)
      );
    }
  });
}
