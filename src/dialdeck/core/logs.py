"""Logging to a rotating file in the log directory, with secrets removed from every record."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

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


def setup_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_dialdeck", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(_formatter)
        handler._dialdeck = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # httpx logs full URLs at INFO: recording URLs are private.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


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
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_dialdeck", False):
            root.removeHandler(handler)
            handler.close()
