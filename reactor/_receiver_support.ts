/**
 * What the framing protocols (`LineReceiver`, `NetstringReceiver`,
 * `Int32StringReceiver`) share: encoding outgoing data and reaching the
 * optional parts of a transport.
 *
 * @module
 */
import type { ITransport } from "./interfaces.ts";

const encoder = new TextEncoder();

/** `data` as bytes: strings are UTF-8 encoded, arrays passed through. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
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
