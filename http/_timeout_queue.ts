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
  /**
   * Each member's place. A member keeps its place object while it comes
   * and goes, so that joining again, as a keep-alive connection does after
   * every request, changes links and a number and allocates nothing: a
   * map entry deleted and set again per request made V8 rebuild the map's
   * table, in the old generation once the map lived there, about 20 MiB
   * more peak RSS under load.
   */
  readonly #places = new Map<T, Place<T>>();
  /** The first member due (the earliest to join), or `null`. */
  #first: Place<T> | null = null;
  /** The last member due, or `null`. */
  #last: Place<T> | null = null;
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
    let place = this.#places.get(member);
    if (place === undefined) {
      place = new Place(member);
      this.#places.set(member, place);
    } else {
      this.#unlink(place);
    }
    place.at = at;
    const last = this.#last;
    place.previous = last;
    if (last === null) this.#first = place;
    else last.next = place;
    this.#last = place;
    // Due at its deadline or after: `at` is `seconds` after a time now or past.
    if (this.#timer === null) this.#arm(at, this.seconds);
  }

  /**
   * Takes `member` out, if it is in.
   *
   * @param member The member.
   */
  delete(member: T): void {
    const place = this.#places.get(member);
    if (place === undefined) return;
    this.#places.delete(member);
    this.#unlink(place);
  }

  /** Cancels the timer if no member is left: a member has left for good. */
  stopIfEmpty(): void {
    const timer = this.#timer;
    if (timer === null || this.#first !== null) return;
    this.#timer = null;
    this.#timerAt = Infinity;
    timer.cancel();
  }

  #unlink(place: Place<T>): void {
    const { previous, next } = place;
    if (previous === null) this.#first = next;
    else previous.next = next;
    if (next === null) this.#last = previous;
    else next.previous = previous;
    place.previous = null;
    place.next = null;
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
    const now = this.reactor.seconds();
    try {
      let place = this.#first;
      while (place !== null && place.at <= now) {
        const member = place.member;
        this.delete(member);
        this.#expire(member);
        place = this.#first;
      }
    } finally {
      // After a throw as well: the members behind it are still due.
      const next = this.#first;
      if (next !== null) this.#arm(next.at, Math.max(0, next.at - now));
    }
  }
}

/** A member's place in a `TimeoutQueue`: its deadline and neighbours. */
class Place<T> {
  readonly member: T;
  at = 0;
  previous: Place<T> | null = null;
  next: Place<T> | null = null;

  constructor(member: T) {
    this.member = member;
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
