"""Logging to a rotating file in the log directory, with secrets removed from every record."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from queue import Queue

from dialdeck.core.redact import redact_text


class RedactingFormatter(logging.Formatter):
    """Formats, then strips the API key, bearer tokens and recording names (tracebacks too)."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self.secrets: set[str] = set()

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record), tuple(self.secrets))


_formatter = RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")


def add_secret(secret: str | None) -> None:
    """Make sure ``secret`` never appears in the log (called whenever a key is loaded or entered)."""
    if secret:
        _formatter.secrets.add(secret)


_listener: logging.handlers.QueueListener | None = None


class _QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A log write that fails (disk full, folder gone) is dropped, never a traceback on stderr."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def setup_logging(
    log_file: Path, *, level: int = logging.INFO, console: bool = False
) -> str | None:
    """Log through a queue: callers (the GUI thread included) never wait on the disk; a listener
    thread formats (redacting) and writes to the rotating file.

    Returns why the log file cannot be written (then only the console, if asked, gets the log),
    or None. Never raises: an unwritable log folder must not stop the app.
    """
    global _listener
    close_logging()
    handlers: list[logging.Handler] = []
    problem = None
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a", encoding="utf-8"):
            pass
        handlers.append(
            _QuietRotatingFileHandler(
                log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8", delay=True
            )
        )
    except OSError as exc:
        problem = f"{log_file.parent}: {exc.strerror or exc}"
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(_formatter)
    queue: Queue[logging.LogRecord] = Queue()
    _listener = logging.handlers.QueueListener(queue, *handlers, respect_handler_level=True)
    _listener.start()
    queue_handler = logging.handlers.QueueHandler(queue)
    queue_handler._dialdeck = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(queue_handler)
    # httpx logs full URLs at INFO: recording URLs are private.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return problem


_QT_CHATTER = ("qt.multimedia.symbolsresolver", "qt.multimedia.ffmpeg", "qt.qpa.")


def qt_message_level(kind: str, category: str, message: str) -> int:
    """Map a Qt message to a logging level; backend probing chatter is debug, not a warning."""
    if (
        category.startswith(_QT_CHATTER)
        or "propagateSizeHints" in message
        or "support raise()" in message
    ):
        return logging.DEBUG
    return {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}.get(
        kind, logging.ERROR
    )


def close_logging() -> None:
    """Detach, then let the listener write out what is queued and close the file."""
    global _listener
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_dialdeck", False):
            root.removeHandler(handler)
            handler.close()
    if _listener is not None:
        _listener.stop()
        for handler in _listener.handlers:
            handler.close()
        _listener = None
