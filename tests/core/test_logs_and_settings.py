from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from dialdeck.core.api import CallInfo
from dialdeck.core.logs import add_secret, close_logging, setup_logging
from dialdeck.core.paths import HOME_ENV, AppPaths
from dialdeck.core.redact import redact_url
from dialdeck.core.settings import (
    AccountSettings,
    PollSpeed,
    Settings,
    load_settings,
    read_settings,
    save_settings,
)
from dialdeck.core.store import MIGRATIONS, CallState, HistoryStore


def test_log_file_never_contains_key_or_recording_names(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "dialdeck.log"
    setup_logging(log_file)
    try:
        add_secret("k3y-very-secret")
        log = logging.getLogger("dialdeck.test")
        log.warning("using key k3y-very-secret")
        log.warning("header Authorization: Bearer other-token-123")
        log.warning("fetching https://api.clouddialer.in/recordings/crm_abcdef.wav")
        try:
            raise RuntimeError("failed with k3y-very-secret")
        except RuntimeError:
            log.exception("boom")
    finally:
        close_logging()
    text = log_file.read_text()
    assert "k3y-very-secret" not in text
    assert "other-token-123" not in text
    assert "crm_abcdef" not in text
    assert text.count("[redacted]") >= 3  # the traceback repeats the source line too
    assert "https://api.clouddialer.in/recordings/…" in text


def test_redact_url_keeps_host() -> None:
    assert redact_url("https://h.example/recordings/crm_x.wav") == "https://h.example/recordings/…"


def test_paths_follow_home_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = AppPaths.resolve(tmp_path)
    assert paths.settings_file == tmp_path / "config" / "settings.json"
    assert paths.history_db == tmp_path / "data" / "history.sqlite3"
    assert paths.recordings_dir == tmp_path / "data" / "recordings"
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "env"))
    assert AppPaths.resolve().log_dir == tmp_path / "env" / "logs"
    monkeypatch.delenv(HOME_ENV)
    assert "Dialdeck" in str(AppPaths.resolve().config_dir)


def test_settings_round_trip_and_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = Settings(account=AccountSettings("https://x", ["919800000000"], "agent.017"))
    settings.poll_speed = PollSpeed.RELAXED
    for n in range(30):
        settings.remember_number(f"98765432{n:02d}")
    settings.remember_number("9876543205")
    save_settings(path, settings)
    loaded = load_settings(path)
    assert loaded == settings
    assert loaded.recent_numbers[0] == "9876543205"
    assert len(loaded.recent_numbers) == 20
    assert "api_key" not in json.loads(path.read_text())["account"]
    path.write_text(json.dumps({"max_ring_time": 9999, "poll_speed": "warp", "account": {"x": 1}}))
    assert load_settings(path).max_ring_time == 30
    assert list(tmp_path.glob(".settings-*")) == []


@pytest.mark.parametrize(
    "damage",
    [b"{not json", b"\xff\xfe garbage", b"[1, 2]", b'{"account": "https://x"}', b"[" * 100_000],
)
def test_damaged_settings_are_kept_aside_not_overwritten(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(damage)
    read = read_settings(path)
    assert read.settings == Settings()
    assert read.damaged_copy is not None
    assert read.damaged_copy.read_bytes() == damage  # the agent's set-up is still there
    assert str(read.damaged_copy) in read.problem
    assert not path.exists()
    save_settings(path, read.settings)  # the next save cannot touch the damaged copy
    assert read.damaged_copy.read_bytes() == damage
    assert read_settings(path).problem == ""


def test_history_store_lifecycle_and_crash_recovery(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    store = HistoryStore(db)
    assert store.schema_version == len(MIGRATIONS)
    store.record_placing(
        uuid="a",
        to_number="9876543210",
        from_number="919800000000",
        agent="agent.017",
        sandbox=False,
    )
    store.record_placing(
        uuid="b",
        to_number="9876543211",
        from_number="919800000000",
        agent="agent.017",
        sandbox=False,
    )
    store.mark_placed("a", "call-a")
    store.update_from_info(
        CallInfo.from_json(
            {
                "call_id": "call-a",
                "call_status": "ANSWER",
                "legs": [{"role": "agent", "number": "x", "status": "JOINED"}],
            }
        )
    )
    assert [r.uuid for r in store.live_calls()] == ["a"]
    store.db.close()  # "crash": b was never answered

    reopened = HistoryStore(db)
    assert reopened.recover_interrupted() == 1
    record_b = reopened.get("b")
    assert record_b is not None
    assert record_b.state is CallState.UNKNOWN
    assert "may have been placed" in (record_b.error or "")
    record_a = reopened.get("a")
    assert record_a is not None
    assert record_a.legs == [{"role": "agent", "number": "x", "status": "JOINED"}]
    reopened.set_notes("a", "call back Friday", "interested")
    assert reopened.get("a").notes == "call back Friday"  # type: ignore[union-attr]
    reopened.close()


def test_history_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    HistoryStore(db).close()
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(RuntimeError, match="newer Dialdeck"):
        HistoryStore(db)


def test_qt_chatter_is_debug_not_warning() -> None:
    from dialdeck.core.logs import qt_message_level

    assert (
        qt_message_level("warning", "qt.multimedia.symbolsresolver", "Couldn't load x")
        == logging.DEBUG
    )
    assert (
        qt_message_level("warning", "default", "This plugin does not support propagateSizeHints()")
        == logging.DEBUG
    )
    assert (
        qt_message_level("warning", "default", "QPainter::begin: Paint device returned engine == 0")
        == logging.WARNING
    )
    assert qt_message_level("critical", "default", "boom") == logging.ERROR


def test_log_writes_happen_off_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging.handlers
    import threading

    writers: list[str] = []
    original = logging.handlers.RotatingFileHandler.emit

    def spy(self: logging.handlers.RotatingFileHandler, record: logging.LogRecord) -> None:
        writers.append(threading.current_thread().name)
        original(self, record)

    monkeypatch.setattr(logging.handlers.RotatingFileHandler, "emit", spy)
    setup_logging(tmp_path / "d.log")
    try:
        logging.getLogger("dialdeck.test").warning("hello")
    finally:
        close_logging()
    assert writers
    assert threading.current_thread().name not in writers
    assert "hello" in (tmp_path / "d.log").read_text()


def test_global_hotkey_setting_round_trips_and_defaults() -> None:
    assert Settings().global_hotkey == "Ctrl+Alt+D"
    assert Settings.from_json({"global_hotkey": "Meta+F9"}).global_hotkey == "Meta+F9"
    assert Settings.from_json({"global_hotkey": ""}).global_hotkey == ""  # switched off
    assert Settings.from_json({"global_hotkey": 7}).global_hotkey == "Ctrl+Alt+D"
    assert Settings.from_json(Settings(global_hotkey="Ctrl+Shift+K").to_json()).global_hotkey == (
        "Ctrl+Shift+K"
    )
