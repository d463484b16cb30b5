/**
 * `combinedLogFormatter`: one access log line in the combined log format,
 * as `twisted.web.http.combinedLogFormatter`.
 *
 * @module
 */
import type { AccessLogEntry } from "../http/server_interfaces.ts";

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * `ms` (since the epoch) as a log timestamp, `[03/Dec/2026:14:05:04 +0000]`.
 * Mirrors Twisted's `twisted.web.http.datetimeToLogString`.
 *
 * @param ms Milliseconds since the epoch.
 * @returns The bracketed timestamp, in UTC.
 *
 * @example A fixed time
 * ```ts
 * import assert from "node:assert/strict";
 * import { datetimeToLogString } from "@torsion/torsion/web";
 * assert.equal(datetimeToLogString(Date.UTC(2026, 11, 3, 14, 5, 4)), "[03/Dec/2026:14:05:04 +0000]");
 * ```
 */
export function datetimeToLogString(ms: number): string {
  const d = new Date(ms);
  return `[${pad(d.getUTCDate())}/${
    MONTHS[d.getUTCMonth()]
  }/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${
    pad(d.getUTCSeconds())
  } +0000]`;
}

/** Escapes `"` and `\`, and writes other non-printable bytes as `\xNN`. */
function escape(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\xff"\\]/g,
    (c) =>
      c === '"' || c === "\\"
        ? `\\${c}`
        : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/**
 * Formats one request as a line of the combined log format that Apache
 * and nginx write, the way Twisted's `Site` writes its access log. Mirrors
 * Twisted's `twisted.web.http.combinedLogFormatter`, which takes the
 * request where this takes the engine's `AccessLogEntry`. Quotes and
 * control characters from the request are escaped, so a client cannot
 * forge log lines.
 *
 * @param timestamp The bracketed timestamp (`datetimeToLogString`).
 * @param entry What the engine recorded of the request.
 * @returns The log line.
 *
 * @example One line
 * ```ts
 * import assert from "node:assert/strict";
 * import { combinedLogFormatter } from "@torsion/torsion/web";
 * const line = combinedLogFormatter("[03/Dec/2026:14:05:04 +0000]", {
 *   method: "GET", target: "/", version: "HTTP/1.1", status: 200,
 *   durationMs: 1, peer: "127.0.0.1", bytesSent: 12,
 *   userAgent: "curl/8.0", referer: undefined,
 * });
 * assert.equal(
 *   line,
 *   '"127.0.0.1" - - [03/Dec/2026:14:05:04 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.0"',
 * );
 * ```
 */
export function combinedLogFormatter(
  timestamp: string,
  entry: AccessLogEntry,
): string {
  return `"${escape(entry.peer || "-")}" - - ${timestamp} "${
    escape(entry.method)
  } ${escape(entry.target)} ${escape(entry.version)}" ${entry.status} ${
    entry.bytesSent || "-"
  } "${escape(entry.referer ?? "-")}" "${escape(entry.userAgent ?? "-")}"`;
}
