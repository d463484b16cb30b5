import assert from "node:assert/strict";
import { Failure } from "../../deferred/failure.ts";
import { ConnectionDone, ConnectionLost } from "../../reactor/errors.ts";
import type { IProtocol, IPushProducer } from "../../reactor/interfaces.ts";
import { Headers } from "../../http/headers.ts";
import { HTTPChannel } from "../../http/http_channel.ts";
import { HTTPFactory } from "../../http/http_factory.ts";
import type {
  AccessLogEntry,
  HTTPRequestDelegate,
  HTTPServerConnectionDelegate,
  HTTPServerOptions,
  HTTPServerRequestChannel,
  RequestHead,
} from "../../http/server_interfaces.ts";
import { Clock } from "../../testing/clock.ts";
import {
  StringTransport,
  StringTransportWithDisconnection,
} from "../../testing/string_transport.ts";
import { captureLogs, latin1Bytes, latin1Text } from "../_support/mod.ts";

/** What happened to each request the delegate saw. */
interface Seen {
  head: RequestHead;
  channel: HTTPServerRequestChannel;
  body: string;
  finished: boolean;
  closed: Failure[];
}

type Respond = (seen: Seen) => void;
type OnHead = (seen: Seen) => void;

interface Harness {
  channel: HTTPChannel;
  transport: StringTransportWithDisconnection;
  clock: Clock;
  seen: Seen[];
  logged: AccessLogEntry[];
  send(text: string): void;
  /** Everything written, as latin-1 text. */
  output(): string;
}

/** Answers `200 OK` with `Content-Length` and the body `"<method> <target> <body>"`. */
const echo: Respond = (seen) => {
  const body = `${seen.head.method} ${seen.head.target} ${seen.body}`;
  seen.channel.writeHead(
    200,
    "OK",
    new Headers({ "Content-Length": String(body.length) }),
    latin1Bytes(body),
  );
  seen.channel.finish();
};

/**
 * A server delegate recording each request in `seen` and answering it with
 * `respond` once its body is in; with `logged`, it takes the access log too.
 */
function recordingDelegate(
  seen: Seen[],
  respond: Respond | null,
  { onHead, logged }: { onHead?: OnHead; logged?: AccessLogEntry[] } = {},
): HTTPServerConnectionDelegate {
  const delegate: HTTPServerConnectionDelegate = {
    startRequest(request): HTTPRequestDelegate {
      const entry: Seen = {
        head: request.head,
        channel: request,
        body: "",
        finished: false,
        closed: [],
      };
      seen.push(entry);
      return {
        headersReceived(): void {
          onHead?.(entry);
        },
        dataReceived(chunk): void {
          entry.body += latin1Text(chunk);
        },
        finish(): void {
          entry.finished = true;
          respond?.(entry);
        },
        onConnectionClose(reason): void {
          entry.closed.push(reason);
        },
      };
    },
  };
  if (logged !== undefined) {
    delegate.logAccess = (entry): void => {
      logged.push(entry);
    };
  }
  return delegate;
}

function harness(
  respond: Respond | null = echo,
  options: HTTPServerOptions = {},
  onHead?: OnHead,
): Harness {
  const clock = new Clock();
  const seen: Seen[] = [];
  const logged: AccessLogEntry[] = [];
  const channel = new HTTPChannel(
    recordingDelegate(seen, respond, { onHead, logged }),
    options,
    clock,
  );
  const transport = new StringTransportWithDisconnection({}, channel);
  channel.makeConnection(transport);
  return {
    channel,
    transport,
    clock,
    seen,
    logged,
    send(text: string): void {
      channel.dataReceived(latin1Bytes(text));
    },
    output(): string {
      return latin1Text(transport.value());
    },
  };
}

/** A harness whose first request switches protocols and detaches for `protocol`. */
function detachingHarness(protocol: IProtocol): Harness {
  return harness(null, {}, (seen) => {
    seen.channel.writeHead(
      101,
      "Switching Protocols",
      new Headers({ Upgrade: "x", Connection: "Upgrade" }),
    );
    seen.channel.detach(protocol);
  });
}

const GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

/** Splits the output into responses at each status line. */
function responses(output: string): string[] {
  return output.split(/(?=HTTP\/1\.1 \d{3} )/).filter((r) => r !== "");
}

function tick(): Promise<void> {
  return new Promise((resolve) => queueMicrotask(resolve));
}

// --- Keep-alive and framing ------------------------------------------------------

