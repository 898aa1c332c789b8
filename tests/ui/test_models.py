"""Every Qt model passes pytest-qt's model tester (Qt's QAbstractItemModelTester) with real data:
the paged History and Recordings models while pages load, refresh and re-sort."""

from __future__ import annotations

from pathlib import Path

from dialdeck.core.store import HistoryStore
from tests.support.models import model_testers
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_library import generated_wav, hist, import_and_wait, lib


def test_history_and_recordings_models_are_well_behaved(
    make_app: AppFactory, tmp_path: Path
) -> None:
    from dialdeck.core.paths import AppPaths

    home = tmp_path / "home"
    store = HistoryStore(AppPaths.resolve(home).history_db)
    for n in range(450):  # more than one page
        store.record_placing(uuid=f"u{n}", to_number=f"98765{n:05d}",
                             from_number="919800000000", agent="agent.017", sandbox=True)  # fmt: skip
    store.close()
    app = make_app(home)
    controller = lib(app)
    history_tab = hist(app)
    history = history_tab.history_view.model
    recordings = controller.library_view.model
    with model_testers(history, recordings):
        check_history_and_recordings(app, tmp_path)


def check_history_and_recordings(app: AppHarness, tmp_path: Path) -> None:
    controller = lib(app)
    history_tab = hist(app)
    history = history_tab.history_view.model
    recordings = controller.library_view.model
    app.qtbot.waitUntil(lambda: history.total == 450)
    history.sort(1)
    app.qtbot.waitUntil(lambda: history.rowCount() > 0)
    app.window.show_tab(history_tab.history_view)
    history_tab.history_view.table.scrollToBottom()  # loads further pages
    history_tab.history_view.search_edit.setText("9876500449")
    app.qtbot.waitUntil(lambda: history.total == 1)
    history_tab.history_view.model.refresh()
    controller.library_view.model.refresh()

    app.window.show_tab(controller.library_view)
    imported, problems = import_and_wait(
        app, [generated_wav(tmp_path / f"m{n}.wav", 16) for n in range(3)]
    )
    assert (imported, problems) == (3, [])
    app.qtbot.waitUntil(lambda: recordings.total == 3)
    app.qtbot.wait(300)
    assert recordings.rowCount() == 3  # a visible view's fetchMore() never adds a page twice
    controller.library_view.search_edit.setText("m1")
    app.qtbot.waitUntil(lambda: recordings.rowCount() == 1)


def test_widget_models_are_well_behaved(make_app: AppFactory) -> None:
    from tests.ui.test_dialing import type_and_enter

    app = make_app()
    panel = app.window.call_panel
    with model_testers(
        panel.legs_table.model(), panel.calls_list.model(), app.window.dialer.recent_list.model()
    ):
        type_and_enter(app, "9876543210")
        app.wait_state("Connected")
        type_and_enter(app, "9876543211")
        app.qtbot.waitUntil(lambda: panel.calls_list.count() == 2)
        panel.calls_list.setCurrentRow(1)  # focus moves: the legs table is rebuilt
        app.qtbot.waitUntil(lambda: panel.legs_table.rowCount() > 0)
        app.window.dialer.number_edit.setFocus()  # the recent numbers list is shown and filled
        app.qtbot.waitUntil(lambda: app.window.dialer.recent_list.count() > 0)
