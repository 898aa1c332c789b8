"""Names, not numbers: contacts imported from a file show up wherever a number is shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from dialdeck.ui.participant_dialog import AddParticipantDialog
from tests.ui.conftest import AppFactory, AppHarness

ASHA = "Asha Rao (Acme) · +91 98765 43210"


def import_contacts(app: AppHarness, path: Path) -> QMessageBox:
    app.controller.contacts.choose_file = lambda: path  # type: ignore[method-assign]
    action = app.window.import_contacts_action
    assert action.isEnabled() and action.text() == "Import contacts…"
    action.trigger()
    boxes = app.controller.shell.problem_boxes
    app.qtbot.waitUntil(lambda: bool(boxes))
    return boxes[-1]


def contacts_file(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Name;Mobile;Company;Favourite\n"
        "Asha Rao;+91 98765 43210;Acme;\n"
        "Ravi Kumar;91234 56789;;yes\n"
        "Broken;12;;\n",
        encoding="utf-8-sig",
    )
    return path


def test_import_then_names_in_dialer_call_panel_notifications_history_and_recordings(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    window = app.window
    app.qtbot.keyClicks(window.dialer.number_edit, "9876543210")
    assert window.dialer.preview.text() == "Will call +91 98765 43210"  # no contacts yet

    box = import_contacts(app, contacts_file(tmp_path))
    assert box.icon() == QMessageBox.Icon.Information
    assert (
        "3 contacts added" in box.text() and "1 number is not a valid Indian number" in box.text()
    )
    box.close()
    # The number already typed is named as soon as the name is read.
    app.qtbot.waitUntil(lambda: window.dialer.preview.text() == f"Will call {ASHA}")

    seen: list[tuple[str, str]] = []
    tray = app.controller.shell.tray
    assert tray is not None
    tray.notify = lambda title, text: seen.append((title, text))  # type: ignore[method-assign]
    app.qtbot.keyClick(window.dialer.number_edit, Qt.Key.Key_Return)
    app.wait_state("Connected")
    assert window.call_panel.number_label.text() == ASHA
    app.qtbot.mouseClick(window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: any(t == "Recording saved" for t, _ in seen), timeout=15_000)
    assert (ASHA, "Connected") in seen
    assert ("Recording saved", "Call with Asha Rao (Acme) (+91 98765 43210)") in seen

    history = app.controller.history_tab.history_view  # type: ignore[union-attr]
    window.show_tab(history)
    app.qtbot.waitUntil(lambda: history.model.rowCount() == 1)
    column = next(i for i, c in enumerate(history.model.columns) if c.title == "Number")
    app.qtbot.waitUntil(lambda: history.model.index(0, column).data() == ASHA)
    history.search_edit.setText("ravi")
    app.qtbot.waitUntil(lambda: history.model.rowCount() == 0, timeout=5_000)
    history.search_edit.setText("ASHA")
    app.qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=5_000)


def test_favourites_fill_the_participant_number_and_recent_numbers_have_names(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    import_contacts(app, contacts_file(tmp_path)).close()
    shell = app.controller.shell
    app.qtbot.waitUntil(lambda: [c.name for c in shell.favourites] == ["Ravi Kumar"])
    shell.ask_participant("call-1")
    dialog = shell.participant_dialog
    assert isinstance(dialog, AddParticipantDialog)
    colleagues = dialog.favourites_list
    assert colleagues.count() == 1 and colleagues.item(0).text() == "Ravi Kumar · +91 91234 56789"
    colleagues.itemClicked.emit(colleagues.item(0))
    assert dialog.number is not None and dialog.number.national == "9123456789"
    app.qtbot.waitUntil(lambda: dialog.preview.text() == "Will ring Ravi Kumar · +91 91234 56789")
    dialog.reject()

    shell.set_recent(["9876543210"])
    tray = shell.tray
    assert tray is not None
    app.qtbot.waitUntil(lambda: tray.name_for("9876543210") == "Asha Rao (Acme)")
    tray.rebuild_menu()
    recent = next(a.menu() for a in tray.menu.actions() if a.menu() is not None)
    assert [a.text() for a in recent.actions()] == [ASHA]


def test_an_unreadable_file_is_explained(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n")
    box = import_contacts(app, path)
    assert box.icon() == QMessageBox.Icon.Warning
    assert "No phone number column" in box.text()
