/**
 * What the framing protocols (`LineReceiver`, `NetstringReceiver`,
 * `Int32StringReceiver`) share: encoding outgoing data, reaching the
 * optional parts of a transport, and Twisted's `_PauseableMixin`.
 *
 * @module
 */
import type { ITransport } from "./interfaces.ts";

const encoder = new TextEncoder();

/** `data` as bytes: strings are UTF-8 encoded, arrays passed through. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/**
 * The bytes a line protocol splits on.
 *
 * @throws {RangeError} `delimiter` is empty: no line could ever end.
 */
export function delimiterBytes(delimiter: string | Uint8Array): Uint8Array {
  const bytes = toBytes(delimiter);
  if (bytes.length === 0) {
    throw new RangeError(
      "Cannot split lines on an empty delimiter: delimiter is empty",
    );
  }
  return bytes;
}

/** Whether `loseConnection` has been called on `transport`. */
export function isDisconnecting(transport: ITransport | null): boolean {
  return transport?.disconnecting === true;
}

type ProducerMethod = "pauseProducing" | "resumeProducing" | "stopProducing";

/**
 * Calls `method` on `transport` when it is a push producer (TCP transports
 * are); a bare `ITransport` cannot be paused, so there is nothing to call.
 */
export function callProducer(
  transport: ITransport | null,
  method: ProducerMethod,
): void {
  const producer = transport as
    | Partial<Record<ProducerMethod, () => void>>
    | null;
  const fn = producer?.[method];
  if (typeof fn === "function") fn.call(producer);
}

/** What Twisted's `_PauseableMixin` needs of a framing protocol. */
export interface Pauseable {
  paused: boolean;
  readonly transport: ITransport | null;
  dataReceived(data: Uint8Array): void;
}

const NOTHING = new Uint8Array(0);

/** `_PauseableMixin.pauseProducing`: hold deliveries and stop reading. */
export function pauseReceiving(receiver: Pauseable): void {
  receiver.paused = true;
  callProducer(receiver.transport, "pauseProducing");
}

/**
 * `_PauseableMixin.resumeProducing`: read again and deliver what was held,
 * by feeding the receiver an empty chunk.
 */
export function resumeReceiving(receiver: Pauseable): void {
  receiver.paused = false;
  callProducer(receiver.transport, "resumeProducing");
  receiver.dataReceived(NOTHING);
}

/** `_PauseableMixin.stopProducing`: deliver nothing more, stop the transport. */
export function stopReceiving(receiver: Pauseable): void {
  receiver.paused = true;
  callProducer(receiver.transport, "stopProducing");
}
