import assert from "node:assert/strict";
import {
  DummyChannel,
  type DummyChannelOptions,
  MemoryReactor,
} from "../../testing/mod.ts";
import { type Request, Resource, Session, Site } from "../../web/mod.ts";

class Whoami extends Resource {
  override isLeaf = true;
  sessions: Session[] = [];
  render_GET(request: Request): string {
    const session = request.getSession();
    this.sessions.push(session);
    assert.equal(request.getSession(), session);
    return session.uid;
  }
}

function serve(site: Site, options: DummyChannelOptions = {}): DummyChannel {
  const channel = new DummyChannel(options);
  channel.serve(site);
  return channel;
}

function cookieOf(channel: DummyChannel): string {
  const values = channel.responseHeaders?.getRawHeaders("set-cookie") ?? [];
  assert.equal(values.length, 1, values.join(" | "));
  return values[0];
}

Deno.test("Request.getSession given no session cookie when called twice then makes one session and sets one cookie", () => {
  const reactor = new MemoryReactor();
  const site = new Site(new Whoami(), { reactor });
  const channel = serve(site);
  const uid = channel.text();
  assert.match(uid, /^[0-9a-f]{64}$/);
  assert.equal(cookieOf(channel), `TWISTED_SESSION=${uid}; Path=/`);
  assert.equal(site.getSession(uid)?.uid, uid);
  reactor.advance(900);
});

Deno.test("Request.getSession given the session cookie when requested again then finds the session and sets no cookie", () => {
  const reactor = new MemoryReactor();
  const site = new Site(new Whoami(), { reactor });
  const uid = serve(site).text();
  const again = serve(site, { headers: { Cookie: `TWISTED_SESSION=${uid}` } });
  assert.equal(again.text(), uid);
  assert.equal(again.responseHeaders?.hasHeader("set-cookie"), false);
  reactor.advance(900);
});

Deno.test("Session given use within its timeout when time passes then lives on, and expires sessionTimeout after the last use", () => {
  const reactor = new MemoryReactor();
  const site = new Site(new Whoami(), { reactor });
  const uid = serve(site).text();
  reactor.advance(800);
  serve(site, { headers: { Cookie: `TWISTED_SESSION=${uid}` } });
  reactor.advance(800);
  assert.ok(site.sessions.has(uid));
  reactor.advance(100);
  assert.equal(site.sessions.has(uid), false);
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("Request.getSession given an unknown or expired session id when called then makes a new session", () => {
  const reactor = new MemoryReactor();
  const site = new Site(new Whoami(), { reactor });
  const channel = serve(site, {
    headers: { Cookie: "TWISTED_SESSION=forged" },
  });
  assert.notEqual(channel.text(), "forged");
  assert.match(cookieOf(channel), /^TWISTED_SESSION=[0-9a-f]{64}; Path=\/$/);
  reactor.advance(900);
});

Deno.test("Request.getSession given a TLS request when called then uses the secure cookie, and forceNotSecure the plain one", () => {
  const reactor = new MemoryReactor();
  const site = new Site(new Whoami(), { reactor });
  const secure = serve(site, { secure: true });
  assert.match(
    cookieOf(secure),
    /^TWISTED_SECURE_SESSION=[0-9a-f]{64}; Path=\/; Secure$/,
  );
  class Plain extends Resource {
    override isLeaf = true;
    render_GET(request: Request): string {
      return request.getSession(true).uid;
    }
  }
  const plain = serve(new Site(new Plain(), { reactor }), { secure: true });
  assert.match(cookieOf(plain), /^TWISTED_SESSION=[0-9a-f]{64}; Path=\/$/);
  reactor.advance(900);
});

Deno.test("Session given notifyOnExpire callbacks when expired then runs each once and the site forgets it", () => {
  const reactor = new MemoryReactor();
  const site = new Site(new Resource(), { reactor });
  const session = site.makeSession();
  const calls: string[] = [];
  session.notifyOnExpire(() => calls.push("a"));
  session.notifyOnExpire(() => calls.push("b"));
  session.expire();
  session.expire();
  assert.deepEqual(calls, ["a", "b"]);
  assert.equal(session.expired, true);
  assert.equal(site.getSession(session.uid), undefined);
  assert.equal(reactor.getDelayedCalls().length, 0);
});

Deno.test("Site given a sessionFactory with a shorter sessionTimeout when a session is made then it expires after that timeout", () => {
  class ShortSession extends Session {
    override sessionTimeout = 60;
  }
  const reactor = new MemoryReactor();
  const site = new Site(new Resource(), {
    reactor,
    sessionFactory: ShortSession,
  });
  const session = site.makeSession();
  assert.ok(session instanceof ShortSession);
  reactor.advance(60);
  assert.equal(session.expired, true);
});

Deno.test("Session given components when set, read and unset then stores them by key", () => {
  const reactor = new MemoryReactor();
  const session = new Site(new Resource(), { reactor }).makeSession();
  const KEY = Symbol("cart");
  session.setComponent(KEY, ["apple"]);
  assert.deepEqual(session.getComponent(KEY), ["apple"]);
  session.unsetComponent(KEY);
  assert.equal(session.getComponent(KEY), undefined);
  session.expire();
});
