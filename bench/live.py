"""Dialdeck at work on a real X server, driven in a child process (:mod:`bench.appdrive`)
against a sandbox in another process: GUI-thread stalls while 20 calls are tracked and their 20
recordings download, memory growth over many calls, and CPU idle and with one live call."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.common import Figure, child_env, median, show
from bench.xserver import xvfb


@contextmanager
def sandbox(speed: float, talk_time: float) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "dialdeck.sandbox.cli", "--port", "0", "--speed", str(speed),
         "--talk-time", str(talk_time)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env(),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if "listening on" not in first:
            raise RuntimeError(f"sandbox did not start: {first!r}")
        yield first.split("listening on", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(10)


def drive(display: dict[str, str], mode: str, base_url: str, *args: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dialdeck-bench-") as home:
        done = subprocess.run(
            [sys.executable, "-m", "bench.appdrive", mode, base_url, home, *map(str, args)],
            capture_output=True, text=True, env=child_env(**display), timeout=900, check=False,
        )  # fmt: skip
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"bench.appdrive {mode} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(*, quick: bool) -> list[Figure]:
    figures = []
    with xvfb() as display:
        # 20 calls of 150 (quick) or 300 sandbox seconds at 10x: 2.4 or 4.8 MB recordings each.
        rounds, talk = (1, 150.0) if quick else (3, 300.0)
        gaps: dict[str, list[float]] = {"idle": [], "busy": [], "stalls": []}
        with sandbox(10.0, talk) as url:
            for _ in range(rounds):  # a fresh app each round: a day's first calls included
                for key, values in drive(display, "gaps", url, 20, 1, 3.0).items():
                    gaps[key] += values
        figures.append(
            Figure(
                "gui_gap", "Longest GUI-thread gap (1 ms timer) while 20 calls are tracked and 20 "
                "recordings download", "the same heartbeat in the idle app", "ms",
                median(gaps["idle"]), median(gaps["busy"]), 16.0, "absolute",
                floor_samples=gaps["idle"], samples=gaps["busy"],
                note=f"{rounds} fresh app(s), each idle 3 s then 20 calls until their recordings are "
                f"saved; gaps of 16 ms or more per app: {gaps['stalls']}",
            )
        )  # fmt: skip
        show(figures[-1])

        calls = 150 if quick else 500
        with sandbox(50.0, 5.0) as url:
            mem = drive(display, "memory", url, calls)
        figures.append(
            Figure(
                "rss_calls", f"RSS after {mem['calls']} sandbox calls (speed-scaled)",
                "RSS after the first call", "MB", mem["first"], mem["last"], 1.05, "ratio",
                note=f"+{(mem['last'] / mem['first'] - 1) * 100:.1f}%"
                + (" (quick: fewer than the table's 500 calls)" if quick else ""),
            )
        )  # fmt: skip
        show(figures[-1])

        idle, live = (20.0, 15.0) if quick else (60.0, 30.0)
        with sandbox(1.0, 100_000.0) as url:
            use = drive(display, "cpu", url, idle, live)
        for name, label, seconds, target in (
            ("cpu_idle", "Idle CPU, no call", idle, 0.1),
            ("cpu_live_call", "CPU with one live call polled", live, 0.5),
        ):
            key = "idle" if name == "cpu_idle" else "live"
            figures.append(
                Figure(
                    name, f"{label}, {seconds:.0f} s", "–", "% of a core", None, use[key],
                    target, "absolute", note="whole Dialdeck process, all threads",
                )
            )  # fmt: skip
            show(figures[-1])
    return figures
