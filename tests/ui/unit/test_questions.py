"""Questions awaited by coroutines: no nested event loop, Cancel by default, gone when cancelled."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from dialdeck.ui.questions import ask


def open_box(qtbot: QtBot, parent: QWidget) -> QMessageBox:
    found: list[QMessageBox] = []

    def visible() -> bool:
        box = parent.findChild(QMessageBox, "q")
        found[:] = [box] if box is not None and box.isVisible() else []
        return bool(found)

    qtbot.waitUntil(visible)
    return found[0]


def test_answers_and_the_safe_default(aloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    for key, expected in ((Qt.Key.Key_Return, False), (Qt.Key.Key_Escape, False), (None, True)):
        task = aloop.create_task(ask(parent, "q", "Delete", "Delete it?", "Delete"))
        box = open_box(qtbot, parent)
        assert box.windowModality() == Qt.WindowModality.WindowModal
        assert box.defaultButton().text() == "Cancel"
        if key is None:
            button = next(b for b in box.buttons() if b.text() == "Delete")
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(box, key)
        qtbot.waitUntil(task.done)
        assert task.result() is expected


def test_other_work_goes_on_while_asking(aloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    ticks: list[int] = []

    async def ticker() -> None:
        for n in range(5):
            await asyncio.sleep(0.01)
            ticks.append(n)

    asking = aloop.create_task(ask(parent, "q", "Delete", "Delete it?", "Delete"))
    other = aloop.create_task(ticker())
    open_box(qtbot, parent)
    qtbot.waitUntil(other.done)  # the question blocks nothing: not a nested exec() loop
    assert ticks == [0, 1, 2, 3, 4] and not asking.done()
    asking.cancel()  # e.g. the app quits while asking: the question goes away with the task
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, "q") is None)  # closed and deleted
    qtbot.waitUntil(asking.done)
    assert asking.cancelled()
