"""When no working mode could be opened: the app stays usable (History, Recordings) and the
dialer says why, in words that say what to do."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from dialdeck.session import BadAccountAddress, BadAccountKey, SandboxUnavailable, SessionError
from dialdeck.ui.main_window import MainWindow, Mode


def tr(text: str) -> str:
    return QCoreApplication.translate("ShellController", text)


def explain_unavailable(window: MainWindow, exc: SessionError) -> None:
    badge, text = _words(exc)
    window.set_mode(Mode.OFFLINE, badge)
    window.dialer.set_unavailable(text)


def _words(exc: SessionError) -> tuple[str, str]:
    """The badge, and what went wrong followed by what to do."""
    if isinstance(exc, SandboxUnavailable):
        problem = tr("The sandbox could not start on port {port}: {reason}").format(
            port=exc.port, reason=exc.reason
        )
        advice = tr(
            "Choose another --sandbox-port, or close what uses it. "
            "History and Recordings still work."
        )
        return tr("Sandbox unavailable"), f"{problem} {advice}"
    if isinstance(exc, BadAccountAddress):
        problem = tr("The saved API address “{url}” is not usable: {reason}").format(
            url=exc.url, reason=exc.reason
        )
        return tr("Account not set up"), f"{problem} {tr('Open Settings (Ctrl+,) to correct it.')}"
    if isinstance(exc, BadAccountKey):
        return tr("Account not set up"), str(exc)
    return tr("Not connected"), str(exc)
