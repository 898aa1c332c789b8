"""Live-call behaviour: participants, reconnecting, resuming after a restart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from dialdeck.ui.participant_dialog import AddParticipantDialog
from tests.conftest import sandbox_config
from tests.ui.conftest import APP_SANDBOX_SPEED, AppFactory, AppHarness, write_account
from tests.ui.test_dialing import history_rows, type_and_enter


def connected_call(app: AppHarness, number: str = "9876543210") -> None:
    type_and_enter(app, number)
    app.wait_state("Connected")


def add_participant(app: AppHarness, number: str) -> None:
    app.qtbot.mouseClick(app.window.call_panel.add_participant_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(
        lambda: isinstance(app.controller.shell.participant_dialog, AddParticipantDialog)
    )
    dialog: AddParticipantDialog = app.controller.shell.participant_dialog
    app.qtbot.waitUntil(dialog.isVisible)
    app.qtbot.keyClicks(dialog.number_edit, number)
    app.qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)


def leg_statuses(app: AppHarness) -> list[str]:
    table = app.window.call_panel.legs_table
    return [table.item(r, 2).text() for r in range(table.rowCount()) if table.item(r, 2)]


def test_add_participant_success_then_warm_transfer(make_app: AppFactory) -> None:
    app = make_app()
    connected_call(app)
    add_participant(app, "91234 56789")
    app.qtbot.waitUntil(lambda: leg_statuses(app) == ["Connected", "Connected", "Connected"])
    assert app.state() == "Connected: 3 people on the call"
    assert "Your colleague joined" in app.window.call_panel.notice_label.text()
    table = app.window.call_panel.legs_table
    assert table.item(2, 0).text() == "Colleague"
    # Warm transfer: the agent drops off, customer and colleague stay connected.
    app.qtbot.mouseClick(app.window.call_panel.hangup_agent_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: leg_statuses(app) == ["Hung up", "Connected", "Connected"])
    assert app.state() == "Connected"
    app.qtbot.mouseClick(app.window.call_panel.hangup_participant_button, Qt.MouseButton.LeftButton)
    app.wait_state("Call ended")


def test_add_participant_failure_leaves_call_running(make_app: AppFactory) -> None:
    app = make_app()
    connected_call(app)
    add_participant(app, "9123451111")  # busy colleague
    notice = app.window.call_panel.notice_label
    app.qtbot.waitUntil(lambda: "could not be reached" in notice.text())
    assert "The call goes on" in notice.text()
    assert notice.isVisible()
    assert leg_statuses(app) == ["Connected", "Connected", "Not reached"]
    assert app.state() == "Connected"
    assert app.window.call_panel.add_participant_button.isEnabled()


def test_add_participant_dialog_refuses_invalid_numbers(make_app: AppFactory) -> None:
    app = make_app()
    connected_call(app)
    app.qtbot.mouseClick(app.window.call_panel.add_participant_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: app.controller.shell.participant_dialog is not None)
    dialog: AddParticipantDialog = app.controller.shell.participant_dialog
    app.qtbot.keyClicks(dialog.number_edit, "12")
    assert dialog.preview.text() == "Too short: 2 digits (an Indian number has 10)"
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    app.qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    dialog.reject()
    participant_posts = [
        r for r in app.embedded_sandbox.app.requests if r.path.endswith("/participants")
    ]
    assert participant_posts == []


def test_add_participant_disabled_until_live(make_app: AppFactory) -> None:
    app = make_app()
    assert not app.window.call_panel.add_participant_button.isEnabled()
    type_and_enter(app, "9876543333")  # the agent never answers
    app.wait_state("Ringing your phone")
    assert not app.window.call_panel.add_participant_button.isEnabled()


@pytest.fixture
def own_sandbox() -> Iterator[SandboxServer]:
    """A sandbox this test may stop and start again (same port, same calls)."""
    config = sandbox_config(
        speed=APP_SANDBOX_SPEED, timings=replace(sandbox_config().timings, talk_time=600)
    )
    server = SandboxServer(config)
    server.start()
    yield server
    server.stop()


def live_call_then_quit(make_app: AppFactory, sandbox: SandboxServer, home: Path) -> str:
    """An account on ``sandbox`` with a connected call, and Dialdeck quit during it: the call's id
    (history keeps it as live, for the next start to resume)."""
    write_account(home, sandbox.url, DEMO_API_KEY)
    first = make_app(home)
    connected_call(first)
    focused = first.window.call_panel.focused
    assert focused is not None
    first.shutdown()
    assert history_rows(first)[-1]["state"] == "live"
    return focused.call_id


def test_server_killed_mid_call_shows_reconnecting_and_recovers(
    make_app: AppFactory, own_sandbox: SandboxServer, tmp_path: Path
) -> None:
    home = tmp_path / "acct"
    write_account(home, own_sandbox.url, DEMO_API_KEY)
    app = make_app(home)
    connected_call(app)
    own_sandbox.stop()
    app.qtbot.waitUntil(app.window.call_panel.reconnecting_label.isVisible, timeout=10_000)
    assert app.window.call_panel.state_label.property("reconnecting") is True
    # Its own line: the headline never reads "Reconnecting… Connected".
    assert app.state() == "Connected"
    own_sandbox.start()
    app.qtbot.waitUntil(
        lambda: not app.window.call_panel.reconnecting_label.isVisible(), timeout=10_000
    )
    assert app.state() == "Connected"
    assert app.window.call_panel.focused is not None
    assert not app.window.call_panel.focused.reconnecting


def test_a_rate_limited_poll_says_when_dialdeck_asks_again(
    make_app: AppFactory, own_sandbox: SandboxServer, tmp_path: Path
) -> None:
    """429 with Retry-After: the line says CloudDialer asked to slow down and when Dialdeck
    asks again (not "Reconnecting…"); following resumes after the wait."""
    home = tmp_path / "acct"
    write_account(home, own_sandbox.url, DEMO_API_KEY)
    app = make_app(home)
    connected_call(app)
    faults = {"error_rate": 1, "error_status": 429, "retry_after": 2, "count": 1,
              "path_prefix": "/calls/"}  # fmt: skip
    httpx.post(f"{own_sandbox.url}/_sandbox/faults", json=faults, timeout=5)
    line = app.window.call_panel.reconnecting_label
    app.qtbot.waitUntil(line.isVisible, timeout=10_000)
    assert "slow down: checking again at" in line.text()
    assert app.state() == "Connected"
    app.qtbot.waitUntil(lambda: not line.isVisible(), timeout=10_000)
    assert app.state() == "Connected"


def test_restart_resumes_a_live_call(
    make_app: AppFactory, own_sandbox: SandboxServer, tmp_path: Path
) -> None:
    home = tmp_path / "acct"
    call_id = live_call_then_quit(make_app, own_sandbox, home)
    second = make_app(home)
    second.wait_state("Connected")
    assert second.window.call_panel.focused is not None
    assert second.window.call_panel.focused.call_id == call_id
    assert second.window.call_panel.number_label.text() == "+91 98765 43210"
    import httpx

    httpx.post(
        f"{own_sandbox.url}/_sandbox/calls/{call_id}/hangup",
        json={"role": "destination"},
        timeout=5,
    )
    second.wait_state("Call ended")
    second.qtbot.waitUntil(lambda: history_rows(second)[-1]["state"] == "ended")


def test_sandbox_calls_from_a_previous_run_are_closed_not_resumed(
    make_app: AppFactory, tmp_path: Path
) -> None:
    home = tmp_path / "sb"
    first = make_app(home)
    connected_call(first)
    first.shutdown()
    second = make_app(home)
    assert second.window.call_panel.focused is None
    assert history_rows(second)[-1]["state"] == "ended"
    assert "Simulated call ended" in history_rows(second)[-1]["error"]
    # The History tab, read before the call was closed, shows it closed too (not "In progress").
    history = second.controller.history_tab
    assert history is not None
    model = history.history_view.model
    second.qtbot.waitUntil(lambda: model.rowCount() == 1 and model.row_at(0).state == "ended")


def test_several_calls_tracked_one_in_focus(make_app: AppFactory) -> None:
    app = make_app()
    connected_call(app, "9876543210")
    panel = app.window.call_panel
    type_and_enter(app, "9123456789")
    app.qtbot.waitUntil(lambda: panel.calls_list.count() == 2)
    app.qtbot.waitUntil(
        lambda: panel.number_label.text() == "+91 91234 56789" and app.state() == "Connected"
    )
    assert panel.calls_list.count() == 2
    assert panel.calls_list.isVisible()
    assert panel.number_label.text() == "+91 91234 56789"
    panel.calls_list.setCurrentRow(1)  # the older call
    assert panel.number_label.text() == "+91 98765 43210"
    assert app.state() == "Connected"


def test_add_participant_dialog_says_when_the_call_ends_meanwhile(make_app: AppFactory) -> None:
    """Left open while the call ends, the dialog says so and rings no one."""
    app = make_app()
    connected_call(app)
    app.qtbot.mouseClick(app.window.call_panel.add_participant_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: app.controller.shell.participant_dialog is not None)
    dialog = app.controller.shell.participant_dialog
    assert dialog is not None
    app.qtbot.waitUntil(dialog.isVisible)
    app.qtbot.keyClicks(dialog.number_edit, "91234 5678")
    app.qtbot.mouseClick(app.window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.wait_state("Call ended")
    app.qtbot.waitUntil(lambda: "The call has ended" in dialog.preview.text())
    ring = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ring.isEnabled()
    app.qtbot.keyClicks(dialog.number_edit, "9")  # a complete number now: still no one to ring
    assert not ring.isEnabled()
    before = len(app.embedded_sandbox.app.requests)
    app.qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)
    app.qtbot.wait(300)
    assert not [r for r in list(app.embedded_sandbox.app.requests)[before:] if r.method == "POST"]
    assert dialog.number_edit.text() == "91234 56789"  # kept, to copy into the dialer
    dialog.reject()
    app.qtbot.waitUntil(lambda: app.controller.shell.participant_dialog is None)
