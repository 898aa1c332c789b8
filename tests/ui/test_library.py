"""History and the recordings library in the real app: downloads, player, import, models."""

from __future__ import annotations

import asyncio
import csv
import sys
import wave
import zlib
from pathlib import Path

import httpx
import pytest
from bench.history_data import generate_calls
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from dialdeck.core import library
from dialdeck.core.history import HistoryFilter, Outcome, count_calls
from dialdeck.core.library import RecState
from dialdeck.core.paths import AppPaths
from dialdeck.core.retention import RetentionPolicy
from dialdeck.core.store import HistoryStore
from dialdeck.ui.history_controller import HistoryController
from dialdeck.ui.recordings_controller import RecordingsController
from tests.support.models import model_testers
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_dialing import type_and_enter


def lib(app: AppHarness) -> RecordingsController:
    assert app.controller.recordings is not None
    return app.controller.recordings


def hist(app: AppHarness) -> HistoryController:
    assert app.controller.history_tab is not None
    return app.controller.history_tab


def import_and_wait(app: AppHarness, files: list[Path]) -> tuple[int, list[str]]:
    task = app.controller.tasks.spawn(lib(app).files.import_files(files))
    app.qtbot.waitUntil(task.done, timeout=15_000)
    result: tuple[int, list[str]] = task.result()
    return result


def library_rows(app: AppHarness) -> list[library.RecordingRow]:
    model = lib(app).library_view.model
    return [model.row_at(r) for r in range(model.rowCount())]


