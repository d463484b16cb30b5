/**
 * The timeouts of the connections that wait the same number of seconds on
 * the same clock, under one timer between them.
 *
 * @module
 */
import type { IDelayedCall, IReactorTime } from "../deferred/interfaces.ts";

/**
 * The members waiting out the same number of seconds on one clock, due in
 * the order they joined (the clock never goes back), under one timer set
 * for the first: a timer each (a delayed call, its arguments and its place
 * in the clock's heap) cost every idle keep-alive connection about 200
 * bytes. A member that leaves leaves the timer as it is: one that comes
 * back soon, as a keep-alive connection does after each request, then
 * finds it set rather than set it again; it fires early at worst, and
 * stops when it finds the queue empty, or when `stopIfEmpty` is called.
 */
export class TimeoutQueue<T> {
  /** Whose clock the deadlines are read on. */
  readonly reactor: IReactorTime;
  /** How long each member waits. */
  readonly seconds: number;
  readonly #expire: (member: T) => void;
  /** Each member's deadline, in joining order, which is deadline order. */
  readonly #due = new Map<T, number>();
  #timer: IDelayedCall | null = null;
  #timerAt = Infinity;

  /**
   * Makes an empty queue.
   *
   * @param reactor Whose clock the deadlines are read on.
   * @param seconds How long each member waits.
   * @param expire Called with each member whose deadline has passed, once
   * it is out of the queue.
   */
  constructor(
    reactor: IReactorTime,
    seconds: number,
    expire: (member: T) => void,
  ) {
    this.reactor = reactor;
    this.seconds = seconds;
    this.#expire = expire;
  }

  /**
   * Puts `member` at the end, due at `at`, taking it out of its place if
   * it was in already.
   *
   * @param member The member.
   * @param at Its deadline: `seconds` after a time no earlier than any
   * other member's.
   */
  add(member: T, at: number): void {
    const due = this.#due;
    due.delete(member);
    due.set(member, at);
    // Due at its deadline or after: `at` is `seconds` after a time now or past.
    if (this.#timer === null) this.#arm(at, this.seconds);
  }

  /**
   * Takes `member` out, if it is in.
   *
   * @param member The member.
   */
  delete(member: T): void {
    this.#due.delete(member);
  }

  /** Cancels the timer if no member is left: a member has left for good. */
  stopIfEmpty(): void {
    const timer = this.#timer;
    if (timer === null || this.#due.size > 0) return;
    this.#timer = null;
    this.#timerAt = Infinity;
    timer.cancel();
  }

  #arm(at: number, delay: number): void {
    if (this.#timer !== null) {
      if (this.#timerAt <= at) return;
      this.#timer.cancel();
    }
    this.#timerAt = at;
    this.#timer = this.reactor.callLater(delay, TimeoutQueue.#fire, this);
  }

  /** Runs a queue's timer: one function for every queue, given the queue. */
  static #fire<T>(queue: TimeoutQueue<T>): void {
    queue.#run();
  }

  /**
   * Expires the members due, then sets the timer for the next one. A
   * member that left and came back since the timer was set is further
   * down: the timer then fires early, and is set again.
   */
  #run(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const due = this.#due;
    const now = this.reactor.seconds();
    try {
      for (const [member, at] of due) {
        if (at > now) break;
        due.delete(member);
        this.#expire(member);
      }
    } finally {
      // After a throw as well: the members behind it are still due.
      const next = due.values().next();
      if (next.done !== true) {
        this.#arm(next.value, Math.max(0, next.value - now));
      }
    }
  }
}

/**
 * The queues of one kind of member, one per clock and number of seconds,
 * made when first asked for.
 */
export class TimeoutQueues<T> {
  readonly #expire: (member: T) => void;
  readonly #byReactor = new WeakMap<
    IReactorTime,
    Map<number, TimeoutQueue<T>>
  >();
  /**
   * The queue last asked for: a server asks for its idle queue after
   * every request, and for no other most of the time.
   */
  #last: TimeoutQueue<T> | null = null;

  /**
   * Makes an empty set of queues.
   *
   * @param expire Called with each member whose deadline has passed.
   */
  constructor(expire: (member: T) => void) {
    this.#expire = expire;
  }

  /**
   * The queue of the members that wait `seconds` on `reactor`.
   *
   * @param reactor The clock.
   * @param seconds How long its members wait.
   * @returns The queue.
   */
  get(reactor: IReactorTime, seconds: number): TimeoutQueue<T> {
    const last = this.#last;
    if (last !== null && last.reactor === reactor && last.seconds === seconds) {
      return last;
    }
    let queues = this.#byReactor.get(reactor);
    if (queues === undefined) {
      queues = new Map();
      this.#byReactor.set(reactor, queues);
    }
    let queue = queues.get(seconds);
    if (queue === undefined) {
      queue = new TimeoutQueue(reactor, seconds, this.#expire);
      queues.set(seconds, queue);
    }
    this.#last = queue;
    return queue;
  }

  /**
   * Cancels the timers of the empty queues of `reactor`: a member has left
   * for good, and the last one to leave leaves no timer behind.
   *
   * @param reactor The clock.
   */
  stopIfEmpty(reactor: IReactorTime): void {
    for (const queue of this.#byReactor.get(reactor)?.values() ?? []) {
      queue.stopIfEmpty();
    }
  }
}
