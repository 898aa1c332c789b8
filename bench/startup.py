"""Start-up: time until the window is shown, as a ratio to a bare QMainWindow in the same run.

Both are fresh processes on the offscreen platform; each is run several times and the median kept.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import time, sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.setWindowTitle("bare"); w.show(); app.processEvents()
print(f"shown {time.time():.6f}", flush=True)
"""


def run(code: list[str], env: dict[str, str]) -> dict[str, float]:
    started = time.time()
    out = subprocess.run(
        code, capture_output=True, text=True, env=env, timeout=60, check=True
    ).stdout
    marks = {}
    for line in out.splitlines():
        name, _, value = line.partition(" ")
        if name in ("shown", "ready"):
            marks[name] = float(value) - started
    return marks


def main(rounds: int = 5) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_LOGGING_RULES": "qt.*=false"}
    bare, shown, ready = [], [], []
    for _ in range(rounds):
        bare.append(run([sys.executable, "-c", BARE], env)["shown"])
        with tempfile.TemporaryDirectory() as home:
            marks = run(
                [sys.executable, "-m", "dialdeck", "--home", home],
                {**env, "DIALDECK_STARTUP_PROBE": "1"},
            )
        shown.append(marks["shown"])
        ready.append(marks["ready"])
    floor = statistics.median(bare)
    print(f"startup (median of {rounds}, offscreen)")
    print(f"  bare QMainWindow shown     {floor * 1000:7.0f} ms   1.00x (floor)")
    print(
        f"  Dialdeck window shown      {statistics.median(shown) * 1000:7.0f} ms   {statistics.median(shown) / floor:.2f}x"
    )
    print(
        f"  Dialdeck ready to dial     {statistics.median(ready) * 1000:7.0f} ms   {statistics.median(ready) / floor:.2f}x"
    )
    print(
        "    (ready = sandbox started, keyring probed, history opened: all after the window is shown)"
    )


if __name__ == "__main__":
    main()
