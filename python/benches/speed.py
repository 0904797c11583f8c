"""The Python package's speed targets, measured as the user sees them.

1. `collapse.run("gaussian-chain", samples=100, generations=200, replicates=10_000,
   sampler="exact")` with the summary only, against `collapse run` with the same parameters and
   `--summary-only`: both as whole processes, started alternately, median wall and CPU time.
   The Python process is timed twice: returning the result, and also reading a summary
   column (which imports numpy, about 0.1 s once per process; a notebook has it already).
2. The same run keeping its 8,040,000 records: the time, in one process, beyond the
   summary-only run until every record column is a numpy array.
3. Ctrl-C: the time from SIGINT to `KeyboardInterrupt` in a process running a long run.

    python python/benches/speed.py --command target/release/collapse [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PARAMS = dict(samples=100, generations=200, replicates=10_000, sampler="exact")


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def whole_processes(command: str, rounds: int) -> None:
    sets = [a for k, v in PARAMS.items() for a in ("--set", f"{k}={v}")]
    call = ", ".join(f"{k}={v!r}" for k, v in PARAMS.items())
    run = f"import collapse; r = collapse.run('gaussian-chain', {call}, records=False)"
    with tempfile.TemporaryDirectory() as tmp:
        variants = {
            "collapse run --summary-only": [
                command, "run", "gaussian-chain", *sets, "--summary-only",
                "--out", os.path.join(tmp, "run"), "--force",
            ],
            "python: collapse.run": [sys.executable, "-c", run],
            "python: collapse.run, then a summary column": [
                sys.executable, "-c", run + "; r.summary.mean",
            ],
        }
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in variants}
        for argv in variants.values():
            timed(argv)  # warm the file cache
        for _ in range(rounds):
            for name, argv in variants.items():
                times[name].append(timed(argv))
    base_wall = statistics.median(w for w, _ in times["collapse run --summary-only"])
    base_cpu = statistics.median(c for _, c in times["collapse run --summary-only"])
    print(f"whole processes, median of {rounds} alternated rounds:")
    for name, t in times.items():
        wall = statistics.median(w for w, _ in t)
        cpu = statistics.median(c for _, c in t)
        print(
            f"  {name:45s} wall {wall:6.3f} s ({wall / base_wall:4.2f}x)   "
            f"cpu {cpu:6.3f} s ({cpu / base_cpu:4.2f}x)"
        )


def records_beyond_the_run(rounds: int) -> None:
    import numpy as np

    import collapse

    extra = []
    calls = []
    records = 0
    collapse.run("gaussian-chain", records=False, **PARAMS)  # warm up
    for _ in range(rounds):
        started = time.perf_counter()
        collapse.run("gaussian-chain", records=False, **PARAMS).summary.mean
        summary_only = time.perf_counter() - started
        calls.append(summary_only)
        started = time.perf_counter()
        r = collapse.run("gaussian-chain", **PARAMS)
        rec = r.records
        columns = [np.asarray(rec[c].codes if c in ("series", "metric") else rec[c]) for c in rec.columns]
        with_records = time.perf_counter() - started
        records = len(columns[-1])
        extra.append(with_records - summary_only)
        del r, rec, columns
    print(
        f"in one process with numpy imported (a notebook): collapse.run and a summary column "
        f"{statistics.median(calls):.3f} s (median of {rounds})"
    )
    print(
        f"{records:,} records as numpy arrays: {statistics.median(extra):.3f} s beyond the "
        f"summary-only run (median of {rounds}; min {min(extra):.3f}, max {max(extra):.3f})"
    )


INTERRUPTED = """
import signal, sys, time, collapse
signal.signal(signal.SIGINT, signal.default_int_handler)
print("started", flush=True)
try:
    collapse.run("gaussian-chain", samples=200, generations=500, replicates=200_000,
                 sampler="naive", records=False, quantiles="none")
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def interrupt_latency(rounds: int) -> None:
    waits = []
    for _ in range(rounds):
        child = subprocess.Popen(
            [sys.executable, "-c", INTERRUPTED], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.0)
        sent = time.perf_counter()
        child.send_signal(signal.SIGINT)
        assert child.stdout.readline().strip() == "interrupted"
        waits.append(time.perf_counter() - sent)
        child.wait()
    print(
        f"Ctrl-C to KeyboardInterrupt: median {statistics.median(waits) * 1000:.0f} ms "
        f"(max {max(waits) * 1000:.0f} ms, {rounds} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--command", required=True, help="the collapse program")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    whole_processes(args.command, args.rounds)
    records_beyond_the_run(max(3, args.rounds // 3))
    interrupt_latency(5)


if __name__ == "__main__":
    main()
