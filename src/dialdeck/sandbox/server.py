"""Run the sandbox on a real socket: embedded (a background thread) or in the foreground."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

import uvicorn

from dialdeck.sandbox.app import Sandbox, create_app
from dialdeck.sandbox.config import SandboxConfig
from dialdeck.sandbox.engine import Clock

log = logging.getLogger("dialdeck.sandbox")


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


class SandboxServer:
    """The simulator on its own thread and event loop, so it never competes with the GUI loop.

    ``start()`` returns once the socket is bound and the server accepts connections; ``url`` is
    then the base URL to give the client (port 0 picks a free port).
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        log_level: str = "warning",
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self.port = port
        self.app = create_app(self.config, clock)
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failed: BaseException | None = None

    @property
    def sandbox(self) -> Sandbox:
        sandbox: Sandbox = self.app.app.state.sandbox  # type: ignore[attr-defined]
        return sandbox

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _make_server(self) -> uvicorn.Server:
        config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            lifespan="on",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        return uvicorn.Server(config)

    def start(self, timeout: float = 10.0) -> str:
        sock = bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self.sandbox.public_url = self.url
        self._server = self._make_server()
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name="dialdeck-sandbox", daemon=True
        )
        self._thread.start()
        deadline = threading.Event()
        for _ in range(int(timeout / 0.01)):
            if self._server.started or self._failed or not self._thread.is_alive():
                break
            deadline.wait(0.01)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"sandbox did not start: {self._failed!r}")
        log.info("sandbox listening on %s", self.url)
        return self.url

    def _run(self, sock: socket.socket) -> None:
        assert self._server is not None
        try:
            asyncio.run(self._server.serve(sockets=[sock]))
        except BaseException as exc:  # reported by start()
            self._failed = exc
        finally:
            sock.close()

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
