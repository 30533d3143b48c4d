"""Shared helpers for bench/*.py: run layerscope's binaries, time things, report medians and ratios."""
import json
import os
import statistics
import subprocess
import time

BIN = os.environ.get("LAYERSCOPE_BIN", ".build/release/layerscope")
BENCH = os.environ.get("LAYERSCOPE_BENCH", ".build/release/layerscope-bench")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def run(cmd, **kw):
    """Runs a command; returns (seconds, stdout). Raises with its stderr if it fails."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr}")
    return seconds, proc.stdout


def run_measured(cmd):
    """Runs a command; returns (seconds, stdout, peak RSS in bytes of that one process).

    The peak comes from GNU time (Debian package `time`): a child forked straight from this
    Python process would inherit its high-water mark, so its own getrusage would be wrong."""
    timer = "/usr/bin/time"
    if not os.path.exists(timer):
        raise RuntimeError("bench needs GNU time for peak RSS: apt-get install time")
    start = time.perf_counter()
    proc = subprocess.run([timer, "-f", "%M", *cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr}")
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    return seconds, proc.stdout, peak_kb * 1024


def bench_json(args):
    """Runs layerscope-bench with args and parses its JSON line."""
    _, out = run([BENCH, *args])
    return json.loads(out.strip().splitlines()[-1])


def median_time(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def report(title, rows):
    """Prints rows of (name, value, unit) aligned."""
    print(title)
    for name, value, unit in rows:
        if isinstance(value, float):
            value = f"{value:.4g}"
        print(f"  {name:<44} {value} {unit}")
