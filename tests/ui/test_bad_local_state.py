"""Bad local state never stops Dialdeck: a mistyped API address, a damaged settings file, a
corrupt history database, an unwritable home. Each starts the app and says what is wrong."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from dialdeck.core.api import CallInfo
from dialdeck.core.paths import AppPaths
from dialdeck.core.store import CallState, HistoryStore
from tests.support.disks import tiny_disk
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_dialing import history_rows, type_and_enter
from tests.ui.test_library import generated_wav, import_and_wait, lib
from tests.ui.test_settings import save


def write_settings(home: Path, data: object) -> Path:
    path = AppPaths.resolve(home).settings_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.mark.parametrize("bad_url", ["api.clouddialer.in", "http://api.clouddialer.in"])
def test_mistyped_api_address_starts_explains_and_opens_settings(
    make_app: AppFactory, tmp_path: Path, bad_url: str
) -> None:
    home = tmp_path / "home"
    account = {"base_url": bad_url, "caller_ids": ["919800000000"], "crm_username": "agent.017"}
    write_settings(home, {"account": account})
    app = make_app(home)
    dialer = app.window.dialer
    assert not dialer.is_ready()
    assert "not usable" in dialer.preview.text()
    assert "Settings" in dialer.preview.text()
    app.qtbot.waitUntil(lambda: app.controller.settings_ui.dialog is not None)
    dialog = app.controller.settings_ui.dialog
    app.qtbot.waitUntil(dialog.isVisible)
    assert dialog.base_url_problem.isVisible()
    assert "https://" in dialog.base_url_problem.text()
    assert not dialog.save_button.isEnabled()
    assert not dialog.test_button.isEnabled()
    dialog.base_url_edit.setText("https://api.clouddialer.in")
    assert not dialog.base_url_problem.isVisible()
    assert dialog.save_button.isEnabled()
    dialog.sandbox_radio.setChecked(True)
    save(dialog)
    app.qtbot.waitUntil(lambda: app.window.dialer.is_ready(), timeout=10_000)


def test_settings_dialog_refuses_a_bad_address_inline(make_app: AppFactory) -> None:
    from tests.ui.test_settings import open_settings

    app = make_app()
    dialog = open_settings(app)
    dialog.account_radio.setChecked(True)
    for bad in ("api.clouddialer.in", "http://10.1.2.3", "https://host:99999", "https://a b"):
        dialog.base_url_edit.setText(bad)
        assert dialog.base_url_problem.isVisible(), bad
        assert not dialog.save_button.isEnabled(), bad
    dialog.base_url_edit.setText("https://api.clouddialer.in/v1/")
    assert dialog.save_button.isEnabled()
    dialog.sandbox_radio.setChecked(True)  # sandbox mode ignores the address
    dialog.base_url_edit.setText("nonsense")
    assert dialog.save_button.isEnabled()
    dialog.reject()


def problem_text(app: AppHarness) -> str:
    app.qtbot.waitUntil(lambda: bool(app.controller.shell.problem_boxes), timeout=10_000)
    box = app.controller.shell.problem_boxes[-1]
    app.qtbot.waitUntil(box.isVisible)
    return box.text()


def test_damaged_settings_are_kept_aside_and_reported(make_app: AppFactory, tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = write_settings(home, {})
    path.write_text(
        '{"account": {"base_url": "https://api.clouddialer.in", "caller_ids": [', "utf-8"
    )
    app = make_app(home)
    text = problem_text(app)
    assert "settings file was damaged" in text
    copies = list(path.parent.glob("settings.json.damaged-*"))
    assert len(copies) == 1 and str(copies[0]) in text
    assert copies[0].read_text("utf-8").startswith('{"account"')  # the set-up is not lost
    app.shutdown()  # saving settings at exit never touches the damaged copy
    assert copies[0].read_text("utf-8").startswith('{"account"')


@pytest.mark.parametrize("damage", ["garbage", "torn-page"])
def test_corrupt_history_is_moved_aside_and_a_new_one_started(
    make_app: AppFactory, tmp_path: Path, damage: str
) -> None:
    home = tmp_path / "home"
    db = AppPaths.resolve(home).history_db
    db.parent.mkdir(parents=True)
    if damage == "garbage":
        db.write_bytes(b"this is not a database " * 500)
    else:
        store = HistoryStore(db)
        for n in range(3000):
            store.record_placing(uuid=f"u{n}", to_number="9876543210",
                                 from_number="919800000000", agent="a", sandbox=True)  # fmt: skip
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        with db.open("r+b") as fh:  # overwrite pages in the middle of the table's B-tree
            fh.seek(8 * 4096)
            fh.write(b"\xa5" * 4096 * 3)
    original = db.read_bytes()
    app = make_app(home)
    text = problem_text(app)
    assert "call history was damaged" in text
    copies = [p for p in db.parent.glob("history.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]  # fmt: skip
    assert len(copies) == 1 and str(copies[0]) in text
    assert copies[0].read_bytes() == original
    type_and_enter(app, "9876543210")  # the fresh history works
    app.wait_state("Ringing your phone")
    app.qtbot.waitUntil(lambda: len(history_rows(app)) == 1)
    check = sqlite3.connect(db)
    try:
        integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    assert integrity == "ok"


@pytest.fixture
def read_only_home(tmp_path: Path) -> Iterator[Path]:
    """A home with a history in it, made read-only (a bind mount as root, chmod otherwise)."""
    home = tmp_path / "rohome"
    paths = AppPaths.resolve(home)
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir, paths.recordings_dir):
        folder.mkdir(parents=True)
    store = HistoryStore(paths.history_db)
    store.record_placing(uuid="old-1", to_number="9876543210", from_number="919800000000",
                         agent="agent.017", sandbox=True)  # fmt: skip
    store.mark_not_placed("old-1", CallState.NOT_PLACED, "refused")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    if os.geteuid() != 0:
        for folder in (home, *home.rglob("*")):
            if folder.is_dir():
                folder.chmod(0o555)
        yield home
        for folder in (home, *home.rglob("*")):
            if folder.is_dir():
                folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "--bind", str(home), str(home)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(home)], check=True)
        yield home
    finally:
        if subprocess.run(["umount", str(home)]).returncode != 0:
            subprocess.run(["umount", "-l", str(home)], check=True)


def test_read_only_home_starts_says_which_folder_and_keeps_history_readable(
    read_only_home: Path,
    make_app: AppFactory,  # this order: the app closes before the unmount
) -> None:
    app = make_app(read_only_home)
    said: list[str] = []
    app.window.statusBar().messageChanged.connect(said.append)
    text = problem_text(app)
    paths = AppPaths.resolve(read_only_home)
    assert str(paths.data_dir) in text
    assert "Read-only file system" in text or "Permission denied" in text
    assert "history can be read" in text
    history = app.controller.history_tab.history_view  # type: ignore[union-attr]
    app.qtbot.waitUntil(lambda: history.model.total == 1)  # the old call is still listed
    type_and_enter(app, "9876543210")  # and calls still work
    app.wait_state("Ringing your phone")
    app.qtbot.waitUntil(lambda: "could not be saved to the history" in " ".join(said))
    app.shutdown()


def test_home_that_cannot_exist_still_starts(make_app: AppFactory, tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("not a folder")
    app = make_app(home)
    text = problem_text(app)
    assert str(AppPaths.resolve(home).data_dir) in text
    assert "kept only until Dialdeck closes" in text
    type_and_enter(app, "9876543210")
    app.wait_state("Ringing your phone")


def test_real_app_with_unwritable_home_prints_no_traceback(tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("not a folder")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIALDECK_STARTUP_PROBE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "dialdeck.app", "--home", str(home)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "ready" in result.stdout
    assert "Traceback" not in result.stderr


def test_real_app_writes_what_it_said_before_its_log_existed_to_the_log(tmp_path: Path) -> None:
    """The window layout is read before logging is set up (the window first): a damaged
    window.ini was set aside with a warning only on stderr, which nobody reads."""
    home = tmp_path / "home"
    paths = AppPaths.resolve(home)
    paths.config_dir.mkdir(parents=True)
    paths.window_layout_file.write_bytes(b"\x00\xff not an ini file \xfe" * 100)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIALDECK_STARTUP_PROBE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "dialdeck.app", "--sandbox", "--home", str(home)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    log = paths.log_file.read_text("utf-8")
    assert "window layout" in log and "set aside" in log
    assert "set aside" not in result.stderr
    assert paths.window_layout_file.with_name("window.ini.damaged").exists()


def test_storage_failure_mid_call_keeps_following_and_saves_later(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    real = HistoryStore.update_from_info
    failures = {"left": 4}

    def flaky(self: HistoryStore, info: CallInfo) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise sqlite3.OperationalError("database or disk is full")
        real(self, info)

    monkeypatch.setattr(HistoryStore, "update_from_info", flaky)
    said: list[str] = []
    app.window.statusBar().messageChanged.connect(said.append)
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")  # the panel never froze
    assert failures["left"] == 0
    app.qtbot.waitUntil(
        lambda: history_rows(app)[-1]["call_status"] == "ANSWER", timeout=10_000
    )  # the newest state was saved once the disk recovered
    assert any("disk is full" in text and "keeps following" in text for text in said)
    app.qtbot.waitUntil(lambda: "saved again" in " ".join(said), timeout=10_000)


@pytest.fixture
def full_recordings_disk(tmp_path: Path) -> Iterator[Path]:
    """A home whose recordings folder is a 64 kB disk: a call's recording does not fit."""
    home = tmp_path / "fullhome"
    with tiny_disk(AppPaths.resolve(home).recordings_dir, "64k"):
        yield home


