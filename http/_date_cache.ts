/**
 * The `Date` header line of responses, formatted at most once a second
 * (RFC 9110 section 6.6.1: the clock's resolution is one second), as
 * Twisted's `HTTPFactory._updateLogDateTime` and Tornado's cached date.
 *
 * @module
 */

let second = -1;
let line = "";

/**
 * `Date: <IMF-fixdate>\r\n` for the current second.
 *
 * @param now Milliseconds since the epoch.
 */
export function dateLine(now: number = Date.now()): string {
  const current = Math.floor(now / 1000);
  if (current !== second) {
    second = current;
    line = `Date: ${new Date(current * 1000).toUTCString()}\r\n`;
  }
  return line;
}
