import assert from "node:assert/strict";
import { Failure } from "../../deferred/failure.ts";
import {
  ConnectionLost,
  ConnectionRefusedError,
  NotConnectingError,
} from "../../reactor/errors.ts";
import type {
  IAddress,
  IConnector,
  IProtocol,
} from "../../reactor/interfaces.ts";
import { Factory, Protocol } from "../../reactor/protocol.ts";
import { disconnectAll } from "../../reactor/_tcp.ts";
import { Reactor, reactor } from "../../reactor/reactor.ts";
import { ReconnectingClientFactory } from "../../reactor/reconnecting_client_factory.ts";
import { Clock } from "../../testing/clock.ts";
import { closedPort, until } from "../_support/mod.ts";

/** A connector that counts attempts and can be told it is connected. */
class FakeConnector implements IConnector {
  connects = 0;
  stops = 0;
  state: "disconnected" | "connecting" | "connected" = "connecting";
  stopConnecting(): void {
    if (this.state !== "connecting") throw new NotConnectingError();
    this.stops++;
    this.state = "disconnected";
  }
  disconnect(): void {
    this.state = "disconnected";
  }
  connect(): void {
    this.connects++;
    this.state = "connecting";
  }
  getDestination(): IAddress {
    return { type: "TCP", host: "127.0.0.1", port: 9 };
  }
}

const refused = (): Failure => new Failure(new ConnectionRefusedError());

function exactFactory(clock: Clock): ReconnectingClientFactory {
  const factory = new ReconnectingClientFactory();
  factory.clock = clock;
  factory.jitter = 0;
  return factory;
}

/** A factory without jitter on a Clock, and a connector for it to retry. */
class Retrying {
  readonly clock = new Clock();
  readonly factory = exactFactory(this.clock);
  readonly connector = new FakeConnector();

  /**
   * Fails `times` attempts in a row, letting each retry's delay pass.
   *
   * @returns The delay of each retry.
   */
  fail(times = 1): number[] {
    const delays: number[] = [];
    for (let i = 0; i < times; i++) {
      this.factory.clientConnectionFailed(this.connector, refused());
      delays.push(this.factory.delay);
      this.clock.advance(this.factory.delay);
    }
    return delays;
  }
}

Deno.test("ReconnectingClientFactory given no settings when created then has Twisted's defaults", () => {
  const factory = new ReconnectingClientFactory();
  assert.equal(factory.initialDelay, 1);
  assert.equal(factory.factor, Math.E);
  assert.equal(factory.jitter, 0.11962656472);
  assert.equal(factory.maxDelay, 3600);
  assert.equal(factory.maxRetries, null);
  assert.equal(factory.delay, 1);
  assert.equal(factory.retries, 0);
  assert.equal(factory.continueTrying, true);
  assert.equal(factory.clock, null);
});

Deno.test("ReconnectingClientFactory given a failed attempt when delay (1 s) times factor passes then reconnects", () => {
  const clock = new Clock();
  const factory = exactFactory(clock);
  const connector = new FakeConnector();
  factory.clientConnectionFailed(connector, refused());
  clock.advance(Math.E - 0.001);
  assert.equal(connector.connects, 0);
  clock.advance(0.001);
  assert.equal(connector.connects, 1);
});

Deno.test("ReconnectingClientFactory given initialDelay set on a new factory when the first attempt fails then the retry still waits 1 s times factor, as Twisted's", () => {
  const clock = new Clock();
  const factory = exactFactory(clock);
  factory.initialDelay = 5;
  const connector = new FakeConnector();
  factory.clientConnectionFailed(connector, refused());
  assert.equal(clock.getDelayedCalls()[0].getTime(), Math.E);
});

Deno.test("ReconnectingClientFactory given initialDelay when resetDelay() was called then the next retry waits initialDelay times factor", () => {
  const clock = new Clock();
  const factory = exactFactory(clock);
  factory.initialDelay = 5;
  factory.resetDelay();
  factory.clientConnectionFailed(new FakeConnector(), refused());
  assert.equal(clock.getDelayedCalls()[0].getTime(), 5 * Math.E);
});

Deno.test("ReconnectingClientFactory given a lost connection when the delay passes then reconnects", () => {
  const clock = new Clock();
  const factory = exactFactory(clock);
  const connector = new FakeConnector();
  factory.clientConnectionLost(connector, new Failure(new ConnectionLost()));
  clock.advance(Math.E);
  assert.equal(connector.connects, 1);
  assert.equal(factory.connector, connector);
});

Deno.test("ReconnectingClientFactory given repeated failures when retrying then multiplies the delay by factor each time", () => {
  const retrying = new Retrying();
  const { factory, connector } = retrying;
  const delays = retrying.fail(3);
  assert.deepEqual(delays, [Math.E, Math.E ** 2, Math.E ** 3]);
  assert.equal(factory.retries, 3);
  assert.equal(connector.connects, 3);
});

Deno.test("ReconnectingClientFactory given many failures when the delay would pass maxDelay then caps it", () => {
  const retrying = new Retrying();
  retrying.factory.maxDelay = 5;
  retrying.fail(4);
  assert.equal(retrying.factory.delay, 5);
});