Deno.test("HTTPChannel given an HTTP/1.1 GET when answered then the response has Content-Length, Date and Server and the connection stays open", () => {
  const h = harness();
  h.send(GET);
  const out = h.output();
  assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(out, /\r\nContent-Length: 6\r\n/);
  assert.match(out, /\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
  assert.match(out, /\r\nServer: Torsion\r\n/);
  assert.ok(out.endsWith("\r\n\r\nGET / "));
  assert.equal(h.transport.disconnecting, false);
});

Deno.test("HTTPChannel given two requests on one connection when each is answered then both responses are sent and it stays open", () => {
  const h = harness();
  h.send(GET);
  h.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
  const all = responses(h.output());
  assert.equal(all.length, 2);
  assert.ok(all[1].endsWith("GET /second "));
  assert.equal(h.transport.disconnecting, false);
});

Deno.test("HTTPChannel given an HTTP/1.0 request without keep-alive when answered then it says Connection close and closes", () => {
  const h = harness();
  h.send("GET / HTTP/1.0\r\n\r\n");
  assert.match(h.output(), /\r\nConnection: close\r\n/);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given an HTTP/1.0 request with Connection keep-alive when answered then it says keep-alive and stays open", () => {
  const h = harness();
  h.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  assert.match(h.output(), /\r\nConnection: keep-alive\r\n/);
  assert.equal(h.transport.disconnecting, false);
});

Deno.test("HTTPChannel given Connection close on an HTTP/1.1 request when answered then it says Connection close and closes", () => {
  const h = harness();
  h.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  assert.match(h.output(), /\r\nConnection: close\r\n/);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given noKeepAlive when a request is answered then the connection closes", () => {
  const h = harness(echo, { noKeepAlive: true });
  h.send(GET);
  assert.match(h.output(), /\r\nConnection: close\r\n/);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given a response finished in the turn it began without Content-Length when sent then Content-Length is computed", () => {
  const h = harness((seen) => {
    seen.channel.writeHead(200, "OK", new Headers(), "ab");
    seen.channel.write("cd");
    seen.channel.finish();
  });
  h.send(GET);
  const out = h.output();
  assert.match(out, /\r\nContent-Length: 4\r\n/);
  assert.doesNotMatch(out, /Transfer-Encoding/);
  assert.ok(out.endsWith("\r\n\r\nabcd"));
});

Deno.test("HTTPChannel given a response streamed over several turns when sent then it is chunked and ends with the last chunk", async () => {
  let channel: HTTPServerRequestChannel | null = null;
  const h = harness((seen) => {
    channel = seen.channel;
    seen.channel.writeHead(200, "OK", new Headers(), "ab");
  });
  h.send(GET);
  await tick();
  await tick();
  (channel as unknown as HTTPServerRequestChannel).write("cde");
  (channel as unknown as HTTPServerRequestChannel).finish();
  const out = h.output();
  assert.match(out, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.ok(out.endsWith("\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"), out);
  assert.equal(h.transport.disconnecting, false);
});

Deno.test("HTTPChannel given an HTTP/1.0 response streamed without Content-Length when sent then the body is close-delimited", async () => {
  let channel: HTTPServerRequestChannel | null = null;
  const h = harness((seen) => {
    channel = seen.channel;
    seen.channel.writeHead(200, "OK", new Headers(), "ab");
  });
  h.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  await tick();
  (channel as unknown as HTTPServerRequestChannel).write("cd");
  (channel as unknown as HTTPServerRequestChannel).finish();
  const out = h.output();
  assert.match(out, /\r\nConnection: close\r\n/);
  assert.ok(out.endsWith("\r\n\r\nabcd"));
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given a HEAD request when answered with a body then no body is sent and Content-Length is kept", () => {
  const h = harness();
  h.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
  const out = h.output();
  assert.match(out, /\r\nContent-Length: 7\r\n/);
  assert.ok(out.endsWith("\r\n\r\n"));
});

for (const code of [204, 304]) {
  Deno.test(`HTTPChannel given a ${code} response with a body when sent then no body and no chunked framing are sent`, () => {
    const h = harness((seen) => {
      seen.channel.writeHead(code, "X", new Headers(), "ignored");
      seen.channel.finish();
    });
    h.send(GET);
    const out = h.output();
    assert.ok(out.endsWith("\r\n\r\n"));
    assert.doesNotMatch(out, /Transfer-Encoding|ignored/);
    assert.equal(h.transport.disconnecting, false);
  });
}

Deno.test("HTTPChannel given a finish without a head when sent then it is 200 with an empty body", () => {
  const h = harness((seen) => seen.channel.finish());
  h.send(GET);
  const out = h.output();
  assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(out, /\r\nContent-Length: 0\r\n/);
  assert.ok(out.endsWith("\r\n\r\n"));
});

Deno.test("HTTPChannel given a Date and Server set by the application when sent then they are not doubled", () => {
  const h = harness((seen) => {
    seen.channel.writeHead(
      200,
      "OK",
      new Headers({ Date: "x", Server: "mine", "Content-Length": "0" }),
    );
    seen.channel.finish();
  });
  h.send(GET);
  const out = h.output();
  assert.equal(out.match(/Date: /g)?.length, 1);
  assert.equal(out.match(/Server: /g)?.length, 1);
  assert.match(out, /\r\nServer: mine\r\n/);
});

Deno.test("HTTPChannel given serverHeader null when a response is sent then it has no Server header", () => {
  const h = harness(echo, { serverHeader: null });
  h.send(GET);
  assert.doesNotMatch(h.output(), /Server:/);
});

Deno.test("HTTPChannel given a write after finish when called then it throws TypeError", () => {
  let error: unknown;
  const h = harness((seen) => {
    echo(seen);
    try {
      seen.channel.write("more");
    } catch (e) {
      error = e;
    }
  });
  h.send(GET);
  assert.ok(error instanceof TypeError);
});

Deno.test("HTTPChannel given a valid Content-Length, then an invalid one, then the valid one again when heads are written then only the invalid one throws", () => {
  const errors: unknown[] = [];
  for (const length of ["4", "4x", "4"]) {
    const h = harness((seen) => {
      try {
        seen.channel.writeHead(
          200,
          "OK",
          new Headers({ "Content-Length": length }),
          "body",
        );
        seen.channel.finish();
        errors.push(null);
      } catch (e) {
        errors.push(e);
      }
    });
    h.send(GET);
  }
  assert.equal(errors.length, 3);
  assert.equal(errors[0], null);
  assert.ok(errors[1] instanceof TypeError);
  assert.equal(errors[2], null);
});

Deno.test("HTTPChannel given a write beyond the declared Content-Length when called then it throws RangeError", () => {
  let error: unknown;
  const h = harness((seen) => {
    seen.channel.writeHead(200, "OK", new Headers({ "Content-Length": "1" }));
    try {
      seen.channel.write("too long");
    } catch (e) {
      error = e;
    }
  });
  h.send(GET);
  assert.ok(error instanceof RangeError);
});

Deno.test("HTTPChannel given a response finished short of its Content-Length when finished then the connection is aborted", async () => {
  await captureLogs((records) => {
    const h = harness((seen) => {
      seen.channel.writeHead(
        200,
        "OK",
        new Headers({ "Content-Length": "9" }),
        "a",
      );
      seen.channel.finish();
    });
    h.send(GET);
    assert.ok(h.transport.disconnecting);
    assert.equal(records.filter((r) => r.level === "error").length, 1);
  });
});

// --- Pipelining and flow control ------------------------------------------------

Deno.test("HTTPChannel given two pipelined requests when the first is answered later then the responses come in request order", () => {
  const waiting: Seen[] = [];
  const h = harness((seen) => waiting.push(seen));
  h.send(`${GET}GET /b HTTP/1.1\r\nHost: a\r\n\r\n`);
  assert.equal(h.seen.length, 1);
  assert.equal(h.output(), "");
  assert.equal(h.transport.producerState, "paused");
  echo(waiting[0]);
  assert.equal(h.seen.length, 2);
  echo(waiting[1]);
  const all = responses(h.output());
  assert.equal(all.length, 2);
  assert.ok(all[0].endsWith("GET / "));
  assert.ok(all[1].endsWith("GET /b "));
  assert.equal(h.transport.producerState, "producing");
});

Deno.test("HTTPChannel given a pipelined request in a lent read when the lender overwrites the read after the call then the waiting request is served intact", () => {
  const waiting: Seen[] = [];
  const h = harness((seen) => waiting.push(seen));
  assert.equal(h.channel.readsInPlace, true);
  const read = latin1Bytes(`${GET}GET /b HTTP/1.1\r\nHost: a\r\n\r\n`);
  h.channel.dataReceived(read);
  read.fill(0x21);
  echo(waiting[0]);
  assert.equal(h.seen.length, 2);
  assert.equal(h.seen[1].head.target, "/b");
  echo(waiting[1]);
  assert.ok(responses(h.output())[1].endsWith("GET /b "));
});

Deno.test("HTTPChannel given a detached protocol that keeps what it reads when lent reads arrive then it keeps copies the lender cannot overwrite", () => {
  const kept: Uint8Array[] = [];
  const protocol: IProtocol = {
    makeConnection(): void {},
    connectionMade(): void {},
    dataReceived(data): void {
      kept.push(data);
    },
    connectionLost(): void {},
  };
  const h = detachingHarness(protocol);
  const first = latin1Bytes(
    "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nearly",
  );
  h.channel.dataReceived(first);
  first.fill(0x21);
  const second = latin1Bytes("late");
  h.channel.dataReceived(second);
  second.fill(0x21);
  assert.deepEqual(kept.map(latin1Text), ["early", "late"]);
});

Deno.test("HTTPChannel given three pipelined requests in one read when answered synchronously then all three are answered in order", () => {
  const h = harness();
  h.send(
    `${GET}GET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n`,
  );
  const all = responses(h.output());
  assert.deepEqual(all.map((r) => r.slice(r.indexOf("\r\n\r\n") + 4)), [
    "GET / ",
    "GET /b ",
    "GET /c ",
  ]);
});

/** A push producer that records what was asked of it. */
function recordingProducer(): IPushProducer & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pauseProducing: () => void calls.push("pause"),
    resumeProducing: () => void calls.push("resume"),
    stopProducing: () => void calls.push("stop"),
  };
}

