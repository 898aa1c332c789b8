"""The real app, killed with SIGKILL at random moments mid-call and mid-download, loses nothing.

Each cycle starts ``python -m dialdeck.app`` against a sandbox that outlives it (an "account"),
hands it ``tel:`` links to dial at once (the second launch forwards them), and kills it at a
random moment. After every kill: every call the sandbox accepted is in the history, SQLite's
``integrity_check`` is ok, and every recording listed as playable is complete, verified audio.
``DIALDECK_CRASH_CYCLES`` sets the number of cycles (3 by default; 20+ for a soak).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dialdeck.core.audio import NotAudioError, probe_audio
from dialdeck.core.paths import AppPaths
from dialdeck.sandbox import DEMO_AGENT, DEMO_API_KEY, DEMO_CALLER_IDS, SandboxServer
from tests.conftest import sandbox_config

ROOT = Path(__file__).resolve().parents[2]
CYCLES = int(os.environ.get("DIALDECK_CRASH_CYCLES", "3"))


@pytest.fixture
def surviving_sandbox() -> Iterator[SandboxServer]:
    # Speed 20: a call rings ~0.25 s, talks 3 s, and leaves a ~1.2 MB recording to download.
    config = sandbox_config(speed=20.0, timings=replace(sandbox_config().timings, talk_time=75))
    server = SandboxServer(config)
    server.start()
    yield server
    server.stop()


def app_env(key: str) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "tests.support.env_keyring.EnvKeyring",
        "DIALDECK_TEST_KEY": key,
    }


def launch(home: Path, link: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (home.parent / "app-stderr.txt").open("ab") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "dialdeck.app", "--home", str(home), link],
            env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip


def check_invariants(home: Path, accepted: set[str]) -> None:
    db_path = AppPaths.resolve(home).history_db
    if not db_path.exists():  # killed before it even opened its history
        assert not accepted, "calls were accepted but no history exists"
        return
    db = sqlite3.connect(db_path)  # recovers the WAL like the app's next start would
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        uuids = {row[0] for row in db.execute("SELECT uuid FROM calls")}
        missing = accepted - uuids
        assert not missing, f"calls the sandbox accepted are not in the history: {missing}"
        listed = db.execute("SELECT path, size FROM recordings WHERE state = 'local'").fetchall()
    finally:
        db.close()
    for path, size in listed:
        file = Path(path)
        assert file.exists() and not file.name.endswith(".part"), path
        assert file.stat().st_size == size, (
            f"{path}: listed size {size}, on disk {file.stat().st_size}"
        )
        try:
            probe_audio(file)
        except NotAudioError as exc:
            pytest.fail(f"a recording listed as playable is not: {path}: {exc}")


def test_sigkill_at_random_moments_loses_nothing(
    surviving_sandbox: SandboxServer, tmp_path: Path
) -> None:
    rng = random.Random(int(os.environ.get("DIALDECK_CRASH_SEED", "0")) or None)
    home = tmp_path / "home"
    settings = AppPaths.resolve(home).settings_file
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({
        "account": {"base_url": surviving_sandbox.url, "caller_ids": list(DEMO_CALLER_IDS),
                    "crm_username": DEMO_AGENT},
        "dial_links_at_once": True,
    }), "utf-8")  # fmt: skip
    env = app_env(DEMO_API_KEY)
    engine = surviving_sandbox.sandbox.engine
    accepted: set[str] = set()
    downloads_seen = 0
    for cycle in range(CYCLES):
        number = f"tel:+9198765{cycle % 10}{rng.randrange(1000, 9999)}"
        app = launch(home, number, env)
        deadline = time.monotonic() + rng.uniform(1.5, 6.0)
        try:
            while time.monotonic() < deadline and app.poll() is None:
                time.sleep(0.05)
                if rng.random() < 0.02:  # another link handed over mid-call
                    subprocess.run(
                        [sys.executable, "-m", "dialdeck.app", "--home", str(home),
                         f"tel:+9191234{rng.randrange(10000, 99999)}"],
                        env=env, timeout=20, capture_output=True,
                    )  # fmt: skip
                parts = list(AppPaths.resolve(home).recordings_dir.glob("*.part"))
                downloads_seen += bool(parts)
        finally:
            if app.poll() is None:
                app.send_signal(signal.SIGKILL)
            app.wait(timeout=20)
        assert app.returncode in (-signal.SIGKILL, 0), (
            app.stderr.read().decode() if app.stderr else ""
        )
        accepted |= {call.uuid for call in list(engine.calls.values())}
        check_invariants(home, accepted)
    # A clean last start: it recovers, resumes and finishes what the kills interrupted.
    app = launch(home, "", env)
    try:
        time.sleep(8)
    finally:
        app.send_signal(signal.SIGTERM if sys.platform == "win32" else signal.SIGINT)
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
    accepted |= {call.uuid for call in list(engine.calls.values())}
    check_invariants(home, accepted)
    assert accepted, "no call was ever accepted: the test did not exercise anything"
    db = sqlite3.connect(AppPaths.resolve(home).history_db)
    try:
        local = db.execute("SELECT COUNT(*) FROM recordings WHERE state = 'local'").fetchone()[0]
    finally:
        db.close()
    assert local >= 1, "no recording was ever completed: downloads were not exercised"
