"""One Dialdeck per user and per ``--home``: a second launch hands its arguments over and exits.

A local socket (named pipe on Windows) whose name is derived from the user and the resolved home
folder, so separate homes (tests, portable use) run side by side.
"""

from __future__ import annotations

import getpass
import logging
import zlib
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger("dialdeck.instance")


def server_name(config_dir: Path) -> str:
    """Per user and per configuration folder (so each --home is its own instance).

    Two zlib checksums, not hashlib: this runs before the first paint, and hashlib's first
    import loads and initialises OpenSSL (~3 ms). Not a secret (the socket is the user's own),
    only a short name that differs for different folders."""
    where = str(config_dir.expanduser().resolve())
    data = f"{getpass.getuser()}|{where}".encode()
    return f"dialdeck-{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


class Handover(Enum):
    FORWARDED = "forwarded"  # the running instance took the arguments: exit
    NO_INSTANCE = "no instance"  # we are the first: start normally
    UNRESPONSIVE = "unresponsive"  # one is running but did not answer: do not start a second


def forward(name: str, args: list[str], timeout_ms: int = 5000) -> Handover:
    """Hand ``args`` to the running instance, if there is one."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(min(timeout_ms, 1000)):
        return Handover.NO_INSTANCE
    import json  # only with an instance to talk to: not on the first launch's way to its window

    socket.write(json.dumps({"args": args}).encode() + b"\n")
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    answered = socket.waitForReadyRead(timeout_ms)
    acknowledged = answered and bytes(socket.readAll().data()).startswith(b"ok")
    socket.disconnectFromServer()
    return Handover.FORWARDED if acknowledged else Handover.UNRESPONSIVE


class InstanceServer(QObject):
    """Listens for later launches; emits their arguments."""

    arguments_received = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)  # a stale socket left by a crash
        ok = self._server.listen(self.name)
        if not ok:
            log.warning("single-instance server unavailable: %s", self._server.errorString())
        return ok

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data())
        import json

        try:
            args = json.loads(line).get("args", [])
        except (ValueError, AttributeError):
            args = []
        socket.write(b"ok\n")
        socket.flush()
        if isinstance(args, list):
            self.arguments_received.emit([str(a) for a in args])