/** What the transport does when its buffer passes the high-water mark. */
function transportFull(h: Harness): void {
  (h.transport.producer as IPushProducer).pauseProducing();
}

/** What the transport does once its buffer has drained. */
function transportDrained(h: Harness): void {
  (h.transport.producer as IPushProducer).resumeProducing();
}

/** Starts a chunked response that a streaming producer will feed. */
function streamedBy(producer: IPushProducer): Respond {
  return (seen) => {
    seen.channel.writeHead(200, "OK", new Headers({ "X-A": "b" }));
    seen.channel.registerProducer(producer, true);
    seen.channel.write("first");
  };
}

Deno.test("HTTPChannel given a streaming producer on a response when the transport fills and drains then the producer is paused and resumed", () => {
  const producer = recordingProducer();
  const h = harness(streamedBy(producer));
  h.send(GET);
  transportFull(h);
  transportDrained(h);
  assert.deepEqual(producer.calls, ["pause", "resume"]);
});

Deno.test("HTTPChannel given a streaming producer registered on a request when the response finishes then it hears nothing more from the transport", () => {
  const producer = recordingProducer();
  const h = harness(streamedBy(producer));
  h.send(GET);
  h.seen[0].channel.unregisterProducer();
  h.seen[0].channel.finish();
  transportFull(h);
  transportDrained(h);
  assert.deepEqual(producer.calls, []);
  assert.equal(h.transport.connected, true);
});

Deno.test("HTTPChannel given a client that reads nothing of a streamed response when writeTimeout passes then the connection is aborted, the producer stopped and the delegate hears the close", () => {
  const producer = recordingProducer();
  const h = harness(streamedBy(producer), { writeTimeout: 10 });
  h.send(GET);
  transportFull(h);
  h.clock.advance(9.9);
  assert.equal(h.transport.connected, true);
  h.clock.advance(0.2);
  assert.equal(h.transport.connected, false);
  assert.deepEqual(producer.calls, ["pause", "stop"]);
  assert.equal(h.seen[0].closed.length, 1);
  assert.match(
    h.seen[0].closed[0].getErrorMessage(),
    /left it unread for 10 s/,
  );
  assert.equal(h.clock.getDelayedCalls().length, 0);
});

Deno.test("HTTPChannel given a blocked response when the transport drains before writeTimeout then the connection stays and the timer is cancelled", () => {
  const producer = recordingProducer();
  const h = harness(streamedBy(producer), { writeTimeout: 10 });
  h.send(GET);
  for (let i = 0; i < 5; i++) {
    transportFull(h);
    h.clock.advance(8);
    transportDrained(h);
  }
  assert.equal(h.transport.connected, true);
  assert.equal(h.seen[0].closed.length, 0);
  h.seen[0].channel.unregisterProducer();
  h.seen[0].channel.finish();
  h.clock.advance(20);
  assert.equal(h.transport.connected, true);
});

Deno.test("HTTPChannel given a response written without a producer that fills the transport when the client reads nothing then writeTimeout aborts it", () => {
  const h = harness((seen) => {
    seen.channel.writeHead(200, "OK", new Headers({ "Content-Length": "9" }));
    seen.channel.write("some");
  }, { writeTimeout: 5 });
  h.send(GET);
  transportFull(h);
  h.clock.advance(5.1);
  assert.equal(h.transport.connected, false);
  assert.equal(h.seen[0].closed.length, 1);
});

/** A channel on a plain `StringTransport` and the request it was handed. */
interface LentChannel {
  channel: HTTPChannel;
  transport: StringTransport;
  /** The request the last `startRequest` received. */
  request(): HTTPServerRequestChannel;
}

/**
 * A channel whose delegate only hands over its request and counts closes
 * in `onClose`, on a `StringTransport`: unlike the harness's, its abort and
 * loseConnection wait for `connectionLost`, as a TCP transport's do.
 */
function lentChannel(
  options: HTTPServerOptions,
  clock: Clock,
  onClose: () => void = () => {},
): LentChannel {
  let answer: HTTPServerRequestChannel | null = null;
  const channel = new HTTPChannel(
    {
      startRequest(request): HTTPRequestDelegate {
        answer = request;
        return {
          headersReceived(): void {},
          dataReceived(): void {},
          finish(): void {},
          onConnectionClose: onClose,
        };
      },
      logAccess(): void {},
    },
    options,
    clock,
  );
  const transport = new StringTransport();
  channel.makeConnection(transport);
  return {
    channel,
    transport,
    request(): HTTPServerRequestChannel {
      assert.ok(answer !== null, "no request was started");
      return answer;
    },
  };
}

/** What the engine was given and does to end a connection mid-response. */
interface EngineEnd {
  options: HTTPServerOptions;
  request: string;
  end(clock: Clock, channel: HTTPChannel, transport: StringTransport): void;
}

/**
 * Writes the head and 4 of 9 bytes of a response to `given.request`, lets
 * `given.end` make the engine abort the connection, then writes and finishes
 * short before connectionLost arrives (a TCP transport delivers it a turn
 * later), as a delegate that was told of the close may (Tornado's
 * StaticFileHandler once its producer is stopped). Returns how often the
 * delegate heard the close and what was logged as an error.
 */
async function finishShortAfterEngineEnds(
  given: EngineEnd,
): Promise<{ closes: number; disconnecting: boolean; errors: unknown[] }> {
  let closes = 0;
  let disconnecting = false;
  const records = await captureLogs(() => {
    const clock = new Clock();
    const { channel, transport, request: lent } = lentChannel(
      given.options,
      clock,
      () => closes++,
    );
    channel.dataReceived(latin1Bytes(given.request));
    const request = lent();
    request.writeHead(
      200,
      "OK",
      new Headers({ "Content-Length": "9" }),
      "some",
    );
    given.end(clock, channel, transport);
    disconnecting = transport.disconnecting;
    request.write("more");
    request.finish();
    channel.connectionLost(new Failure(new ConnectionLost("aborted")));
  });
  return {
    closes,
    disconnecting,
    errors: records.filter((r) => r.level === "error"),
  };
}

