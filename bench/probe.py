"""The start-up probe: the same code runs in Dialdeck and in the bare-window floor.

``install()`` is called first thing in the child. It must not change what it measures, so it
neither imports PySide6 (an app that imports Qt before its own modules pays for PySide's import
hook reading their sources) nor filters the whole application's events (in Python, that wraps
every QObject that gets an event before the first paint: 13,500 allocations, 1.2 MB, in
Dialdeck's window). The earlier probe did both: it added 4.6 MB to the bare window's resident
memory and 3.1 MB to Dialdeck's. This one waits for the program's own import of
``PySide6.QtWidgets`` and watches only the first ``QMainWindow`` built:

* ``paint T``: the first Paint event of a ``QMainWindow`` (what the user first sees);
* ``loop T``: the first time a timer fires inside ``exec()`` (the event loop runs: the window
  responds; ``processEvents()`` calls before it do not count);
* ``frozen MS``: the longest gap of a 10 ms heartbeat during the 2 s after ``loop``;
* ``rss MB``: resident memory at ``BENCH_T0`` + ``BENCH_RSS_AT`` seconds, then the process exits.

Times are ``time.time()`` so the parent can subtract the moment before it started the process.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import time
from types import ModuleType
from typing import Any


def say(name: str, value: float) -> None:
    print(f"probe {name} {value:.6f}", flush=True)


def install() -> None:
    sys.meta_path.insert(0, _PatchOnImport())


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "PySide6.QtWidgets":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            raise ImportError(fullname)
        loader = spec.loader
        real_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            real_exec(module)
            _patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _patch(widgets: Any) -> None:
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
            if not self.painted and event.type() == QEvent.Type.Paint:
                self.painted = True
                say("paint", time.time())
                self.poll.start(0)
                watched.removeEventFilter(self)
            return False

        def tick(self) -> None:
            now = time.perf_counter()
            if not self.loop_at:
                if QThread.currentThread().loopLevel() == 0:
                    return
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

    probe: list[Probe] = []
    base: Any = widgets.QMainWindow

    class ProbedMainWindow(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if not probe:
                probe.append(Probe())
                self.installEventFilter(probe[0])

    widgets.QMainWindow = ProbedMainWindow
