"""Twisted peer for bench/peers/run.ts.

Usage: python3 twisted_peer.py <workload> <base-url>
Prints one JSON object: {"value": ..., "unit": ..., "seconds": ..., "rss_mb": ...}.
Workloads: keepalive, delay, inflight, chain, timers (see run.ts).
"""
import json
import sys
import time
import warnings

from twisted.internet import defer, reactor
from twisted.web.client import Agent, HTTPConnectionPool, readBody

# Twisted 22.4's readBody warns about its own HTTP/1.1 transports.
warnings.filterwarnings("ignore", category=DeprecationWarning)


def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


@defer.inlineCallbacks
def keepalive(base, total=5000, concurrency=50):
    pool = HTTPConnectionPool(reactor, persistent=True)
    pool.maxPersistentPerHost = concurrency
    agent = Agent(reactor, pool=pool)
    url = (base + "/1k").encode()
    remaining = [total]

    @defer.inlineCallbacks
    def worker():
        while remaining[0] > 0:
            remaining[0] -= 1
            response = yield agent.request(b"GET", url)
            body = yield readBody(response)
            assert len(body) == 1024, len(body)

    start = time.perf_counter()
    yield defer.gatherResults([worker() for _ in range(concurrency)], consumeErrors=True)
    seconds = time.perf_counter() - start
    yield pool.closeCachedConnections()
    return {"value": total / seconds, "unit": "req/s", "seconds": seconds}


@defer.inlineCallbacks
def parallel_gets(url, count):
    # A fresh non-persistent pool: one connection per request, as a crawler.
    agent = Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False))

    @defer.inlineCallbacks
    def one():
        response = yield agent.request(b"GET", url)
        yield readBody(response)

    start = time.perf_counter()
    yield defer.gatherResults([one() for _ in range(count)], consumeErrors=True)
    return time.perf_counter() - start


@defer.inlineCallbacks
def delay(base, count=20, ms=500):
    seconds = yield parallel_gets((base + "/delay?ms=%d" % ms).encode(), count)
    return {"value": seconds, "unit": "s", "seconds": seconds}


@defer.inlineCallbacks
def inflight(base, count=2000):
    seconds = yield parallel_gets((base + "/1k").encode(), count)
    return {"value": seconds, "unit": "s", "seconds": seconds}


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
    chains(count // 10)  # warm-up, as in every peer's chain workload
    start = time.perf_counter()
    chains(count)
    seconds = time.perf_counter() - start
    return defer.succeed({"value": count / seconds, "unit": "chains/s", "seconds": seconds})


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

    def finish(_):
        seconds = time.perf_counter() - start
        return {"value": seconds, "unit": "s", "seconds": seconds}

    return done.addCallback(finish)


WORKLOADS = {
    "keepalive": keepalive,
    "delay": delay,
    "inflight": inflight,
    "chain": chain,
    "timers": timers,
}


def main():
    workload, base = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    outcome = {}

    def report(result):
        result["rss_mb"] = peak_rss_mb()
        outcome["result"] = result

    def failed(failure):
        outcome["error"] = failure.getErrorMessage()

    def start():
        d = defer.maybeDeferred(WORKLOADS[workload], base)
        d.addCallbacks(report, failed)
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run()
    if "error" in outcome:
        print(json.dumps({"error": outcome["error"]}))
        sys.exit(1)
    print(json.dumps(outcome["result"]))


if __name__ == "__main__":
    main()
