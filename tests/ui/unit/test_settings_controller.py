"""SettingsController on its own: Test connection is "latest wins", saving never raises."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from dialdeck.core.api import AuthError
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import AccountSettings, Settings
from dialdeck.ui.settings_controller import SettingsController
from dialdeck.ui.tasks import Tasks


class ScriptedClient:
    """Answers Test connection when its gate opens: ok, or the error it was given."""

    made: ClassVar[list[ScriptedClient]] = []

    def __init__(self, base_url: str, key: str | None, **_: Any) -> None:
        self.base_url, self.key = base_url, key
        self.gate = asyncio.Event()
        self.error: Exception | None = None
        self.closed = False
        ScriptedClient.made.append(self)

    async def test_connection(self) -> None:
        await self.gate.wait()
        if self.error is not None:
            raise self.error

    async def aclose(self) -> None:
        self.closed = True


def test_testing_again_cancels_the_earlier_attempt(
    tasks: Tasks, qtbot: QtBot, tmp_path: Path
) -> None:
    ScriptedClient.made = []
    controller = SettingsController(
        KeyStore(), tasks, tmp_path / "settings.json", client_factory=ScriptedClient
    )
    parent = QWidget()
    qtbot.addWidget(parent)
    settings = Settings(
        account=AccountSettings("https://api.clouddialer.in", ["919800000000"], "a")
    )
    controller.open(settings, parent)
    qtbot.waitUntil(lambda: controller.dialog is not None and controller.dialog.isVisible())
    dialog = controller.dialog
    assert dialog is not None
    dialog.api_key_edit.setText("old-key")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: len(ScriptedClient.made) == 1)
    dialog.api_key_edit.setText("new-key")
    dialog.test_requested.emit(dialog.base_url_edit.text(), "new-key")  # tested again at once
    qtbot.waitUntil(lambda: len(ScriptedClient.made) == 2)
    first, second = ScriptedClient.made
    second.gate.set()
    qtbot.waitUntil(lambda: "key was accepted" in dialog.test_result.text())
    first.error = AuthError()
    first.gate.set()  # the old attempt was cancelled: its "rejected" can never overwrite
    qtbot.wait(100)
    assert "key was accepted" in dialog.test_result.text()
    assert first.closed and second.closed  # each client closed, cancelled or not
    dialog.reject()


def test_a_refused_save_is_said_not_raised(tasks: Tasks, qtbot: QtBot, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    controller = SettingsController(KeyStore(), tasks, blocked / "settings.json")
    said: list[str] = []
    controller.status.connect(lambda text, _ms: said.append(text))
    task = asyncio.ensure_future(controller.save(Settings()))
    qtbot.waitUntil(task.done)
    assert task.result() is False
    assert "Could not save settings" in said[0]
