/**
 * The sockets each reactor has open, so that `disconnectAll` can close them
 * at shutdown, as Twisted's `disconnectAll` walks its readers and writers.
 *
 * @module
 */
import type { IReactorTime } from "../deferred/interfaces.ts";
import type { Failure } from "../deferred/failure.ts";

/** A port, connection or connection attempt that shutdown must close. */
export interface Disconnectable {
  /**
   * Closes at once; a connection's protocol gets `reason`. Resolves once
   * every socket operation has settled, so nothing outlives the reactor.
   */
  disconnect(reason: Failure): Promise<void>;
}

const open = new WeakMap<IReactorTime, Set<Disconnectable>>();

/** Records `item` as open through `reactor`. */
export function track(reactor: IReactorTime, item: Disconnectable): void {
  let items = open.get(reactor);
  if (items === undefined) {
    items = new Set();
    open.set(reactor, items);
  }
  items.add(item);
}

/** Forgets `item` once it has closed. */
export function untrack(reactor: IReactorTime, item: Disconnectable): void {
  open.get(reactor)?.delete(item);
}

/** What is open through `reactor`, as a snapshot. */
export function tracked(reactor: IReactorTime): Disconnectable[] {
  return [...(open.get(reactor) ?? [])];
}
