/**
 * Unhandled-error tracking for Deferreds, the job of Twisted's `DebugInfo`:
 * a Deferred whose chain ends in a Failure that nobody handled reports it when
 * it is garbage-collected, or when the process exits with it still pending.
 *
 * @module
 */
import { logError } from "../_util/log_error.ts";
import type { Failure } from "./failure.ts";

/** What a Deferred remembers for reporting; holds no reference to the Deferred. */
export interface DebugInfo {
  failResult: Failure | null;
  creator?: string;
  invoker?: string;
}

let debugging = false;
const pending = new Set<DebugInfo>();
const registry = new FinalizationRegistry<DebugInfo>(report);

/**
 * Turns on or off recording, for every Deferred created from now on, the
 * stack where it was created and where it was first fired; unhandled-error
 * reports, and the `AlreadyCalledError` of a second `callback`/`errback`,
 * then show both. Mirrors Twisted's `defer.setDebugging`. It costs a
 * stack capture per Deferred, so leave it off in production.
 *
 * @param on Whether to record stacks.
 *
 * @example Debugging a lost failure
 * ```ts
 * import { getDebugging, setDebugging } from "@torsion/torsion/deferred";
 * setDebugging(true);
 * console.assert(getDebugging());
 * setDebugging(false);
 * ```
 */
export function setDebugging(on: boolean): void {
  debugging = on;
}

/**
 * Whether Deferreds record their creation and invocation stacks. Mirrors
 * Twisted's `defer.getDebugging`.
 *
 * @returns The current setting.
 *
 * @example Reading the setting
 * ```ts
 * import { getDebugging } from "@torsion/torsion/deferred";
 * console.assert(typeof getDebugging() === "boolean");
 * ```
 */
export function getDebugging(): boolean {
  return debugging;
}

/** A creation record when debugging is on, `undefined` otherwise. */
export function creationInfo(): DebugInfo | undefined {
  if (!debugging) return undefined;
  // Skips creationInfo, the field initializer and the constructor.
  return { failResult: null, creator: captureStack(3) };
}

/** Records where a Deferred was first fired, when debugging is on. */
export function recordInvoker(info: DebugInfo | undefined): void {
  if (info !== undefined && info.invoker === undefined && debugging) {
    // Skips recordInvoker and the private start method, keeping the
    // public callback/errback frame.
    info.invoker = captureStack(2);
  }
}

/**
 * The message of the `AlreadyCalledError` a second `callback`/`errback`
 * raises: with debugging on, where the Deferred was created and where it
 * was first fired, as Twisted's `_getDebugTracebacks` adds.
 */
export function alreadyCalledMessage(info: DebugInfo | undefined): string {
  const message = "Deferred has already been called";
  if (
    info === undefined ||
    (info.creator === undefined && info.invoker === undefined)
  ) {
    return message;
  }
  let extra = "";
  if (info.creator !== undefined) {
    extra += `\n C: Deferred was created:\n C:${
      info.creator.trimEnd().replaceAll("\n", "\n C:")
    }`;
  }
  if (info.invoker !== undefined) {
    extra += `\n I: First Invoker was:\n I:${
      info.invoker.trimEnd().replaceAll("\n", "\n I:")
    }`;
  }
  return message + extra;
}

/**
 * Marks `owner`'s chain as ending in `failure` (or, with `null`, as
 * handled). Returns the info to keep on the owner.
 */
export function trackResult(
  owner: object,
  info: DebugInfo | undefined,
  failure: Failure | null,
): DebugInfo | undefined {
  if (failure === null) {
    if (info !== undefined && info.failResult !== null) {
      info.failResult = null;
      pending.delete(info);
    }
    return info;
  }
  const tracked = info ?? { failResult: null };
  if (tracked.failResult === null) {
    registry.register(owner, tracked, tracked);
    pending.add(tracked);
  }
  tracked.failResult = failure;
  return tracked;
}

/** The current stack without its first line, captureStack and `skip` more frames. */
function captureStack(skip: number): string {
  const stack = new Error().stack ?? "";
  return stack.split("\n").slice(2 + skip).join("\n");
}

function report(info: DebugInfo): void {
  const failure = info.failResult;
  if (failure === null) return;
  info.failResult = null;
  pending.delete(info);
  const lines = ["Unhandled error in Deferred:"];
  if (info.creator !== undefined) {
    lines.push("(debug: C: Deferred was created:", info.creator + ")");
  }
  if (info.invoker !== undefined) {
    lines.push("(debug: I: First Invoker was:", info.invoker + ")");
  }
  // This runs from the garbage collector or the unload event, where a throw
  // would crash the process: the report must not fail.
  try {
    lines.push(failure.getTraceback());
  } catch {
    lines.push(Object.prototype.toString.call(failure.value));
  }
  logError(["torsion", "deferred"], lines.join("\n"), failure);
}

if (typeof globalThis.addEventListener === "function") {
  globalThis.addEventListener("unload", () => {
    for (const info of [...pending]) report(info);
  });
}
