/**
 * The machinery under every executor: a FIFO queue of tasks and up to
 * `maxWorkers` Web Workers, started on demand, each running one task at a
 * time. A task names its module, so one pool can run tasks of any module
 * (the default pool behind `deferToThread` does).
 *
 * @module
 */
import { TimeoutError } from "../deferred/errors.ts";
import { logError } from "../_util/log_error.ts";
import { BrokenWorkerError, ExecutorShutdownError } from "./errors.ts";
import { Future, LOG_CATEGORY, MAX_DELAY_MS } from "./future.ts";
import {
  deserializeThrown,
  type ReplyMessage,
  type TaskMessage,
} from "./_protocol.ts";

const WORKER_URL = new URL("./_worker.ts", import.meta.url);

interface Job {
  readonly id: number;
  readonly module: string;
  readonly name: string;
  readonly args: readonly unknown[] | null;
  readonly chunk: readonly (readonly unknown[])[] | null;
  readonly future: Future<unknown>;
}

interface Slot {
  readonly worker: Worker;
  readonly label: string;
  job: Job | null;
  ready: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

/** How a pool is sized and when idle workers go. */
export interface TaskPoolOptions {
  /** Name prefix for the workers (`self.name` inside them). */
  readonly label: string;
  /** Most workers alive at once. */
  readonly maxWorkers: number;
  /** Seconds an idle worker lives; `Infinity` keeps it until shutdown. */
  readonly idleTimeout: number;
}

/** Validates a worker count, as Python's `max_workers` check does. */
export function checkMaxWorkers(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot set ${what} below 1 or to a non-integer: current value is ${value}`,
    );
  }
  return value;
}

/** Validates an idle timeout in seconds. */
function checkIdleTimeout(value: number): number {
  if (!(value >= 0)) {
    throw new RangeError(
      `Cannot set idleTimeout to a negative or NaN number of seconds: current value is ${value}`,
    );
  }
  return value;
}

/** The href of a task module URL, which must be absolute. */
export function absoluteUrl(taskModule: string | URL): string {
  if (taskModule instanceof URL) return taskModule.href;
  if (typeof taskModule === "string" && URL.canParse(taskModule)) {
    return new URL(taskModule).href;
  }
  throw new TypeError(
    `Cannot use task module ${JSON.stringify(String(taskModule))}: ` +
      `pass an absolute URL, such as new URL("./tasks.ts", import.meta.url)`,
  );
}

/** A queue of tasks and the workers that run them. */
export class TaskPool {
  #label: string;
  #maxWorkers: number;
  #idleTimeout: number;
  #queue: Job[] = [];
  #head = 0;
  #slots = new Set<Slot>();
  #idle: Slot[] = [];
  #nextJobId = 1;
  #nextWorker = 1;
  #shutdown = false;
  #drainWaiters: (() => void)[] = [];

  constructor(options: TaskPoolOptions) {
    this.#label = options.label;
    this.#maxWorkers = checkMaxWorkers(options.maxWorkers, "maxWorkers");
    this.#idleTimeout = checkIdleTimeout(options.idleTimeout);
  }

  /** Most workers alive at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /** Workers alive now. */
  get workerCount(): number {
    return this.#slots.size;
  }

  /** Whether `shutdown` was called. */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  /** Changes the size: grows at once if work waits, shrinks as workers go idle. */
  setMaxWorkers(value: number): void {
    this.#maxWorkers = checkMaxWorkers(value, "maxWorkers");
    this.#dispatch();
    while (this.#slots.size > this.#maxWorkers && this.#idle.length > 0) {
      this.#remove(this.#idle.pop() as Slot);
    }
    this.#settleIdle();
  }

  /** Queues one call (`args`) or a chunk of calls and returns its Future. */
  submit<T>(
    module: string,
    name: string,
    args: readonly unknown[] | null,
    chunk: readonly (readonly unknown[])[] | null = null,
  ): Future<T> {
    if (this.#shutdown) throw new ExecutorShutdownError();
    // The Future calls its timeout handler only from a wait, never while
    // it is being constructed, so `job` is initialized by then.
    const future = new Future<T>((_future, seconds) =>
      this.#expire(job, seconds)
    );
    const job: Job = {
      id: this.#nextJobId++,
      module,
      name,
      args,
      chunk,
      future: future as Future<unknown>,
    };
    this.#queue.push(job);
    this.#dispatch();
    return future;
  }

  /** Refuses new tasks; terminates the workers once the queue is drained. */
  shutdown(wait: boolean, cancelFutures: boolean): Promise<void> {
    this.#shutdown = true;
    if (cancelFutures) {
      for (let i = this.#head; i < this.#queue.length; i++) {
        this.#queue[i].future.cancel();
      }
      this.#queue = [];
      this.#head = 0;
    }
    this.#settleIdle();
    if (!wait || this.#slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #dispatch(): void {
    while (this.#head < this.#queue.length) {
      const job = this.#queue[this.#head];
      if (job.future.done()) {
        this.#dequeue();
        continue;
      }
      let slot: Slot | null;
      try {
        slot = this.#takeSlot();
      } catch (error) {
        this.#dequeue();
        job.future.setRunningOrNotifyCancel();
        job.future.setException(error);
        continue;
      }
      if (slot === null) return;
      this.#dequeue();
      job.future.setRunningOrNotifyCancel();
      this.#start(slot, job);
    }
  }

  #dequeue(): void {
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #takeSlot(): Slot | null {
    const idle = this.#idle.pop();
    if (idle !== undefined) {
      if (idle.idleTimer !== undefined) clearTimeout(idle.idleTimer);
      idle.idleTimer = undefined;
      return idle;
    }
    if (this.#slots.size >= this.#maxWorkers) return null;
    return this.#spawn();
  }

  #spawn(): Slot {
    const label = `${this.#label}_${this.#nextWorker++}`;
    const worker = new Worker(WORKER_URL, { type: "module", name: label });
    const slot: Slot = {
      worker,
      label,
      job: null,
      ready: false,
      idleTimer: undefined,
    };
    worker.onmessage = (event: MessageEvent<ReplyMessage>): void => {
      this.#onMessage(slot, event.data);
    };
    worker.onerror = (event: ErrorEvent): void => {
      event.preventDefault();
      this.#onDeath(slot, `uncaught error: ${event.message}`, event.error);
    };
    worker.onmessageerror = (): void => {
      this.#onReply(
        slot,
        slot.job?.id ?? 0,
        new DOMException(
          `Cannot receive the result of task ${slot.job?.name}: it could not be deserialized`,
          "DataCloneError",
        ),
        true,
      );
    };
    this.#slots.add(slot);
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    slot.job = job;
    const message: TaskMessage = {
      id: job.id,
      module: job.module,
      name: job.name,
      args: job.args,
      chunk: job.chunk,
    };
    try {
      slot.worker.postMessage(message);
    } catch (error) {
      // An argument structured clone rejects: the worker never saw the task.
      // Fail it here; the dispatch loop that called us moves on.
      this.#release(slot);
      job.future.setException(error);
    }
  }