const CHUNKED_POST =
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

Deno.test("HTTPChannel given a response aborted by writeTimeout when the delegate then finishes it short before the close is delivered then the delegate hears one close and nothing is logged as an error", async () => {
  const outcome = await finishShortAfterEngineEnds({
    options: { writeTimeout: 5 },
    request: GET,
    end(clock, _channel, transport): void {
      (transport.producer as IPushProducer).pauseProducing();
      clock.advance(5.1);
    },
  });
  assert.deepEqual(outcome, { closes: 1, disconnecting: true, errors: [] });
});

Deno.test("HTTPChannel given a streamed response whose request body then exceeds maxBodySize when the delegate finishes it short before the close is delivered then the delegate hears one close and nothing is logged as an error", async () => {
  const outcome = await finishShortAfterEngineEnds({
    options: { maxBodySize: 4 },
    request: CHUNKED_POST,
    end(_clock, channel): void {
      channel.dataReceived(latin1Bytes("a\r\n0123456789\r\n"));
    },
  });
  assert.deepEqual(outcome, { closes: 1, disconnecting: true, errors: [] });
});

Deno.test("HTTPChannel given a streamed response whose request body then turns malformed when the delegate finishes it short before the close is delivered then the delegate hears one close and nothing is logged as an error", async () => {
  const outcome = await finishShortAfterEngineEnds({
    options: {},
    request: CHUNKED_POST,
    end(_clock, channel): void {
      channel.dataReceived(latin1Bytes("zz\r\n"));
    },
  });
  assert.deepEqual(outcome, { closes: 1, disconnecting: true, errors: [] });
});

Deno.test("HTTPChannel given a streamed response whose request body stops arriving when bodyTimeout passes and the delegate finishes it short before the close is delivered then the delegate hears one close and nothing is logged as an error", async () => {
  const outcome = await finishShortAfterEngineEnds({
    options: { bodyTimeout: 5 },
    request: CHUNKED_POST,
    end(clock): void {
      clock.advance(5.1);
    },
  });
  assert.deepEqual(outcome, { closes: 1, disconnecting: true, errors: [] });
});

Deno.test("HTTPChannel given a finished keep-alive response still blocked in the transport when writeTimeout passes then the connection is aborted", () => {
  const h = harness(echo, { writeTimeout: 5, idleConnectionTimeout: 100 });
  h.send(GET);
  transportFull(h);
  h.clock.advance(5.1);
  assert.equal(h.transport.connected, false);
  assert.equal(h.seen[0].closed.length, 0);
});

Deno.test("HTTPChannel given a pull producer that the transport stops asking when writeTimeout passes then the connection is aborted and the producer stopped", () => {
  const calls: string[] = [];
  const h = harness((seen) => {
    seen.channel.writeHead(200, "OK", new Headers());
    seen.channel.registerProducer({
      resumeProducing: () => void calls.push("resume"),
      stopProducing: () => void calls.push("stop"),
    }, false);
  }, { writeTimeout: 5 });
  h.send(GET);
  const asker = h.transport.producer as { resumeProducing(): void };
  assert.equal(h.transport.streaming, false);
  asker.resumeProducing();
  h.clock.advance(4);
  asker.resumeProducing();
  h.clock.advance(4);
  assert.equal(h.transport.connected, true);
  h.clock.advance(1.1);
  assert.equal(h.transport.connected, false);
  assert.deepEqual(calls, ["resume", "resume", "stop"]);
  assert.equal(h.seen[0].closed.length, 1);
});

Deno.test("HTTPChannel given a pull producer when it unregisters then the channel's own flow control is back on the transport", () => {
  const h = harness((seen) => {
    seen.channel.writeHead(200, "OK", new Headers({ "Content-Length": "2" }));
    seen.channel.registerProducer({
      resumeProducing(): void {
        seen.channel.write("hi");
        seen.channel.unregisterProducer();
        seen.channel.finish();
      },
      stopProducing(): void {},
    }, false);
  });
  h.send(GET);
  (h.transport.producer as { resumeProducing(): void }).resumeProducing();
  assert.ok(h.output().endsWith("\r\n\r\nhi"));
  assert.equal(h.transport.streaming, true);
  assert.equal(h.clock.getDelayedCalls().length, 1); // the idle timer
});

