"""Settings, the keyring, Test connection, and keeping the key out of every file."""

from __future__ import annotations

from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from dialdeck.core.secrets import SERVICE, KeyStore
from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from dialdeck.ui.crash import CrashDialog
from dialdeck.ui.settings_dialog import SettingsDialog
from tests.conftest import MemoryKeyring
from tests.ui.conftest import AppFactory, AppHarness, write_account
from tests.ui.test_dialing import history_rows, type_and_enter
from tests.ui.test_live_call import own_sandbox  # noqa: F401 (a fixture)


def open_settings(app: AppHarness) -> SettingsDialog:
    app.controller.settings_ui.dialog = None  # type: ignore[assignment]
    app.window.settings_action.trigger()
    app.qtbot.waitUntil(lambda: app.controller.settings_ui.dialog is not None)
    dialog = app.controller.settings_ui.dialog
    app.qtbot.waitUntil(dialog.isVisible)
    return dialog


def fill_account(dialog: SettingsDialog, url: str, key: str) -> None:
    dialog.account_radio.setChecked(True)
    dialog.base_url_edit.setText(url)
    dialog.api_key_edit.setText(key)
    dialog.caller_ids_edit.setText("919800000000, 919800000001")
    dialog.agent_kind.setCurrentIndex(0)
    dialog.agent_edit.setText("agent.017")