def test_full_disk_for_a_recording_is_said_and_never_listed_as_saved(
    full_recordings_disk: Path,
    make_app: AppFactory,  # this order: the app closes before the unmount
) -> None:
    app = make_app(full_recordings_disk)
    said: list[str] = []
    app.window.statusBar().messageChanged.connect(said.append)
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    app.qtbot.wait(600)
    app.qtbot.mouseClick(app.window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(
        lambda: "A recording could not be saved: the disk is full." in said, timeout=15_000
    )
    view = app.controller.recordings.library_view  # type: ignore[union-attr]
    app.qtbot.waitUntil(
        lambda: view.model.rowCount() == 1 and "retry at" in view.model.index(0, 5).data()
    )
    assert view.model.index(0, 5).data().startswith("Download failed")
    tip = view.model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Not saved: the disk is full. Dialdeck tries again at ")
    assert not list(app.paths.recordings_dir.glob("*.wav"))
    app.shutdown()


def test_import_onto_a_full_disk_says_so_leaves_nothing_and_goes_on(
    full_recordings_disk: Path, make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(full_recordings_disk)
    big = generated_wav(tmp_path / "long call.wav", 16, seconds=8.0)  # 128 kB: does not fit
    small = generated_wav(tmp_path / "short.wav", 16, seconds=0.5)
    imported, problems = import_and_wait(app, [big, small])
    assert imported == 1
    assert problems == ["long call.wav: could not be copied into the library (the disk is full)"]
    recordings = app.paths.recordings_dir
    assert sorted(p.name for p in recordings.iterdir()) == ["import-short.wav"]  # no .part
    view = lib(app).library_view
    app.qtbot.waitUntil(lambda: view.model.rowCount() == 1)
