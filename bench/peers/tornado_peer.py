"""Tornado peer for bench/peers/run.ts.

Usage: python3 tornado_peer.py <workload> <base-url> [count=N] [concurrency=N] [ms=N] [warmup=N]
Workloads: keepalive, delay, inflight, chain, timers (see run.ts); their
defaults are the full benchmark's sizes. Prints one JSON line (see
_peer_common.py).
"""
import sys
import time

from tornado import gen
from tornado.concurrent import Future, future_add_done_callback
from tornado.httpclient import AsyncHTTPClient
from tornado.ioloop import IOLoop

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


async def keepalive(base, count=5000, concurrency=50):
    # simple_httpclient sends "Connection: close": Tornado has no keep-alive.
    client = AsyncHTTPClient(force_instance=True, max_clients=concurrency)
    url = base + "/1k"
    remaining = [count]

    async def worker():
        while remaining[0] > 0:
            remaining[0] -= 1
            response = await client.fetch(url)
            assert len(response.body) == 1024, len(response.body)

    start = time.perf_counter()
    await gen.multi([worker() for _ in range(concurrency)])
    seconds = time.perf_counter() - start
    client.close()
    return rate(count, "req/s", seconds)


async def parallel_gets(url, count):
    client = AsyncHTTPClient(force_instance=True, max_clients=count)
    start = time.perf_counter()
    await gen.multi([client.fetch(url) for _ in range(count)])
    seconds = time.perf_counter() - start
    client.close()
    return timed(seconds)


def delay(base, count=20, ms=500):
    return parallel_gets(base + "/delay?ms=%d" % ms, count)


def inflight(base, count=2000):
    return parallel_gets(base + "/1k", count)


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


async def chain(_base, count=100000):
    seconds = []
    for _ in range(CHAIN_ROUNDS):
        start = time.perf_counter()
        await chains(count)
        seconds.append(time.perf_counter() - start)
    return median_rate(count, "chains/s", seconds)


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
    return timed(time.perf_counter() - start)


def main():
    refuse_debug_mode()
    workload, base, sizes = parse_args(sys.argv, globals())
    warmup, measured = split_warmup(sizes)

    async def warmed_up():
        if warmup is not None:
            await workload(base, **warmup)
        return await workload(base, **measured)

    try:
        result = IOLoop.current().run_sync(warmed_up, timeout=300)
    except Exception as error:  # report any failure to the runner as JSON
        fail(str(error) or type(error).__name__)
    emit(result)


if __name__ == "__main__":
    main()
