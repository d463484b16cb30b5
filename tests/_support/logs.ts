/**
 * Captures the log records Torsion emits while a test body runs.
 *
 * @module
 */
import { configure, type LogRecord, reset } from "@logtape/logtape";

/** The text of a record, with its properties interpolated. */
export function recordText(record: LogRecord): string {
  return record.message.map(String).join("");
}

/**
 * Runs `body` with LogTape sending every `["torsion"]` record to a buffer,
 * then resets LogTape, so nothing reaches stderr and tests stay isolated.
 */
export async function captureLogs(
  body: (records: LogRecord[]) => Promise<void> | void,
): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  await configure({
    sinks: { buffer: (record: LogRecord) => records.push(record) },
    loggers: [
      { category: ["torsion"], sinks: ["buffer"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    await body(records);
  } finally {
    await reset();
  }
  return records;
}
