/**
 * Error reporting shared by every layer: LogTape when the application has
 * configured it, stderr otherwise, so an error is never silently dropped.
 *
 * @module
 */
import { getConfig, getLogger } from "@logtape/logtape";
import { stringify } from "./describe.ts";

const encoder = new TextEncoder();

/**
 * Logs `message` at error level under `category`, with the `error` it
 * reports (a thrown value or a `Failure`) as the record's `error` property,
 * so that a test can tell errors apart by type. LogTape discards records
 * while it is unconfigured, and a lost error is the one thing Torsion must
 * not allow, so the same text then goes to stderr.
 */
export function logError(
  category: readonly string[],
  message: string,
  error?: unknown,
): void {
  if (getConfig() !== null) {
    try {
      const properties = error === undefined ? { message } : { message, error };
      getLogger([...category]).error("{message}", properties);
      return;
    } catch {
      // A failing LogTape setup must not lose the error: use stderr.
    }
  }
  try {
    let bytes = encoder.encode(`${message}\n`);
    // writeSync may write only part of a long message.
    while (bytes.length > 0) {
      bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
    }
  } catch {
    // stderr closed or not permitted: nothing left to report to.
  }
}

/**
 * An error as an error log shows it: its stack, or its name and message
 * when the runtime gave it none; a thrown non-error as its text.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.stack ?? `${error.name}: ${error.message}`;
  }
  return stringify(error);
}
