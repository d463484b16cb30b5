/**
 * `Reactor`, the event loop of Twisted's `twisted.internet.reactor`, and the
 * process-wide `reactor` instance.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { IDelayedCall } from "../deferred/interfaces.ts";
import { Failure } from "../deferred/failure.ts";
import { logError } from "../_util/log_error.ts";
import { functionName } from "../_util/describe.ts";
import { DelayedCall, type DelayedCallOwner } from "./_delayed_call.ts";
import {
  requireStoppable,
  type RunState,
  SystemEventTriggers,
} from "./_system_event_triggers.ts";
import { TimerHeap } from "./_timer_heap.ts";
import { suggestThreadPoolSize } from "../executor/default_pool.ts";
import { connectTCP, disconnectAll, listenTCP } from "./_tcp.ts";
import { ReactorAlreadyRunning } from "./errors.ts";
import type {
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IListeningPort,
  IProtocolFactory,
  IReactor,
  ListenTCPOptions,
  SystemEvent,
  TLSClientOptions,
  TLSServerOptions,
  TriggerPhase,
} from "./interfaces.ts";

const CATEGORY = ["torsion", "reactor"] as const;

// setTimeout fires at once for longer delays, so longer waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * `performance.timeOrigin`, read once: it never changes, and its getter
 * checks its receiver on every read, which `seconds()` does per request.
 */
const TIME_ORIGIN = performance.timeOrigin;

const STOP_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

type Timer = ReturnType<typeof setTimeout>;
type Immediate = ReturnType<typeof setImmediate>;

// Set in Reactor's static block: the reactor's private exit check.
let warnIfNeverRun: (reactor: Reactor) => void;
// Reactors that scheduled calls before ever running; weak, so that a
// reactor dropped by the program is not kept for the exit check.
const watched = new Set<WeakRef<Reactor>>();
// Dropped reactors leave empty refs behind; a program that makes many
// reactors and never runs them clears them out now and then.
const PRUNE_AT = 64;

function watchForExit(reactor: Reactor): void {
  if (watched.size === 0 && typeof globalThis.addEventListener === "function") {
    globalThis.addEventListener("unload", () => {
      for (const ref of watched) {
        const target = ref.deref();
        if (target !== undefined) warnIfNeverRun(target);
      }
    }, { once: true });
  }
  if (watched.size >= PRUNE_AT) {
    for (const ref of watched) {
      if (ref.deref() === undefined) watched.delete(ref);
    }
  }
  watched.add(new WeakRef(reactor));
}

/**
 * The event loop: one heap of timed calls, system event triggers around
 * startup and shutdown, and TCP/TLS ports and connections. Mirrors Twisted's
 * reactor (`IReactorTime`, `IReactorCore`, `IReactorTCP`, `IReactorSSL`).
 *
 * Deno already runs an event loop, so this reactor schedules on it rather
 * than replacing it. Three deliberate differences from Twisted follow:
 *
 * - Delayed calls fire whether or not `run()` was called, so
 *   `await getPage(url)` works in a plain script. While the reactor is not
 *   running its timer is unref'd: a reactor that is not running keeps
 *   nothing alive (beyond the iteration that runs calls already due), and
 *   a script ends once its own work is done. Ports and connections the
 *   script opens are its own work: they keep it alive until closed, and
 *   `stop()` closes them all.
 * - `run()` returns a Promise that resolves once shutdown is complete,
 *   instead of blocking.
 * - `run()` and `stop()` may repeat, as `IOLoop.runSync` and tests need.
 *
 * So the rule for what keeps a process alive is Deno's: open sockets do,
 * timers do only while the reactor runs. A script that schedules calls and
 * never calls `run()` exits once its other work is done, leaving the calls
 * not yet due unrun; a script that listens and never calls `run()` serves
 * until the port is closed. In the first case, when the process exits with
 * calls still pending on a reactor that was never run, a warning is logged
 * under `["torsion", "reactor"]` naming how many calls were dropped and the
 * first one, since in Twisted such a program would not have run them at
 * all: call `run()` (or `react()`) to keep the process alive until `stop()`.
 *
 * All pending calls live in one heap driven by a single Deno timer, armed
 * for the earliest call only while calls are pending, so scheduling and
 * cancelling cost O(log n) and no timer is left behind once the last call
 * has run or been cancelled.
 *
 * @example Running until the work is done
 * ```ts
 * import { Reactor } from "@torsion/torsion/reactor";
 * const reactor = new Reactor();
 * reactor.callWhenRunning(() => {
 *   reactor.callLater(0.01, () => reactor.stop());
 * });
 * await reactor.run();
 * ```
 */
