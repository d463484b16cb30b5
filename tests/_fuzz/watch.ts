/**
 * What every fuzz harness watches besides its own checks: unhandled
 * rejections and error-level log records.
 *
 * @module
 */
import { configure, type LogRecord, reset } from "@logtape/logtape";

/** What `watchErrors` sees until it is stopped. */
export interface ErrorWatch {
  /** Error-level log records under `["torsion"]`, as text. */
  readonly loggedErrors: string[];
  /** Unhandled promise rejections so far. */
  readonly unhandled: number;
  /** Stops watching: resets LogTape and removes the listener. */
  stop(): Promise<void>;
}

/**
 * Starts counting unhandled rejections (kept from ending the process) and
 * error-level LogTape records under `["torsion"]`, for a run's report.
 *
 * @param expected Text of the records an application was made to cause
 *   (a handler asked to throw), which are logged as they must be and so
 *   not counted.
 * @returns The watch, to read and stop.
 */
export async function watchErrors(expected?: string): Promise<ErrorWatch> {
  const loggedErrors: string[] = [];
  let unhandled = 0;
  const onUnhandled = (event: PromiseRejectionEvent): void => {
    unhandled++;
    event.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  await configure({
    sinks: {
      errors: (record: LogRecord) => {
        if (record.level !== "error" && record.level !== "fatal") return;
        const text = `${record.message.map(String).join("")} ${
          String(record.properties.error ?? "")
        }`.trim();
        if (expected === undefined || !text.includes(expected)) {
          loggedErrors.push(text);
        }
      },
    },
    loggers: [
      { category: ["torsion"], sinks: ["errors"], lowestLevel: "error" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
    reset: true,
  });
  return {
    loggedErrors,
    get unhandled(): number {
      return unhandled;
    },
    async stop(): Promise<void> {
      await reset();
      globalThis.removeEventListener("unhandledrejection", onUnhandled);
    },
  };
}
