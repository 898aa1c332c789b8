"""Numbers are never lost and calls never silently dropped: numbers that arrive while a call is
being placed, quitting during a call, and live calls waiting for a missing API key."""

from __future__ import annotations

from pathlib import Path

import httpx

from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from tests.conftest import MemoryKeyring
from tests.ui.conftest import AppFactory, AppHarness, write_account
from tests.ui.test_dialing import history_rows, type_and_enter, wait_confirm_box
from tests.ui.test_live_call import (  # noqa: F401 (own_sandbox: a fixture)
    connected_call,
    live_call_then_quit,
    own_sandbox,
)
from tests.ui.test_settings import open_settings, save


def slow_next_post(app: AppHarness, ms: int = 1500) -> None:
    httpx.post(
        f"{app.embedded_sandbox.url}/_sandbox/faults",
        json={"latency_ms": ms, "count": 1, "path_prefix": "/calls"},
        timeout=5,
    ).raise_for_status()


def test_link_arriving_mid_dial_stays_in_the_dialer(make_app: AppFactory) -> None:
    app = make_app()
    slow_next_post(app)
    type_and_enter(app, "9876543210")
    app.qtbot.waitUntil(lambda: not app.window.dialer.is_ready())  # the POST is in flight
    app.controller.handle_args(["tel:+91-91234-56789"])
    assert app.window.dialer.number_edit.text() == "+91 91234 56789"
    app.qtbot.waitUntil(lambda: app.window.call_panel.focused is not None)  # POST answered
    assert app.window.dialer.number_edit.text() == "+91 91234 56789"  # not wiped
    assert len(app.posts()) == 1


def test_link_dialled_at_once_mid_dial_waits_with_a_reason(make_app: AppFactory) -> None:
    app = make_app()
    app.controller.shell.dial_links_at_once = True
    slow_next_post(app)
    type_and_enter(app, "9876543210")
    app.qtbot.waitUntil(lambda: not app.window.dialer.is_ready())
    app.controller.handle_args(["tel:+919123456789"])
    dialer = app.window.dialer
    assert dialer.number_edit.text() == "+91 91234 56789"
    assert "being placed right now" in dialer.preview.text()
    app.qtbot.waitUntil(lambda: app.window.call_panel.focused is not None)
    assert dialer.number_edit.text() == "+91 91234 56789"
    assert len(app.posts()) == 1
    type_and_enter(app, "")  # the agent dials it next with Enter
    app.qtbot.waitUntil(lambda: len(app.posts()) == 2)
    assert app.posts()[1]["body"]["to_number"] == "9123456789"


def test_quick_dial_mid_dial_hands_the_number_over_not_silently(make_app: AppFactory) -> None:
    app = make_app()
    slow_next_post(app)
    type_and_enter(app, "9876543210")
    app.qtbot.waitUntil(lambda: not app.window.dialer.is_ready())
    app.window.quick_dial_action.trigger()
    box = app.controller.shell.quick_dial
    assert box is not None
    app.qtbot.waitUntil(box.isVisible)
    app.qtbot.keyClicks(box.number_edit, "91234 56789")
    box.request_dial()
    dialer = app.window.dialer
    assert dialer.number_edit.text() == "+91 91234 56789"
    assert "was not dialled" in dialer.preview.text()
    app.qtbot.waitUntil(lambda: app.window.call_panel.focused is not None)
    assert dialer.number_edit.text() == "+91 91234 56789"
    assert len(app.posts()) == 1


def test_quit_during_a_live_call_asks_first(make_app: AppFactory) -> None:
    app = make_app()
    connected_call(app)
    app.window.quit_requested.emit()  # Ctrl+Q
    box = wait_confirm_box(app)
    assert "still live" in box.text() and "goes on" in box.text()
    assert box.defaultButton().text() == "Cancel"
    box.reject()
    app.qtbot.wait(200)
    assert not app.controller._shutting_down
    assert app.window.isVisible()
    app.controller.shell.confirm_box = None
    app.controller.shell.tray.quit_requested.emit()  # type: ignore[union-attr]  # the tray's Quit
    box = wait_confirm_box(app)
    quit_button = next(b for b in box.buttons() if b.text() == "Quit")
    with app.qtbot.waitSignal(app.controller.finished, timeout=10_000):
        quit_button.click()
    app.closed = True
    assert history_rows(app)[-1]["state"] == "live"  # followed again at the next start


def test_quit_with_no_call_does_not_ask(make_app: AppFactory) -> None:
    app = make_app()
    with app.qtbot.waitSignal(app.controller.finished, timeout=10_000):
        app.window.quit_requested.emit()
    app.closed = True
    assert app.controller.shell.confirm_box is None


def test_live_call_waits_for_the_key_then_resumes(
    make_app: AppFactory,
    own_sandbox: SandboxServer,  # noqa: F811
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    home = tmp_path / "acct"
    call_id = live_call_then_quit(make_app, own_sandbox, home)
    memory_keyring.passwords.clear()  # the key was kept for that session only
    before = len(own_sandbox.app.requests)
    said: list[str] = []
    second = make_app(home, wait=False)
    second.window.statusBar().messageChanged.connect(said.append)
    second.qtbot.waitUntil(lambda: second.controller.is_ready, timeout=10_000)
    second.qtbot.wait(300)
    assert second.window.call_panel.focused is None  # nothing polled without a key…
    polled = [r for r in list(own_sandbox.app.requests)[before:] if call_id in r.path]
    assert polled == []  # a keyless poll would be refused (401) and the call dropped
    assert history_rows(second)[-1]["state"] == "live"  # …and nothing dropped
    assert any("Enter your API key" in text for text in said)

    dialog = open_settings(second)
    dialog.api_key_edit.setText(DEMO_API_KEY)
    save(dialog)
    second.wait_state("Connected")  # followed again as soon as the key is there
    assert second.window.call_panel.focused.call_id == call_id  # type: ignore[union-attr]


def test_rejected_key_mid_call_pauses_instead_of_dropping(
    make_app: AppFactory,
    own_sandbox: SandboxServer,  # noqa: F811
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    home = tmp_path / "acct2"
    live_call_then_quit(make_app, own_sandbox, home)
    write_account(home, own_sandbox.url, "revoked-key")
    second = make_app(home)
    second.qtbot.waitUntil(lambda: "did not accept the API key" in second.state())
    assert history_rows(second)[-1]["state"] == "live"
    dialog = open_settings(second)
    dialog.api_key_edit.setText(DEMO_API_KEY)
    save(dialog)
    second.wait_state("Connected")
