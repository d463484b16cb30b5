/**
 * Files written for a test with a chosen age, for what treats recently
 * changed files apart (the static file cache holds only settled ones).
 *
 * @module
 */
import { DEFAULT_STAT_INTERVAL_MS } from "../../web/_static_cache.ts";
import { sleep } from "./time.ts";

/**
 * Writes `content` to `path`, then sets its modification time `age`
 * milliseconds in the past.
 *
 * @param path The file.
 * @param content Its bytes, or text written as UTF-8.
 * @param age How long ago it was last modified, in milliseconds.
 */
export async function writeSettled(
  path: string,
  content: Uint8Array | string,
  age = 3_600_000,
): Promise<void> {
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  const then = new Date(Date.now() - age);
  await Deno.utime(path, then, then);
}

/**
 * Waits until the static servers read a file's metadata again: they trust
 * what they read for `DEFAULT_STAT_INTERVAL_MS`, so a change made now is seen after this.
 */
export function pastStatTrust(): Promise<void> {
  return sleep(DEFAULT_STAT_INTERVAL_MS + 20);
}