Deno.test("HTTPChannel given a closing response blocked in the transport when it drains then the close goes ahead", () => {
  const clock = new Clock();
  // Its loseConnection waits for the producer, as a TCP transport's does.
  const { channel, transport, request: lent } = lentChannel(
    { writeTimeout: 5, idleConnectionTimeout: 0 },
    clock,
  );
  channel.dataReceived(
    latin1Bytes("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
  );
  const flow = transport.producer as IPushProducer;
  const request = lent();
  request.writeHead(200, "OK", new Headers({ "Content-Length": "4" }), "body");
  flow.pauseProducing();
  request.finish();
  assert.equal(transport.disconnecting, true);
  assert.equal(transport.producer, flow, "the close waits for the drain");
  flow.resumeProducing();
  assert.equal(transport.producer, null);
  channel.connectionLost(new Failure(new ConnectionDone()));
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("HTTPChannel given one large write to a client that reads slowly when each slice drains within writeTimeout then the response goes out in slices and the connection survives", () => {
  const size = 5 * 65536;
  const h = harness((seen) => {
    seen.channel.writeHead(
      200,
      "OK",
      new Headers({ "Content-Length": String(size) }),
    );
    seen.channel.write(new Uint8Array(size));
    seen.channel.finish();
  }, { writeTimeout: 5 });
  // The transport says it is full after every write, as a TCP transport
  // does for a client that reads slowly.
  const write = h.transport.write.bind(h.transport);
  h.transport.write = (data): void => {
    write(data);
    (h.transport.producer as IPushProducer | null)?.pauseProducing();
  };
  h.send(GET);
  const lengths = [h.transport.value().length];
  for (let i = 0; i < 5; i++) {
    h.clock.advance(4);
    transportDrained(h);
    lengths.push(h.transport.value().length);
  }
  assert.equal(h.transport.connected, true);
  assert.ok(lengths[0] < 2 * 65536, `${lengths[0]} bytes went out at once`);
  assert.ok(lengths[5] > size, "the whole body went out");
  for (let i = 1; i < 5; i++) assert.equal(lengths[i] - lengths[i - 1], 65536);
  assert.equal(h.seen[0].closed.length, 0);
});

Deno.test("HTTPChannel given a client that reads nothing while the application keeps writing when writeTimeout passes then the writes do not restart the clock and it is aborted", () => {
  const h = harness((seen) => {
    seen.channel.writeHead(200, "OK", new Headers());
    seen.channel.write("event\n");
  }, { writeTimeout: 5 });
  h.send(GET);
  transportFull(h);
  const sent = h.transport.value().length;
  for (let i = 0; i < 10 && h.transport.connected; i++) {
    h.clock.advance(1);
    if (h.transport.connected) h.seen[0].channel.write("event\n");
    transportFull(h);
  }
  assert.equal(h.transport.connected, false);
  assert.equal(h.clock.seconds(), 5);
  assert.equal(h.transport.value().length, sent, "held while blocked");
  assert.equal(h.seen[0].closed.length, 1);
});

Deno.test("HTTPChannel given pipelined requests while the responses are blocked then the next request waits until the transport drains", () => {
  const h = harness(echo, { writeTimeout: 5 });
  h.send(GET);
  transportFull(h);
  h.send(GET + GET);
  assert.equal(h.seen.length, 1);
  assert.equal(h.transport.producerState, "paused");
  transportDrained(h);
  assert.equal(h.seen.length, 3);
  assert.equal(responses(h.output()).length, 3);
  assert.equal(h.transport.producerState, "producing");
});

// --- Request bodies and Expect ---------------------------------------------------

Deno.test("HTTPChannel given a chunked request body when received then the delegate gets it decoded", () => {
  const h = harness();
  h.send(
    "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
  );
  assert.equal(h.seen[0].body, "abcde");
  assert.ok(h.output().endsWith("POST /u abcde"));
});

Deno.test("HTTPChannel given Expect 100-continue when the head is not answered early then 100 Continue is sent before the body is read", () => {
  const h = harness();
  h.send(
    "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
  );
  assert.equal(h.output(), "HTTP/1.1 100 Continue\r\n\r\n");
  h.send("ok");
  assert.ok(h.output().endsWith("POST / ok"));
  assert.equal(h.transport.disconnecting, false);
});

Deno.test("HTTPChannel given Expect 100-continue when headersReceived already answered then no 100 is sent and the connection closes", () => {
  const h = harness(null, {}, (seen) => {
    seen.channel.writeHead(
      413,
      "Too Big",
      new Headers({ "Content-Length": "0" }),
    );
    seen.channel.finish();
  });
  h.send(
    "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
  );
  const out = h.output();
  assert.doesNotMatch(out, /100 Continue/);
  assert.match(out, /^HTTP\/1\.1 413 Too Big\r\n/);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given Expect 100-continue on a request without a body when answered then no 100 is sent", () => {
  const h = harness();
  h.send("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n");
  assert.doesNotMatch(h.output(), /100 Continue/);
});

Deno.test("HTTPChannel given an Expect other than 100-continue when received then it answers 417 and closes", () => {
  const h = harness();
  h.send(
    "POST / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nok",
  );
  assert.match(h.output(), /^HTTP\/1\.1 417 /);
  assert.match(h.output(), /\r\nConnection: close\r\n/);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given a body over maxBodySize when declared then it answers 413 without asking the delegate", () => {
  const h = harness(echo, { maxBodySize: 4 });
  h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
  assert.match(h.output(), /^HTTP\/1\.1 413 /);
  assert.equal(h.seen.length, 0);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given a head over maxHeaderSize when received then it answers 431 and closes", () => {
  const h = harness(echo, { maxHeaderSize: 64 });
  h.send(`GET / HTTP/1.1\r\nHost: a\r\nX: ${"a".repeat(100)}\r\n\r\n`);
  assert.match(h.output(), /^HTTP\/1\.1 431 /);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given a request with both Content-Length and Transfer-Encoding when received then it answers 400 with Connection close and closes", () => {
  const h = harness();
  h.send(
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  );
  const out = h.output();
  assert.match(out, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(out, /\r\nConnection: close\r\n/);
  assert.ok(h.transport.disconnecting);
  assert.equal(h.seen.length, 0);
});

Deno.test("HTTPChannel given a malformed second request when received then the first is answered and the second gets 400", () => {
  const h = harness();
  h.send(`${GET}GET / HTTP/1.9\r\nHost: a\r\n\r\n`);
  const all = responses(h.output());
  assert.equal(all.length, 2);
  assert.match(all[0], /^HTTP\/1\.1 200 /);
  assert.match(all[1], /^HTTP\/1\.1 505 /);
});

Deno.test("HTTPChannel given a response finished on the head of a request whose body is unread when sent then the head says Connection close and the connection closes", () => {
  const h = harness(null, {}, (seen) => {
    seen.channel.writeHead(404, "Not Found", new Headers(), "no");
    seen.channel.finish();
  });
  h.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
  const out = h.output();
  assert.match(out, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(out, /\r\nConnection: close\r\n/);
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given a head with Content-Length written before the chunked body is read when sent then it says Connection close", () => {
  const h = harness(null, {}, (seen) => {
    seen.channel.writeHead(
      413,
      "Payload Too Large",
      new Headers({ "Content-Length": "0" }),
    );
  });
  h.send(
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
  );
  assert.match(h.output(), /\r\nConnection: close\r\n/);
  h.seen[0].channel.finish();
  assert.ok(h.transport.disconnecting);
});

Deno.test("HTTPChannel given a head held back in headersReceived when the body has arrived by finish then the connection stays alive without Connection close", () => {
  const h = harness((seen) => seen.channel.finish(), {}, (seen) => {
    seen.channel.writeHead(200, "OK", new Headers(), "early");
  });
  h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok");
  const out = h.output();
  assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(out, /Connection: close/);
  assert.equal(h.transport.disconnecting, false);
});

Deno.test("HTTPChannel given a GET answered in headersReceived when sent then the connection is kept alive", () => {
  const h = harness(null, {}, (seen) => {
    seen.channel.writeHead(
      200,
      "OK",
      new Headers({ "Content-Length": "2" }),
      "hi",
    );
    seen.channel.finish();
  });
  h.send(GET);
  assert.doesNotMatch(h.output(), /Connection: close/);
  assert.equal(h.transport.disconnecting, false);
});

// --- Delegate failures ------------------------------------------------------------

Deno.test("HTTPChannel given a delegate that throws before writing when a request arrives then it answers 500 and logs the error once", async () => {
  await captureLogs((records) => {
    const h = harness(() => {
      throw new Error("boom");
    });
    h.send(GET);
    const out = h.output();
    assert.match(out, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.doesNotMatch(out, /boom/);
    assert.ok(h.transport.disconnecting);
    const errors = records.filter((r) => r.level === "error");
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].category, ["torsion", "web"]);
  });
});

Deno.test("HTTPChannel given a delegate that throws after writing the head when a request arrives then the connection is aborted", async () => {
  await captureLogs(() => {
    const h = harness((seen) => {
      seen.channel.writeHead(200, "OK", new Headers({ "Content-Length": "5" }));
      throw new Error("boom");
    });
    h.send(GET);
    assert.doesNotMatch(h.output(), /500/);
    assert.ok(h.transport.disconnecting);
  });
});

Deno.test("HTTPChannel given the client goes away before the response when lost then the delegate hears onConnectionClose once", () => {
  const h = harness(null);
  h.send(GET);
  h.channel.connectionLost(new Failure(new ConnectionLost()));
  h.channel.connectionLost(new Failure(new ConnectionLost()));
  assert.equal(h.seen[0].closed.length, 1);
});

// --- Timeouts -----------------------------------------------------------------------

Deno.test("HTTPChannel given a head that stops arriving when headerTimeout passes then it answers 408 and closes", () => {
  const h = harness(echo, { headerTimeout: 5 });
  h.send("GET / HTTP/1.1\r\nHost:");
  h.clock.advance(4.9);
  assert.equal(h.output(), "");
  h.clock.advance(0.2);
  assert.match(h.output(), /^HTTP\/1\.1 408 /);
  assert.equal(h.transport.connected, false);
  assert.equal(h.clock.getDelayedCalls().length, 0);
});

Deno.test("HTTPChannel given a body that stops arriving when bodyTimeout passes then it answers 408 and the delegate hears the close", () => {
  const h = harness(echo, { bodyTimeout: 5 });
  h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
  h.clock.advance(5.1);
  assert.match(h.output(), /^HTTP\/1\.1 408 /);
  assert.equal(h.seen[0].closed.length, 1);
  assert.equal(h.transport.connected, false);
});

Deno.test("HTTPChannel given a body that trickles one byte a second when bodyTimeout passes then it answers 408: the timeout bounds the whole body, not its progress", () => {
  const h = harness(echo, { bodyTimeout: 5, headerTimeout: 2 });
  h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n");
  for (let i = 0; i < 4; i++) {
    h.clock.advance(1);
    h.send("x");
  }
  h.clock.advance(0.9);
  assert.equal(h.output(), "");
  h.clock.advance(0.2);
  assert.match(h.output(), /^HTTP\/1\.1 408 /);
  assert.equal(h.seen[0].body, "xxxx");
  assert.equal(h.seen[0].closed.length, 1);
  assert.equal(h.transport.connected, false);
  assert.equal(h.clock.getDelayedCalls().length, 0);
});

Deno.test("HTTPChannel given a head that trickles one byte a second when headerTimeout passes then it answers 408: the timeout bounds the whole head from its first byte", () => {
  const h = harness(echo, { headerTimeout: 5, idleConnectionTimeout: 100 });
  const head =
    "GET / HTTP/1.1\r\nHost: a\r\nX-Long: abcdefghijklmnopqrstuvwxyz";
  for (let i = 0; i < 5; i++) {
    h.send(head[i]);
    h.clock.advance(1);
  }
  assert.match(h.output(), /^HTTP\/1\.1 408 /);
  assert.equal(h.seen.length, 0);
  assert.equal(h.transport.connected, false);
});

Deno.test("HTTPChannel given a body that completes within bodyTimeout when answered then the connection stays alive with no body timer left", () => {
  const h = harness(echo, { bodyTimeout: 5, idleConnectionTimeout: 0 });
  h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\na");
  h.clock.advance(4);
  h.send("bc");
  h.clock.advance(10);
  assert.ok(h.output().endsWith("POST / abc"));
  assert.equal(h.transport.connected, true);
});

Deno.test("HTTPChannel given an idle keep-alive connection when idleConnectionTimeout passes then it closes without writing", () => {
  const h = harness(echo, { idleConnectionTimeout: 10 });
  h.send(GET);
  const written = h.output();
  h.clock.advance(9);
  assert.equal(h.transport.connected, true);
  h.clock.advance(1.1);
  assert.equal(h.output(), written);
  assert.equal(h.transport.connected, false);
  assert.equal(h.clock.getDelayedCalls().length, 0);
});

Deno.test("HTTPChannel given requests that keep arriving when the idle timeout would have passed then the connection stays open", () => {
  const h = harness(echo, { idleConnectionTimeout: 10, headerTimeout: 5 });
  for (let i = 0; i < 5; i++) {
    h.send(GET);
    h.clock.advance(4);
  }
  assert.equal(h.transport.connected, true);
  assert.equal(responses(h.output()).length, 5);
});

Deno.test("HTTPChannel given idle connections on one clock when each idleConnectionTimeout passes then one timer serves them and each closes at its own time", () => {
  const clock = new Clock();
  const options: HTTPServerOptions = { idleConnectionTimeout: 10 };
  const transports = [0, 1, 2].map(() => {
    const channel = new HTTPChannel(
      recordingDelegate([], echo),
      options,
      clock,
    );
    const transport = new StringTransportWithDisconnection({}, channel);
    channel.makeConnection(transport);
    channel.dataReceived(latin1Bytes(GET));
    clock.advance(1);
    return transport;
  });
  assert.equal(clock.getDelayedCalls().length, 1);
  clock.advance(7.5);
  assert.deepEqual(transports.map((t) => t.connected), [false, true, true]);
  clock.advance(1);
  assert.deepEqual(transports.map((t) => t.connected), [false, false, true]);
  clock.advance(1);
  assert.deepEqual(transports.map((t) => t.connected), [false, false, false]);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("HTTPChannel given a request answered for longer than idleConnectionTimeout when the idle deadline passes then the connection stays, and idles out only after the answer", () => {
  const h = harness(() => {}, { idleConnectionTimeout: 10 });
  h.clock.advance(5);
  h.send(GET);
  h.clock.advance(20);
  assert.equal(h.transport.connected, true);
  echo(h.seen[0]);
  h.clock.advance(9.9);
  assert.equal(h.transport.connected, true);
  h.clock.advance(0.2);
  assert.equal(h.transport.connected, false);
  assert.equal(h.clock.getDelayedCalls().length, 0);
});

Deno.test("HTTPChannel given a closed connection when it is lost then no timer is left", () => {
  const h = harness();
  h.send("GET / HTTP/1.1\r\n");
  h.channel.connectionLost(new Failure(new ConnectionDone()));
  assert.equal(h.clock.getDelayedCalls().length, 0);
});

// --- Addresses, upgrades, logging ---------------------------------------------------

Deno.test("HTTPChannel given xheaders when X-Real-Ip and X-Scheme are sent then getPeer and isSecure use them", () => {
  let peer = "";
  let secure = false;
  const h = harness((seen) => {
    peer = seen.channel.getPeer().host;
    secure = seen.channel.isSecure();
    echo(seen);
  }, { xheaders: true });
  h.send(
    "GET / HTTP/1.1\r\nHost: a\r\nX-Real-Ip: 10.1.2.3\r\nX-Scheme: https\r\n\r\n",
  );
  assert.equal(peer, "10.1.2.3");
  assert.equal(secure, true);
});

Deno.test("HTTPChannel given xheaders when X-Forwarded-For lists proxies then the last address is the peer", () => {
  let peer = "";
  const h = harness((seen) => {
    peer = seen.channel.getPeer().host;
    echo(seen);
  }, { xheaders: true });
  h.send(
    "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2\r\n\r\n",
  );
  assert.equal(peer, "2.2.2.2");
});

Deno.test("HTTPChannel given X-Real-Ip without xheaders when read then the transport's peer is used", () => {
  let peer = "";
  const h = harness((seen) => {
    peer = seen.channel.getPeer().host;
    echo(seen);
  });
  h.send(
    "GET / HTTP/1.1\r\nHost: a\r\nX-Real-Ip: 10.1.2.3\r\nX-Scheme: https\r\n\r\n",
  );
  assert.equal(peer, "192.168.1.1");
});

Deno.test("HTTPChannel given a 101 answer when detached to a protocol then the protocol gets the bytes after the request and later ones", () => {
  const received: string[] = [];
  const lost: Failure[] = [];
  const protocol: IProtocol = {
    makeConnection(): void {},
    connectionMade(): void {},
    dataReceived(data): void {
      received.push(latin1Text(data));
    },
    connectionLost(reason): void {
      lost.push(reason);
    },
  };
  const h = harness(null, {}, (seen) => {
    seen.channel.writeHead(
      101,
      "Switching Protocols",
      new Headers({ Upgrade: "x", Connection: "Upgrade" }),
    );
  });
  h.send(
    "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nearly",
  );
  const { buffered } = h.seen[0].channel.detach(protocol);
  assert.equal(latin1Text(buffered), "early");
  h.send("late");
  assert.deepEqual(received, ["early", "late"]);
  assert.match(h.output(), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.doesNotMatch(h.output(), /Connection: close/);
  h.clock.advance(7200);
  assert.equal(h.transport.connected, true);
  h.transport.loseConnection();
  assert.equal(lost.length, 1);
});

Deno.test("HTTPChannel given a detach inside headersReceived when the read holds more bytes then the protocol gets them and parsing stops", () => {
  const received: string[] = [];
  const protocol: IProtocol = {
    makeConnection(): void {},
    connectionMade(): void {},
    dataReceived(data): void {
      received.push(latin1Text(data));
    },
    connectionLost(): void {},
  };
  const h = detachingHarness(protocol);
  h.send(
    "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nGET / HTTP/1.1\r\n",
  );
  assert.deepEqual(received, ["GET / HTTP/1.1\r\n"]);
  assert.equal(h.seen.length, 1);
});

Deno.test("HTTPChannel given a finished request when logged then the access log entry holds method, target, status and duration", () => {
  const waiting: Seen[] = [];
  const h = harness((seen) => waiting.push(seen));
  h.send("GET /x?y HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n");
  h.clock.advance(0.25);
  echo(waiting[0]);
  assert.equal(h.logged.length, 1);
  const entry = h.logged[0];
  assert.equal(entry.method, "GET");
  assert.equal(entry.target, "/x?y");
  assert.equal(entry.status, 200);
  assert.equal(entry.durationMs, 250);
  assert.equal(entry.peer, "192.168.1.1");
  assert.equal(entry.userAgent, "t");
});

Deno.test("HTTPChannel given a delegate whose logsAccess answers false when requests finish then logAccess is never called", () => {
  const seen: Seen[] = [];
  const logged: AccessLogEntry[] = [];
  let asked = 0;
  const delegate = recordingDelegate(seen, echo, { logged });
  delegate.logsAccess = (): boolean => {
    asked++;
    return false;
  };
  const channel = new HTTPChannel(delegate, {}, new Clock());
  channel.makeConnection(new StringTransportWithDisconnection({}, channel));
  channel.dataReceived(
    latin1Bytes(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
    ),
  );
  assert.equal(seen.length, 2);
  assert.equal(asked, 2);
  assert.deepEqual(logged, []);
});

Deno.test("HTTPChannel given a delegate whose logsAccess answers true when a request finishes then logAccess gets its entry", () => {
  const seen: Seen[] = [];
  const logged: AccessLogEntry[] = [];
  const delegate = recordingDelegate(seen, echo, { logged });
  delegate.logsAccess = (): boolean => true;
  const channel = new HTTPChannel(delegate, {}, new Clock());
  channel.makeConnection(new StringTransportWithDisconnection({}, channel));
  channel.dataReceived(latin1Bytes("GET /a HTTP/1.0\r\n\r\n"));
  assert.equal(logged.length, 1);
  assert.equal(logged[0].target, "/a");
  assert.equal(logged[0].version, "HTTP/1.0");
});

Deno.test("HTTPChannel given a delegate without logAccess when a request finishes then one line is logged under torsion access", async () => {
  const records = await captureLogs(() => {
    const channel = new HTTPChannel(
      {
        startRequest(request): HTTPRequestDelegate {
          return {
            headersReceived(): void {},
            dataReceived(): void {},
            finish(): void {
              request.writeHead(404, "Not Found", new Headers(), "none");
              request.finish();
            },
            onConnectionClose(): void {},
          };
        },
      },
      {},
      new Clock(),
    );
    channel.makeConnection(new StringTransportWithDisconnection({}, channel));
    channel.dataReceived(
      latin1Bytes("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n"),
    );
  });
  const access = records.filter((r) =>
    r.category.join(".") === "torsion.access"
  );
  assert.equal(access.length, 1);
  assert.equal(access[0].level, "info");
  assert.equal(access[0].properties.status, 404);
  assert.equal(access[0].properties.method, "GET");
  assert.equal(access[0].properties.target, "/missing");
  assert.equal(access[0].properties.peer, "192.168.1.1");
  assert.equal(typeof access[0].properties.durationMs, "number");
});

Deno.test("HTTPChannel given a malformed request when answered then the default access log is not asked for a request it never saw", () => {
  const h = harness();
  h.send("BAD\r\n\r\n");
  assert.match(h.output(), /^HTTP\/1\.1 400 /);
  assert.equal(h.logged.length, 0);
});

Deno.test("HTTPChannel given decompressRequest when a gzip body arrives then the delegate gets it decoded and the encoding header is moved", async () => {
  const body = new Uint8Array(
    await new Response(
      new Blob(["hello gzip"]).stream().pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  const h = harness(echo, { decompressRequest: true });
  h.send(
    `POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n${
      latin1Text(body)
    }`,
  );
  for (let i = 0; i < 50 && !h.seen[0].finished; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.equal(h.seen[0].body, "hello gzip");
  assert.equal(h.seen[0].head.headers.get("content-encoding"), undefined);
  assert.equal(
    h.seen[0].head.headers.get("x-consumed-content-encoding"),
    "gzip",
  );
  h.channel.connectionLost(new Failure(new ConnectionDone()));
});

Deno.test("HTTPChannel given decompressRequest when the decoded body exceeds maxBodySize then it answers 413", async () => {
  const body = new Uint8Array(
    await new Response(
      new Blob([new Uint8Array(100000)]).stream().pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  const h = harness(echo, { decompressRequest: true, maxBodySize: 1000 });
  h.send(
    `POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n${
      latin1Text(body)
    }`,
  );
  for (let i = 0; i < 50 && h.output() === ""; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.match(h.output(), /^HTTP\/1\.1 413 /);
  assert.equal(h.seen[0].finished, false);
});

// --- HTTPFactory ----------------------------------------------------------------------

interface FactoryHarness {
  clock: Clock;
  seen: Seen[];
  factory: HTTPFactory;
  connect(): StringTransportWithDisconnection;
}

function factoryHarness(respond: Respond | null): FactoryHarness {
  const clock = new Clock();
  const seen: Seen[] = [];
  const factory = new HTTPFactory(
    recordingDelegate(seen, respond),
    {},
    clock,
  );
  function connect(): StringTransportWithDisconnection {
    const channel = factory.buildProtocol({
      type: "TCP",
      host: "127.0.0.1",
      port: 1,
    });
    const transport = new StringTransportWithDisconnection({}, channel);
    channel.makeConnection(transport);
    return transport;
  }
  return { clock, seen, factory, connect };
}

Deno.test("HTTPFactory given open connections when tracked then connections counts them until each is lost", () => {
  const { factory, connect } = factoryHarness(echo);
  const a = connect();
  connect();
  assert.equal(factory.connections.size, 2);
  a.loseConnection();
  assert.equal(factory.connections.size, 1);
});

Deno.test("HTTPFactory given an idle and a busy connection when drained then the idle one closes at once and the busy one after its response", async () => {
  const { factory, connect, seen } = factoryHarness(null);
  const idle = connect();
  const busy = connect();
  busy.protocol!.dataReceived(latin1Bytes(GET));
  const drained = factory.drain(10);
  assert.equal(idle.connected, false);
  assert.equal(busy.connected, true);
  echo(seen[0]);
  assert.match(latin1Text(busy.value()), /\r\nConnection: close\r\n/);
  assert.equal(busy.connected, false);
  await drained;
  assert.equal(factory.connections.size, 0);
});

Deno.test("HTTPFactory given a request that never finishes when drained then it is aborted after the timeout", async () => {
  const { factory, connect, clock } = factoryHarness(null);
  const busy = connect();
  busy.protocol!.dataReceived(latin1Bytes(GET));
  const drained = factory.drain(5);
  clock.advance(4);
  assert.equal(busy.connected, true);
  clock.advance(1.1);
  await drained;
  assert.equal(busy.connected, false);
});

Deno.test("HTTPFactory given open connections when closeAllConnections is called then every one is aborted", async () => {
  const { factory, connect } = factoryHarness(null);
  const a = connect();
  const b = connect();
  b.protocol!.dataReceived(latin1Bytes(GET));
  await factory.closeAllConnections();
  assert.equal(a.connected, false);
  assert.equal(b.connected, false);
});

Deno.test("HTTPFactory given an invalid option when constructed then it throws RangeError", () => {
  assert.throws(
    () =>
      new HTTPFactory({ startRequest: () => ({}) as never }, {
        maxBodySize: 0,
      }),
    RangeError,
  );
});

// --- Hostile input ------------------------------------------------------------------

/** A deterministic pseudo-random generator (LCG), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SEEDS = [
  `POST /a?b=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello`,
  `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n`,
  `GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n${GET}`,
  `POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok`,
];

Deno.test("HTTPChannel given 3,000 mutated requests fed in random pieces when parsed then none throws, each gets a valid status or none, and no timer is left after the close", () => {
  const next = random(20261203);
  const byte = (): number => Math.floor(next() * 256);
  for (let round = 0; round < 3000; round++) {
    const seed = latin1Bytes(SEEDS[round % SEEDS.length]);
    const data = Array.from(seed);
    const mutations = 1 + Math.floor(next() * 4);
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(next() * data.length);
      const kind = Math.floor(next() * 4);
      if (kind === 0) data[at] = byte();
      else if (kind === 1) data.splice(at, 0, byte());
      else if (kind === 2) data.splice(at, 1);
      else data.splice(at, 0, ...data.slice(at, at + 8));
    }
    const h = harness(echo, { maxHeaderSize: 256, maxBodySize: 64 });
    const bytes = new Uint8Array(data);
    for (let pos = 0; pos < bytes.length;) {
      const size = 1 + Math.floor(next() * 16);
      h.channel.dataReceived(bytes.subarray(pos, pos + size));
      pos += size;
    }
    for (const response of responses(h.output())) {
      const status = Number(response.slice(9, 12));
      assert.ok(
        [100, 200, 400, 408, 413, 414, 417, 431, 501, 505].includes(status),
        `round ${round}: status ${status}`,
      );
    }
    h.clock.advance(7200);
    if (h.transport.connected) h.transport.loseConnection();
    assert.equal(h.clock.getDelayedCalls().length, 0, `round ${round}`);
  }
});

Deno.test("HTTPChannel given two channels with one options object when the first finishes a chunked request then the second's chunked request reaches only the second", () => {
  const options: HTTPServerOptions = {};
  const first = harness(echo, options);
  const second = harness(echo, options);
  const chunked = "POST /%s HTTP/1.1\r\nHost: a\r\n" +
    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  first.send(chunked.replace("%s", "one"));
  // The first channel's parser is now spare: the second may reuse it.
  second.send(chunked.replace("%s", "two"));
  assert.deepEqual(first.seen.map((s) => [s.head.target, s.body]), [
    ["/one", "abc"],
  ]);
  assert.deepEqual(second.seen.map((s) => [s.head.target, s.body]), [
    ["/two", "abc"],
  ]);
  assert.ok(second.output().endsWith("POST /two abc"));
});

Deno.test("HTTPChannel given a malformed request on one channel when another channel with the same options is served then its request parses cleanly", () => {
  const options: HTTPServerOptions = {};
  const bad = harness(echo, options);
  bad.send("GET / HTTP/1.1\r\nHost a\r\n\r\n");
  assert.match(bad.output(), /^HTTP\/1\.1 400 /);
  const good = harness(echo, options);
  good.send("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.match(good.output(), /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(good.output().endsWith("GET /fine "));
});

Deno.test("HTTPChannel given many channels finishing requests when all are idle then each still parses its next request", () => {
  const options: HTTPServerOptions = {};
  const channels = Array.from({ length: 100 }, () => harness(echo, options));
  for (const [i, h] of channels.entries()) {
    h.send(`GET /a${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
  }
  for (const [i, h] of channels.entries()) {
    h.send(`GET /b${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
  }
  for (const [i, h] of channels.entries()) {
    assert.deepEqual(h.seen.map((s) => s.head.target), [`/a${i}`, `/b${i}`]);
    assert.equal(h.channel.idle, true);
  }
});

Deno.test("HTTPChannel given a request when the clock advances then its channel's elapsed counts the seconds since its head arrived", () => {
  const h = harness(null);
  h.clock.advance(5);
  h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const channel = h.seen[0].channel;
  assert.equal(channel.elapsed?.(), 0);
  h.clock.advance(1.5);
  assert.equal(channel.elapsed?.(), 1.5);
});
