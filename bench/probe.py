"""The start-up probe: the same code runs in Dialdeck and in the bare-window floor.

``install()`` (called first thing in the child) makes every ``QApplication`` watch its events:

* ``paint T``: the first Paint event of a ``QMainWindow`` (what the user first sees);
* ``loop T``: the first time a timer fires inside ``exec()`` (the event loop runs: the window
  responds; ``processEvents()`` calls before it do not count);
* ``frozen MS``: the longest gap of a 10 ms heartbeat during the 2 s after ``loop``;
* ``rss MB``: resident memory at ``BENCH_T0`` + ``BENCH_RSS_AT`` seconds, then the process exits.

Times are ``time.time()`` so the parent can subtract the moment before it started the process.
"""

from __future__ import annotations

import os
import time
from typing import Any


def say(name: str, value: float) -> None:
    print(f"probe {name} {value:.6f}", flush=True)


def install() -> None:
    import PySide6.QtWidgets as widgets
    from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer

    started = float(os.environ.get("BENCH_T0", time.time()))
    rss_at = float(os.environ.get("BENCH_RSS_AT", "5"))

    class Probe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.painted = False
            self.loop_at = 0.0
            self.last = 0.0
            self.frozen = 0.0
            self.poll = QTimer(self)
            self.poll.setTimerType(Qt.TimerType.PreciseTimer)
            self.poll.timeout.connect(self.tick)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                not self.painted
                and event.type() == QEvent.Type.Paint
                and isinstance(watched, widgets.QMainWindow)
            ):
                self.painted = True
                say("paint", time.time())
                self.poll.start(0)
                app = widgets.QApplication.instance()
                if app is not None:
                    app.removeEventFilter(self)  # watch only until then: no cost afterwards
            return False

        def tick(self) -> None:
            now = time.perf_counter()
            if not self.loop_at:
                if QThread.currentThread().loopLevel() == 0:
                    return  # a processEvents() before exec(): not responsive yet
                say("loop", time.time())
                self.loop_at = self.last = now
                self.poll.start(10)
                QTimer.singleShot(max(0, int((started + rss_at - time.time()) * 1000)), self.rss)
                return
            if now - self.loop_at < 2.0:
                self.frozen = max(self.frozen, now - self.last)
            self.last = now

        def rss(self) -> None:
            say("frozen", self.frozen * 1000)
            with open("/proc/self/status") as fh:
                kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            say("rss", kb / 1024)
            os._exit(0)

    base: Any = widgets.QApplication

    class ProbedApplication(base):  # type: ignore[misc]
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.bench_probe = Probe()
            self.installEventFilter(self.bench_probe)

    vars(widgets)["QApplication"] = ProbedApplication
