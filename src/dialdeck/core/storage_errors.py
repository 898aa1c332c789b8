"""Storage errors in plain words: what the agent is told when the disk says no.

``OSError`` and SQLite report the same few situations in their own terms ("[Errno 28] No space
left on device", "database or disk is full", "attempt to write a readonly database"). Every place
that tells the agent about a failed write uses :func:`storage_reason`, so a full disk reads the
same wherever it is met.
"""

from __future__ import annotations

import errno
import sqlite3

DISK_FULL = "the disk is full"
READ_ONLY = "the disk or folder is read-only"
NOT_ALLOWED = "Dialdeck is not allowed to write there"
DISK_ERROR = "the disk reported an error"

_BY_ERRNO = {
    number: reason
    for name, reason in (
        ("ENOSPC", DISK_FULL),
        ("EDQUOT", DISK_FULL),  # over quota: full as far as this user can tell
        ("EROFS", READ_ONLY),
        ("EACCES", NOT_ALLOWED),
        ("EPERM", NOT_ALLOWED),
        ("EIO", DISK_ERROR),
    )
    if (number := getattr(errno, name, None)) is not None  # not every OS has every name
}
_BY_SQLITE_TEXT = (
    ("disk is full", DISK_FULL),
    ("readonly database", READ_ONLY),
    ("disk i/o error", DISK_ERROR),
)


def storage_reason(exc: BaseException) -> str:
    """Why a write failed, as the agent should read it (no errno numbers, no SQL terms)."""
    if isinstance(exc, OSError):
        if exc.errno in _BY_ERRNO:
            return _BY_ERRNO[exc.errno]
        return exc.strerror or str(exc)
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        for words, reason in _BY_SQLITE_TEXT:
            if words in text:
                return reason
        return f"the call history could not be written ({exc})"
    return str(exc)
