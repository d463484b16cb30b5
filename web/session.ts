/**
 * `Session`: state kept for one client between requests, found by a cookie,
 * as `twisted.web.server.Session`.
 *
 * @module
 */
import type { IDelayedCall, IReactorTime } from "../reactor/interfaces.ts";

/**
 * Where sessions live: the site that makes them, keeps them by id, and
 * forgets them when they expire. `Site` provides it.
 */
export interface SessionStore {
  /** The live sessions by id. Mirrors `Site.sessions`. */
  readonly sessions: Map<string, Session>;
}

/**
 * The state of one client across requests, kept by the site under a
 * random id the client holds in a cookie (`TWISTED_SESSION`). It expires
 * `sessionTimeout` seconds after it was last used. Mirrors Twisted's
 * `twisted.web.server.Session`; its components (Twisted's `Componentized`
 * storage) are kept by any key, a class or a symbol standing in for the
 * interface.
 *
 * Get one with `request.getSession()`; it is made on the first call and
 * found again from the cookie on the next requests.
 *
 * @example Counting a client's visits
 * ```ts
 * import assert from "node:assert/strict";
 * import { Request, Resource, Site } from "@torsion/torsion/web";
 * import { DummyChannel, MemoryReactor } from "@torsion/torsion/testing";
 * const VISITS = Symbol("visits");
 * class Counter extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: Request): string {
 *     const session = request.getSession();
 *     const visits = ((session.getComponent(VISITS) as number | undefined) ?? 0) + 1;
 *     session.setComponent(VISITS, visits);
 *     return `visit ${visits}`;
 *   }
 * }
 * const reactor = new MemoryReactor();
 * const site = new Site(new Counter(), { reactor });
 * const first = new DummyChannel();
 * first.serve(site);
 * const cookie = first.responseHeaders!.get("set-cookie")!.split(";")[0];
 * const second = new DummyChannel({ headers: { Cookie: cookie } });
 * second.serve(site);
 * assert.equal(second.text(), "visit 2");
 * reactor.advance(900);
 * assert.equal(site.sessions.size, 0);
 * ```
 */
export class Session {
  /**
   * Seconds after its last use at which the session expires. Mirrors
   * `Session.sessionTimeout`; set it before the session is touched.
   * @default 900
   */
  sessionTimeout = 900;
  /** The session's id, the value of its cookie. */
  readonly uid: string;
  /** The site that keeps it. */
  readonly site: SessionStore;
  /** When the session was last used, in the reactor's seconds. */
  lastModified: number;

  readonly #reactor: IReactorTime;
  readonly #components = new Map<unknown, unknown>();
  #onExpire: (() => void)[] = [];
  #expireCall: IDelayedCall | null = null;
  #expired = false;

  /**
   * Makes a session; `startCheckingExpiration` (which `Site.makeSession`
   * calls) starts its expiry clock. Mirrors `Session(site, uid, reactor)`.
   *
   * @param site The site that keeps it.
   * @param uid Its id.
   * @param reactor The clock of its expiry.
   */
  constructor(site: SessionStore, uid: string, reactor: IReactorTime) {
    this.site = site;
    this.uid = uid;
    this.#reactor = reactor;
    this.lastModified = reactor.seconds();
  }

  /**
   * Starts the expiry clock: the session expires `sessionTimeout` seconds
   * after its last `touch`. Called once the session is made, so that a
   * subclass's `sessionTimeout` applies. Mirrors
   * `Session.startCheckingExpiration`.
   */
  startCheckingExpiration(): void {
    if (this.#expireCall !== null || this.#expired) return;
    this.#expireCall = this.#reactor.callLater(
      this.sessionTimeout,
      () => this.expire(),
    );
  }

  /**
   * Calls `callback` when the session expires. Mirrors
   * `Session.notifyOnExpire`.
   *
   * @param callback What to call.
   */
  notifyOnExpire(callback: () => void): void {
    this.#onExpire.push(callback);
  }

  /**
   * Ends the session now: the site forgets it and the `notifyOnExpire`
   * callbacks run. Mirrors `Session.expire`.
   */
  expire(): void {
    if (this.#expired) return;
    this.#expired = true;
    if (this.site.sessions.get(this.uid) === this) {
      this.site.sessions.delete(this.uid);
    }
    const call = this.#expireCall;
    this.#expireCall = null;
    if (call?.active()) call.cancel();
    const callbacks = this.#onExpire;
    this.#onExpire = [];
    for (const callback of callbacks) callback();
  }

  /**
   * Marks the session as used now, pushing its expiry back by
   * `sessionTimeout`. Mirrors `Session.touch`.
   */
  touch(): void {
    this.lastModified = this.#reactor.seconds();
    if (this.#expireCall?.active()) {
      this.#expireCall.reset(this.sessionTimeout);
    }
  }

  /** Whether the session has expired. */
  get expired(): boolean {
    return this.#expired;
  }

  /**
   * The component stored under `key`, or `undefined`. Mirrors
   * `Componentized.getComponent`.
   *
   * @param key The key (a class or symbol standing for the interface).
   * @returns The component.
   */
  getComponent(key: unknown): unknown {
    return this.#components.get(key);
  }

  /**
   * Stores a component under `key`. Mirrors `Componentized.setComponent`.
   *
   * @param key The key.
   * @param component The component.
   */
  setComponent(key: unknown, component: unknown): void {
    this.#components.set(key, component);
  }

  /**
   * Removes the component stored under `key`. Mirrors
   * `Componentized.unsetComponent`.
   *
   * @param key The key.
   */
  unsetComponent(key: unknown): void {
    this.#components.delete(key);
  }
}
