import assert from "node:assert/strict";
import { hasTornado, hasTwisted, PYTHON } from "../_support/mod.ts";
import { runQuick } from "./_quick_run.ts";

const HTTP_WORKLOADS = [
  /keep-alive/,
  /GETs delayed/,
  /in flight at once/,
];
const HTTP_SYSTEMS = [
  /^Torsion \(Twisted face\)$/,
  /^Torsion \(Tornado face\)$/,
  /^Twisted \d/,
  /^Tornado \d/,
  /^Deno /,
  /^Floor: bare Deno sockets/,
];

/** A --quick run of the client suite. */
function runClientQuick(args: readonly string[]): Promise<string> {
  return runQuick(["--suite", "client", ...args]);
}

/** The systems the printed table lists for the workload whose title matches. */
function systemsOf(stdout: string, workload: RegExp): string[] {
  return stdout.split("\n")
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .filter((cells) => cells.length > 2 && workload.test(cells[1]))
    .map((cells) => cells[2]);
}

function assertSystems(
  actual: readonly string[],
  expected: readonly RegExp[],
): void {
  assert.equal(actual.length, expected.length, actual.join(", "));
  actual.forEach((system, i) => assert.match(system, expected[i]));
}

Deno.test({
  name:
    "bench/peers/run.ts given --quick --suite client and both Python peers when run then tables every system on every client workload",
  ignore: !(hasTwisted() && hasTornado()),
  async fn(): Promise<void> {
    const stdout = await runClientQuick(["--python", PYTHON]);
    for (const workload of HTTP_WORKLOADS) {
      assertSystems(systemsOf(stdout, workload), HTTP_SYSTEMS);
    }
    // Memory is judged there: the floor also runs with Torsion's imports.
    assertSystems(systemsOf(stdout, /held in flight/), [
      ...HTTP_SYSTEMS,
      /^Floor with LogTape loaded/,
      /^Floor with Torsion's http\/ loaded/,
    ]);
    assertSystems(systemsOf(stdout, /timers/), [
      /^Torsion \(Twisted face\)$/,
      /^Torsion \(Tornado face\)$/,
      /^Twisted \d/,
      /^Tornado \d/,
      /^Deno /,
    ]);
    assertSystems(systemsOf(stdout, /Deferred through 10 callbacks/), [
      /^Torsion \(Deferred\)$/,
      /^Twisted \d/,
      /^Tornado \d/,
      /^Deno /,
    ]);
  },
});

Deno.test("bench/peers/run.ts given a Python without the peers when run then skips them with the install command", async () => {
  const stdout = await runClientQuick([
    "--python",
    "/nonexistent/python3",
    "--workloads",
    "keepalive",
  ]);
  for (const peer of ["Twisted", "Tornado"]) {
    assert.match(
      stdout,
      new RegExp(
        `^Skipping ${peer}: .*apt-get install python3-twisted python3-tornado$`,
        "m",
      ),
    );
  }
  assertSystems(systemsOf(stdout, /keep-alive/), [
    /^Torsion \(Twisted face\)$/,
    /^Torsion \(Tornado face\)$/,
    /^Deno /,
    /^Floor: bare Deno sockets/,
  ]);
});

Deno.test("bench/peers/run.ts given --out when run then writes the table with the date and machine", async () => {
  const out = await Deno.makeTempFile({ suffix: ".md" });
  try {
    await runClientQuick([
      "--python",
      "/nonexistent/python3",
      "--workloads",
      "chain",
      "--out",
      out,
    ]);
    const written = await Deno.readTextFile(out);
    assert.match(
      written,
      /^Measured \d{4}-\d{2}-\d{2} on \d+ × .+ with Deno \d/m,
    );
    assert.match(written, /^\| Workload +\| System +\| One run +\|/m);
  } finally {
    await Deno.remove(out);
  }
});