def save(dialog: SettingsDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def wait_reconnected(app: AppHarness, badge: str) -> None:
    app.qtbot.waitUntil(
        lambda: app.window.mode_badge.text() == badge and app.window.dialer.is_ready()
    )


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_switch_to_account_key_goes_to_keyring_only(
    make_app: AppFactory, sandbox: SandboxServer, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    home = tmp_path / "home"
    app = make_app(home)
    dialog = open_settings(app)
    assert "system keyring" in dialog.findChild(type(dialog.test_result), "keyringNote").text()
    fill_account(dialog, sandbox.url, DEMO_API_KEY)
    save(dialog)
    wait_reconnected(app, "CloudDialer account")
    assert memory_keyring.passwords[(SERVICE, sandbox.url)] == DEMO_API_KEY
    assert app.window.dialer.caller_id_combo.count() == 2
    assert not app.window.call_panel.sandbox_mode

    type_and_enter(app, "9876543210")  # the stored key works against the "real" API
    app.wait_state("Connected")
    app.shutdown()
    assert (home / "config" / "settings.json").exists()
    assert files_containing(home, DEMO_API_KEY) == []


def test_no_secure_keyring_keeps_key_for_the_session_only(
    make_app: AppFactory, sandbox: SandboxServer, tmp_path: Path
) -> None:
    home = tmp_path / "nokeyring"
    store = KeyStore(keyring.backends.fail.Keyring())
    app = make_app(home, keystore=store)
    assert app.controller.settings_ui.secure_keyring is None  # sandbox mode: not asked at start
    dialog = open_settings(app)
    assert app.controller.settings_ui.secure_keyring is False
    note = dialog.findChild(type(dialog.test_result), "keyringNote").text()
    assert "for this session only" in note
    assert (
        dialog.api_key_edit.placeholderText() == "Paste your API key (kept for this session only)"
    )
    fill_account(dialog, sandbox.url, DEMO_API_KEY)
    save(dialog)
    app.qtbot.waitUntil(lambda: "session only" in app.window.statusBar().currentMessage())
    wait_reconnected(app, "CloudDialer account")
    again = open_settings(app)
    assert again.api_key_edit.placeholderText() == "Kept for this session only: type to replace"
    again.reject()
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    assert store.get(sandbox.url) == DEMO_API_KEY  # in memory, for this session
    app.shutdown()
    assert files_containing(home, DEMO_API_KEY) == []
    assert KeyStore(keyring.backends.fail.Keyring()).get(sandbox.url) is None  # gone next time


def test_test_connection_good_and_bad_key(make_app: AppFactory, sandbox: SandboxServer) -> None:
    app = make_app()
    dialog = open_settings(app)
    fill_account(dialog, sandbox.url, DEMO_API_KEY)
    dialog.test_button.click()
    app.qtbot.waitUntil(lambda: dialog.test_result.text() == "Connected: the key was accepted.")
    dialog.api_key_edit.setText("wrong-key")
    dialog.test_button.click()
    app.qtbot.waitUntil(lambda: "did not accept the API key" in dialog.test_result.text())
    dialog.base_url_edit.setText("http://example.com")  # refused inline, before any request
    assert not dialog.test_button.isEnabled()
    assert "must start with https://" in dialog.base_url_problem.text()
    # Test connection never places a call.
    posts = [r for r in sandbox.app.requests if r.method == "POST"]
    assert posts == []
    dialog.reject()


def test_settings_validation_and_back_to_sandbox(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    app = make_app()
    dialog = open_settings(app)
    dialog.account_radio.setChecked(True)
    dialog.caller_ids_edit.setText("")
    save(dialog)
    assert dialog.isVisible()
    assert "at least one caller ID" in dialog.error_label.text()
    fill_account(dialog, sandbox.url, DEMO_API_KEY)
    dialog.agent_kind.setCurrentIndex(1)
    dialog.agent_edit.setText("12")
    save(dialog)
    assert "Your phone number: Too short" in dialog.error_label.text()
    dialog.agent_edit.setText("+91 90000 00001")
    save(dialog)
    wait_reconnected(app, "CloudDialer account")
    assert app.controller.settings.account is not None
    assert app.controller.settings.account.agent_number == "9000000001"

    dialog = open_settings(app)
    dialog.sandbox_radio.setChecked(True)
    save(dialog)
    wait_reconnected(app, "Sandbox: calls are simulated")


def test_crash_dialog_copies_details(qtbot: object) -> None:
    dialog = CrashDialog("Traceback: boom")
    dialog.findChild(QDialogButtonBox)
    from PySide6.QtWidgets import QPushButton

    copy = dialog.findChild(QPushButton, "copyDetailsButton")
    copy.click()
    assert QApplication.clipboard().text() == "Traceback: boom"
    dialog.deleteLater()


def test_retention_settings_round_trip(make_app: AppFactory, tmp_path: Path) -> None:
    home = tmp_path / "ret"
    app = make_app(home)
    dialog = open_settings(app)
    assert dialog.retention.keep_forever.isChecked()
    dialog.retention.keep_days.setChecked(True)
    dialog.retention.days_spin.setValue(30)
    dialog.retention.cap_size.setChecked(True)
    dialog.retention.gb_spin.setValue(2.5)
    save(dialog)
    app.qtbot.waitUntil(lambda: app.controller.settings.retention_days == 30)
    assert app.controller.settings.retention_gb == 2.5
    library = app.controller.recordings
    assert library is not None
    assert library.retention.max_age_days == 30
    assert library.retention.max_total_bytes == 2_500_000_000
    app.shutdown()
    again = make_app(home)
    assert again.controller.settings.retention_days == 30


def test_uncaught_errors_are_logged_and_shown(
    qtbot: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sys

    from dialdeck.ui import crash

    shown: list[str] = []
    monkeypatch.setattr(
        crash.CrashDialog, "exec", lambda self: shown.append(self.details.toPlainText()) or 0
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    crash.install_excepthook(secrets=("s3cr3t-key",))
    try:
        raise RuntimeError("broken with s3cr3t-key")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1
    assert "RuntimeError: broken with [redacted]" in shown[0]
    assert "s3cr3t-key" not in shown[0]
    assert any(r.name == "dialdeck.crash" and r.exc_info for r in caplog.records)


def test_settings_open_with_the_keyboard_on_the_mode_in_use(make_app: AppFactory) -> None:
    app = make_app()
    dialog = open_settings(app)
    app.qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.sandbox_radio)
    dialog.reject()


def test_a_key_pasted_with_invisible_marks_works_and_a_foreign_character_is_refused(
    make_app: AppFactory, sandbox: SandboxServer, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    """A zero-width space copied with the key crashed the app (deep in httpx, at every dial);
    now invisible marks are dropped and any other character no header can carry is named."""
    app = make_app(tmp_path / "home")
    dialog = open_settings(app)
    fill_account(dialog, f"\u200b{sandbox.url}\u200e", f"\ufeff{DEMO_API_KEY}\u200b")
    dialog.test_button.click()
    app.qtbot.waitUntil(lambda: dialog.test_result.text() == "Connected: the key was accepted.")
    dialog.api_key_edit.setText(f"{DEMO_API_KEY}é")
    dialog.test_button.click()
    assert "cannot contain latin small letter e with acute (U+00E9)" in dialog.test_result.text()
    assert dialog.test_button.isEnabled()  # never stuck on "Testing…"
    save(dialog)
    assert dialog.isVisible() and "U+00E9" in dialog.error_label.text()  # not saved
    dialog.api_key_edit.setText(f"{DEMO_API_KEY}\u200b")
    save(dialog)
    wait_reconnected(app, "CloudDialer account")
    assert memory_keyring.passwords[(SERVICE, sandbox.url)] == DEMO_API_KEY
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")


def test_a_saved_key_that_cannot_be_sent_opens_settings_instead_of_crashing(
    make_app: AppFactory, sandbox: SandboxServer, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    write_account(home, sandbox.url, f"{DEMO_API_KEY}\u00a0x")  # put in the keyring elsewhere
    app = make_app(home, wait=False)
    app.qtbot.waitUntil(lambda: app.controller.settings_ui.dialog is not None, timeout=10_000)
    assert app.window.mode_badge.text() == "Account not set up"
    assert "U+00A0" in app.window.dialer.preview.text()


def test_saving_other_settings_during_a_simulated_call_keeps_following_it(
    make_app: AppFactory,
) -> None:
    """Every Save restarted the embedded simulator: its calls ended, frozen on "Connected"."""
    app = make_app()
    server = app.embedded_sandbox
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    dialog = open_settings(app)
    dialog.dispositions_edit.setText("Sold, Call back later")
    save(dialog)
    app.qtbot.waitUntil(lambda: app.controller.settings.dispositions[0] == "Sold")
    assert app.embedded_sandbox is server  # the same simulator, the same call
    call = app.window.call_panel.focused
    assert call is not None and call.is_live and not call.error
    app.controller.calls.sandbox_hang_up(call.call_id, "destination", 1)
    app.wait_state("Call ended")  # still followed to its end


def test_changing_account_during_a_call_asks_and_says_what_happens_to_it(
    make_app: AppFactory,
    own_sandbox: SandboxServer,  # noqa: F811 (the fixture)
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    home = tmp_path / "acct"
    write_account(home, own_sandbox.url, DEMO_API_KEY)  # calls talk for 10 minutes there
    app = make_app(home)
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    call = app.window.call_panel.focused
    assert call is not None and not call.simulated
    assert not app.window.call_panel.sandbox_box.isVisible()  # an account's call: no sandbox

    dialog = open_settings(app)
    dialog.sandbox_radio.setChecked(True)
    save(dialog)
    app.answer("confirmReconnectBox", "Cancel")  # keep the account while the call is live
    app.qtbot.wait(200)
    assert app.controller.settings.account is not None and call.is_live

    dialog = open_settings(app)
    dialog.sandbox_radio.setChecked(True)
    save(dialog)
    app.answer("confirmReconnectBox", "Apply now")
    wait_reconnected(app, "Sandbox: calls are simulated")
    assert "Not followed here since the account settings changed" in app.state()
    assert not app.window.call_panel.sandbox_box.isVisible()  # never the simulator's buttons
    assert history_rows(app)[-1]["state"] == "live"  # followed again with the account later


def test_settings_say_when_sandbox_mode_is_forced_from_the_command_line(
    make_app: AppFactory, tmp_path: Path
) -> None:
    """Started with --sandbox, an account chosen and saved changed nothing, without a word."""
    app = make_app(tmp_path / "forced", force_sandbox=True)
    dialog = open_settings(app)
    assert dialog.forced_note.isVisible() and "--sandbox" in dialog.forced_note.text()
    dialog.reject()
    plain = make_app(tmp_path / "plain")
    dialog = open_settings(plain)
    assert not dialog.forced_note.isVisible()
    dialog.reject()
