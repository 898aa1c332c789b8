"""Many fresh QMediaPlayers through play/seek/pause/stop never hang (see dialdeck.ui.player)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fresh_players_never_hang() -> None:
    count = int(os.environ.get("DIALDECK_PLAYER_STRESS", "40"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.ui.player_stress", str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60 + count * 3,
    )
    assert result.returncode == 0, (
        f"exit {result.returncode} (1 = the per-player watchdog fired: a hang)\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    )
    assert f"ok: {count} players" in result.stdout