export class Reactor implements IReactor {
  readonly #calls = new TimerHeap<DelayedCall>();
  readonly #owner: DelayedCallOwner = {
    seconds: () => this.seconds(),
    cancelCall: (call) => {
      this.#calls.remove(call);
      // Cancelling the earliest call leaves the timer armed early; it then
      // re-arms, which is cheaper than re-arming on every cancel.
      if (this.#calls.size === 0) this.#disarm();
    },
    rescheduleCall: (call) => {
      this.#calls.reschedule(call);
      this.#armIfEarlier(call);
    },
  };
  #timer: Timer | undefined;
  #immediate: Immediate | undefined;
  // When the armed timer fires: the earliest call's time, or the end of a
  // chunk of a longer wait; Infinity when none is armed.
  #armedFor = Infinity;
  #firing = false;

  #state: RunState = "stopped";
  #running = false;
  #keepAlive: Timer | undefined;
  #finishRun: (() => void) | undefined;
  // The startup triggers still holding a phase, if any.
  #startup: Promise<void> | undefined;
  #signalListeners: [Deno.Signal, () => void][] = [];
  readonly #triggers = new SystemEventTriggers();
  #everRun = false;
  #watchedForExit = false;

  static {
    warnIfNeverRun = (reactor) => reactor.#warnIfNeverRun();
  }

  /**
   * Whether the reactor is running: true from `run()` until the "during"
   * phase of shutdown, as Twisted's `reactor.running`.
   *
   * @returns Whether it runs.
   */
  get running(): boolean {
    return this.#running;
  }

  /**
   * The current time in seconds since the epoch. It comes from Deno's
   * monotonic clock anchored at process start, so it reads like
   * `Date.now() / 1000` but never jumps when the system clock is set.
   * Mirrors `IReactorTime.seconds`.
   *
   * @returns The time, in seconds.
   *
   * @example Comparing with the wall clock
   * ```ts
   * import assert from "node:assert/strict";
   * import { reactor } from "@torsion/torsion/reactor";
   * assert.ok(Math.abs(reactor.seconds() - Date.now() / 1000) < 1);
   * ```
   */
  seconds(): number {
    return (TIME_ORIGIN + performance.now()) / 1000;
  }

