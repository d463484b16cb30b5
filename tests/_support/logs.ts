/**
 * Captures the log records Torsion emits while a test body runs, through
 * the public `LogCapture` of `testing/`.
 *
 * @module
 */
import { type CapturedRecord, LogCapture } from "../../testing/log_capture.ts";

export { recordText } from "../../testing/log_capture.ts";

/**
 * Runs `body` with every `["torsion"]` record going to a buffer, then puts
 * LogTape back, so nothing reaches stderr and tests stay isolated. Errors
 * are the body's to check in the records: none fails the test by itself.
 */
export async function captureLogs(
  body: (records: CapturedRecord[]) => Promise<void> | void,
): Promise<CapturedRecord[]> {
  const capture = await LogCapture.start();
  try {
    await body(capture.records);
  } finally {
    await capture.stop();
  }
  return capture.records;
}
