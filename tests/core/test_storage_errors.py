"""A refused write in plain words, the same wherever the agent meets it."""

from __future__ import annotations

import errno
import sqlite3

from dialdeck.core.storage_errors import DISK_FULL, storage_reason


def test_the_disk_is_full_reads_the_same_from_the_os_and_from_sqlite() -> None:
    os_full = OSError(errno.ENOSPC, "No space left on device")
    sqlite_full = sqlite3.OperationalError("database or disk is full")
    assert storage_reason(os_full) == storage_reason(sqlite_full) == "the disk is full"


def test_other_refusals_in_plain_words() -> None:
    assert storage_reason(OSError(errno.EROFS, "Read-only file system")) == (
        "the disk or folder is read-only"
    )
    assert storage_reason(sqlite3.OperationalError("attempt to write a readonly database")) == (
        "the disk or folder is read-only"
    )
    assert storage_reason(PermissionError(errno.EACCES, "Permission denied")) == (
        "Dialdeck is not allowed to write there"
    )
    assert storage_reason(sqlite3.OperationalError("disk I/O error")) == (
        "the disk reported an error"
    )
    assert storage_reason(FileNotFoundError(errno.ENOENT, "No such file or directory")) == (
        "No such file or directory"  # no errno number, no "[Errno 2]"
    )
    assert "[Errno" not in storage_reason(OSError(errno.ENOSPC, "No space left on device"))
    assert storage_reason(OSError(errno.EROFS, "Read-only file system")) != DISK_FULL
