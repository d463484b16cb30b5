import assert from "node:assert/strict";
import { TimeoutQueue, TimeoutQueues } from "../../http/_timeout_queue.ts";
import { Clock } from "../../testing/clock.ts";

/** A queue of named members on `clock` that records who expired. */
function recording(
  clock: Clock,
  seconds: number,
): { queue: TimeoutQueue<string>; expired: string[] } {
  const expired: string[] = [];
  const queue = new TimeoutQueue<string>(clock, seconds, (member) => {
    expired.push(member);
  });
  return { queue, expired };
}

Deno.test("TimeoutQueue given members added over time when their deadlines pass then each expires in turn under one timer", () => {
  const clock = new Clock();
  const { queue, expired } = recording(clock, 10);
  queue.add("a", clock.seconds() + 10);
  clock.advance(3);
  queue.add("b", clock.seconds() + 10);
  assert.equal(clock.getDelayedCalls().length, 1);
  clock.advance(7);
  assert.deepEqual(expired, ["a"]);
  clock.advance(2);
  assert.deepEqual(expired, ["a"]);
  clock.advance(1);
  assert.deepEqual(expired, ["a", "b"]);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("TimeoutQueue given a member added again when its first deadline passes then it expires only at its new one", () => {
  const clock = new Clock();
  const { queue, expired } = recording(clock, 10);
  queue.add("a", clock.seconds() + 10);
  clock.advance(5);
  queue.add("a", clock.seconds() + 10);
  clock.advance(5);
  assert.deepEqual(expired, []);
  clock.advance(5);
  assert.deepEqual(expired, ["a"]);
});

Deno.test("TimeoutQueue given its last member taken out when the timer fires then nothing expires and the timer stops", () => {
  const clock = new Clock();
  const { queue, expired } = recording(clock, 10);
  queue.add("a", clock.seconds() + 10);
  queue.delete("a");
  queue.delete("a");
  assert.equal(clock.getDelayedCalls().length, 1);
  clock.advance(10);
  assert.deepEqual(expired, []);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("TimeoutQueue given a member that leaves and comes back when it does then the timer set for it stays and serves it", () => {
  const clock = new Clock();
  const { queue, expired } = recording(clock, 10);
  queue.add("a", clock.seconds() + 10);
  const [timer] = clock.getDelayedCalls();
  clock.advance(4);
  queue.delete("a");
  queue.add("a", clock.seconds() + 10);
  assert.deepEqual(clock.getDelayedCalls(), [timer]);
  clock.advance(10);
  assert.deepEqual(expired, ["a"]);
});

Deno.test("TimeoutQueue given stopIfEmpty when members are left then the timer stays, and when none is then it is cancelled", () => {
  const clock = new Clock();
  const { queue, expired } = recording(clock, 10);
  queue.add("a", clock.seconds() + 10);
  queue.add("b", clock.seconds() + 10);
  queue.delete("a");
  queue.stopIfEmpty();
  assert.equal(clock.getDelayedCalls().length, 1);
  queue.delete("b");
  queue.stopIfEmpty();
  assert.equal(clock.getDelayedCalls().length, 0);
  clock.advance(20);
  assert.deepEqual(expired, []);
});

Deno.test("TimeoutQueue given an expire call that throws when members are due then the throw reaches the clock and the others still expire", () => {
  const clock = new Clock();
  const expired: string[] = [];
  const queue = new TimeoutQueue<string>(clock, 10, (member) => {
    expired.push(member);
    if (member === "a") throw new Error("boom");
  });
  queue.add("a", clock.seconds() + 10);
  queue.add("b", clock.seconds() + 10);
  assert.throws(() => clock.advance(10), /boom/);
  clock.advance(0);
  assert.deepEqual(expired, ["a", "b"]);
  assert.equal(clock.getDelayedCalls().length, 0);
});

Deno.test("TimeoutQueue given a member that rejoins from its expire call when due then it waits its seconds again", () => {
  const clock = new Clock();
  const expired: string[] = [];
  const queue: TimeoutQueue<string> = new TimeoutQueue(clock, 10, (member) => {
    expired.push(member);
    if (expired.length === 1) queue.add(member, clock.seconds() + 10);
  });
  queue.add("a", clock.seconds() + 10);
  clock.advance(5);
  queue.add("b", clock.seconds() + 10);
  clock.advance(5);
  assert.deepEqual(expired, ["a"]);
  clock.advance(5);
  assert.deepEqual(expired, ["a", "b"]);
  clock.advance(5);
  assert.deepEqual(expired, ["a", "b", "a"]);
});

Deno.test("TimeoutQueues given the same clock and seconds when asked twice then it returns one queue, and another for other seconds or another clock", () => {
  const clock = new Clock();
  const queues = new TimeoutQueues<string>(() => {});
  const queue = queues.get(clock, 10);
  assert.equal(queues.get(clock, 10), queue);
  assert.notEqual(queues.get(clock, 20), queue);
  assert.notEqual(queues.get(new Clock(), 10), queue);
});

Deno.test("TimeoutQueues given stopIfEmpty for a clock when called then the empty queues of that clock stop and the others keep their timers", () => {
  const clock = new Clock();
  const other = new Clock();
  const queues = new TimeoutQueues<string>(() => {});
  queues.get(clock, 10).add("a", clock.seconds() + 10);
  queues.get(clock, 20).add("b", clock.seconds() + 20);
  queues.get(other, 10).add("c", other.seconds() + 10);
  queues.get(other, 10).delete("c");
  queues.get(clock, 10).delete("a");
  queues.stopIfEmpty(clock);
  assert.deepEqual(clock.getDelayedCalls().map((call) => call.getTime()), [20]);
  assert.equal(other.getDelayedCalls().length, 1);
});
