"""When no working mode could be opened: the app stays usable (History, Recordings) and the
dialer says why, in words that say what to do."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from dialdeck.session import BadAccountAddress, BadAccountKey, SandboxUnavailable, SessionError
from dialdeck.ui.main_window import MainWindow, Mode


def tr(text: str) -> str:
    return QCoreApplication.translate("ShellController", text)


def explain_unavailable(window: MainWindow, exc: SessionError) -> None:
    dialer = window.dialer
    if isinstance(exc, SandboxUnavailable):
        window.set_mode(Mode.OFFLINE, tr("Sandbox unavailable"))
        dialer.set_unavailable(
            tr("The sandbox could not start on port {port}: {reason}").format(
                port=exc.port, reason=exc.reason
            )
            + " "
            + tr(
                "Choose another --sandbox-port, or close what uses it. "
                "History and Recordings still work."
            )
        )
    elif isinstance(exc, BadAccountAddress):
        window.set_mode(Mode.OFFLINE, tr("Account not set up"))
        dialer.set_unavailable(
            tr("The saved API address “{url}” is not usable: {reason}").format(
                url=exc.url, reason=exc.reason
            )
            + " "
            + tr("Open Settings (Ctrl+,) to correct it.")
        )
    elif isinstance(exc, BadAccountKey):
        window.set_mode(Mode.OFFLINE, tr("Account not set up"))
        dialer.set_unavailable(str(exc))
    else:
        window.set_mode(Mode.OFFLINE, tr("Not connected"))
        dialer.set_unavailable(str(exc))
