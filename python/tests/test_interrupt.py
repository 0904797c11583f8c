"""Long calls release the GIL, stop promptly on Ctrl-C and report progress."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import collapse

# About a minute of work on two cores (every point drawn), far longer than any wait below; the
# summary in constant memory.
LONG = dict(
    samples=200,
    generations=500,
    replicates=200_000,
    sampler="naive",
    records=False,
    quantiles="none",
)
# About a second of the same work.
SHORT = dict(LONG, replicates=2_000)

CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import collapse

    # As an interactive Python has it, even when this process was started with SIGINT ignored
    # (a background job of a non-interactive shell inherits that).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print("started", flush=True)
    try:
        collapse.run("gaussian-chain", **{long})
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    else:
        print("finished", flush=True)
    # The library goes on after an interruption.
    r = collapse.run("gaussian-chain", replicates=10, generations=3, records=False)
    print("after", len(r.summary), flush=True)
    """
)


def test_ctrl_c_raises_keyboard_interrupt_promptly():
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(long=LONG)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.5)  # well into the run
        assert child.poll() is None, "the run ended before it could be interrupted"
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        line = child.stdout.readline().strip()
        waited = time.monotonic() - sent
        assert line == "interrupted", (line, child.stderr.read())
        # The run stops at its next block (milliseconds here); Python is never kept waiting
        # beyond the second the run is given to stop cleanly, plus the scheduler's delays on
        # a loaded machine.
        assert waited < 3, f"KeyboardInterrupt came {waited:.2f} s after Ctrl-C"
        assert child.stdout.readline().split()[0] == "after"
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()


def test_runs_release_the_gil():
    ticks: list[float] = []
    done = threading.Event()

    def work() -> None:
        collapse.run("gaussian-chain", **SHORT)
        done.set()

    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    while not done.is_set():
        ticks.append(time.monotonic())
        time.sleep(0.005)
    worker.join()
    took = time.monotonic() - started
    assert took > 0.3, "the run was too short to tell"
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    # Python code kept running beside the run (holding the GIL, the run would have stopped it
    # from start to end): it ticked all along, never blocked for half the run.
    assert len(ticks) >= 10, f"Python ticked {len(ticks)} times during a {took:.2f} s run"
    assert max(gaps) < took / 2, f"Python was blocked {max(gaps):.2f} s of a {took:.2f} s run"


def test_progress_reaches_the_total():
    seen: list[tuple[int, int]] = []
    replicates = SHORT["replicates"]
    collapse.run(
        "gaussian-chain",
        **SHORT,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen, "no progress was reported"
    assert all(total == replicates for _, total in seen)
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and dones[-1] == replicates


def test_progress_true_shows_progress_without_tqdm(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    collapse.run("gaussian-chain", **SHORT, progress=True)
    err = capsys.readouterr().err
    assert "gaussian-chain: 2000/2000" in err


def test_an_error_in_the_progress_callback_stops_the_run():
    def fail(done: int, total: int) -> None:
        raise ZeroDivisionError("from the callback")

    started = time.monotonic()
    try:
        collapse.run("gaussian-chain", **LONG, progress=fail)
    except ZeroDivisionError:
        pass
    else:
        raise AssertionError("the callback's error was lost")
    assert time.monotonic() - started < 3
