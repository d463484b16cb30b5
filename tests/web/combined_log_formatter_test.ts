import assert from "node:assert/strict";
import type { AccessLogEntry } from "../../http/server_interfaces.ts";
import { MemoryReactor } from "../../testing/mod.ts";
import {
  combinedLogFormatter,
  datetimeToLogString,
  Resource,
  Site,
} from "../../web/mod.ts";
import { captureLogs } from "../_support/mod.ts";

const ENTRY: AccessLogEntry = {
  method: "GET",
  target: "/a",
  version: "HTTP/1.0",
  status: 404,
  durationMs: 3,
  peer: "10.0.0.7",
  bytesSent: 0,
  userAgent: undefined,
  referer: "http://x/",
};

Deno.test("datetimeToLogString given a single-digit day when formatted then pads it and writes +0000", () => {
  assert.equal(
    datetimeToLogString(Date.UTC(2024, 1, 5, 3, 4, 5)),
    "[05/Feb/2024:03:04:05 +0000]",
  );
});

Deno.test("combinedLogFormatter given no body and no agent when formatted then writes dashes", () => {
  assert.equal(
    combinedLogFormatter("[t]", ENTRY),
    '"10.0.0.7" - - [t] "GET /a HTTP/1.0" 404 - "http://x/" "-"',
  );
});

Deno.test("combinedLogFormatter given quotes and control characters from the client when formatted then escapes them", () => {
  const line = combinedLogFormatter("[t]", {
    ...ENTRY,
    target: '/"x"\n',
    userAgent: 'evil" "\x1b[31m',
  });
  assert.equal(
    line,
    '"10.0.0.7" - - [t] "GET /\\"x\\"\\x0a HTTP/1.0" 404 - "http://x/" "evil\\" \\"\\x1b[31m"',
  );
  assert.doesNotMatch(line, /\n/);
});

Deno.test("Site.logAccess given a reactor clock when a request is logged then the line's time is the reactor's and logFormatter shapes it", async () => {
  const reactor = new MemoryReactor();
  reactor.advance(Date.UTC(2025, 6, 4, 1, 2, 3) / 1000);
  const plain = new Site(new Resource(), { reactor });
  const custom = new Site(new Resource(), {
    reactor,
    logFormatter: (timestamp, entry) => `${timestamp} ${entry.status}`,
  });
  const records = await captureLogs(() => {
    plain.logAccess(ENTRY);
    custom.logAccess(ENTRY);
  });
  const lines = records.map((r) => String(r.properties.line));
  assert.equal(
    lines[0],
    '"10.0.0.7" - - [04/Jul/2025:01:02:03 +0000] "GET /a HTTP/1.0" 404 - "http://x/" "-"',
  );
  assert.equal(lines[1], "[04/Jul/2025:01:02:03 +0000] 404");
  assert.deepEqual(records.map((r) => r.category.join(".")), [
    "torsion.access",
    "torsion.access",
  ]);
});

Deno.test("Site.logsAccess given the access log enabled or not when asked then it answers whether a line would be written", async () => {
  const site = new Site(new Resource());
  assert.equal(site.logsAccess(), false);
  let during = false;
  await captureLogs(() => {
    during = site.logsAccess();
  });
  assert.equal(during, true);
  assert.equal(site.logsAccess(), false);
});
