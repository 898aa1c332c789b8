"""Questions a coroutine can await without a nested event loop.

``QMessageBox.question()`` runs ``exec()``: a second event loop inside an asyncio task, where
other tasks, timers and signals run re-entrantly and shutdown can be entered twice. Here the box
is window-modal and opened with ``open()``; the coroutine awaits its answer. The safe answer
(Cancel) is the default, so a tired Enter or Esc never deletes anything.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


def question_box(
    parent: QWidget,
    name: str,
    title: str,
    text: str,
    yes: str,
    role: QMessageBox.ButtonRole = QMessageBox.ButtonRole.AcceptRole,
) -> tuple[QMessageBox, QPushButton]:
    """A question whose default (Enter, Esc) is the safe answer, Cancel; deleted once closed."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setObjectName(name)
    accept = box.addButton(yes, role)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box, accept


async def ask(parent: QWidget, name: str, title: str, text: str, yes: str) -> bool:
    """True only when the agent clicks ``yes``; the box closes if the awaiting task is cancelled."""
    box, accept = question_box(
        parent, name, title, text, yes, QMessageBox.ButtonRole.DestructiveRole
    )
    box.setWindowModality(Qt.WindowModality.WindowModal)
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def finished(_result: int) -> None:  # the box knows which button closed it by now
        if not answer.done():
            answer.set_result(box.clickedButton() is accept)

    box.finished.connect(finished)
    box.open()
    try:
        return await answer
    except asyncio.CancelledError:
        box.finished.disconnect(finished)
        box.close()  # cancelled while asking (e.g. quitting): take the question away
        raise
