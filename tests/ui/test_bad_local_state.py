"""Bad local state never stops Dialdeck: a mistyped API address, a damaged settings file, a
corrupt history database, an unwritable home. Each starts the app and says what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialdeck.core.paths import AppPaths
from tests.ui.conftest import AppFactory
from tests.ui.test_settings import save


def write_settings(home: Path, data: object) -> Path:
    path = AppPaths.resolve(home).settings_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.mark.parametrize("bad_url", ["api.clouddialer.in", "http://api.clouddialer.in"])
def test_mistyped_api_address_starts_explains_and_opens_settings(
    make_app: AppFactory, tmp_path: Path, bad_url: str
) -> None:
    home = tmp_path / "home"
    account = {"base_url": bad_url, "caller_ids": ["919800000000"], "crm_username": "agent.017"}
    write_settings(home, {"account": account})
    app = make_app(home)
    dialer = app.window.dialer
    assert not dialer.is_ready()
    assert "not usable" in dialer.preview.text()
    assert "Settings" in dialer.preview.text()
    app.qtbot.waitUntil(lambda: getattr(app.controller, "settings_dialog", None) is not None)
    dialog = app.controller.settings_dialog
    app.qtbot.waitUntil(dialog.isVisible)
    assert dialog.base_url_problem.isVisible()
    assert "https://" in dialog.base_url_problem.text()
    assert not dialog.save_button.isEnabled()
    assert not dialog.test_button.isEnabled()
    dialog.base_url_edit.setText("https://api.clouddialer.in")
    assert not dialog.base_url_problem.isVisible()
    assert dialog.save_button.isEnabled()
    dialog.sandbox_radio.setChecked(True)
    save(dialog)
    app.qtbot.waitUntil(lambda: app.window.dialer.is_ready(), timeout=10_000)


def test_settings_dialog_refuses_a_bad_address_inline(make_app: AppFactory) -> None:
    from tests.ui.test_settings import open_settings

    app = make_app()
    dialog = open_settings(app)
    dialog.account_radio.setChecked(True)
    for bad in ("api.clouddialer.in", "http://10.1.2.3", "https://host:99999", "https://a b"):
        dialog.base_url_edit.setText(bad)
        assert dialog.base_url_problem.isVisible(), bad
        assert not dialog.save_button.isEnabled(), bad
    dialog.base_url_edit.setText("https://api.clouddialer.in/v1/")
    assert dialog.save_button.isEnabled()
    dialog.sandbox_radio.setChecked(True)  # sandbox mode ignores the address
    dialog.base_url_edit.setText("nonsense")
    assert dialog.save_button.isEnabled()
    dialog.reject()
