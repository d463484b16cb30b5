/**
 * The messages a pool and its workers exchange, and how a thrown value
 * crosses between them. Shared by both sides, so it imports only modules
 * that import nothing themselves: a worker loads little before its task.
 *
 * Structured clone keeps an error's message but drops its class when the
 * class is not a JavaScript built-in, and drops extra fields such as `code`:
 * errors therefore travel as plain data and are rebuilt on arrival.
 *
 * @module
 */
import { describeValue } from "../_util/describe.ts";
import { RemoteError } from "./errors.ts";

/** A task to run: one call (`args`) or, for `map` with a chunksize, several (`chunk`). */
export interface TaskMessage {
  readonly id: number;
  readonly module: string;
  readonly name: string;
  readonly args: readonly unknown[] | null;
  readonly chunk: readonly (readonly unknown[])[] | null;
}

/** What a worker sends back. */
export type ReplyMessage =
  | { readonly kind: "ready" }
  | { readonly kind: "result"; readonly id: number; readonly value: unknown }
  | {
    readonly kind: "error";
    readonly id: number;
    readonly error: SerializedThrown;
  }
  | {
    readonly kind: "died";
    readonly reason: string;
    readonly error: SerializedThrown | null;
  };

/** An `Error`, flattened to cloneable data. */
export interface SerializedError {
  readonly thrown: "error";
  /** The name of the constructor when it is a built-in the receiver can rebuild, else null. */
  readonly builtin: string | null;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly cause: SerializedThrown | undefined;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** A thrown value that is not an `Error` but survives structured clone. */
export interface SerializedValue {
  readonly thrown: "value";
  readonly value: unknown;
}

/** Anything a task can throw, as data. */
export type SerializedThrown = SerializedError | SerializedValue;

type ErrorConstructorLike = new (message?: string) => Error;

const BUILTIN_ERRORS: Readonly<Record<string, ErrorConstructorLike>> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

const OWN_FIELDS = new Set(["name", "message", "stack", "cause"]);
const MAX_CAUSE_DEPTH = 8;

/** Which built-in, if any, `error` is a direct instance of. */
function builtinName(error: Error): string | null {
  const constructor = Object.getPrototypeOf(error)?.constructor;
  if (typeof constructor !== "function") return null;
  const name: string = constructor.name;
  if (BUILTIN_ERRORS[name] === constructor) return name;
  if (constructor === DOMException) return "DOMException";
  const denoErrors = Deno.errors as unknown as Record<string, unknown>;
  if (denoErrors[name] === constructor) return `Deno.errors.${name}`;
  return null;
}

function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Flattens a thrown value for `postMessage`. An `Error` keeps its class name
 * (in `name`), message, stack, cause and cloneable own fields; any other
 * value is sent as it is when it can be cloned, as an `Error` describing it
 * otherwise.
 */
export function serializeThrown(thrown: unknown, depth = 0): SerializedThrown {
  if (!(thrown instanceof Error)) {
    if (isCloneable(thrown)) return { thrown: "value", value: thrown };
    return serializeThrown(
      new TypeError(
        `Task threw a value that cannot be cloned: ${describe(thrown)}`,
      ),
      depth,
    );
  }
  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (OWN_FIELDS.has(key)) continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    if (isCloneable(value)) properties[key] = value;
  }
  const cause = "cause" in thrown && depth < MAX_CAUSE_DEPTH
    ? serializeThrown(thrown.cause, depth + 1)
    : undefined;
  return {
    thrown: "error",
    builtin: builtinName(thrown),
    name: String(thrown.name),
    message: String(thrown.message),
    stack: typeof thrown.stack === "string" ? thrown.stack : undefined,
    cause,
    properties,
  };
}

/**
 * Rebuilds a thrown value from its flattened form: a built-in error class
 * comes back as that class, any other class as a `RemoteError`.
 */
export function deserializeThrown(data: SerializedThrown): unknown {
  if (data.thrown === "value") return data.value;
  const options: ErrorOptions = data.cause === undefined
    ? {}
    : { cause: deserializeThrown(data.cause) };
  let error: Error;
  if (data.builtin === "DOMException") {
    error = new DOMException(data.message, data.name);
    if (data.cause !== undefined) {
      Object.defineProperty(error, "cause", {
        value: options.cause,
        writable: true,
        configurable: true,
      });
    }
  } else if (data.builtin !== null) {
    const constructor = resolveBuiltin(data.builtin);
    error = constructor === null
      ? new RemoteError(data.name, data.message, options)
      : new (constructor as new (
        message: string,
        options: ErrorOptions,
      ) => Error)(
        data.message,
        options,
      );
    if (error.name !== data.name) error.name = data.name;
  } else {
    error = new RemoteError(data.name, data.message, options);
  }
  if (data.stack !== undefined) {
    Object.defineProperty(error, "stack", {
      value: data.stack,
      writable: true,
      configurable: true,
    });
  }
  Object.assign(error, data.properties);
  return error;
}

function resolveBuiltin(name: string): ErrorConstructorLike | null {
  if (name.startsWith("Deno.errors.")) {
    const denoErrors = Deno.errors as unknown as Record<string, unknown>;
    const constructor = denoErrors[name.slice("Deno.errors.".length)];
    return typeof constructor === "function"
      ? constructor as ErrorConstructorLike
      : null;
  }
  return BUILTIN_ERRORS[name] ?? null;
}

/** A short printable form of any value, for messages. */
export function describe(value: unknown): string {
  if (typeof value === "function") {
    return `function ${value.name || "(anonymous)"}`;
  }
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return describeValue(value);
}