  /**
   * Calls `fn(...args)` once `delay` seconds have passed. Calls due at the
   * same time run in the order they were scheduled; a call that throws is
   * logged (category `["torsion", "reactor"]`) and the others still run.
   * Mirrors `IReactorTime.callLater`.
   *
   * @param delay Seconds from now, 0 for the next loop iteration.
   * @param fn The function to call.
   * @param args Its arguments.
   * @returns The pending call, to `cancel()`, `delay()` or `reset()`.
   * @throws {RangeError} `delay` is negative or not finite.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Cancelling a timeout
   * ```ts
   * import assert from "node:assert/strict";
   * import { reactor } from "@torsion/torsion/reactor";
   * const call = reactor.callLater(30, () => { throw new Error("timed out"); });
   * call.cancel();
   * assert.equal(call.active(), false); // it will never run
   * ```
   */
  callLater<A extends unknown[]>(
    delay: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): IDelayedCall {
    const call = DelayedCall.schedule(this.#owner, delay, fn, args);
    this.#calls.push(call);
    this.#armIfEarlier(call);
    if (!this.#everRun && !this.#watchedForExit) {
      this.#watchedForExit = true;
      watchForExit(this);
    }
    return call;
  }

  /**
   * The calls still pending, earliest first. Mirrors
   * `IReactorTime.getDelayedCalls`.
   *
   * @returns The pending calls.
   *
   * @example Listing pending calls
   * ```ts
   * import assert from "node:assert/strict";
   * import { Reactor } from "@torsion/torsion/reactor";
   * const reactor = new Reactor();
   * const call = reactor.callLater(1, () => {});
   * assert.equal(reactor.getDelayedCalls().length, 1);
   * call.cancel();
   * ```
   */
  getDelayedCalls(): IDelayedCall[] {
    return this.#calls.sorted();
  }

  /**
   * Runs the loop: fires the "startup" triggers (and the calls queued by
   * `callWhenRunning`), installs SIGINT and SIGTERM handlers that call
   * `stop()`, and keeps the process alive until `stop()`. Mirrors
   * `IReactorCore.run`; unlike Twisted it returns at once with a Promise,
   * and may be called again after a previous run has finished.
   *
   * @returns A Promise that resolves once `stop()` has run every shutdown
   *   trigger; it rejects with `ReactorAlreadyRunning` if the reactor is
   *   running or still shutting down.
   *
   * @example Running and stopping
   * ```ts
   * import { Reactor } from "@torsion/torsion/reactor";
   * const reactor = new Reactor();
   * reactor.callWhenRunning(() => reactor.stop());
   * await reactor.run();
   * ```
   */
  run(): Promise<void> {
    if (this.#state !== "stopped") {
      return Promise.reject(new ReactorAlreadyRunning());
    }
    this.#state = "running";
    this.#running = true;
    this.#everRun = true;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#finishRun = resolve;
    this.#keepAlive = setInterval(keepAlive, MAX_TIMER_MS);
    this.#timer?.ref();
    this.#installSignalHandlers();
    this.#startup = this.#triggers.fire("startup");
    return promise;
  }

  /**
   * Stops the loop after the current iteration: runs the "shutdown"
   * triggers phase by phase ("before", "during", "after"), closes every
   * port and connection during the "during" phase, then lets `run()`
   * resolve. A trigger that returns a Deferred or a Promise holds the next
   * phase until it settles; its failure is logged and shutdown goes on.
   * Mirrors `IReactorCore.stop`.
   *
   * @throws {ReactorNotRunning} The reactor is not running, or is already stopping.
   *
   * @example Saying goodbye at shutdown
   * ```ts
   * import assert from "node:assert/strict";
   * import { Reactor } from "@torsion/torsion/reactor";
   * const reactor = new Reactor();
   * const said: string[] = [];
   * reactor.addSystemEventTrigger("before", "shutdown", () => said.push("bye"));
   * reactor.callWhenRunning(() => reactor.stop());
   * await reactor.run();
   * assert.deepEqual(said, ["bye"]);
   * ```
   */
  stop(): void {
    requireStoppable(this.#state);
    this.#state = "stopping";
    this.#shutdown();
  }

  /**
   * Calls `fn(...args)` once the reactor runs: at once if it already runs,
   * otherwise as an "after startup" trigger of the next `run()`. Mirrors
   * `IReactorCore.callWhenRunning`.
   *
   * @param fn The function.
   * @param args Its arguments.
   * @returns The trigger id when the call was queued (for
   *   `removeSystemEventTrigger`), `undefined` when it ran at once.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Stopping once running
   * ```ts
   * import { Reactor } from "@torsion/torsion/reactor";
   * const reactor = new Reactor();
   * reactor.callWhenRunning(() => reactor.stop());
   * await reactor.run();
   * ```
   */
  callWhenRunning<A extends unknown[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): number | undefined {
    return this.#triggers.callWhenRunning(this.#running, fn, args);
  }

  /**
   * Calls `fn(...args)` in `phase` of `event`, every time that event
   * happens. Mirrors `IReactorCore.addSystemEventTrigger`.
   *
   * @param phase "before", "during" or "after" the event.
   * @param event "startup" or "shutdown".
   * @param fn The function; a Deferred or Promise it returns holds the next phase.
   * @param args Its arguments.
   * @returns An id for `removeSystemEventTrigger`.
   * @throws {RangeError} `phase` or `event` is not one of the values above.
   * @throws {TypeError} `fn` is not a function.
   *
   * @example Flushing before the connections close
   * ```ts
   * import assert from "node:assert/strict";
   * import { Reactor } from "@torsion/torsion/reactor";
   * const reactor = new Reactor();
   * const flushed: string[] = [];
   * reactor.addSystemEventTrigger("before", "shutdown", async () => {
   *   await new Promise((resolve) => setTimeout(resolve, 10)); // e.g. flush a buffer
   *   flushed.push("buffer");
   * });
   * reactor.callWhenRunning(() => reactor.stop());
   * await reactor.run(); // shutdown waited for the trigger's Promise
   * assert.deepEqual(flushed, ["buffer"]);
   * ```
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    event: SystemEvent,
    fn: (...args: A) => unknown,
    ...args: A
  ): number {
    return this.#triggers.add(phase, event, fn, args);
  }

  /**
   * Removes a trigger added with `addSystemEventTrigger` (or queued by
   * `callWhenRunning`). Mirrors `IReactorCore.removeSystemEventTrigger`.
   *
   * @param id The id the trigger was added with.
   * @throws {RangeError} No trigger has that id (it was removed, or it was a
   *   `callWhenRunning` call that has run).
   *
   * @example Removing a trigger
   * ```ts
   * import assert from "node:assert/strict";
   * import { Reactor } from "@torsion/torsion/reactor";
   * const reactor = new Reactor();
   * let ran = false;
   * const id = reactor.addSystemEventTrigger("after", "startup", () => { ran = true; });
   * reactor.removeSystemEventTrigger(id);
   * reactor.callWhenRunning(() => reactor.stop());
   * await reactor.run();
   * assert.equal(ran, false);
   * ```
   */
  removeSystemEventTrigger(id: number): void {
    this.#triggers.remove(id);
  }

  /**
   * Listens for TCP connections on `port`. Mirrors `IReactorTCP.listenTCP`.
   *
   * @param port The port, 0 for any free port.
   * @param factory Builds a protocol for each connection.
   * @param options The interface to bind, and the backlog.
   * @returns The listening port.
   * @throws {TypeError} `port` is not a number (a string such as `"8000"`).
   * @throws {RangeError} `port` is not an integer from 0 to 65535.
   * @throws {CannotListenError} The port cannot be bound.
   *
   * @example Listening on a free loopback port
   * ```ts
   * import assert from "node:assert/strict";
   * import { Factory, Protocol, reactor } from "@torsion/torsion/reactor";
   * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
   * assert.notEqual(port.getHost().port, 0); // the port the system picked
   * await port.stopListening();
   * ```
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): IListeningPort {
    return listenTCP(this, port, factory, options);
  }

  /**
   * Connects to `host`:`port` over TCP. Mirrors `IReactorTCP.connectTCP`.
   *
   * @param host The host name or IP address.
   * @param port The port.
   * @param factory Builds the protocol and hears about the connection's fate.
   * @param options The connect timeout.
   * @returns The connector.
   *
   * @example Connecting with a timeout
   * ```ts
   * import { ClientFactory, type IReactor } from "@torsion/torsion/reactor";
   * function connect(reactor: IReactor): void {
   *   reactor.connectTCP("127.0.0.1", 8080, new ClientFactory(), { timeout: 5 });
   * }
   * ```
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector {
    return connectTCP(this, host, port, factory, options);
  }

  /**
   * Listens for TLS connections on `port`. Mirrors `IReactorSSL.listenSSL`,
   * with Deno's PEM options in place of a context factory.
   *
   * @param port The port, 0 for any free port.
   * @param factory Builds a protocol for each connection.
   * @param tls The certificate chain and key.
   * @param options The interface to bind, and the backlog.
   * @returns The listening port.
   * @throws {CannotListenError} The port cannot be bound or the certificate is invalid.
   *
   * @example Serving TLS
   * ```ts
   * import { Factory, type IReactor, Protocol } from "@torsion/torsion/reactor";
   * function serve(reactor: IReactor, cert: string, key: string): void {
   *   reactor.listenSSL(8443, Factory.forProtocol(Protocol), { cert, key });
   * }
   * ```
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    tls: TLSServerOptions,
    options?: ListenTCPOptions,
  ): IListeningPort {
    return listenTCP(this, port, factory, options, tls);
  }

  /**
   * Connects with TLS to `host`:`port`. Mirrors `IReactorSSL.connectSSL`.
   *
   * @param host The host name or IP address.
   * @param port The port.
   * @param factory Builds the protocol and hears about the connection's fate.
   * @param tls The name to verify and extra CA certificates.
   * @param options The connect timeout.
   * @returns The connector.
   *
   * @example Connecting with TLS
   * ```ts
   * import { ClientFactory, type IReactor } from "@torsion/torsion/reactor";
   * function connect(reactor: IReactor): void {
   *   reactor.connectSSL("example.com", 443, new ClientFactory());
   * }
   * ```
   */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    tls?: TLSClientOptions,
    options?: ConnectTCPOptions,
  ): IConnector {
    return connectTCP(this, host, port, factory, options, tls ?? {});
  }

  /**
   * Sets how many workers the pool behind `deferToThread` may run at once.
   * Mirrors Twisted's `reactor.suggestThreadPoolSize`; Torsion's "threads"
   * are Deno Workers (see `@torsion/torsion/executor`).
   *
   * @param size The most workers alive at once.
   * @throws {RangeError} `size` is not a positive integer.
   *
   * @example Capping the worker pool
   * ```ts
   * import { reactor } from "@torsion/torsion/reactor";
   * reactor.suggestThreadPoolSize(2);
   * ```
   */
  suggestThreadPoolSize(size: number): void {
    suggestThreadPoolSize(size);
  }

  async #shutdown(): Promise<void> {
    // Yielding first puts the shutdown after the current iteration, as in
    // Twisted, so stop() returns before any trigger runs, and lets run()
    // record a startup still in progress when stop() came from a trigger.
    await null;
    await this.#startup;
    await this.#triggers.fire("shutdown", (phase) => {
      if (phase !== "during") return undefined;
      this.#running = false;
      return disconnectAll(this).catch((error: unknown) =>
        logError(
          CATEGORY,
          `Error while closing connections at shutdown: ${
            Failure.from(error).getTraceback()
          }`,
          error,
        )
      );
    });
    this.#removeSignalHandlers();
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    this.#timer?.unref();
    this.#state = "stopped";
    this.#running = false;
    const finish = this.#finishRun;
    this.#finishRun = undefined;
    finish?.();
  }

  #installSignalHandlers(): void {
    for (const signal of STOP_SIGNALS) {
      const listener = (): void => {
        if (this.#state !== "running") return;
        getLogger([...CATEGORY]).info("Received {signal}, shutting down", {
          signal,
        });
        this.stop();
      };
      try {
        Deno.addSignalListener(signal, listener);
        this.#signalListeners.push([signal, listener]);
      } catch {
        // Windows only has SIGINT and SIGBREAK; the other signal is skipped.
      }
    }
  }

  #removeSignalHandlers(): void {
    for (const [signal, listener] of this.#signalListeners) {
      Deno.removeSignalListener(signal, listener);
    }
    this.#signalListeners = [];
  }

  /** Re-arms for `call` when it is due before the armed timer, unless the due calls are being run. */
  #warnIfNeverRun(): void {
    if (this.#everRun || this.#calls.size === 0) return;
    const first = this.#calls.sorted()[0] as DelayedCall;
    getLogger([...CATEGORY]).warn(
      "The process is exiting with {count} delayed call(s) pending on a reactor that was never run, the first {name} due in {seconds} s; they will not run: call run() to keep the process alive until stop()",
      {
        count: this.#calls.size,
        name: functionName(first.fn),
        seconds: Math.max(0, first.getTime() - this.seconds()).toFixed(3),
      },
    );
  }

  #armIfEarlier(call: DelayedCall): void {
    if (!this.#firing && call.time < this.#armedFor) this.#arm();
  }

  #arm(): void {
    this.#disarm();
    const next = this.#calls.peek();
    if (next === undefined) return;
    const now = this.seconds();
    const delayMs = (next.time - now) * 1000;
    if (delayMs <= 0) {
      // A nested setTimeout(0) is clamped to 4 ms; an immediate runs on the
      // next iteration, as Twisted's callLater(0) does. It stays ref'd even
      // when the reactor is not running: Deno does not wake the loop for an
      // unref'd immediate, and it only holds the process for one iteration.
      this.#immediate = setImmediate(this.#fire);
      this.#armedFor = next.time;
      return;
    }
    const ms = Math.min(Math.ceil(delayMs), MAX_TIMER_MS);
    const timer = setTimeout(this.#fire, ms);
    if (this.#keepAlive === undefined) timer.unref();
    this.#timer = timer;
    this.#armedFor = ms === MAX_TIMER_MS ? now + ms / 1000 : next.time;
  }

  #disarm(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate);
      this.#immediate = undefined;
    }
    this.#armedFor = Infinity;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    this.#armedFor = Infinity;
    const now = this.seconds();
    // Calls scheduled by the calls run here wait for the next iteration
    // even when already due, as in Twisted, so that I/O is not starved.
    const due: DelayedCall[] = [];
    for (;;) {
      const next = this.#calls.peek();
      if (next === undefined || next.time > now) break;
      this.#calls.pop();
      due.push(next);
    }
    this.#firing = true;
    try {
      for (const call of due) {
        // Skip calls that an earlier call cancelled or rescheduled.
        if (call.cancelled || call.heapIndex !== -1) continue;
        try {
          call.invoke();
        } catch (error) {
          logError(
            CATEGORY,
            `Unhandled error in delayed call ${functionName(call.fn)}: ${
              Failure.from(error).getTraceback()
            }`,
            error,
          );
        }
      }
    } finally {
      this.#firing = false;
      this.#arm();
    }
  };
}

/**
 * The process-wide reactor, as Twisted's `from twisted.internet import
 * reactor`. Code that takes an `IReactorTime` or `IReactor` parameter
 * should default to it and let tests pass a `Clock` instead.
 *
 * @example Running the global reactor
 * ```ts
 * import { reactor } from "@torsion/torsion/reactor";
 * reactor.callWhenRunning(() => reactor.stop());
 * await reactor.run();
 * ```
 */
export const reactor: Reactor = new Reactor();

function keepAlive(): void {}
