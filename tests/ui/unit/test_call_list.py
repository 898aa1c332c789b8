"""The call panel's list through a long day: live calls stay, ended ones are bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot

from dialdeck.core.api import CallInfo
from dialdeck.core.calls import TrackedCall
from dialdeck.core.numbers import parse_dial_number
from dialdeck.ui.call_list import KEEP_ENDED
from dialdeck.ui.call_panel import CallPanel
from dialdeck.ui.describe import call_seconds
from dialdeck.ui.dialer import DialerPanel
from dialdeck.ui.tray import TrayController

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


def live_since(start: str, duration: int | None) -> TrackedCall:
    tracked = TrackedCall("c", "u-c", "98765 43210")
    legs = [{"role": "agent", "number": "a", "status": "JOINED"}]
    body = {"call_id": "c", "call_status": "ANSWER", "start_time": start, "legs": legs}
    tracked.info = CallInfo.from_json({**body, "duration": duration} if duration else body)
    return tracked


def test_the_timer_survives_a_pc_clock_far_from_clouddialers(qtbot: QtBot) -> None:
    """A start 148 days before this PC's now (a clock set wrong on either side) read 3567 hours."""
    panel = CallPanel()
    qtbot.addWidget(panel)
    start = (datetime.now(UTC) - timedelta(days=148)).isoformat()
    panel.update_call(live_since(start, duration=2), focus=True)
    assert panel.timer_label.text() == "0:02"  # CloudDialer's own count
    future = (datetime.now(UTC) + timedelta(hours=5)).isoformat()
    panel.update_call(live_since(future, duration=None), focus=True)
    assert panel.timer_label.text() == "0:00"  # since it was followed here, not negative
    recent = (datetime.now(UTC) - timedelta(seconds=75)).isoformat()
    panel.update_call(live_since(recent, duration=70), focus=True)
    assert panel.timer_label.text() == "1:15"  # clocks agree: the live count runs on


NOW = datetime(2026, 7, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "duration", "seconds"),
    [
        (NOW - timedelta(seconds=42), NOW, None, 42.0),  # ended: its times
        (NOW - timedelta(seconds=42), NOW, 40, 42.0),
        # Times that cannot be: its own count, else how long Dialdeck followed it (9 s).
        (NOW, NOW - timedelta(hours=1), 33, 33.0),  # ended before it started
        (NOW, NOW - timedelta(hours=1), None, 9.0),
        (datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC), None, 9.0),
        (NOW - timedelta(days=3), None, None, 9.0),  # live, this PC days ahead, no count
        (NOW - timedelta(days=3), None, 5, 5.0),
        (NOW - timedelta(seconds=30), None, None, 30.0),  # live, clocks agree
    ],
)
def test_the_call_clock_never_shows_impossible_times(
    start: datetime, end: datetime | None, duration: int | None, seconds: float
) -> None:
    info = CallInfo.from_json({
        "call_id": "c", "call_status": "ANSWER", "legs": [], "start_time": start.isoformat(),
        **({"end_time": end.isoformat()} if end else {}),
        **({"duration": duration} if duration is not None else {}),
    })  # fmt: skip
    assert call_seconds(info, 9.0, NOW) == seconds


def test_long_words_in_the_panel_wrap_instead_of_widening_it(qtbot: QtBot) -> None:
    """A rate limit's line and a contact's long name used to push the timer and the buttons
    off a 900 px window (the panel only scrolls up and down on a small screen)."""
    panel = CallPanel()
    qtbot.addWidget(panel)
    call = live_since((datetime.now(UTC) - timedelta(seconds=5)).isoformat(), duration=5)
    panel.update_call(call, focus=True)
    panel.show()
    narrow = panel.minimumSizeHint().width()
    call.reconnecting, call.asked_to_wait_until = True, datetime.now(UTC)
    panel.describe_number = lambda _n: (
        "Priya Raghunathan-Venkataramanan (Globex Industries) · +91 98765 43210"
    )
    panel.update_call(call, focus=True)
    assert panel.reconnecting_label.isVisible()
    assert "slow down" in panel.reconnecting_label.text()
    assert panel.minimumSizeHint().width() <= narrow


def test_no_notice_is_shown_about_a_call_that_ended(qtbot: QtBot) -> None:
    """A colleague's "left the call" arriving with the end of the call stayed there for good."""
    panel = CallPanel()
    qtbot.addWidget(panel)
    panel.show()
    call = live_since((datetime.now(UTC) - timedelta(seconds=5)).isoformat(), duration=5)
    panel.update_call(call, focus=True)
    panel.show_notice_for("c", "Your colleague joined.", False)
    assert panel.notice_label.isVisible()
    assert call.info is not None
    call.info = CallInfo.from_json({"call_id": "c", "call_status": "ANSWER", "legs": [],
                                    "end_time": datetime.now(UTC).isoformat()})  # fmt: skip
    panel.update_call(call, focus=False)
    assert not panel.notice_label.isVisible()
    panel.show_notice_for("c", "Your colleague left the call.", False)
    assert not panel.notice_label.isVisible()


LONG_NAME = (
    "Venkataraghavan Subramaniam Chandrasekharan Iyer Lakshminarayanan "
    "(Hindustan Aeronautics and Precision Engineering Private Limited Bengaluru)"
)


def test_a_long_name_is_shortened_in_its_middle_in_every_list(qtbot: QtBot) -> None:
    """The call list, Recent numbers: no sideways scroll bar hiding the call's state or the
    number; the whole text on hover. The tray's menu stays narrow, the number whole."""
    panel = CallPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 400)
    panel.show()
    panel.describe_number = lambda number: f"{LONG_NAME} · {number}"
    first = live_since((datetime.now(UTC) - timedelta(seconds=5)).isoformat(), duration=5)
    second = TrackedCall("d", "u-d", "91234 56789", info=first.info)
    panel.update_call(first, focus=True)
    panel.update_call(second, focus=True)
    calls = panel.calls_list
    assert calls.isVisible() and calls.count() == 2
    assert calls.horizontalScrollBar().maximum() == 0
    assert calls.textElideMode() is Qt.TextElideMode.ElideMiddle
    assert calls.item(0).toolTip().endswith("· Connected") and LONG_NAME in calls.item(0).toolTip()

    dialer = DialerPanel()
    qtbot.addWidget(dialer)
    dialer.describe_number = lambda number: f"{LONG_NAME} · {number.display}"
    dialer.set_recent(["9876543210"])
    dialer.resize(320, 500)
    dialer.show()
    assert dialer.recent_list.horizontalScrollBar().maximum() == 0
    assert dialer.recent_list.item(0).toolTip().endswith("+91 98765 43210")

    tray = TrayController(dialer)
    tray.name_for = lambda _national: LONG_NAME
    label = tray._label(parse_dial_number("9876543210"))
    assert label.endswith(" · +91 98765 43210") and "…" in label
    assert QFontMetrics(tray.menu.font()).horizontalAdvance(label) < 420