Deno.test("ReconnectingClientFactory given the default jitter when retrying then varies the delay around the exact value", () => {
  const clock = new Clock();
  const factory = new ReconnectingClientFactory();
  factory.clock = clock;
  const delays = new Set<number>();
  for (let i = 0; i < 20; i++) {
    factory.resetDelay();
    factory.retry(new FakeConnector());
    delays.add(factory.delay);
    assert.ok(
      factory.delay > 0 && factory.delay < 2 * Math.E,
      `${factory.delay}`,
    );
  }
  assert.ok(delays.size > 1);
  for (const call of clock.getDelayedCalls()) call.cancel();
});

Deno.test("ReconnectingClientFactory given maxRetries when that many attempts failed then stops retrying", () => {
  const retrying = new Retrying();
  const { clock, factory, connector } = retrying;
  factory.maxRetries = 2;
  retrying.fail(3);
  assert.equal(connector.connects, 2);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("ReconnectingClientFactory.stopTrying() given a scheduled retry when called then cancels it", () => {
  const clock = new Clock();
  const factory = exactFactory(clock);
  const connector = new FakeConnector();
  factory.clientConnectionFailed(connector, refused());
  connector.state = "disconnected";
  factory.stopTrying();
  clock.advance(10);
  assert.equal(connector.connects, 0);
  assert.equal(factory.continueTrying, false);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("ReconnectingClientFactory.stopTrying() given an attempt in progress when called then stops it", () => {
  const retrying = new Retrying();
  const { factory, connector } = retrying;
  retrying.fail();
  factory.stopTrying();
  assert.equal(connector.stops, 1);
});

Deno.test("ReconnectingClientFactory.stopTrying() given an established connection when called then leaves it up", () => {
  const retrying = new Retrying();
  const { factory, connector } = retrying;
  retrying.fail();
  connector.state = "connected";
  factory.stopTrying();
  assert.equal(connector.state, "connected");
});

Deno.test("ReconnectingClientFactory given stopTrying() when a connection is lost then schedules nothing", () => {
  const clock = new Clock();
  const factory = exactFactory(clock);
  factory.stopTrying();
  factory.clientConnectionLost(
    new FakeConnector(),
    new Failure(new ConnectionLost()),
  );
  assert.equal(clock.getDelayedCalls().length, 0);
  assert.equal(factory.retries, 0);
});

Deno.test("ReconnectingClientFactory.resetDelay() given failures and stopTrying() when called then restores the delay, retries and trying", () => {
  const retrying = new Retrying();
  const { factory } = retrying;
  retrying.fail();
  factory.stopTrying();
  factory.resetDelay();
  assert.equal(factory.delay, 1);
  assert.equal(factory.retries, 0);
  assert.equal(factory.continueTrying, true);
});

Deno.test("ReconnectingClientFactory.retry() given no connector ever when called then throws TypeError", () => {
  const factory = exactFactory(new Clock());
  assert.throws(() => factory.retry(), TypeError);
});

Deno.test("ReconnectingClientFactory.retry() given no argument when called then reuses the connector of the last failure", () => {
  const retrying = new Retrying();
  const { clock, factory, connector } = retrying;
  retrying.fail();
  factory.retry();
  clock.advance(factory.delay);
  assert.equal(connector.connects, 2);
});

Deno.test("ReconnectingClientFactory given no clock when retrying then schedules on the global reactor", () => {
  const factory = new ReconnectingClientFactory();
  factory.retry(new FakeConnector());
  assert.equal(factory.clock, reactor);
  assert.equal(reactor.getDelayedCalls().length, 1);
  factory.stopTrying();
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("ReconnectingClientFactory given a server that starts late when refused then reconnects once it listens", async () => {
  const port = closedPort();
  const real = new Reactor();
  const built: string[] = [];
  const refusals: Failure[] = [];
  class Persistent extends ReconnectingClientFactory {
    override protocol = Protocol;
    override clientConnectionFailed(
      connector: IConnector,
      reason: Failure,
    ): void {
      refusals.push(reason);
      if (refusals.length === 1) {
        real.listenTCP(port, Factory.forProtocol(Protocol), {
          interface: "127.0.0.1",
        });
      }
      super.clientConnectionFailed(connector, reason);
    }
    override buildProtocol(addr: IAddress): IProtocol | null {
      built.push(`${addr.host}:${addr.port}`);
      this.resetDelay();
      return super.buildProtocol(addr);
    }
  }
  const factory = new Persistent();
  factory.clock = real;
  factory.initialDelay = factory.delay = 0.01;
  factory.factor = 1;
  factory.jitter = 0;
  factory.maxRetries = 100;
  try {
    real.connectTCP("127.0.0.1", port, factory);
    await until(() => built.length > 0, "the reconnection");
    assert.ok(refusals[0].value instanceof ConnectionRefusedError);
    assert.deepEqual(built, [`127.0.0.1:${port}`]);
    assert.equal(factory.retries, 0);
  } finally {
    factory.stopTrying();
    await disconnectAll(real);
  }
});
