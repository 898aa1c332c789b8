"""Names where they were still missing: History's detail pane, the recent numbers, the legs
table, and recordings saved before the contact was imported; each follows imports and deletes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from dialdeck.core.paths import AppPaths
from dialdeck.core.store import HistoryStore
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_call_back import seeded
from tests.ui.test_contacts import ASHA, contacts_file, import_contacts
from tests.ui.test_dialing import type_and_enter

OLD_TITLE = "Call with +91 98765 43210"


def with_old_recording(tmp_path: Path) -> Path:
    home = seeded(tmp_path)  # one call to 98765 43210
    store = HistoryStore(AppPaths.resolve(home).history_db)
    store.db.execute(
        "INSERT INTO recordings (call_uuid, source, title, state, created_at)"
        " VALUES ('u-1', 'call', ?, 'missing', ?)",
        (OLD_TITLE, datetime.now(UTC).isoformat()),
    )
    store.close()
    return home


def delete_asha(app: AppHarness) -> None:
    tab = app.controller.contacts_tab
    assert tab is not None
    app.qtbot.waitUntil(lambda: tab.view.model.rowCount() == 3)
    asha = tab.view.model.row_at(0)
    assert asha.name == "Asha Rao"
    done = app.controller.tasks.spawn(tab.delete(asha))
    app.answer("deleteContactBox", "Delete")
    app.qtbot.waitUntil(done.done)
    assert done.result() is True


def test_history_details_recent_numbers_and_old_recordings_follow_the_contacts(
    make_app: AppFactory, tmp_path: Path
) -> None:
    home = with_old_recording(tmp_path)
    app = make_app(home)
    history = app.controller.history_tab.history_view  # type: ignore[union-attr]
    library = app.controller.recordings.library_view  # type: ignore[union-attr]
    app.window.show_tab(history)
    app.qtbot.waitUntil(lambda: history.model.rowCount() == 1)
    history.table.selectRow(0)
    assert "<b>+91 98765 43210</b>" in history.detail_label.text()
    app.qtbot.waitUntil(lambda: library.model.rowCount() == 1)
    assert library.model.index(0, 0).data() == OLD_TITLE
    app.controller.shell.set_recent(["9876543210"])
    recent = app.window.dialer.recent_list
    assert recent.item(0).text() == "+91 98765 43210"

    import_contacts(app, contacts_file(tmp_path)).close()
    app.qtbot.waitUntil(lambda: f"<b>{ASHA}</b>" in history.detail_label.text())
    app.qtbot.waitUntil(
        lambda: library.model.index(0, 0).data() == "Call with Asha Rao (Acme) (+91 98765 43210)"
    )
    app.qtbot.waitUntil(lambda: recent.item(0).text() == ASHA)
    # Resolved when shown: the stored title stays as it was written.
    assert library.model.row_at(0).title == OLD_TITLE

    delete_asha(app)
    app.qtbot.waitUntil(lambda: "<b>+91 98765 43210</b>" in history.detail_label.text())
    app.qtbot.waitUntil(lambda: library.model.index(0, 0).data() == OLD_TITLE)
    app.qtbot.waitUntil(lambda: recent.item(0).text() == "+91 98765 43210")


def test_the_live_legs_table_names_the_customer_as_soon_as_the_contact_is_known(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    legs = app.window.call_panel.legs_table

    def numbers() -> list[str]:
        return [legs.item(row, 1).text() for row in range(legs.rowCount())]

    assert "+91 98765 43210" in numbers()
    import_contacts(app, contacts_file(tmp_path)).close()
    app.qtbot.waitUntil(lambda: ASHA in numbers())
    agent = next(
        legs.item(row, 1).text() for row in range(legs.rowCount()) if row != numbers().index(ASHA)
    )
    assert "Asha" not in agent  # the agent's own leg is not a contact's
    delete_asha(app)
    app.qtbot.waitUntil(lambda: "+91 98765 43210" in numbers())


def test_the_name_stays_in_the_dialer_quick_dial_and_status_line(
    make_app: AppFactory, tmp_path: Path
) -> None:
    """The dialer dropped the name once "called … ago" appeared; Quick dial and the status
    line after a call said the bare number."""
    app = make_app(seeded(tmp_path))  # 98765 43210 was called before
    import_contacts(app, contacts_file(tmp_path)).close()
    dialer = app.window.dialer
    app.qtbot.keyClicks(dialer.number_edit, "98765 43210")
    app.qtbot.waitUntil(lambda: "called" in dialer.preview.text())
    assert dialer.preview.text().startswith(f"Will call {ASHA}\n")
    app.controller.shell.open_quick_dial("9876543210")
    quick = app.controller.shell.quick_dial
    assert quick is not None
    assert quick.preview.text() == f"Will call {ASHA}"
    quick.close()
    dialer.clear()
    statuses: list[str] = []
    app.controller.calls.status.connect(lambda text, _ms: statuses.append(text))
    app.window.dialer.ring_time_spin.setValue(5)
    nina = tmp_path / "nina.csv"
    nina.write_text("Name;Mobile\nNina Sen;98765 40000\n", encoding="utf-8")
    import_contacts(app, nina).close()
    type_and_enter(app, "9876540000")  # the sandbox's "no answer"
    app.qtbot.waitUntil(lambda: bool(statuses) and ": " in statuses[-1], timeout=10_000)
    assert statuses[-1].startswith("Nina Sen · +91 98765 40000: ")
