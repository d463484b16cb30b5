"""Tornado `websocket_connect` as an echo client of bench/peers/run.ts.

Usage: python3 tornado_ws_client.py <ws-url> [connections=50] [size=64]
  [seconds=10] [warmup=1]
Each connection sends a binary message and awaits its echo, one at a time,
untimed for `warmup` seconds and then for `seconds` (as _ws_common.ts's
runEcho). Prints one JSON line: {"value", "unit", "p99_ms", "seconds",
"rss_mb", "cpu_us_per_msg"}.
"""
import asyncio
import math
import sys
import time

from tornado.websocket import websocket_connect

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
from _peer_common import emit, fail, refuse_debug_mode

SIZES = ("connections", "size", "seconds", "warmup")


def parse(argv):
    if len(argv) < 2:
        fail("Usage: tornado_ws_client.py <ws-url> [connections=N] [size=N] [seconds=N] [warmup=N]")
    sizes = {"connections": 50, "size": 64, "seconds": 10, "warmup": 1}
    for pair in argv[2:]:
        key, _, value = pair.partition("=")
        if key not in SIZES or not value.isdigit():
            fail("Cannot read echo size %r: pass connections=N, size=N, seconds=N or warmup=N" % pair)
        sizes[key] = int(value)
    return argv[1], sizes


async def run(url, connections, size, seconds, warmup):
    message = b"a" * size
    conns = await asyncio.gather(*[websocket_connect(url) for _ in range(connections)])
    state = {
        "phase": "warmup" if warmup > 0 else "measure",
        "start": time.perf_counter(),
        "cpu": time.process_time(),
    }
    latencies = []

    async def loop(conn):
        while state["phase"] != "done":
            sent = time.perf_counter()
            await conn.write_message(message, binary=True)
            echoed = await conn.read_message()
            if echoed is None or len(echoed) != size:
                raise RuntimeError("Echo of %r for a message of %d bytes" % (echoed and len(echoed), size))
            if state["phase"] == "measure":
                latencies.append((time.perf_counter() - sent) * 1000)

    def measure():
        state["phase"] = "measure"
        latencies.clear()
        state["start"] = time.perf_counter()
        state["cpu"] = time.process_time()

    def done():
        state["phase"] = "done"
        state["end"] = time.perf_counter()
        state["cpu_end"] = time.process_time()

    loop_ = asyncio.get_running_loop()
    if warmup > 0:
        loop_.call_later(warmup, measure)
    loop_.call_later(warmup + seconds, done)
    await asyncio.gather(*[loop(conn) for conn in conns])
    for conn in conns:
        conn.close()
    measured = state["end"] - state["start"]
    latencies.sort()
    rank = max(0, math.ceil(0.99 * len(latencies)) - 1)
    p99 = latencies[rank] if latencies else float("nan")
    count = len(latencies)
    cpu_us = (state["cpu_end"] - state["cpu"]) * 1e6 / count if count else None
    return {
        "value": count / measured,
        "unit": "msg/s",
        "p99_ms": p99,
        "seconds": measured,
        "cpu_us_per_msg": cpu_us,
    }


def main():
    refuse_debug_mode()
    url, sizes = parse(sys.argv)
    emit(asyncio.run(run(url, **sizes)))


if __name__ == "__main__":
    main()
