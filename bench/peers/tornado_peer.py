"""Tornado peer for bench/peers/run.ts.

Usage: python3 tornado_peer.py <workload> <base-url>
Prints one JSON object: {"value": ..., "unit": ..., "seconds": ..., "rss_mb": ...}.
Workloads: keepalive, delay, inflight, chain, timers (see run.ts).
"""
import json
import sys
import time

from tornado import gen
from tornado.concurrent import Future, future_add_done_callback
from tornado.httpclient import AsyncHTTPClient
from tornado.ioloop import IOLoop


def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def keepalive(base, total=5000, concurrency=50):
    # simple_httpclient sends "Connection: close": Tornado has no keep-alive.
    client = AsyncHTTPClient(force_instance=True, max_clients=concurrency)
    url = base + "/1k"
    remaining = [total]

    async def worker():
        while remaining[0] > 0:
            remaining[0] -= 1
            response = await client.fetch(url)
            assert len(response.body) == 1024, len(response.body)

    start = time.perf_counter()
    await gen.multi([worker() for _ in range(concurrency)])
    seconds = time.perf_counter() - start
    client.close()
    return {"value": total / seconds, "unit": "req/s", "seconds": seconds}


async def parallel_gets(url, count):
    client = AsyncHTTPClient(force_instance=True, max_clients=count)
    start = time.perf_counter()
    await gen.multi([client.fetch(url) for _ in range(count)])
    seconds = time.perf_counter() - start
    client.close()
    return seconds


async def delay(base, count=20, ms=500):
    seconds = await parallel_gets(base + "/delay?ms=%d" % ms, count)
    return {"value": seconds, "unit": "s", "seconds": seconds}


async def inflight(base, count=2000):
    seconds = await parallel_gets(base + "/1k", count)
    return {"value": seconds, "unit": "s", "seconds": seconds}


async def chains(count):
    # Tornado has no Deferred: the equivalent is a Future whose result passes
    # through ten done-callbacks, each resolving the next Future.
    def link(source, target):
        future_add_done_callback(source, lambda f: target.set_result(f.result() + 1))

    for _ in range(count):
        futures = [Future() for _ in range(11)]
        for i in range(10):
            link(futures[i], futures[i + 1])
        futures[0].set_result(0)
        assert (await futures[10]) == 10


async def chain(_base, count=20000):
    await chains(count // 10)  # warm-up, as in every peer's chain workload
    start = time.perf_counter()
    await chains(count)
    seconds = time.perf_counter() - start
    return {"value": count / seconds, "unit": "chains/s", "seconds": seconds}


async def timers(_base, count=100000):
    loop = IOLoop.current()
    done = Future()
    fired = [0]

    def tick():
        fired[0] += 1
        if fired[0] == count:
            done.set_result(None)

    start = time.perf_counter()
    for i in range(count):
        loop.call_later(0.001 * (i % 10), tick)
    await done
    seconds = time.perf_counter() - start
    return {"value": seconds, "unit": "s", "seconds": seconds}


WORKLOADS = {
    "keepalive": keepalive,
    "delay": delay,
    "inflight": inflight,
    "chain": chain,
    "timers": timers,
}


def main():
    workload, base = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    try:
        result = IOLoop.current().run_sync(lambda: WORKLOADS[workload](base), timeout=300)
    except Exception as error:  # report any failure to the runner as JSON
        print(json.dumps({"error": str(error) or type(error).__name__}))
        sys.exit(1)
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
