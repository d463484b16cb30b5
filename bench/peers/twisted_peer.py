"""Twisted peer for bench/peers/run.ts.

Usage: python3 twisted_peer.py <workload> <base-url> [count=N] [concurrency=N] [ms=N] [warmup=N]
Workloads: keepalive, delay, inflight, chain, timers (see run.ts); their
defaults are the full benchmark's sizes. Prints one JSON line (see
_peer_common.py).
"""
import sys
import time
import warnings

from twisted.internet import defer, reactor
from twisted.web.client import Agent, HTTPConnectionPool, readBody

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
from _peer_common import (
    CHAIN_ROUNDS,
    emit,
    fail,
    median_rate,
    parse_args,
    rate,
    refuse_debug_mode,
    split_warmup,
    timed,
)

# Twisted 22.4's readBody warns about its own HTTP/1.1 transports.
warnings.filterwarnings("ignore", category=DeprecationWarning)


@defer.inlineCallbacks
def keepalive(base, count=5000, concurrency=50):
    pool = HTTPConnectionPool(reactor, persistent=True)
    pool.maxPersistentPerHost = concurrency
    agent = Agent(reactor, pool=pool)
    url = (base + "/1k").encode()
    remaining = [count]

    @defer.inlineCallbacks
    def worker():
        while remaining[0] > 0:
            remaining[0] -= 1
            response = yield agent.request(b"GET", url)
            body = yield readBody(response)
            assert len(body) == 1024, len(body)

    start = time.perf_counter()
    yield defer.DeferredList([worker() for _ in range(concurrency)], fireOnOneErrback=True, consumeErrors=True)
    seconds = time.perf_counter() - start
    yield pool.closeCachedConnections()
    return rate(count, "req/s", seconds)


@defer.inlineCallbacks
def parallel_gets(url, count):
    # A fresh non-persistent pool: one connection per request, as a crawler.
    agent = Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False))

    @defer.inlineCallbacks
    def one():
        response = yield agent.request(b"GET", url)
        yield readBody(response)

    start = time.perf_counter()
    yield defer.DeferredList([one() for _ in range(count)], fireOnOneErrback=True, consumeErrors=True)
    return timed(time.perf_counter() - start)


def delay(base, count=20, ms=500):
    return parallel_gets((base + "/delay?ms=%d" % ms).encode(), count)


def inflight(base, count=2000):
    return parallel_gets((base + "/1k").encode(), count)


def chains(count):
    def inc(x):
        return x + 1

    for _ in range(count):
        d = defer.Deferred()
        for _ in range(10):
            d.addCallback(inc)
        d.callback(0)
        assert d.result == 10


def chain(_base, count=100000):
    seconds = []
    for _ in range(CHAIN_ROUNDS):
        start = time.perf_counter()
        chains(count)
        seconds.append(time.perf_counter() - start)
    return defer.succeed(median_rate(count, "chains/s", seconds))


def timers(_base, count=100000):
    done = defer.Deferred()
    fired = [0]

    def tick():
        fired[0] += 1
        if fired[0] == count:
            done.callback(None)

    start = time.perf_counter()
    for i in range(count):
        reactor.callLater(0.001 * (i % 10), tick)
    return done.addCallback(lambda _: timed(time.perf_counter() - start))


def main():
    refuse_debug_mode()
    workload, base, sizes = parse_args(sys.argv, globals())
    warmup, measured = split_warmup(sizes)
    outcome = {}

    def start():
        d = defer.maybeDeferred(workload, base, **(warmup or measured))
        if warmup is not None:
            d.addCallback(lambda _: workload(base, **measured))
        d.addCallbacks(lambda result: outcome.update(result=result),
                       lambda failure: outcome.update(error=failure.getErrorMessage()))
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run()
    if "error" in outcome:
        fail(outcome["error"])
    emit(outcome["result"])


if __name__ == "__main__":
    main()
