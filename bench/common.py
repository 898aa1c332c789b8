"""What every benchmark shares: figures, interleaved pairs, the child-process environment."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results.json"

# "ratio": value/floor must be at most target; "speed": floor/value (a throughput) at least target;
# "absolute": value itself at most target; "ratio_or_absolute": either ratio or absolute (ms) met;
# "flat": value may exceed the floor by at most target (in unit).
Kind = Literal["ratio", "speed", "absolute", "ratio_or_absolute", "flat"]


@dataclass
class Figure:
    name: str
    label: str  # the table's wording
    floor_label: str
    unit: str
    floor: float | None
    value: float
    target: float
    kind: Kind
    absolute: float | None = None  # for ratio_or_absolute: the absolute limit, in unit
    floor_samples: list[float] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.floor:
            return None
        return self.floor / self.value if self.kind == "speed" else self.value / self.floor

    @property
    def met(self) -> bool:
        ratio = self.ratio
        if self.kind == "speed":
            return ratio is not None and ratio >= self.target
        if self.kind == "absolute":
            return self.value <= self.target
        if self.kind == "flat":
            return self.floor is not None and self.value - self.floor <= self.target
        by_ratio = ratio is not None and ratio <= self.target
        if self.kind == "ratio_or_absolute":
            return by_ratio or (self.absolute is not None and self.value <= self.absolute)
        return by_ratio

    @property
    def target_text(self) -> str:
        if self.kind == "speed":
            return f"≥ {self.target:g}×"
        if self.kind == "absolute":
            return f"≤ {self.target:g} {self.unit}"
        if self.kind == "flat":
            return f"≤ floor + {self.target:g} {self.unit}"
        text = f"≤ {self.target:g}×"
        return text + (f", or ≤ {self.absolute:g} {self.unit}" if self.absolute else "")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ratio=self.ratio, met=self.met, target_text=self.target_text)
        return data


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def interleaved(
    pairs: int, floor: Callable[[], float], value: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """``pairs`` runs of each, alternating which goes first (ABBA) so drift hits both alike."""
    floors: list[float] = []
    values: list[float] = []
    for n in range(pairs):
        order = [(floor, floors), (value, values)]
        for run, into in order if n % 2 == 0 else reversed(order):
            into.append(run())
    return floors, values


def show(figure: Figure) -> None:
    def stats(samples: list[float], single: float | None) -> str:
        if not samples:
            return "–" if single is None else f"{single:.4g}"
        return f"min {min(samples):.4g} / med {median(samples):.4g}"

    ratio = figure.ratio
    print(f"  {figure.label}  [{figure.unit}]")
    if figure.floor is not None:
        print(f"    floor ({figure.floor_label}): {stats(figure.floor_samples, figure.floor)}")
    print(f"    Dialdeck: {stats(figure.samples, figure.value)}")
    verdict = "met" if figure.met else "NOT met"
    shown = "" if ratio is None else f"ratio {ratio:.2f}×   "
    print(f"    {shown}target {figure.target_text}: {verdict}")
    if figure.note:
        print(f"    ({figure.note})")
    sys.stdout.flush()


def child_env(**extra: str) -> dict[str, str]:
    """Children import this work tree's Dialdeck and bench, whatever the venv has installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env.setdefault("QT_LOGGING_RULES", "qt.*=false")
    env.update(extra)
    return env


def machine() -> dict[str, Any]:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_at_start": load,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")
