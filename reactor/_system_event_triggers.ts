/**
 * The system event triggers of Twisted's `ReactorBase`
 * (`addSystemEventTrigger`, `removeSystemEventTrigger`, `callWhenRunning`,
 * `fireSystemEvent`), shared by the real `Reactor` and `MemoryReactor` so
 * both run triggers the same way.
 *
 * @module
 */
import { describeValue, functionName } from "../_util/describe.ts";
import { Failure } from "../deferred/failure.ts";
import { logError } from "../_util/log_error.ts";
import { isThenable } from "../_util/thenable.ts";
import { requireFunction } from "./_arguments.ts";
import { ReactorNotRunning } from "./errors.ts";
import type { SystemEvent, TriggerPhase } from "./interfaces.ts";

/** Where a reactor is in its run; both reactors go through the same states. */
export type RunState = "stopped" | "running" | "stopping";

/**
 * The check both reactors' `stop()` make before stopping.
 *
 * @throws {ReactorNotRunning} The reactor is not running, or is already
 *   stopping.
 */
export function requireStoppable(state: RunState): void {
  if (state === "stopping") {
    throw new ReactorNotRunning(
      "Cannot stop a reactor that is already stopping",
    );
  }
  if (state !== "running") throw new ReactorNotRunning();
}

const CATEGORY = ["torsion", "reactor"] as const;
const PHASES: readonly TriggerPhase[] = ["before", "during", "after"];
const EVENTS: readonly SystemEvent[] = ["startup", "shutdown"];

interface Trigger {
  readonly phase: TriggerPhase;
  readonly event: SystemEvent;
  readonly fn: (...args: never[]) => unknown;
  readonly args: readonly unknown[];
  // callWhenRunning's triggers run on the next startup only, so that a
  // reactor run again does not repeat them.
  readonly once: boolean;
}

/**
 * The triggers of one reactor, keyed by the id `add` returns. Firing an
 * event runs its "before", "during" and "after" triggers in turn; a trigger
 * that returns a Deferred or a Promise holds the next phase until it
 * settles, and one that throws or fails is logged while the others run.
 */
export class SystemEventTriggers {
  readonly #triggers = new Map<number, Trigger>();
  #nextId = 1;

  /**
   * Adds a trigger for every `event` from now on.
   *
   * @returns Its id, for `remove`.
   * @throws {RangeError} `phase` or `event` is unknown.
   * @throws {TypeError} `fn` is not a function.
   */
  add(
    phase: TriggerPhase,
    event: SystemEvent,
    fn: unknown,
    args: readonly unknown[],
  ): number {
    if (!PHASES.includes(phase)) {
      throw new RangeError(
        `Cannot add a system event trigger for an unknown phase: current value is ${
          describeValue(phase)
        }`,
      );
    }
    if (!EVENTS.includes(event)) {
      throw new RangeError(
        `Cannot add a system event trigger for an unknown event: current value is ${
          describeValue(event)
        }`,
      );
    }
    requireFunction(fn, "addSystemEventTrigger");
    return this.#add(phase, event, fn, args, false);
  }

  /**
   * `callWhenRunning` for either reactor: calls `fn(...args)` at once when
   * the reactor is `running`, else queues it for the "after" phase of the
   * next startup only.
   *
   * @returns The queued trigger's id, for `remove`; `undefined` when run.
   * @throws {TypeError} `fn` is not a function.
   */
  callWhenRunning(
    running: boolean,
    fn: unknown,
    args: readonly unknown[],
  ): number | undefined {
    requireFunction(fn, "callWhenRunning");
    if (running) {
      (fn as (...args: unknown[]) => unknown)(...args);
      return undefined;
    }
    return this.#add("after", "startup", fn, args, true);
  }

  /**
   * Removes a trigger.
   *
   * @throws {RangeError} No trigger has that id.
   */
  remove(id: number): void {
    if (!this.#triggers.delete(id)) {
      throw new RangeError(
        `Cannot remove an unknown system event trigger: current value is ${
          describeValue(id)
        }`,
      );
    }
  }

  /**
   * Runs `event`'s triggers phase by phase. `atPhase` runs first in each
   * phase (the reactor closes its sockets "during" shutdown) and may return
   * a Promise that the phase waits for too. Everything runs synchronously
   * as long as nothing returns a thenable.
   *
   * @returns `undefined` when every phase is done by the time `fire`
   *   returns, otherwise a Promise that resolves once the "after" phase is.
   */
  fire(
    event: SystemEvent,
    atPhase?: (phase: TriggerPhase) => Promise<void> | void,
  ): Promise<void> | undefined {
    return this.#fireFrom(0, event, atPhase);
  }

  #fireFrom(
    first: number,
    event: SystemEvent,
    atPhase?: (phase: TriggerPhase) => Promise<void> | void,
  ): Promise<void> | undefined {
    for (let index = first; index < PHASES.length; index++) {
      const phase = PHASES[index];
      const pending: Promise<void>[] = [];
      const held = atPhase?.(phase);
      if (held !== undefined) pending.push(held);
      for (const [id, trigger] of [...this.#triggers]) {
        if (trigger.event !== event || trigger.phase !== phase) continue;
        // An earlier trigger of this phase may have removed this one.
        if (!this.#triggers.has(id)) continue;
        if (trigger.once) this.#triggers.delete(id);
        const waiting = run(trigger);
        if (waiting !== undefined) pending.push(waiting);
      }
      if (pending.length > 0) {
        return Promise.all(pending).then(() =>
          this.#fireFrom(index + 1, event, atPhase)
        );
      }
    }
    return undefined;
  }

  #add(
    phase: TriggerPhase,
    event: SystemEvent,
    fn: unknown,
    args: readonly unknown[],
    once: boolean,
  ): number {
    const id = this.#nextId++;
    this.#triggers.set(id, {
      phase,
      event,
      fn: fn as (...args: never[]) => unknown,
      args,
      once,
    });
    return id;
  }
}

function run(trigger: Trigger): Promise<void> | undefined {
  let result: unknown;
  try {
    result = (trigger.fn as (...args: unknown[]) => unknown)(...trigger.args);
  } catch (error) {
    logTriggerError(trigger, error);
    return undefined;
  }
  if (!isThenable(result)) return undefined;
  return Promise.resolve(result).then(
    () => undefined,
    (error: unknown) => logTriggerError(trigger, error),
  );
}

function logTriggerError(trigger: Trigger, error: unknown): void {
  logError(
    CATEGORY,
    `Error in ${trigger.phase} ${trigger.event} trigger ${
      functionName(trigger.fn)
    }: ${Failure.from(error).getTraceback()}`,
    error,
  );
}