def call_with_recording(app: AppHarness) -> library.RecordingRow:
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    app.qtbot.wait(600)  # a few sandbox seconds of conversation
    app.qtbot.mouseClick(app.window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.wait_state("Call ended")
    app.qtbot.waitUntil(
        lambda: any(r.state == RecState.LOCAL for r in library_rows(app)), timeout=15_000
    )
    return next(r for r in library_rows(app) if r.state == RecState.LOCAL)


def test_recording_arrives_verified_and_plays(make_app: AppFactory) -> None:
    app = make_app()
    controller = lib(app)
    assert app.window.tabs.count() == 4  # Call, History, Recordings, Contacts
    view = controller.library_view  # built on first use (the tab was never opened)
    app.qtbot.waitUntil(lambda: view.stack.currentWidget() is view.empty)
    row = call_with_recording(app)
    assert row.title == "Call with +91 98765 43210"
    assert row.path is not None
    assert Path(row.path).parent == app.paths.recordings_dir
    assert not list(app.paths.recordings_dir.glob("*.part"))
    assert row.duration is not None
    assert row.duration > 2

    app.window.show_tab(controller.library_view)
    controller.library_view.table.selectRow(0)
    widget = controller.library_view.player_widget
    app.qtbot.waitUntil(lambda: widget.play_button.isEnabled())
    app.qtbot.waitUntil(lambda: len(widget.waveform.peaks) == 800)
    player = controller.player
    app.qtbot.waitUntil(lambda: player.duration > 0, timeout=10_000)
    assert abs(player.duration - row.duration * 1000) < 300
    app.qtbot.mouseClick(widget.play_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: player.position > 600, timeout=10_000)  # plays with no sound card
    assert widget.play_button.text() == "Pause"
    assert widget.time_label.text().startswith("0:0")

    # Skips, speed and the keyboard.
    before = player.position
    app.qtbot.mouseClick(widget.skip_buttons[5], Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: player.position >= before + 4500)
    widget.step_speed(1)
    assert player.speed == 1.25
    widget.step_speed(-2)
    assert player.speed == 0.75
    widget.waveform.seek_requested.emit(0)
    app.qtbot.waitUntil(lambda: player.position < 1500)
    controller.library_view.table.setFocus()
    app.qtbot.keyClick(controller.library_view.table, Qt.Key.Key_Space)
    app.qtbot.waitUntil(lambda: not player.playing)

    # History shows the call with its recording, and can play it from there.
    history = hist(app).history_view
    app.window.show_tab(history)
    app.qtbot.waitUntil(lambda: history.model.rowCount() == 1)
    assert history.model.data(history.model.index(0, 6)) == "Saved"
    assert history.model.data(history.model.index(0, 3)) == "Answered"


def test_interrupted_download_is_never_listed_and_completes(make_app: AppFactory) -> None:
    app = make_app()
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    app.qtbot.wait(600)
    sandbox = app.embedded_sandbox
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"drop_rate": 1.0, "count": 1, "drop_after_bytes": 20_000,
               "path_prefix": "/recordings"}, timeout=5)  # fmt: skip
    listed_states: list[str] = []
    model = lib(app).library_view.model
    model.rowsInserted.connect(
        lambda *_: listed_states.extend(r.state.value for r in library_rows(app))
    )
    app.qtbot.mouseClick(app.window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(
        lambda: any(r.state == RecState.LOCAL for r in library_rows(app)), timeout=15_000
    )
    downloads = [r for r in sandbox.app.requests if r.path.startswith("/recordings")]
    assert len(downloads) == 2
    assert downloads[1].headers["range"] == "bytes=20000-"
    row = library_rows(app)[0]
    assert row.path is not None
    assert (
        Path(row.path).read_bytes()
        == httpx.get(f"{sandbox.url}{downloads[0].path}", timeout=5).content
    )
    assert all(state in ("pending", "local") for state in listed_states)


def generated_wav(path: Path, bits: int, seconds: float = 0.5, rate: int = 8000) -> Path:
    """Silence but for a first sample taken from the name: files of different names differ
    (the library keeps one copy of a file imported twice)."""
    frames = bytearray(int(rate * seconds) * bits // 8)
    frames[0] = zlib.crc32(path.name.encode()) & 0x7F
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(bits // 8)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return path


def test_import_real_and_damaged_files(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    sources = [generated_wav(tmp_path / f"gen{bits}.wav", bits) for bits in (8, 16, 24, 32)]
    audiodata = (
        Path(sys.base_prefix)
        / "lib"
        / f"python{sys.version_info[0]}.{sys.version_info[1]}"
        / "test"
        / "audiodata"
    )
    real = sorted(audiodata.glob("*.wav"))
    sources += real
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(sources[1].read_bytes()[:-500])
    wrong = tmp_path / "wrong-header.wav"
    wrong.write_bytes(b"RIFX" + sources[1].read_bytes()[4:])
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    imported, problems = import_and_wait(app, [*sources, truncated, wrong, empty])
    assert imported == len(sources)
    assert [p.split(":")[0] for p in problems] == ["truncated.wav", "wrong-header.wav", "empty.wav"]
    assert "cut short" in problems[0]
    assert "empty" in problems[2]
    app.qtbot.waitUntil(lambda: lib(app).library_view.model.rowCount() == len(sources))
    assert "Not imported" in app.window.statusBar().currentMessage()
    names = sorted(p.name for p in app.paths.recordings_dir.iterdir())
    assert len(names) == len(sources)
    assert not any(n.endswith(".part") for n in names)


def test_damaged_recording_gives_a_message_not_a_crash(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    controller = lib(app)
    import_and_wait(app, [generated_wav(tmp_path / "ok.wav", 16, seconds=2)])
    app.qtbot.waitUntil(lambda: controller.library_view.model.rowCount() == 1)
    row = library_rows(app)[0]
    assert row.path is not None
    Path(row.path).write_bytes(b"<html>oops</html>")  # damaged behind our back
    controller.library_view.table.selectRow(0)
    message = controller.library_view.player_widget.message
    app.qtbot.waitUntil(lambda: "cannot be played" in message.text())
    assert "web page" in message.text()
    app.qtbot.waitUntil(lambda: [r.state for r in library_rows(app)] == [RecState.MISSING])
    assert not controller.library_view.player_widget.play_button.isEnabled()


def test_bookmarks_and_notes_survive_a_restart(make_app: AppFactory, tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = make_app(home)
    controller = lib(first)
    import_and_wait(first, [generated_wav(tmp_path / "talk.wav", 16, seconds=3)])
    first.qtbot.waitUntil(lambda: controller.library_view.model.rowCount() == 1)
    controller.library_view.table.selectRow(0)
    widget = controller.library_view.player_widget
    first.qtbot.waitUntil(lambda: controller.player.duration > 0)
    controller.player.seek(1500)
    first.qtbot.waitUntil(lambda: controller.player.position >= 1400)
    first.qtbot.keyClicks(widget.bookmark_edit, "price question")
    first.qtbot.keyClick(widget.bookmark_edit, Qt.Key.Key_Return)
    first.qtbot.waitUntil(lambda: widget.bookmarks.count() == 1)
    assert widget.bookmarks.item(0).text() == "0:01  price question"
    first.shutdown()

    second = make_app(home)
    again = lib(second)
    second.qtbot.waitUntil(lambda: again.library_view.model.rowCount() == 1)
    assert library_rows(second)[0].bookmarks == 1
    again.library_view.table.selectRow(0)
    second.qtbot.waitUntil(lambda: again.library_view.player_widget.bookmarks.count() == 1)
    item = again.library_view.player_widget.bookmarks.item(0)
    again.library_view.player_widget.bookmarks.itemClicked.emit(item)
    second.qtbot.waitUntil(lambda: abs(again.player.position - 1500) < 300)


def test_retention_deletes_exactly_what_the_rule_says(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    controller = lib(app)
    files = [generated_wav(tmp_path / f"r{n}.wav", 16, seconds=1) for n in range(4)]  # 16 kB each
    import_and_wait(app, files)
    rows = sorted(library_rows_now(app), key=lambda r: r.id)  # from the DB: the model reloads async
    assert len(rows) == 4
    # The oldest carries a bookmark: protected unless the agent confirms.
    done = app.controller.tasks.spawn(
        app.controller.history.run(library.add_bookmark, rows[0].id, 0, "keep")
    )
    app.qtbot.waitUntil(done.done)
    controller.retention = RetentionPolicy(max_total_bytes=2 * 16_100)
    task = app.controller.tasks.spawn(controller.apply_retention())
    assert "has notes or bookmarks" in app.question("retentionBox").text()
    app.answer("retentionBox", "Cancel")
    app.qtbot.waitUntil(task.done)
    assert task.result() == 1  # r1 deleted; r0 protected (declined); r2, r3 kept within the cap
    remaining = {Path(r.path or "").name for r in sorted(library_rows_now(app), key=lambda r: r.id)}
    assert remaining == {"import-r0.wav", "import-r2.wav", "import-r3.wav"}
    assert sorted(p.name for p in app.paths.recordings_dir.iterdir()) == sorted(remaining)


def test_deleting_a_recording_asks_and_cancel_is_the_default(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    controller = lib(app)
    import_and_wait(
        app, [generated_wav(tmp_path / "a.wav", 16), generated_wav(tmp_path / "b.wav", 16)]
    )
    view = controller.library_view
    app.window.show_tab(view)
    app.qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    view.table.selectRow(0)
    app.qtbot.waitUntil(view.delete_button.isEnabled)
    doomed = view.model.row_at(0)
    app.qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    box = app.question("deleteRecordingBox")
    assert box.defaultButton().text() == "Cancel"
    app.qtbot.keyClick(box, Qt.Key.Key_Escape)
    app.qtbot.waitUntil(lambda: app.window.findChild(QMessageBox, "deleteRecordingBox") is None)
    assert len(library_rows_now(app)) == 2 and Path(doomed.path or "").exists()

    app.qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    app.answer("deleteRecordingBox", "Delete")
    app.qtbot.waitUntil(lambda: len(library_rows_now(app)) == 1)
    assert not Path(doomed.path or "").exists()
    assert doomed.id not in {r.id for r in library_rows_now(app)}
    # Nothing is current now: the buttons stopped acting on the deleted recording (Delete…
    # asked to delete it again, Export copy… failed with the OS's "No such file").
    app.qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert not view.table.currentIndex().isValid()
    assert not any(
        b.isEnabled() for b in (view.delete_button, view.export_button, view.folder_button)
    )


def library_rows_now(app: AppHarness) -> list[library.RecordingRow]:
    task = app.controller.tasks.spawn(app.controller.history.run(library.list_recordings, ""))
    app.qtbot.waitUntil(task.done)
    rows: list[library.RecordingRow] = task.result()
    return rows


@pytest.fixture(scope="module")
def big_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("big")
    store = HistoryStore(AppPaths.resolve(home).history_db)
    generate_calls(store, 100_000, seed=3)
    store.close()
    return home


def test_models_on_100k_calls(make_app: AppFactory, big_home: Path, tmp_path: Path) -> None:
    app = make_app(big_home)
    controller = lib(app)
    history = hist(app).history_view
    model = history.model
    app.qtbot.waitUntil(lambda: model.total == 100_000 and model.rowCount() == 200)
    # Qt's C++ tester follows every change of both models for the rest of the test (the Python
    # one re-reads every cell on every signal: seconds per check once pages are loaded).
    with model_testers(model, controller.library_view.model):
        check_100k(app, big_home, tmp_path)


def check_100k(app: AppHarness, big_home: Path, tmp_path: Path) -> None:
    history = hist(app).history_view
    model = history.model

    # Scrolling fetches more, page by page: never the whole table.
    history.table.scrollToBottom()
    app.qtbot.waitUntil(lambda: model.rowCount() >= 400)
    assert model.rowCount() < 2_000

    direct = HistoryStore(AppPaths.resolve(big_home).history_db)
    try:
        history.outcome_combo.setCurrentIndex(history.outcome_combo.findData(Outcome.BUSY.value))
        expected = count_calls(direct, HistoryFilter(outcome=Outcome.BUSY))
        app.qtbot.waitUntil(lambda: model.total == expected)
        assert all(model.data(model.index(r, 3)) == "Busy" for r in range(model.rowCount()))
        app.qtbot.keyClicks(history.search_edit, "follow up")
        expected = count_calls(direct, HistoryFilter(outcome=Outcome.BUSY, text="follow up"))
        app.qtbot.waitUntil(
            lambda: model.total == expected and model.rowCount() == min(200, expected)
        )
    finally:
        direct.close()

    # Sort by duration, ascending, by clicking the header twice.
    header = history.table.horizontalHeader()
    history.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    app.qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.loading)
    durations = [model.row_at(r).duration for r in range(model.rowCount())]
    assert durations == sorted(durations)
    assert header.sortIndicatorSection() == 4

    # CSV export writes exactly the filtered rows.
    out = tmp_path / "export.csv"
    in_task: list[object] = []

    def ask_save_path(*_: object) -> str:
        # A native file dialog runs a nested event loop: never inside a task step.
        in_task.append(asyncio.current_task())
        return str(out)

    hist(app).ask_save_path = ask_save_path  # type: ignore[method-assign]
    history.export_button.click()
    assert in_task == [None]
    app.qtbot.waitUntil(out.exists, timeout=10_000)
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == model.total
    assert {r["outcome"] for r in rows} == {"busy"}


def test_notes_edited_after_the_call(make_app: AppFactory) -> None:
    app = make_app()
    type_and_enter(app, "9876541111")  # busy
    app.wait_state("busy")
    history = hist(app).history_view
    app.window.show_tab(history)
    app.qtbot.waitUntil(
        lambda: history.model.rowCount() == 1 and history.model.row_at(0).state == "ended"
    )
    history.table.selectRow(0)
    assert history.details.isEnabled()
    history.notes_edit.setPlainText("Try again after 5 pm")
    history.disposition_combo.setCurrentText("Call back")
    history.save_notes_button.click()
    app.qtbot.waitUntil(lambda: history.model.row_at(0).notes == "Try again after 5 pm")
    assert history.model.data(history.model.index(0, 7)) == "Call back"
    app.qtbot.keyClicks(history.search_edit, "5 pm")
    app.qtbot.waitUntil(lambda: history.model.total == 1)
    history.search_edit.setText("never mentioned")
    app.qtbot.waitUntil(lambda: history.model.total == 0)
    assert history.stack.currentWidget() is history.empty
    assert history.empty.text() == "No calls match these filters."


def test_player_degrades_without_qtmultimedia(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dialdeck.ui import player as player_module

    monkeypatch.setattr(
        player_module,
        "multimedia_problem",
        lambda: "Playback is unavailable on this computer (no libpulse).",
    )
    app = make_app()
    controller = lib(app)
    assert not controller.player.available
    widget = controller.library_view.player_widget
    assert not widget.message.text()  # nothing imported or said until the player is seen
    app.window.show_tab(controller.library_view)
    app.qtbot.waitUntil(lambda: "Playback is unavailable" in widget.message.text())
    import_and_wait(app, [generated_wav(tmp_path / "a.wav", 16)])
    app.qtbot.waitUntil(
        lambda: controller.library_view.model.rowCount() == 1
    )  # the library still works
    controller.library_view.table.selectRow(0)
    app.qtbot.waitUntil(lambda: widget.title.text() == "a")
    assert not widget.play_button.isEnabled()
    assert controller.library_view.export_button.isEnabled()


def test_library_works_with_no_network(make_app: AppFactory, tmp_path: Path) -> None:
    import socket

    from tests.ui.conftest import write_account

    with socket.socket() as s:  # a port where nothing listens: "no network"
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    home = tmp_path / "offline"
    write_account(home, dead, "k")
    app = make_app(home)
    controller = lib(app)
    import_and_wait(app, [generated_wav(tmp_path / "b.wav", 16, seconds=2)])
    app.qtbot.waitUntil(lambda: controller.library_view.model.rowCount() == 1)
    controller.library_view.table.selectRow(0)
    app.qtbot.waitUntil(lambda: controller.player.duration > 0)
    controller.player.play()
    app.qtbot.waitUntil(lambda: controller.player.position > 300, timeout=10_000)
    history = hist(app).history_view
    app.window.show_tab(history)
    history.outcome_combo.setCurrentIndex(1)
    app.qtbot.waitUntil(lambda: history.model.total == 0)


def test_notes_survive_a_restart(make_app: AppFactory, tmp_path: Path) -> None:
    home = tmp_path / "notes"
    first = make_app(home)
    type_and_enter(first, "9876541111")
    first.wait_state("busy")
    history = hist(first).history_view
    first.qtbot.waitUntil(
        lambda: history.model.rowCount() == 1 and history.model.row_at(0).state == "ended"
    )
    history.table.selectRow(0)
    history.notes_edit.setPlainText("Busy twice: try tomorrow")
    history.save_notes_button.click()
    first.qtbot.waitUntil(lambda: history.model.row_at(0).notes == "Busy twice: try tomorrow")
    first.shutdown()
    second = make_app(home)
    again = hist(second).history_view
    second.qtbot.waitUntil(lambda: again.model.rowCount() == 1)
    assert again.model.row_at(0).notes == "Busy twice: try tomorrow"


def test_a_bookmark_can_be_deleted(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    controller = lib(app)
    import_and_wait(app, [generated_wav(tmp_path / "b.wav", 16, seconds=2)])
    app.window.show_tab(controller.library_view)
    app.qtbot.waitUntil(lambda: controller.library_view.model.rowCount() == 1)
    controller.library_view.table.selectRow(0)
    widget = controller.library_view.player_widget
    app.qtbot.waitUntil(lambda: controller.player.duration > 0)
    for text in ("first", "second"):
        widget.bookmark_edit.setText(text)
        widget.add_bookmark()
        app.qtbot.waitUntil(
            lambda t=text: any(
                t in widget.bookmarks.item(i).text() for i in range(widget.bookmarks.count())
            )
        )
    widget.bookmarks.setCurrentRow(0)
    widget.bookmarks.setFocus()
    widget.delete_bookmark_action.trigger()  # Delete key or the context menu
    app.qtbot.waitUntil(lambda: widget.bookmarks.count() == 1)
    app.qtbot.waitUntil(lambda: library_rows(app)[0].bookmarks == 1)


def test_import_of_files_with_very_long_names(make_app: AppFactory, tmp_path: Path) -> None:
    """Names from other tools can be as long as the file system allows: the library's copy,
    "import-…" plus ".part" while copying, must still fit (it did not: the import crashed)."""
    app = make_app()
    names = ["a" * 240 + ".wav", "☎️ Asha " * 20 + ".wav", "short.wav"]
    files = [generated_wav(tmp_path / n, 16, 0.5 + i / 10) for i, n in enumerate(names)]
    assert import_and_wait(app, files) == (3, [])
    copies = [p.name for p in app.paths.recordings_dir.iterdir()]
    assert len(copies) == 3 and all(len(name.encode()) <= 200 for name in copies)
    app.qtbot.waitUntil(lambda: len(library_rows(app)) == 3)
    assert {row.title for row in library_rows(app)} == {Path(name).stem for name in names}


def test_a_file_imported_twice_is_kept_once(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    first = generated_wav(tmp_path / "short.wav", 16)
    assert import_and_wait(app, [first]) == (1, [])
    again = tmp_path / "copy of short.wav"
    again.write_bytes(first.read_bytes())
    same_size = generated_wav(tmp_path / "other.wav", 8, seconds=1.0)  # 8,000 bytes as well
    raw = bytearray(same_size.read_bytes())
    raw[-1] = 7  # same length, other sound
    same_size.write_bytes(raw)
    assert import_and_wait(app, [again, same_size]) == (
        1,
        ["copy of short.wav: already in the library as “short”"],
    )
    assert len(list(app.paths.recordings_dir.iterdir())) == 2


def test_space_presses_the_recordings_buttons_and_tab_leaves_tables_and_notes(
    make_app: AppFactory, tmp_path: Path
) -> None:
    """The player's Space shortcut took Space from every button of the tab (Delete… played);
    Tab stayed inside tables (cell to cell) and typed tab characters into notes."""
    app = make_app()
    import_and_wait(app, [generated_wav(tmp_path / "a.wav", 16)])
    view = lib(app).library_view
    app.window.show_tab(view)
    app.qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.table.selectRow(0)
    app.window.activateWindow()
    app.qtbot.waitUntil(app.window.isActiveWindow)
    view.delete_button.setFocus()
    app.qtbot.keyClick(view.delete_button, Qt.Key.Key_Space)
    app.question("deleteRecordingBox")
    assert not view.player_widget.player.playing
    app.answer("deleteRecordingBox", "Cancel")
    for table in (view.table, hist(app).history_view.table):
        assert not table.tabKeyNavigation()
    assert app.window.call_panel.wrap_up.editor.notes_edit.tabChangesFocus()


def test_a_file_name_with_a_line_break_gives_a_one_line_title_and_copy(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    odd = generated_wav(tmp_path / "bad\nname\t.wav", 16)
    assert import_and_wait(app, [odd])[0] == 1
    [row] = library_rows_now(app)
    assert row.title == "bad name " and not any(ch < " " for ch in row.title)
    assert "\n" not in Path(row.path or "").name and "\t" not in Path(row.path or "").name
