"""Notes typed in History are never lost: saved as typed, on leaving the row, at quit, and
retried when the disk refuses them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from dialdeck.core.store import HistoryStore
from dialdeck.ui.history_view import HistoryView
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_dialing import history_rows


def seeded_home(tmp_path: Path, calls: int = 3) -> Path:
    from dialdeck.core.paths import AppPaths

    home = tmp_path / "home"
    store = HistoryStore(AppPaths.resolve(home).history_db)
    for n in range(calls):
        store.record_placing(uuid=f"u{n}", to_number=f"987654321{n}",
                             from_number="919800000000", agent="agent.017", sandbox=True)  # fmt: skip
    store.close()
    return home


def open_history(app: AppHarness, calls: int) -> HistoryView:
    history = app.controller.history_tab.history_view  # type: ignore[union-attr]
    app.window.show_tab(history)
    app.qtbot.waitUntil(lambda: history.model.rowCount() == calls)
    return history


def notes_of(app: AppHarness) -> dict[str, str]:
    return {row["uuid"]: row["notes"] for row in history_rows(app)}


def test_typed_notes_survive_selecting_another_row(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(seeded_home(tmp_path))
    history = open_history(app, 3)
    history.table.selectRow(0)
    first = history.model.row_at(0).uuid
    app.qtbot.keyClicks(history.notes_edit, "Wants a callback")
    history.table.selectRow(1)  # at once, before any pause
    app.qtbot.waitUntil(lambda: notes_of(app)[first] == "Wants a callback")
    history.table.selectRow(0)
    assert history.notes_edit.toPlainText() == "Wants a callback"


def test_notes_save_after_a_pause_and_survive_a_refresh(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(seeded_home(tmp_path))
    history = open_history(app, 3)
    history.table.selectRow(2)
    uuid = history.model.row_at(2).uuid
    app.qtbot.keyClicks(history.notes_edit, "Half a sentence")
    app.controller.history_tab.history_view.model.refresh()  # type: ignore[union-attr]  # a call update
    app.qtbot.keyClicks(history.notes_edit, " and the rest")
    assert history.notes_edit.toPlainText() == "Half a sentence and the rest"
    app.qtbot.waitUntil(lambda: notes_of(app)[uuid] == "Half a sentence and the rest")
    app.qtbot.waitUntil(lambda: history.notes.state_label.text() == "Saved")


def test_notes_typed_just_before_quit_are_saved(make_app: AppFactory, tmp_path: Path) -> None:
    home = seeded_home(tmp_path)
    app = make_app(home)
    history = open_history(app, 3)
    history.table.selectRow(1)
    uuid = history.model.row_at(1).uuid
    app.qtbot.keyClicks(history.notes_edit, "Last words")
    history.disposition_combo.setCurrentText("Interested")
    app.shutdown()  # no pause, no Save button
    row = next(r for r in history_rows(app) if r["uuid"] == uuid)
    assert (row["notes"], row["disposition"]) == ("Last words", "Interested")


def test_a_failing_save_keeps_the_text_and_retries(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(seeded_home(tmp_path))
    history = open_history(app, 3)
    real = HistoryStore.set_notes
    refusals = {"left": 2}

    def flaky(self: HistoryStore, uuid: str, notes: str, disposition: str) -> None:
        if refusals["left"]:
            refusals["left"] -= 1
            raise sqlite3.OperationalError("database or disk is full")
        real(self, uuid, notes, disposition)

    monkeypatch.setattr(HistoryStore, "set_notes", flaky)
    monkeypatch.setattr("dialdeck.ui.notes_editor.RETRY_AFTER_MS", 100)
    history.table.selectRow(0)
    uuid = history.model.row_at(0).uuid
    app.qtbot.keyClicks(history.notes_edit, "Keep me")
    app.qtbot.keyClick(history.notes_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    app.qtbot.waitUntil(lambda: "disk is full" in history.notes.state_label.text())
    history.table.selectRow(1)  # moving on does not drop the pending text
    app.qtbot.waitUntil(lambda: notes_of(app)[uuid] == "Keep me", timeout=10_000)
    assert refusals["left"] == 0
