"""Start-up on a real X server: process start → first Paint of the main window, → event loop
running, and resident memory 5 s after start, each against a bare ``QMainWindow`` script with
the same probe (:mod:`bench.probe`), in interleaved pairs of fresh processes."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from bench.common import Figure, child_env, interleaved, median, show
from bench.xserver import xvfb

BARE = """
import sys
import bench.probe
bench.probe.install()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("bare")
window.show()
sys.exit(app.exec())
"""

DIALDECK = """
import sys
import bench.probe
bench.probe.install()
from dialdeck.app import main
sys.exit(main(["--sandbox", "--home", sys.argv[1]]))
"""

Marks = dict[str, float]


def run(code: str, display: dict[str, str], rss_at: float) -> Marks:
    with tempfile.TemporaryDirectory(prefix="dialdeck-bench-") as home:
        started = time.time()
        env = child_env(BENCH_T0=f"{started:.6f}", BENCH_RSS_AT=str(rss_at), **display)
        done = subprocess.run(
            [sys.executable, "-c", code, home],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    marks: Marks = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "probe":
            value = float(parts[2])
            marks[parts[1]] = (value - started) * 1000 if parts[1] in ("paint", "loop") else value
    if not {"paint", "loop", "rss"} <= marks.keys():
        raise RuntimeError(f"start-up probe incomplete: {marks}\n{done.stderr[-2000:]}")
    return marks


def main(*, quick: bool) -> list[Figure]:
    pairs = 3 if quick else 7
    bare: list[Marks] = []
    ours: list[Marks] = []
    with xvfb() as display:
        run(BARE, display, 0.5)  # warm the disk cache for both: imports of PySide6
        run(DIALDECK, display, 0.5)

        def sample(code: str, into: list[Marks]) -> float:
            into.append(run(code, display, 5.0))
            return into[-1]["paint"]

        interleaved(pairs, lambda: sample(BARE, bare), lambda: sample(DIALDECK, ours))
    print(f"start-up on Xvfb, {pairs} interleaved pairs of fresh processes")
    frozen = median([m["frozen"] for m in ours])
    figures = [
        figure("startup_paint", "Process start → first Paint event of the main window", "ms",
               "paint", bare, ours, 1.5),
        figure("startup_loop", "Process start → event loop running (window responds)", "ms",
               "loop", bare, ours, 2.0,
               note=f"then the longest stall in the next 2 s: {frozen:.0f} ms (bare "
               f"{median([m['frozen'] for m in bare]):.0f} ms)"),
        figure("rss_5s", "RSS 5 s after start, sandbox mode", "MB", "rss", bare, ours, 1.8),
    ]  # fmt: skip
    for f in figures:
        show(f)
    return figures


def figure(
    name: str,
    label: str,
    unit: str,
    mark: str,
    bare: list[Marks],
    ours: list[Marks],
    target: float,
    note: str = "",
) -> Figure:
    floors = [m[mark] for m in bare]
    values = [m[mark] for m in ours]
    return Figure(
        name,
        label,
        "bare PySide6 QMainWindow, same probe",
        unit,
        median(floors),
        median(values),
        target,
        "ratio",
        floor_samples=floors,
        samples=values,
        note=note,
    )
