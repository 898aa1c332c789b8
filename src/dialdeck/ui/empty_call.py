"""What the call side of the window shows before the first call.

The call panel shows this label until a call is placed. At start-up the same label also stands in
for the whole panel while the window first paints; the panel is built just after that, so it does
not delay the window. The agent sees no change when it replaces the stand-in.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

NO_CALL_YET = (
    "No call yet.\n\nType a number on the left and press Enter:\n"
    "your phone rings first, then the customer."
)


def no_call_yet_label() -> QLabel:
    label = QLabel(QCoreApplication.translate("CallPanel", NO_CALL_YET))
    label.setObjectName("emptyState")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class CallPanelStandIn(QWidget):
    """The call panel with no call, as it looks: the same label in the same kind of layout."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("callPanelStandIn")
        QVBoxLayout(self).addWidget(no_call_yet_label())
