"""What the Python peers of bench/peers/run.ts share.

Command line: python3 <peer>.py <workload> <base-url> [key=value ...]
The key=value pairs (count, concurrency, ms, warmup) size the workload;
run.ts passes the same ones to every system. Each peer prints one JSON line:
{"value": ..., "unit": ..., "seconds": ..., "rss_mb": ...}, or {"error": ...}
and exit status 1.
"""
import json
import os
import sys

# The sizes a workload may take; each workload's defaults are the full run's.
SIZE_KEYS = ("count", "concurrency", "ms", "warmup")


def peak_rss_mb():
    """The process's peak resident set size in MiB (VmHWM)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


# The chain workload's timed rounds: each system reports its median round, so
# that one collection or JIT tier-up does not decide it.
CHAIN_ROUNDS = 5


def median_rate(count, unit, seconds):
    """The rate of `count` items in the median of the rounds' `seconds`."""
    ordered = sorted(seconds)
    return rate(count, unit, ordered[len(ordered) // 2])


# The workloads every peer defines, as functions of (base, **sizes).
WORKLOADS = ("keepalive", "delay", "inflight", "chain", "timers")


def parse_args(argv, namespace):
    """Returns (workload function, base URL, keyword sizes) from argv.

    The workload is looked up by name in `namespace`, the peer's globals().
    """
    if len(argv) < 2 or argv[1] not in WORKLOADS:
        fail("Unknown workload: %s (one of %s)" % (argv[1:2], ", ".join(WORKLOADS)))
    base = argv[2] if len(argv) > 2 else ""
    sizes = {}
    for pair in argv[3:]:
        key, _, value = pair.partition("=")
        if key not in SIZE_KEYS or not value.isdigit():
            fail("Cannot read workload size %r: pass count=N, concurrency=N, ms=N or warmup=N" % pair)
        sizes[key] = int(value)
    return namespace[argv[1]], base, sizes


def split_warmup(sizes):
    """Returns (the warm-up run's sizes or None, the measured run's sizes).

    With warmup=N the workload first runs untimed with count=N, so that every
    system has compiled and cached what it will before the measurement.
    """
    measured = dict(sizes)
    warmup = measured.pop("warmup", 0)
    return (dict(measured, count=warmup) if warmup > 0 else None), measured


def refuse_debug_mode():
    """Fails rather than measure an interpreter slowed by its debug modes."""
    if sys.flags.dev_mode or os.environ.get("PYTHONASYNCIODEBUG"):
        fail("Refusing to benchmark in Python's development or asyncio debug mode")


def emit(result):
    """Prints a workload's result, with the peak RSS, as the runner reads it."""
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def fail(message):
    """Reports a failure to the runner and exits."""
    print(json.dumps({"error": message}))
    sys.exit(1)


def timed(seconds):
    """The result of a workload measured in seconds (lower is better)."""
    return {"value": seconds, "unit": "s", "seconds": seconds}


def rate(count, unit, seconds):
    """The result of a workload measured as a rate (higher is better)."""
    return {"value": count / seconds, "unit": unit, "seconds": seconds}


# The server scripts' routes and sizes (bench/peers/_common.ts has the same).
PLAINTEXT = b"Hello, World!"
JSON_MESSAGE = {"message": "Hello, World!"}


def parse_server_args(argv):
    """Returns (workload, port, static directory) of a server script."""
    if len(argv) < 4 or not argv[2].isdigit():
        fail("Usage: %s <workload> <port> <static-dir>" % argv[0])
    return argv[1], int(argv[2]), argv[3]


def listening_until_stdin_closes(port):
    """Tells the runner the server listens, and exits when stdin closes.

    No server then outlives the runner, however the runner ends.
    """
    import threading

    print("listening %d" % port, flush=True)

    def wait():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=wait, daemon=True).start()
