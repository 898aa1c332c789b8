"""Dialdeck's benchmarks (``./run bench``): this work tree's code is what they measure."""

import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parent.parent / "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)
