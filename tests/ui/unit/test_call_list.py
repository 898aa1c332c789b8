"""The call panel's list through a long day: live calls stay, ended ones are bounded."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dialdeck.core.api import CallInfo
from dialdeck.core.calls import TrackedCall
from dialdeck.ui.call_list import KEEP_ENDED
from dialdeck.ui.call_panel import CallPanel

LEGS = [{"role": "agent", "number": "a", "status": "DIALING"}]


def call(call_id: str, *, over: bool) -> TrackedCall:
    tracked = TrackedCall(call_id, f"u-{call_id}", "98765 43210")
    body = {"call_id": call_id, "call_status": "INITIATED", "legs": LEGS}
    if over:
        body = {**body, "call_status": "NOANSWER", "end_time": "2026-07-03T10:01:00Z"}
    tracked.info = CallInfo.from_json(body)
    return tracked


def listed(panel: CallPanel) -> list[str]:
    return [
        str(panel.calls_list.item(row).data(Qt.ItemDataRole.UserRole))
        for row in range(panel.calls_list.count())
    ]


def test_a_day_of_calls_keeps_live_ones_and_the_newest_ended(qtbot: QtBot) -> None:
    panel = CallPanel()
    qtbot.addWidget(panel)
    panel.update_call(call("live", over=False))
    for n in range(KEEP_ENDED + 15):
        panel.update_call(call(f"c{n}", over=False), focus=True)
        panel.update_call(call(f"c{n}", over=True))  # it ends
    panel.update_call(call("newest", over=False), focus=True)

    shown = listed(panel)
    assert shown[0] == "newest" and "live" in shown  # newest on top; a live call never goes
    assert len(shown) == KEEP_ENDED + 2
    assert f"c{KEEP_ENDED + 14}" in shown and "c0" not in shown  # the oldest ended went first
    assert set(panel.calls_list.calls) == set(shown)  # what is kept is what is shown

    panel.calls_list.setCurrentRow(shown.index("live"))  # still selectable after pruning
    assert panel.focused is not None and panel.focused.call_id == "live"


def test_the_call_in_view_is_kept_even_when_old(qtbot: QtBot) -> None:
    panel = CallPanel()
    qtbot.addWidget(panel)
    panel.update_call(call("first", over=True), focus=True)
    for n in range(KEEP_ENDED + 5):
        panel.update_call(call(f"c{n}", over=True))  # arrive without taking the focus
    assert panel.focused is not None and panel.focused.call_id == "first"
    assert "first" in listed(panel)
