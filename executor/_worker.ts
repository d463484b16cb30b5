/**
 * The code every executor worker runs. It imports task modules on demand,
 * runs one task at a time and posts back its result or its error.
 *
 * A Web Worker that calls `close()` or `Deno.exit()` disappears without
 * telling its parent, and one with an uncaught error takes the parent down
 * unless someone handles the event. So this bootstrap handles uncaught
 * errors and unhandled rejections itself, and wraps `close` and `Deno.exit`:
 * each of them first posts a `died` message, then lets the worker end. The
 * pool then fails the task in flight and replaces the worker.
 *
 * @module
 */
import {
  describe,
  type ReplyMessage,
  serializeThrown,
  type TaskMessage,
} from "./_protocol.ts";

/** The parts of `DedicatedWorkerGlobalScope` this module uses. */
interface WorkerScope {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent<TaskMessage>) => void) | null;
  addEventListener(
    type: "error",
    listener: (event: ErrorEvent) => void,
  ): void;
  addEventListener(
    type: "unhandledrejection",
    listener: (event: PromiseRejectionEvent) => void,
  ): void;
}

type TaskFunction = (...args: unknown[]) => unknown;

const scope = globalThis as unknown as WorkerScope;
/** True only inside a worker: imported anywhere else, this module does nothing. */
const inWorker = "WorkerGlobalScope" in globalThis;
const realClose = scope.close.bind(scope);
const denoWithExit = Deno as unknown as { exit: (code?: number) => never };
const realExit = denoWithExit.exit;
const modules = new Map<string, Promise<Record<string, unknown>>>();
let dying = false;

function send(message: ReplyMessage): void {
  scope.postMessage(message);
}

function die(reason: string, error: unknown): void {
  if (dying) return;
  dying = true;
  send({
    kind: "died",
    reason,
    error: error === undefined ? null : serializeThrown(error),
  });
}

async function loadTask(module: string, name: string): Promise<TaskFunction> {
  let loading = modules.get(module);
  if (loading === undefined) {
    // The task module is the caller's, known only at run time; deno publish
    // warns about this import, and cannot be told that it is intended.
    loading = import(module) as Promise<Record<string, unknown>>;
    modules.set(module, loading);
  }
  const exports = await loading;
  const task = exports[name];
  if (typeof task !== "function") {
    throw new TypeError(
      `Cannot run task ${JSON.stringify(name)}: module ${module} exports ${
        name in exports ? describe(task) : "nothing"
      } under that name, not a function`,
    );
  }
  return task as TaskFunction;
}

async function run(message: TaskMessage): Promise<unknown> {
  const task = await loadTask(message.module, message.name);
  if (message.chunk === null) return await task(...(message.args ?? []));
  const results: unknown[] = [];
  for (const args of message.chunk) results.push(await task(...args));
  return results;
}

/** Hooks the worker's global scope; done only inside a worker. */
function install(): void {
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    die("uncaught error", event.error ?? new Error(event.message));
    realClose();
  });

  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    die("unhandled promise rejection", event.reason);
    realClose();
  });

  scope.close = function close(): void {
    die("it called close()", undefined);
    realClose();
  };

  denoWithExit.exit = function exit(code?: number): never {
    die(`it called Deno.exit(${code ?? ""})`, undefined);
    return realExit(code);
  };

  scope.onmessage = async (event: MessageEvent<TaskMessage>): Promise<void> => {
    const message = event.data;
    let reply: ReplyMessage;
    try {
      reply = { kind: "result", id: message.id, value: await run(message) };
    } catch (error) {
      reply = { kind: "error", id: message.id, error: serializeThrown(error) };
    }
    if (dying) return;
    try {
      send(reply);
    } catch (error) {
      send({
        kind: "error",
        id: message.id,
        error: serializeThrown(
          new DOMException(
            `Cannot send the result of task ${message.name} back: ${
              describe(error)
            }`,
            "DataCloneError",
          ),
        ),
      });
    }
  };

  send({ kind: "ready" });
}

if (inWorker) install();
