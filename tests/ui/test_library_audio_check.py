"""A recording whose audio could not be *checked* is not declared missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialdeck.core import library
from dialdeck.core.audio import AudioCheckError, AudioInfo
from dialdeck.core.library import RecState
from dialdeck.ui import recordings_controller
from tests.ui.conftest import AppFactory
from tests.ui.test_library import generated_wav, import_and_wait, lib, library_rows


def test_a_failed_check_is_shown_but_the_recording_stays(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    controller = lib(app)
    import_and_wait(app, [generated_wav(tmp_path / "ok.wav", 16, seconds=2)])
    app.qtbot.waitUntil(lambda: controller.library_view.model.rowCount() == 1)
    rec_id = library_rows(app)[0].id

    def broken_decoder(path: Path) -> AudioInfo:
        raise AudioCheckError("Checking the audio took too long; the file may be damaged")

    monkeypatch.setattr(recordings_controller, "probe_audio", broken_decoder)
    controller.library_view.table.selectRow(0)
    message = controller.library_view.player_widget.message
    app.qtbot.waitUntil(lambda: "took too long" in message.text())
    # Queued behind whatever the failed check wrote to the history (one database thread).
    task = app.controller.tasks.spawn(controller.history.run(library.get, rec_id))
    app.qtbot.waitUntil(task.done)
    assert task.result().state == RecState.LOCAL