  /** Makes a worker whose task is over available again (or retires it). */
  #release(slot: Slot): void {
    slot.job = null;
    if (this.#slots.size > this.#maxWorkers) {
      this.#remove(slot);
    } else {
      this.#idle.push(slot);
    }
  }

  #onMessage(slot: Slot, reply: ReplyMessage): void {
    if (!this.#slots.has(slot)) return;
    switch (reply.kind) {
      case "ready":
        slot.ready = true;
        return;
      case "result":
        this.#onReply(slot, reply.id, reply.value, false);
        return;
      case "error":
        this.#onReply(slot, reply.id, deserializeThrown(reply.error), true);
        return;
      case "died":
        this.#onDeath(
          slot,
          reply.reason,
          reply.error === null ? undefined : deserializeThrown(reply.error),
        );
        return;
    }
  }

  #onReply(slot: Slot, id: number, outcome: unknown, failed: boolean): void {
    const job = slot.job;
    if (job === null || job.id !== id) return;
    this.#release(slot);
    if (!job.future.done()) {
      if (failed) {
        job.future.setException(outcome);
      } else {
        job.future.setResult(outcome);
      }
    }
    this.#dispatch();
    this.#settleIdle();
  }

  #onDeath(slot: Slot, reason: string, cause: unknown): void {
    if (!this.#slots.has(slot)) return;
    const job = slot.job;
    this.#remove(slot);
    const options = cause === undefined ? undefined : { cause };
    if (job === null) {
      logError(
        LOG_CATEGORY,
        `Worker ${slot.label} died while idle: ${reason}${
          describeCause(cause)
        }`,
      );
    } else if (!job.future.done()) {
      job.future.setException(
        new BrokenWorkerError(
          slot.ready
            ? `Worker ${slot.label} died while running task ${job.name}: ${reason}`
            : `Worker ${slot.label} failed to start, so task ${job.name} did not run: ${reason}`,
          options,
        ),
      );
    }
    this.#dispatch();
    this.#settleIdle();
  }

  /** The Future's timeout handler, which it calls only while not done. */
  #expire(job: Job, seconds: number): void {
    let message = `Task ${job.name} did not finish within ${seconds} seconds`;
    for (const slot of this.#slots) {
      if (slot.job === job) {
        this.#remove(slot);
        message += `: its worker ${slot.label} was terminated`;
        break;
      }
    }
    job.future.setException(new TimeoutError(message));
    this.#dispatch();
    this.#settleIdle();
  }

  /** Terminates a worker and forgets it. */
  #remove(slot: Slot): void {
    if (!this.#slots.delete(slot)) return;
    slot.job = null;
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    const index = this.#idle.indexOf(slot);
    if (index !== -1) this.#idle.splice(index, 1);
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.onmessageerror = null;
    slot.worker.terminate();
  }

  /**
   * After a change: once shut down and out of work, terminates every worker
   * and releases `shutdown` waiters; otherwise starts idle timers.
   */
  #settleIdle(): void {
    if (this.#shutdown) {
      for (const slot of this.#slots) if (slot.job !== null) return;
      for (const slot of [...this.#slots]) this.#remove(slot);
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    const milliseconds = this.#idleTimeout * 1000;
    if (milliseconds > MAX_DELAY_MS) return;
    for (const slot of this.#idle) {
      if (slot.idleTimer !== undefined) continue;
      const timer = setTimeout(() => {
        slot.idleTimer = undefined;
        this.#remove(slot);
      }, milliseconds);
      Deno.unrefTimer(timer);
      slot.idleTimer = timer;
    }
  }
}

function describeCause(cause: unknown): string {
  if (cause === undefined) return "";
  if (cause instanceof Error) {
    return `\n${cause.stack ?? `${cause.name}: ${cause.message}`}`;
  }
  return `: ${String(cause)}`;
}
