/**
 * Capturing what Torsion logs during a test, and failing the test on an
 * error it did not expect, as Twisted trial's `TestCase` does with
 * `flushLoggedErrors`.
 *
 * @module
 */
import { AssertionError } from "node:assert";
import { configure, getConfig, type LogRecord, reset } from "@logtape/logtape";
import { type ErrorClass, Failure } from "../deferred/failure.ts";

/** A LogTape level, lowest first. */
export type LogCaptureLevel =
  | "trace"
  | "debug"
  | "info"
  | "warning"
  | "error"
  | "fatal";

/** A captured log record: the fields of LogTape's `LogRecord` a test reads. */
export interface CapturedRecord {
  /** The category, such as `["torsion", "reactor"]`. */
  readonly category: readonly string[];
  /** The level. */
  readonly level: LogCaptureLevel;
  /** The message, alternating text and interpolated values. */
  readonly message: readonly unknown[];
  /** The structured properties (`message`, and `error` for errors). */
  readonly properties: Record<string, unknown>;
  /** When it was logged, in milliseconds since the epoch. */
  readonly timestamp: number;
}

/** Options of {@linkcode LogCapture.start}. */
export interface LogCaptureOptions {
  /**
   * The lowest level of the records kept in `records`; errors are captured
   * whatever it says.
   * @default "debug"
   */
  lowestLevel?: LogCaptureLevel;
}

/** An error Torsion logged while a {@linkcode LogCapture} was running. */
export interface LoggedError {
  /** The record's category, such as `["torsion", "reactor"]`. */
  readonly category: readonly string[];
  /** The logged text, with its traceback. */
  readonly message: string;
  /** The error as a `Failure`, when the record carried it; `null` otherwise. */
  readonly failure: Failure | null;
}

/**
 * The text of a record, its properties interpolated.
 *
 * @param record A captured record.
 * @returns The text.
 */
export function recordText(record: CapturedRecord): string {
  return record.message.map(String).join("");
}

function toLoggedError(record: LogRecord): LoggedError {
  const error = record.properties.error;
  return {
    category: record.category,
    message: recordText(record),
    failure: error === undefined ? null : Failure.from(error),
  };
}

function matches(error: LoggedError, types: readonly ErrorClass[]): boolean {
  if (types.length === 0) return true;
  if (error.failure !== null) return error.failure.check(...types) !== null;
  // A record without the error object still names its type in its traceback.
  return types.some((type) => error.message.includes(`${type.name}:`));
}

/**
 * Sends every record under `["torsion"]` to memory while a test runs, and
 * reports the errors nobody flushed. Mirrors the log observer of Twisted
 * trial's `TestCase`: each error logged during the test fails it, unless the
 * test takes it with {@linkcode LogCapture.flushLoggedErrors}, the way a
 * trial test calls `self.flushLoggedErrors(ZeroDivisionError)`.
 *
 * It configures LogTape for the test (Torsion itself never does) and puts
 * back the configuration it found when it stops. Start one per test; it is
 * process-wide, so tests that use it must not run concurrently.
 *
 * @example An expected error, flushed
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@torsion/torsion/deferred";
 * import { IOLoop } from "@torsion/torsion/reactor";
 * import { Clock, LogCapture } from "@torsion/torsion/testing";
 *
 * await using logs = await LogCapture.start();
 * const clock = new Clock();
 * IOLoop.forReactor(clock).addCallback(() => {
 *   throw new RangeError("bad input");
 * });
 * clock.advance(0);
 * const [logged] = logs.flushLoggedErrors(RangeError);
 * assert.deepEqual(logged.category, ["torsion", "ioloop"]);
 * // Leaving the block checks that no other error was logged.
 * ```
 */
export class LogCapture implements AsyncDisposable {
  /** Every record kept, in order (errors included). */
  readonly records: CapturedRecord[] = [];
  readonly #errors: LoggedError[] = [];
  readonly #previous: ReturnType<typeof getConfig>;
  #stopped = false;

  private constructor(previous: ReturnType<typeof getConfig>) {
    this.#previous = previous;
  }

  /**
   * Starts capturing: configures LogTape so that every `["torsion"]` record
   * at `lowestLevel` or above comes here.
   *
   * @param options Which records to keep.
   * @returns The running capture; stop it with `await using` or `stop()`.
   */
  static async start(options: LogCaptureOptions = {}): Promise<LogCapture> {
    const capture = new LogCapture(getConfig());
    const lowestLevel = options.lowestLevel ?? "debug";
    await configure({
      reset: true,
      sinks: {
        capture: (record: LogRecord) => capture.#receive(record, lowestLevel),
      },
      loggers: [
        { category: ["torsion"], sinks: ["capture"], lowestLevel: "trace" },
        { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
      ],
    });
    return capture;
  }

  #receive(record: LogRecord, lowestLevel: LogCaptureLevel): void {
    if (record.level === "error" || record.level === "fatal") {
      this.#errors.push(toLoggedError(record));
    }
    if (LEVELS.indexOf(record.level) >= LEVELS.indexOf(lowestLevel)) {
      this.records.push(record);
    }
  }

  /**
   * The errors logged so far and not flushed.
   *
   * @returns A copy of the list.
   */
  get loggedErrors(): readonly LoggedError[] {
    return [...this.#errors];
  }

  /**
   * Takes the logged errors of the given types out of the capture, so that
   * they no longer fail the test. Mirrors trial's
   * `TestCase.flushLoggedErrors`.
   *
   * @param errorTypes The error classes to flush; none flushes every error.
   * @returns The errors flushed, in the order they were logged.
   *
   * @example Flushing only the expected type
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogCapture } from "@torsion/torsion/testing";
   * const logs = await LogCapture.start();
   * assert.deepEqual(logs.flushLoggedErrors(TypeError), []);
   * await logs.stop();
   * ```
   */
  flushLoggedErrors(...errorTypes: ErrorClass[]): LoggedError[] {
    const flushed: LoggedError[] = [];
    for (let i = 0; i < this.#errors.length;) {
      if (matches(this.#errors[i], errorTypes)) {
        flushed.push(...this.#errors.splice(i, 1));
      } else {
        i++;
      }
    }
    return flushed;
  }

  /**
   * Stops capturing and puts back the LogTape configuration found at
   * `start()`, without checking for errors.
   *
   * @returns Once LogTape is reconfigured.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#previous === null) await reset();
    else await configure({ ...this.#previous, reset: true });
  }

  /**
   * Stops capturing, then fails when an error was logged and not flushed,
   * as trial reports each one as an error of the test.
   *
   * @throws {AssertionError} Errors were logged and not flushed; the message
   *   holds each one's category and text.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    this.assertNoLoggedErrors();
  }

  /**
   * Fails when an error was logged and not flushed.
   *
   * @throws {AssertionError} Errors were logged and not flushed.
   */
  assertNoLoggedErrors(): void {
    if (this.#errors.length === 0) return;
    const errors = this.flushLoggedErrors();
    throw new AssertionError({
      message: `${errors.length} unexpected error${
        errors.length === 1 ? " was" : "s were"
      } logged:\n${
        errors.map((e) => `[${e.category.join(".")}] ${e.message}`).join("\n")
      }`,
    });
  }
}

const LEVELS: readonly LogCaptureLevel[] = [
  "trace",
  "debug",
  "info",
  "warning",
  "error",
  "fatal",
];
